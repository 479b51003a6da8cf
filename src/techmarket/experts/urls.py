from django.urls import path

from techmarket.experts import views

app_name = "experts"

urlpatterns = [
    path("", views.expert_list, name="list"),
    path("new/", views.create, name="create"),
    path("me/", views.me, name="me"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/active/", views.set_active, name="set_active"),
]
