from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from techmarket.notifications.api.views import NotificationViewSet, PreferencesView

router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns: list[URLPattern | URLResolver] = [
    path("notifications/preferences/", PreferencesView.as_view(), name="notification-preferences"),
    *router.urls,
]
