from django.urls import path

from techmarket.conversations import views

app_name = "conversations"

urlpatterns = [
    path("", views.thread_list, name="list"),
    path("badge/", views.badge, name="badge"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/messages/", views.post, name="post"),
    path("<int:pk>/join/", views.join, name="join"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
]
