"""The contracts API under /api/v1/: technology contracts filed for registration."""

from rest_framework.routers import SimpleRouter

from techmarket.contracts.api.registration import ContractViewSet

router = SimpleRouter()
router.register("contracts", ContractViewSet, basename="contract")

urlpatterns = router.urls
