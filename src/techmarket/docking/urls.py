from django.urls import path

from techmarket.docking import views

app_name = "docking"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/answer/", views.answer, name="answer"),
    path("demands/<int:pk>/push/", views.push, name="push"),
    path("policies/", views.policy_list, name="policies"),
]
