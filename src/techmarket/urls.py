from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from techmarket.core import urls as core_urls
from techmarket.portal import urls as portal_urls

api_patterns: list[URLPattern | URLResolver] = [
    path("", include("techmarket.core.api.urls")),
    path("", include("techmarket.accounts.api.urls")),
    path("", include("techmarket.achievements.api.urls")),
    path("", include("techmarket.experts.api.urls")),
    path("", include("techmarket.notifications.api.urls")),
    path("", include("techmarket.conversations.api.urls")),
    path("", include("techmarket.demands.api.urls")),
    path("", include("techmarket.matching.api.urls")),
    path("", include("techmarket.docking.api.urls")),
    path("", include("techmarket.trading.api.urls")),
    path("", include("techmarket.deals.api.urls")),
    path("", include("techmarket.contracts.api.urls")),
    path("", include("techmarket.subsidies.api.urls")),
    path("", include("techmarket.statistics.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

# The site's root pages: the home page (portal, above every app) and the health check (core) share the
# ``core`` namespace that templates and redirects have always linked (``core:home``).
site_patterns: list[URLPattern | URLResolver] = [*portal_urls.urlpatterns, *core_urls.urlpatterns]

urlpatterns = [
    path("", include((site_patterns, core_urls.app_name))),
    path("accounts/", include("techmarket.accounts.urls")),
    path("achievements/", include("techmarket.achievements.urls")),
    path("experts/", include("techmarket.experts.urls")),
    path("notifications/", include("techmarket.notifications.urls")),
    path("conversations/", include("techmarket.conversations.urls")),
    path("demands/", include("techmarket.demands.urls")),
    path("matching/", include("techmarket.matching.urls")),
    path("docking/", include("techmarket.docking.urls")),
    path("trading/", include("techmarket.trading.urls")),
    path("deals/", include("techmarket.deals.urls")),
    path("contracts/", include("techmarket.contracts.urls")),
    path("verify/", include("techmarket.contracts.verify_urls")),
    path("subsidies/", include("techmarket.subsidies.urls")),
    path("statistics/", include("techmarket.statistics.urls")),
    path("api/v1/", include((api_patterns, "api"))),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin signs in through the platform's own login page, with its throttling and second factor.
    path(
        settings.TECHMARKET["ADMIN_PATH"] + "login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
    ),
    path(settings.TECHMARKET["ADMIN_PATH"], admin.site.urls),
]

handler400 = "techmarket.core.views.bad_request"
handler403 = "techmarket.core.views.permission_denied"
handler404 = "techmarket.core.views.page_not_found"
handler500 = "techmarket.core.views.server_error"
