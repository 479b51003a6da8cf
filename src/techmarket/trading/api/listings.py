"""The trading floor's API under /api/v1/: listings (the same policies as the pages)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
