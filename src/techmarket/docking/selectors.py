"""Reads for docking: who hears about a demand's clock, the reviewers' dashboard and a person's pushes."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.policies import Principal, principal_of
from techmarket.accounts.selectors import brokers, org_admins, platform_admins, reviewers_at, users_by_id
from techmarket.accounts.types import User
from techmarket.achievements import policies as achievement_policies
from techmarket.achievements.types import Achievement
from techmarket.core.errors import NotFound
from techmarket.core.models import Region
from techmarket.core.todo import TodoItem, TodoRow, count_and_first
from techmarket.demands import policies as demand_policies
from techmarket.demands import selectors as demand_selectors
from techmarket.demands.choices import OPEN_STATES
from techmarket.demands.types import Demand
from techmarket.docking import policies
from techmarket.docking.models import (
    DEFAULT_REMIND_BEFORE_HOURS,
    ClockPolicy,
    PushRecipient,
    Response,
    ResponseClock,
)
from techmarket.matching.choices import TargetKind
from techmarket.matching.types import Suggestion


def default_hours() -> int:
    """Response hours where no region on the chain sets its own (TECHMARKET_RESPONSE_HOURS)."""
    return int(settings.TECHMARKET["RESPONSE_HOURS"])


def hours_for(region: Region) -> tuple[int, int]:
    """(response hours, remind-before hours) of the nearest policy on the region chain, else the default."""
    chain = region.chain()
    found = {
        policy.region_id: policy
        for policy in ClockPolicy.objects.filter(region_id__in=[r.code for r in chain])
    }
    for node in chain:
        policy = found.get(node.code)
        if policy is not None:
            return policy.hours, policy.remind_before_hours
    return default_hours(), DEFAULT_REMIND_BEFORE_HOURS


def chain_codes(demand: Demand) -> list[str]:
    """The demand's region codes from its own level up to the province."""
    return Region.record_chain_codes(demand)


def may_see(users: Iterable[User], demand: Demand) -> list[User]:
    """Drop anyone the demand's own visibility rule hides it from (no 受限 details in their messages)."""
    return [user for user in users if demand_policies.can_view(principal_of(user), demand)]


def reminder_recipients(demand: Demand) -> list[User]:
    """The reviewers of the demand's own level (the nearest level that has any), and brokers if 公开."""
    reviewers: list[User] = []
    for code in chain_codes(demand):
        reviewers = reviewers_at(code)
        if reviewers:
            break
    extra = brokers() if demand.is_public else []
    unique = {user.pk: user for user in [*reviewers, *extra]}
    return may_see(unique.values(), demand)


def escalation_targets(demand: Demand) -> tuple[str, list[User]]:
    """The supervising level (next up the chain that has reviewers) and its reviewers; platform admins
    above the province."""
    for code in chain_codes(demand)[1:]:
        reviewers = may_see(reviewers_at(code), demand)
        if reviewers:
            return code, reviewers
    return "", may_see(platform_admins(), demand)


# --- Dashboard ---------------------------------------------------------------------------------


def dashboard_demands(principal: Principal) -> QuerySet[Demand]:
    """Demands on the principal's dashboard: those they answer for, within what they may see."""
    return demand_selectors.all_demands().filter(policies.dashboard_q(principal))


def demand_url(demand: Demand) -> str:
    """The demand's own page, where responders work its matches and push the response."""
    return reverse("demands:detail", args=[demand.pk])


@dataclass(frozen=True)
class OpenRow:
    clock: ResponseClock
    hours_left: float

    @property
    def overdue(self) -> bool:
        return self.hours_left < 0

    @property
    def hours_overdue(self) -> float:
        return -self.hours_left

    @property
    def url(self) -> str:
        return demand_url(self.clock.demand)


def open_clock_queryset(principal: Principal) -> QuerySet[ResponseClock]:
    """Clocks still running (reminded and escalated included) of open demands on the viewer's dashboard,
    nearest deadline first."""
    return (
        ResponseClock.objects.filter(
            responded_at__isnull=True,
            demand__state__in=OPEN_STATES,
            demand__in=dashboard_demands(principal).values("pk"),
        )
        .select_related("demand__region")
        .order_by("deadline", "pk")
    )


def open_clocks(principal: Principal, *, now: datetime | None = None) -> list[OpenRow]:
    """Running clocks of open demands on the viewer's dashboard, least time left first."""
    now = now or timezone.now()
    clocks = open_clock_queryset(principal)
    return [OpenRow(clock, (clock.deadline - now).total_seconds() / 3600) for clock in clocks]


@dataclass(frozen=True)
class GroupStats:
    key: str
    name: str
    count: int
    median_hours: float
    within_share: float


def _group(key: str, name: str, rows: list[tuple[float, int]]) -> GroupStats:
    """rows: (response hours, the clock's own hours)."""
    within = sum(1 for taken, allowed in rows if taken <= allowed)
    return GroupStats(
        key=key,
        name=name,
        count=len(rows),
        median_hours=round(statistics.median(taken for taken, _ in rows), 2),
        within_share=round(within / len(rows), 4),
    )


def response_stats(principal: Principal) -> dict[str, Any]:
    """Median response hours and the share answered within the demand's deadline hours: overall, per
    region (the demand's city, or its province for province-level demands) and per responder."""
    clocks = ResponseClock.objects.filter(
        responded_at__isnull=False, demand__in=dashboard_demands(principal).values("pk")
    ).values_list(
        "started_at", "responded_at", "hours", "demand__city_code", "demand__province_code", "responded_by_id"
    )
    by_region: dict[str, list[tuple[float, int]]] = defaultdict(list)
    by_responder: dict[int, list[tuple[float, int]]] = defaultdict(list)
    everything: list[tuple[float, int]] = []
    for started, responded, hours, city, province, responder in clocks:
        row = (((responded or started) - started).total_seconds() / 3600, hours)  # responded is set (filter)
        everything.append(row)
        by_region[city or province].append(row)
        if responder is not None:
            by_responder[responder].append(row)
    region_names = dict(Region.objects.filter(code__in=by_region).values_list("code", "name"))
    users = users_by_id(by_responder)
    return {
        "overall": _group("", "", everything) if everything else None,
        "regions": sorted(
            (_group(code, region_names.get(code, code), rows) for code, rows in by_region.items()),
            key=lambda group: group.key,
        ),
        "responders": sorted(
            (_group(str(pk), str(users[pk]), rows) for pk, rows in by_responder.items()),
            key=lambda group: (-group.count, group.name),
        ),
    }


# --- A person's pushes ---------------------------------------------------------------------------


def inbox(principal: Principal) -> QuerySet[PushRecipient]:
    """The matches pushed to this person, newest first, for demands they may still see."""
    if principal.user_id is None:
        return PushRecipient.objects.none()
    visible = demand_selectors.demand_visible(principal).values("pk")
    return (
        PushRecipient.objects.filter(user_id=principal.user_id, response__demand__in=visible)
        .select_related(
            "response__demand__region",
            "response__demand__owner_organisation",
            "suggestion__expert",
            "suggestion__organisation",
            "suggestion__achievement__owner_organisation",
        )
        .order_by("-created_at", "-pk")
    )


def achievement_holders(achievement: Achievement) -> list[User]:
    """Who answers for a pushed achievement: its organisation's administrators and the person who filed
    it, while active and still with that organisation."""
    holders = {user.pk: user for user in org_admins(achievement.owner_organisation_id)}
    filer = achievement.created_by
    if filer.is_active and filer.organisation_id == achievement.owner_organisation_id:
        holders.setdefault(filer.pk, filer)
    return list(holders.values())


def match_name(principal: Principal, suggestion: Suggestion) -> str:
    """The pushed match as its addressee reads it in the inbox: their expert profile, their organisation,
    or their organisation's achievement (unnamed if they may no longer see a 受限 one)."""
    if suggestion.kind == TargetKind.ACHIEVEMENT and suggestion.achievement is not None:
        if achievement_policies.can_view(principal, suggestion.achievement):
            return str(suggestion.achievement.name)
        return ""
    target: Any = suggestion.expert or suggestion.organisation
    return str(target) if target is not None else ""


MAX_ID = 2**63 - 1


def parse_id(value: Any) -> int:
    """A record id from a URL or form; anything that cannot be one is NotFound (never a database error)."""
    try:
        number = int(value)
    except (ValueError, TypeError):
        raise NotFound() from None
    if not 0 < number <= MAX_ID:
        raise NotFound()
    return number


def push_recipient_get(principal: Principal, pk: Any) -> PushRecipient:
    """One of the person's own pushes; anyone else's is NotFound."""
    try:
        return inbox(principal).get(pk=parse_id(pk))
    except PushRecipient.DoesNotExist:
        raise NotFound() from None


def editable_policies(principal: Principal) -> QuerySet[Region]:
    """Regions whose response hours the principal may set."""
    return Region.objects.filter(policies.policy_regions_q(principal)).order_by("code")


def policies_in_scope(principal: Principal) -> QuerySet[ClockPolicy]:
    """The response-hours settings of the regions the principal may set them for."""
    return ClockPolicy.objects.filter(region__in=editable_policies(principal).values("pk")).select_related(
        "region", "updated_by"
    )


# --- My work (the to-do page, core.todo) ------------------------------------------------------

NEWS_DAYS = 14


def _hours_note(hours_left: float) -> str:
    if hours_left < 0:
        return str(_("已超时 %(hours).1f 小时") % {"hours": -hours_left})
    return str(_("剩余 %(hours).1f 小时") % {"hours": hours_left})


def todo_items(principal: Principal, *, now: datetime | None = None) -> list[TodoItem]:
    """Docking's work waiting for the principal: running response clocks they answer for (time left, the
    overdue first), push invitations waiting for their answer, and for a demand's organisation the
    responses and answers of the last days."""
    if not principal.is_authenticated:
        return []
    now = now or timezone.now()
    items: list[TodoItem] = []
    if policies.can_view_dashboard(principal):
        clocks = open_clock_queryset(principal)
        count, first = count_and_first(clocks)
        overdue = clocks.filter(deadline__lt=now).count() if count else 0
        clock_rows: list[TodoRow] = []
        for clock in first:
            hours_left = (clock.deadline - now).total_seconds() / 3600
            clock_rows.append(
                TodoRow(
                    label=clock.demand.title,
                    url=demand_url(clock.demand),
                    note=f"{_hours_note(hours_left)} · {clock.get_state_display()}",
                    urgent=hours_left < 0,
                )
            )
        title = _("待响应的需求（计时中，其中 %(overdue)d 项已超时）") % {"overdue": overdue}
        items.append(
            TodoItem(
                key="docking.clocks",
                title=title if overdue else _("待响应的需求（计时中）"),
                count=count,
                url=reverse("docking:dashboard"),
                rows=tuple(clock_rows),
                urgent=overdue > 0,
            )
        )
    pending = inbox(principal).filter(answer="")
    count, first = count_and_first(pending.order_by("created_at", "pk"))
    if count or policies.can_receive_pushes(principal):
        items.append(
            TodoItem(
                key="docking.invitations",
                title=_("待答复的对接邀请"),
                count=count,
                url=reverse("docking:inbox"),
                rows=tuple(
                    TodoRow(
                        label=recipient.response.demand.title,
                        url=reverse("docking:inbox"),
                        note=str(
                            _("%(day)s 推送")
                            % {"day": f"{timezone.localtime(recipient.created_at):%Y-%m-%d}"}
                        ),
                    )
                    for recipient in first
                ),
            )
        )
    if demand_policies.can_file(principal) and principal.organisation_id:
        since = now - timedelta(days=NEWS_DAYS)
        own = demand_selectors.own_demands(principal).values("pk")
        answers = (
            PushRecipient.objects.filter(response__demand__in=own, answered_at__gte=since)
            .exclude(answer="")
            .select_related("response__demand")
            .order_by("-answered_at", "-pk")
        )
        responses = Response.objects.filter(demand__in=own, sent_at__gte=since)
        count, first = count_and_first(answers)
        pushed = responses.count()
        rows = tuple(
            TodoRow(
                label=recipient.response.demand.title,
                url=demand_url(recipient.response.demand),
                note=f"{recipient.get_answer_display()} · {timezone.localtime(recipient.answered_at):%Y-%m-%d}",
            )
            for recipient in first
        )
        items.append(
            TodoItem(
                key="docking.news",
                title=_("近 %(days)d 天收到的对接答复") % {"days": NEWS_DAYS},
                note=_("近 %(days)d 天平台向本单位需求推送对接 %(pushed)d 次")
                % {"days": NEWS_DAYS, "pushed": pushed}
                if pushed
                else "",
                count=count,
                url=reverse("demands:mine"),
                rows=rows,
                actionable=False,
            )
        )
    return items


def response_of_demand(demand: Demand, pk: Any) -> Response:
    """One pushed response of a demand the caller already may see (the API's answer to a retried push)."""
    return Response.objects.select_related("sent_by").get(demand=demand, pk=parse_id(pk))


def answered_counts_by_region(year: int, group_field: str, filters: dict[str, str]) -> dict[str, int]:
    """Demands answered (their first pushed response) in ``year``, counted per value of the demand's
    ``group_field`` (``province_code``, ``city_code`` or ``county_code``) within ``filters`` on the same
    fields — one aggregated query for the statistics dashboard."""
    rows = (
        ResponseClock.objects.filter(
            responded_at__year=year, **{f"demand__{key}": value for key, value in filters.items()}
        )
        .values(f"demand__{group_field}")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row[f"demand__{group_field}"]: row["n"] for row in rows if row[f"demand__{group_field}"]}


def median_response_hours(year: int, filters: dict[str, str]) -> Decimal | None:
    """The median hours from publication to the first pushed response of the demands answered in
    ``year`` within ``filters`` on the demand's region fields (``province_code``, ``city_code`` or
    ``county_code``); None when none was answered — the KPI of the plans' response deadline."""
    rows = ResponseClock.objects.filter(
        responded_at__year=year, **{f"demand__{key}": value for key, value in filters.items()}
    ).values_list("started_at", "responded_at")
    hours = [(responded - started).total_seconds() / 3600 for started, responded in rows if responded]
    if not hours:
        return None
    return Decimal(str(round(statistics.median(hours), 2)))
