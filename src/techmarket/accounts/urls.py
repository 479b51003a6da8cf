from django.contrib.auth import views as auth_views
from django.urls import path

from techmarket.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/code/", views.two_factor, name="two_factor"),
    path("login/enrol/", views.two_factor_enrol, name="two_factor_enrol"),
    path("two-factor/reset/", views.two_factor_reset, name="two_factor_reset"),
    path("register/", views.register, name="register"),
    path("register/done/", views.register_done, name="register_done"),
    path("activate/<uidb64>/<token>/", views.activate, name="activate"),
    path("profile/", views.profile, name="profile"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("sessions/end-all/", views.sessions_end_all, name="sessions_end_all"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/done/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("members/new/", views.member_create, name="member_create"),
    path("roles/", views.role_admin, name="role_admin"),
    path("roles/<int:pk>/revoke/", views.role_revoke, name="role_revoke"),
    path("organisations/pending/", views.organisation_queue, name="organisation_queue"),
    path("organisations/<int:pk>/<str:decision>/", views.organisation_decide, name="organisation_decide"),
]
