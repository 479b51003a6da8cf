"""Pages of the matching work: deciding suggestions, adding matches by hand, reverse matching."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import principal_of
from techmarket.achievements import selectors as achievement_selectors
from techmarket.core.errors import DomainError, NotFound
from techmarket.demands import selectors as demand_selectors
from techmarket.demands.types import Demand
from techmarket.matching import policies, selectors, services
from techmarket.matching.choices import TargetKind

MAX_QUERY = 200
DECISIONS = frozenset({"confirm", "reject", "reconsider"})


def _demand(request: HttpRequest, pk: int) -> Demand:
    try:
        return demand_selectors.demand_get(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None


def _back(demand_id: int) -> HttpResponse:
    return redirect(reverse("demands:detail", args=[demand_id]) + "#matches")


@login_required
@require_POST
def refresh(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _demand(request, pk)
    try:
        count = services.suggestions_refresh(demand=demand, actor=acting_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已重新匹配，新增%(count)d条待确认建议。") % {"count": count})
    return _back(demand.pk)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in DECISIONS:
        raise Http404
    try:
        suggestion = selectors.suggestion_get(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None
    demand = suggestion.demand
    actor = acting_user(request)
    note = request.POST.get("note", "")[:2000]
    try:
        if action == "confirm":
            services.suggestion_confirm(actor=actor, suggestion=suggestion, note=note)
        elif action == "reject":
            services.suggestion_reject(
                actor=actor, suggestion=suggestion, reason=request.POST.get("reject_reason", ""), note=note
            )
        else:
            services.suggestion_reconsider(actor=actor, suggestion=suggestion)
    except DomainError as error:
        messages.error(request, error.message)
    return _back(demand.pk)


@login_required
def search(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: candidates for a match added by hand, ranked by the same engine."""
    demand = _demand(request, pk)
    principal = principal_of(request.user)
    if not policies.can_work(principal, demand):
        return render(request, "core/error.html", {"status": 403}, status=403)
    kind = request.GET.get("kind", TargetKind.ACHIEVEMENT)
    if kind not in TargetKind.values:
        kind = TargetKind.ACHIEVEMENT
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    results = selectors.manual_candidates(query, kind, viewer=principal, demand=demand) if query else []
    return render(
        request, "matching/_search_results.html", {"results": results, "kind": kind, "demand": demand}
    )


@login_required
@require_POST
def add(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _demand(request, pk)
    try:
        services.suggestion_add(
            actor=acting_user(request),
            demand=demand,
            kind=request.POST.get("kind", ""),
            target_id=request.POST.get("target_id", ""),
            note=request.POST.get("note", "")[:2000],
        )
    except NotFound:
        messages.error(request, _("找不到该对象，或需求企业无权查看它。"))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已添加并确认。"))
    return _back(demand.pk)


@login_required
def reverse_matches(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request.user)
    try:
        achievement = achievement_selectors.achievement_get(principal, pk)
    except NotFound:
        raise Http404 from None
    if not policies.can_see_reverse(principal, achievement):
        return render(request, "core/error.html", {"status": 403}, status=403)
    matches = selectors.reverse_matches(achievement, viewer=principal)
    return render(request, "matching/reverse.html", {"achievement": achievement, "matches": matches})


@login_required
@require_POST
def listing_alert(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn the demand's 新挂牌匹配提醒 on or off (its enterprise)."""
    demand = _demand(request, pk)
    enabled = request.POST.get("enabled", "") == "1"
    try:
        services.listing_alert_set(actor=acting_user(request), demand=demand, enabled=enabled)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已开启新挂牌匹配提醒。") if enabled else _("已关闭新挂牌匹配提醒。"))
    return redirect(reverse("demands:detail", args=[demand.pk]) + "#listing-alert")
