"""The subsidies API under /api/v1/: runs and their awards and objections, award trails, policies."""

from rest_framework.routers import SimpleRouter

from techmarket.subsidies.api.views import (
    SubsidyAwardViewSet,
    SubsidyObjectionViewSet,
    SubsidyPolicyViewSet,
    SubsidyRunViewSet,
)

router = SimpleRouter()
router.register("subsidy-runs", SubsidyRunViewSet, basename="subsidy-run")
router.register("subsidy-awards", SubsidyAwardViewSet, basename="subsidy-award")
router.register("subsidy-objections", SubsidyObjectionViewSet, basename="subsidy-objection")
router.register("subsidy-policies", SubsidyPolicyViewSet, basename="subsidy-policy")

urlpatterns = router.urls
