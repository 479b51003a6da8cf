from rest_framework.routers import SimpleRouter

from techmarket.matching.api.views import ReverseMatchViewSet, SuggestionViewSet

router = SimpleRouter()
router.register("suggestions", SuggestionViewSet, basename="suggestion")
router.register("demand-matches", ReverseMatchViewSet, basename="demand-match")

urlpatterns = router.urls
