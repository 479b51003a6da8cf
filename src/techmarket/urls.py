from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

api_patterns: list[URLPattern | URLResolver] = [
    path("", include("techmarket.core.api.urls")),
    path("", include("techmarket.accounts.api.urls")),
    path("", include("techmarket.achievements.api.urls")),
    path("", include("techmarket.experts.api.urls")),
    path("", include("techmarket.notifications.api.urls")),
    path("", include("techmarket.demands.api.urls")),
    path("", include("techmarket.matching.api.urls")),
    path("", include("techmarket.docking.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", include("techmarket.core.urls")),
    path("accounts/", include("techmarket.accounts.urls")),
    path("achievements/", include("techmarket.achievements.urls")),
    path("experts/", include("techmarket.experts.urls")),
    path("notifications/", include("techmarket.notifications.urls")),
    path("demands/", include("techmarket.demands.urls")),
    path("matching/", include("techmarket.matching.urls")),
    path("docking/", include("techmarket.docking.urls")),
    path("api/v1/", include((api_patterns, "api"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "techmarket.core.views.bad_request"
handler403 = "techmarket.core.views.permission_denied"
handler404 = "techmarket.core.views.page_not_found"
handler500 = "techmarket.core.views.server_error"
