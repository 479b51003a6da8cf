"""Pages of the contracts app."""

from django.urls import URLPattern, URLResolver

app_name = "contracts"

urlpatterns: list[URLPattern | URLResolver] = []
