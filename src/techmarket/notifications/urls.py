from django.urls import path

from techmarket.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.read_all, name="read_all"),
    path("settings/", views.preferences, name="preferences"),
    path("<int:pk>/open/", views.open_notification, name="open"),
]
