"""The contracts API under /api/v1/: technology contracts filed for registration, their receipts
(实际到账), amendments and the 技术性收入核定."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from techmarket.contracts.api import receipts
from techmarket.contracts.api.registration import ContractViewSet

router = SimpleRouter()
router.register("contracts", ContractViewSet, basename="contract")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]

# Receipts (实际到账), amendments and the 技术性收入核定 (api/receipts.py).
urlpatterns += receipts.urlpatterns
