"""Request-wide behaviour: the interface language, domain errors that escaped a page view, and the
Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation

from techmarket.core.api.errors import is_api_request
from techmarket.core.errors import DomainError


class DomainErrorMiddleware:
    """Turns a DomainError that escaped a page view into an error page with its status, not a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError):
            if is_api_request(request):
                return JsonResponse(exception.as_dict(), status=exception.status)
            return render(
                request,
                "core/error.html",
                {"status": exception.status, "message": exception.message},
                status=exception.status,
            )
        return None


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages speak the platform's language (zh-hans) unless the visitor chose another with the switch;
    the browser's Accept-Language is ignored for pages. API clients get their Accept-Language."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        translation.activate(chosen if chosen in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # Bootstrap draws its form controls' icons as data: SVG images.
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Sends a same-origin-only Content-Security-Policy when served over TLS (TECHMARKET_HTTPS).

    Every script and style is a file under /static/ (htmx, Bootstrap, ECharts included), so no inline code
    or CDN needs allowing; ``tests/test_security_headers.py`` keeps templates free of inline code.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(settings, "HTTPS", False):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
