"""The public check of a registration certificate: ``GET /verify/<code>/``."""

from django.urls import path

from techmarket.contracts.views import registration as views

app_name = "verify"

urlpatterns = [
    path("<str:code>/", views.verify, name="check"),
]
