"""Reads for demands, always through the visibility rule of :mod:`.policies`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.policies import Principal
from techmarket.core import pickers
from techmarket.core.errors import NotFound
from techmarket.core.models import Region
from techmarket.core.todo import TodoItem, TodoRow, count_and_first, latest_reasons
from techmarket.demands import policies
from techmarket.demands.choices import OPEN_STATES, DemandState
from techmarket.demands.models import Demand
from techmarket.search import backends as search

# Fields that make matches better, in the order the form helper lists them, with their weight.
QUALITY_FIELDS: tuple[tuple[str, int], ...] = (
    ("problem", 30),
    ("targets", 15),
    ("keywords", 15),
    ("background", 10),
    ("industry", 10),
    ("expected_trl", 5),
    ("budget_max", 5),
    ("cooperation", 5),
    ("discipline", 5),
)
PROBLEM_GOOD_LENGTH = 60


def demand_visible(principal: Principal) -> QuerySet[Demand]:
    """Every demand the principal may see, in any state."""
    return Demand.objects.filter(policies.visible_q(principal))


def demand_get(principal: Principal, pk: Any) -> Demand:
    """One demand; NotFound (not a refusal) when the principal may not see it, so a 受限 demand's
    existence is not revealed."""
    try:
        demand = Demand.objects.select_related("industry", "discipline", "region", "owner_organisation").get(
            pk=pk
        )
    except (Demand.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not policies.can_view(principal, demand):
        raise NotFound()
    return demand


def demand_for_list(queryset: QuerySet[Demand]) -> QuerySet[Demand]:
    """Rows for lists, with the related rows the list pages show joined in."""
    return queryset.select_related("industry", "region", "owner_organisation").defer(
        "search_title", "search_body"
    )


def open_demands(principal: Principal) -> QuerySet[Demand]:
    """Published and in-docking demands the principal may see, newest first (the demand hall)."""
    return demand_for_list(demand_visible(principal).filter(state__in=OPEN_STATES))


@dataclass(frozen=True)
class DemandFilters:
    """Query and screening parameters of the demand hall (page and API)."""

    q: str = ""
    industry: str = ""
    region: str = ""
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    deadline_from: datetime.date | None = None
    deadline_to: datetime.date | None = None
    cooperation: str = ""


def demand_filter(queryset: QuerySet[Demand], filters: DemandFilters) -> QuerySet[Demand]:
    """Screen demands and, with a query, rank them by full-text relevance (else newest first).

    The budget range is compared with the demand's upper budget (what the hall shows); a deadline
    range keeps only demands that state a deadline in it.
    """
    if filters.industry:
        queryset = queryset.filter(industry__code__in=pickers.subtree_codes("industry", filters.industry))
    if filters.region:
        queryset = queryset.filter(Region.within_q(filters.region))
    if filters.budget_min is not None:
        queryset = queryset.filter(budget_max__gte=filters.budget_min)
    if filters.budget_max is not None:
        queryset = queryset.filter(budget_max__lte=filters.budget_max)
    if filters.deadline_from is not None:
        queryset = queryset.filter(deadline__gte=filters.deadline_from)
    if filters.deadline_to is not None:
        queryset = queryset.filter(deadline__lte=filters.deadline_to)
    if filters.cooperation:
        queryset = queryset.filter(cooperation__contains=f",{filters.cooperation},")
    if filters.q:
        return search.rank(queryset, filters.q)
    return queryset.order_by("-published_at", "-id")


def is_partial_match(rows: Any) -> bool:
    """Whether a page of searched demands holds partial matches only (no demand had every word)."""
    return search.is_partial(rows)


def open_demands_by_id(principal: Principal, ids: list[int]) -> QuerySet[Demand]:
    """The open demands of ``ids`` the principal may see (reverse matching reads its ranking back)."""
    return demand_for_list(demand_visible(principal).filter(state__in=OPEN_STATES, pk__in=ids))


def all_demands() -> QuerySet[Demand]:
    """Every demand, unscoped: for callers that apply their own policy's filter (docking's dashboard)."""
    return Demand.objects.all()


def demand_by_pk(pk: int) -> Demand:
    """A demand whatever its state, for system jobs (no principal); ``Demand.DoesNotExist`` if absent."""
    return Demand.objects.get(pk=pk)


def published_demands() -> QuerySet[Demand]:
    """Every published demand (system jobs such as the matching catch-up; no visibility rule)."""
    return Demand.objects.filter(state=DemandState.PUBLISHED)


def own_demands(principal: Principal) -> QuerySet[Demand]:
    """Every demand of the principal's organisation, in any state, last changed first (本单位需求)."""
    if not principal.organisation_id:
        return Demand.objects.none()
    return demand_for_list(Demand.objects.filter(owner_organisation_id=principal.organisation_id)).order_by(
        "-updated_at"
    )


def review_queue(principal: Principal) -> QuerySet[Demand]:
    """Submitted demands in the reviewer's regions, oldest first."""
    queryset = Demand.objects.filter(state=DemandState.SUBMITTED)
    if not principal.is_platform_admin:
        queryset = queryset.filter(policies.chain_q(principal))
    return demand_for_list(queryset).order_by("submitted_at", "id")


def quality(data: dict[str, Any]) -> dict[str, Any]:
    """How usable a need is for matching (0–100) and which fields would improve it most.

    Matching reads the free text first: a problem statement of a few sentences with its indicators
    and keywords finds far better candidates than a title alone.
    """
    score, missing = 0, []
    for field, weight in QUALITY_FIELDS:
        value = data.get(field)
        filled = bool(value) and (str(value).strip() != "")
        if field == "problem" and filled:
            if len(str(value).strip()) >= PROBLEM_GOOD_LENGTH:
                score += weight
            else:
                score += weight // 2
                missing.append("problem_short")
            continue
        if filled:
            score += weight
        else:
            missing.append(field)
    return {"score": score, "missing": missing}


# --- My work (the to-do page, core.todo) ------------------------------------------------------


def _row(demand: Demand, note: str = "", *, urgent: bool = False) -> TodoRow:
    return TodoRow(
        label=demand.title, url=reverse("demands:detail", args=[demand.pk]), note=note, urgent=urgent
    )


def _day(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""


def todo_items(principal: Principal) -> list[TodoItem]:
    """The demands' work waiting for the principal: demands to review (chain reviewers; every region for
    platform administrators), and for filers their returned demands with the reason, drafts, demands under
    review and those out in the market with their state."""
    if not principal.is_authenticated:
        return []
    items: list[TodoItem] = []
    if policies.can_see_review_queue(principal):
        count, first = count_and_first(review_queue(principal))
        items.append(
            TodoItem(
                key="demands.review",
                title=_("待审核的技术需求（全平台）")
                if principal.is_platform_admin
                else _("待我审核的技术需求"),
                count=count,
                url=reverse("demands:review_queue"),
                rows=tuple(
                    _row(
                        d,
                        _("%(region)s · %(day)s 提交")
                        % {"region": d.region.name, "day": _day(d.submitted_at)},
                    )
                    for d in first
                ),
            )
        )
    if policies.can_file(principal):
        own = own_demands(principal)
        count, first = count_and_first(own.filter(state=DemandState.RETURNED).order_by("updated_at", "pk"))
        reasons = latest_reasons(Demand, [d.pk for d in first], DemandState.RETURNED)
        items.append(
            TodoItem(
                key="demands.returned",
                title=_("被退回待修改的需求"),
                count=count,
                url=reverse("demands:mine"),
                urgent=count > 0,
                rows=tuple(
                    _row(d, _("退回理由：%(reason)s") % {"reason": reasons.get(str(d.pk)) or "—"})
                    for d in first
                ),
            )
        )
        count, first = count_and_first(own.filter(state=DemandState.DRAFT).order_by("updated_at", "pk"))
        items.append(
            TodoItem(
                key="demands.drafts",
                title=_("未提交的需求草稿"),
                count=count,
                url=reverse("demands:mine"),
                rows=tuple(_row(d, _("%(day)s 修改") % {"day": _day(d.updated_at)}) for d in first),
            )
        )
        waiting = (DemandState.SUBMITTED, DemandState.APPROVED, *OPEN_STATES)
        count, first = count_and_first(own.filter(state__in=waiting).order_by("-updated_at", "-pk"))
        items.append(
            TodoItem(
                key="demands.mine",
                title=_("本单位进行中的需求"),
                count=count,
                url=reverse("demands:mine"),
                actionable=False,
                rows=tuple(_row(d, str(d.get_state_display())) for d in first),
            )
        )
    return items
