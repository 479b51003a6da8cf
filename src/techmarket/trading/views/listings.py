"""Pages of the trading floor: listings (thin: services and selectors decide)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
