from django.urls import URLPattern, URLResolver, path, re_path
from rest_framework.routers import SimpleRouter

from techmarket.docking.api.views import DashboardView, PushViewSet, ResponsePushView

router = SimpleRouter()
router.register("docking/pushes", PushViewSet, basename="docking-push")

urlpatterns: list[URLPattern | URLResolver] = [
    path("docking/dashboard/", DashboardView.as_view(), name="docking-dashboard"),
    re_path(
        r"^docking/demands/(?P<demand_id>\d+)/push/$",
        ResponsePushView.as_view(),
        name="docking-push-response",
    ),
    *router.urls,
]
