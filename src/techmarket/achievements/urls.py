from django.urls import path

from techmarket.achievements import views

app_name = "achievements"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("export.xlsx", views.export_catalogue, name="export"),
    path("suggest", views.suggest, name="suggest"),
    path("new/", views.create, name="create"),
    path("mine/", views.mine, name="mine"),
    path("review/", views.review_queue, name="review_queue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/transitions/<str:name>/", views.transition, name="transition"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
    path("<int:pk>/access/", views.grant_access, name="grant_access"),
]
