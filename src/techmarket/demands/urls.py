from django.urls import path

from techmarket.demands import views

app_name = "demands"

urlpatterns = [
    path("", views.hall, name="hall"),
    path("new/", views.create, name="create"),
    path("quality", views.quality, name="quality"),
    path("mine/", views.mine, name="mine"),
    path("review/", views.review_queue, name="review_queue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/converse/", views.converse, name="converse"),
    path("<int:pk>/transitions/<str:name>/", views.transition, name="transition"),
]
