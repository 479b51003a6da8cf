from django.urls import path

from techmarket.matching import views

app_name = "matching"

urlpatterns = [
    path("demands/<int:pk>/refresh/", views.refresh, name="refresh"),
    path("demands/<int:pk>/search", views.search, name="search"),
    path("demands/<int:pk>/add/", views.add, name="add"),
    path("demands/<int:pk>/listing-alert/", views.listing_alert, name="listing_alert"),
    path("suggestions/<int:pk>/<str:action>/", views.decide, name="decide"),
    path("achievements/<int:pk>/demands/", views.reverse_matches, name="reverse"),
]
