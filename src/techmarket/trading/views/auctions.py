"""Pages of the trading floor: auctions (thin: services and selectors decide)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
