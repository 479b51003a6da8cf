from django.urls import path

from techmarket.achievements import views, views_bulk

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
    path("<int:pk>/converse/", views.converse, name="converse"),
]

# Bulk import and the quarterly catalogues (views_bulk.py).
urlpatterns += [
    path("import/", views_bulk.import_start, name="import"),
    path("import/template.<str:file_format>", views_bulk.import_template, name="import_template"),
    path("import/<int:job_id>/", views_bulk.import_job, name="import_job"),
    path("import/<int:job_id>/progress/", views_bulk.import_progress, name="import_progress"),
    path("import/<int:job_id>/confirm/", views_bulk.import_confirm, name="import_confirm"),
    path("catalogues/", views_bulk.catalogues, name="catalogues"),
    path("catalogues/publish/", views_bulk.catalogue_publish, name="catalogue_publish"),
    path(
        "catalogues/<str:quarter>.<str:file_format>",
        views_bulk.catalogue_download,
        name="catalogue_download",
    ),
]
