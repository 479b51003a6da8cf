"""Pages of the contracts app."""

from django.urls import URLPattern, URLResolver

from techmarket.contracts.views import receipts

app_name = "contracts"

urlpatterns: list[URLPattern | URLResolver] = []

# Receipts (实际到账), amendments and the 技术性收入核定 (views/receipts.py).
urlpatterns += receipts.urlpatterns
