from rest_framework.routers import SimpleRouter

from techmarket.matching.api.views import ListingAlertViewSet, ReverseMatchViewSet, SuggestionViewSet

router = SimpleRouter()
router.register("suggestions", SuggestionViewSet, basename="suggestion")
router.register("demand-matches", ReverseMatchViewSet, basename="demand-match")
router.register("demand-listing-alerts", ListingAlertViewSet, basename="demand-listing-alert")

urlpatterns = router.urls
