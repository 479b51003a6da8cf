from rest_framework.routers import SimpleRouter

from techmarket.conversations.api.views import ThreadViewSet

router = SimpleRouter()
router.register("conversations/threads", ThreadViewSet, basename="conversation-thread")

urlpatterns = router.urls
