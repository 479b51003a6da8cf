from rest_framework.routers import SimpleRouter

from techmarket.core.api.views import ClassificationViewSet, RegionViewSet

router = SimpleRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("classifications", ClassificationViewSet, basename="classification")

urlpatterns = router.urls
