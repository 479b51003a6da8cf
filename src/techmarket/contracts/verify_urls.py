"""The public check of a registration certificate: ``GET /verify/<code>/``."""

from django.urls import URLPattern, URLResolver

app_name = "verify"

urlpatterns: list[URLPattern | URLResolver] = []
