"""Pages of the subsidies app."""

from django.urls import URLPattern, URLResolver

app_name = "subsidies"

urlpatterns: list[URLPattern | URLResolver] = []
