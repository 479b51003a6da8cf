"""The deals API under /api/v1/: negotiations and offers, deals and their certificates, deal notices."""

from rest_framework.routers import SimpleRouter

from techmarket.deals.api.views import DealNoticeViewSet, DealViewSet, NegotiationViewSet, OfferViewSet

router = SimpleRouter()
router.register("negotiations", NegotiationViewSet, basename="negotiation")
router.register("offers", OfferViewSet, basename="offer")
router.register("deals", DealViewSet, basename="deal")
router.register("deal-notices", DealNoticeViewSet, basename="dealnotice")

urlpatterns = router.urls
