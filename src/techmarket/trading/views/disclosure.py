"""Pages of the trading floor: disclosure (thin: services and selectors decide)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
