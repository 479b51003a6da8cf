from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from techmarket.accounts.policies import principal_of
from techmarket.achievements import selectors as achievement_selectors
from techmarket.portal import todo


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request.user)
    latest = achievement_selectors.achievement_for_list(
        achievement_selectors.achievement_catalogue(principal)
    ).order_by("-published_at", "-id")[:6]
    return render(
        request, "portal/home.html", {"counts": achievement_selectors.public_counts(), "latest": latest}
    )


@require_GET
@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    """我的待办: where every signed-in person lands after login (LOGIN_REDIRECT_URL)."""
    items = todo.todo_items(principal_of(request.user))
    shown = [item for item in items if item.count or item.note]
    return render(
        request,
        "portal/todo.html",
        {
            "actionable": [item for item in shown if item.actionable],
            "informational": [item for item in shown if not item.actionable],
            "clear": [item for item in items if item not in shown],
            "waiting": todo.waiting_count(items),
        },
    )


@require_GET
def my_work_badge(request: HttpRequest) -> HttpResponse:
    """The navigation's count, fetched by htmx after the page loads so no other page pays its queries."""
    principal = principal_of(request.user)
    waiting = todo.waiting_count(todo.todo_items(principal)) if principal.is_authenticated else 0
    return render(request, "portal/_todo_badge.html", {"waiting": waiting})
