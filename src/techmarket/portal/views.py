from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from techmarket.accounts.policies import principal_of
from techmarket.achievements import selectors as achievement_selectors


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request.user)
    latest = achievement_selectors.achievement_for_list(
        achievement_selectors.achievement_catalogue(principal)
    ).order_by("-published_at", "-id")[:6]
    return render(
        request, "portal/home.html", {"counts": achievement_selectors.public_counts(), "latest": latest}
    )
