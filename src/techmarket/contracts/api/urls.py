"""The contracts API under /api/v1/."""

from django.urls import URLPattern, URLResolver

from techmarket.contracts.api import receipts

urlpatterns: list[URLPattern | URLResolver] = []

# Receipts (实际到账), amendments and the 技术性收入核定 (api/receipts.py).
urlpatterns += receipts.urlpatterns
