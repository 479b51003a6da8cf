"""Reads for the achievements registry. Every query starts from what the principal may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.choices import Role
from techmarket.accounts.policies import Principal
from techmarket.accounts.selectors import verified_organisations
from techmarket.achievements import market, policies
from techmarket.achievements.choices import (
    REVIEW_STATES,
    AchievementState,
    Confidentiality,
    FundingSource,
    SortOrder,
)
from techmarket.achievements.models import Achievement
from techmarket.achievements.workflow import ACHIEVEMENT_WORKFLOW
from techmarket.core import pickers
from techmarket.core.audit import events_for
from techmarket.core.errors import NotFound
from techmarket.core.models import AuditEvent, Region
from techmarket.core.todo import TodoItem, TodoRow, count_and_first, latest_reasons
from techmarket.search import backends as search
from techmarket.search import segment


def achievement_visible(principal: Principal) -> QuerySet[Achievement]:
    """Every record the principal may see, in any state."""
    return Achievement.objects.filter(policies.visible_q(principal))


def public_achievements() -> QuerySet[Achievement]:
    """Published 公开 records: what anyone may see (other apps describe themselves with their names)."""
    return Achievement.objects.filter(policies.public_q())


def achievement_catalogue(principal: Principal) -> QuerySet[Achievement]:
    """Published records the principal may see: the public catalogue (plus 受限 ones shown to their audience)."""
    return achievement_visible(principal).filter(state=AchievementState.PUBLISHED)


def achievement_get(principal: Principal, pk: Any) -> Achievement:
    """One record with its details; NotFound (not a refusal) when the principal may not see it, so
    a 受限 record's existence is not revealed."""
    try:
        achievement = (
            Achievement.objects.select_related(
                "discipline", "industry", "region", "owner_organisation", "created_by"
            )
            .prefetch_related("completing_organisations", "completing_persons", "ip_rights", "attachments")
            .get(pk=pk)
        )
    except (Achievement.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not policies.can_view(principal, achievement):
        raise NotFound()
    return achievement


@dataclass(frozen=True)
class Filters:
    """Query and screening parameters shared by the catalogue page, the API and exports."""

    q: str = ""
    discipline: str = ""
    industry: str = ""
    region: str = ""
    trl_min: int | None = None
    trl_max: int | None = None
    transfer_mode: str = ""
    price_min: float | None = None
    price_max: float | None = None
    year: int | None = None
    organisation_kind: str = ""
    organisation: int | None = None
    state: str = ""
    sort: str = ""
    trade: market.TradeFilter = field(default_factory=market.TradeFilter)


def achievement_filter(
    queryset: QuerySet[Achievement], filters: Filters, principal: Principal | None = None
) -> QuerySet[Achievement]:
    """Apply screening filters, full-text relevance and the requested order. The trading filters
    (可交易, listing mode and price) are answered by the registered market for ``principal`` (the
    anonymous visitor when None): a listing's mode or price the viewer may not read never matches."""
    # A code covers the codes it prefixes and, where the tree says so, its children of other shapes
    # (GB/T 4754 section C holds division 39).
    if filters.discipline:
        queryset = queryset.filter(
            Q(discipline__code__startswith=filters.discipline)
            | Q(discipline__code__in=pickers.subtree_codes("discipline", filters.discipline))
        )
    if filters.industry:
        queryset = queryset.filter(
            Q(industry__code__startswith=filters.industry)
            | Q(industry__code__in=pickers.subtree_codes("industry", filters.industry))
        )
    if filters.region:
        queryset = queryset.filter(Region.within_q(filters.region))
    if filters.trl_min is not None:
        queryset = queryset.filter(trl__gte=filters.trl_min)
    if filters.trl_max is not None:
        queryset = queryset.filter(trl__lte=filters.trl_max)
    if filters.transfer_mode:
        queryset = queryset.filter(transfer_modes__contains=f",{filters.transfer_mode},")
    if filters.price_min is not None:
        queryset = queryset.filter(reference_price__gte=filters.price_min)
    if filters.price_max is not None:
        queryset = queryset.filter(reference_price__lte=filters.price_max)
    if filters.year is not None:
        start = datetime.datetime(filters.year, 1, 1, tzinfo=timezone.get_current_timezone())
        queryset = queryset.filter(
            published_at__gte=start, published_at__lt=start.replace(year=filters.year + 1)
        )
    if filters.organisation_kind:
        queryset = queryset.filter(owner_organisation__kind=filters.organisation_kind)
    if filters.organisation is not None:
        queryset = queryset.filter(owner_organisation_id=filters.organisation)
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    queryset = market.apply(queryset, filters.trade, principal)
    sort = filters.sort or (SortOrder.RELEVANCE if filters.q else SortOrder.NEWEST)
    if filters.q:
        queryset = search.rank(queryset, filters.q)
    orderings: dict[str, list[Any]] = {
        SortOrder.NEWEST: ["-published_at", "-id"],
        SortOrder.OLDEST: ["published_at", "id"],
        SortOrder.TRL: ["-trl", "-published_at", "-id"],
        # 面议 records (no price) go last both ways, on SQLite and PostgreSQL alike.
        SortOrder.PRICE_LOW: [F("reference_price").asc(nulls_last=True), "-id"],
        SortOrder.PRICE_HIGH: [F("reference_price").desc(nulls_last=True), "-id"],
    }
    if sort == SortOrder.RELEVANCE and filters.q:
        return queryset  # search.rank has ordered it: best first, then newest
    return queryset.order_by(
        *orderings.get(
            SortOrder(sort) if sort in SortOrder.values else SortOrder.NEWEST, orderings[SortOrder.NEWEST]
        )
    )


def is_partial_match(rows: Any) -> bool:
    """Whether a page of searched records holds partial matches only (no record had every word)."""
    return search.is_partial(rows)


def achievement_for_list(queryset: QuerySet[Achievement]) -> QuerySet[Achievement]:
    """Rows for lists. Related rows are fetched for the page only (four small queries): joined into a
    ranked search they would be looked up for every match before the top twenty are picked."""
    return queryset.prefetch_related("discipline", "industry", "region", "owner_organisation").defer(
        "search_title", "search_body", "technical_indicators", "innovation_points", "application_prospects"
    )


def achievement_for_export(queryset: QuerySet[Achievement]) -> QuerySet[Achievement]:
    """Rows for an Excel export: every column the export writes (exports.columns) is loaded, the
    references in one query each per batch; the completing rows are fetched per batch by the export."""
    return queryset.prefetch_related("discipline", "industry", "region", "owner_organisation").defer(
        "search_title", "search_body"
    )


def achievement_suggest(principal: Principal, prefix: str, *, limit: int = 8) -> list[str]:
    """Titles for autocomplete, only from records the principal may see in the catalogue."""
    prefix = segment.clean_input(prefix).strip()  # no BOM, zero-width or control characters (NUL: PostgreSQL)
    if not prefix:
        return []
    queryset = achievement_catalogue(principal)
    names = list(
        queryset.filter(name__startswith=prefix).order_by("name").values_list("name", flat=True)[:limit]
    )
    if len(names) < limit:
        ranked = (
            search.rank(queryset, prefix).order_by("-search_rank").values_list("name", flat=True)[: limit * 2]
        )
        names += [name for name in ranked if name not in names]
    return names[:limit]


def public_counts() -> dict[str, int]:
    """Live figures for the home page: public records only, so nothing 受限 is ever counted."""
    published = Achievement.objects.filter(policies.public_q())
    return {
        "achievements": published.count(),
        "organisations": verified_organisations().count(),
        "this_year": published.filter(published_at__year=timezone.localdate().year).count(),
        "with_ip": published.filter(ip_rights__isnull=False).distinct().count(),
    }


def review_queue(principal: Principal) -> QuerySet[Achievement]:
    """Records waiting for this reviewer, at the level(s) they review, oldest first."""
    condition = Q(pk__in=[])
    for level, state in policies.STATE_OF_LEVEL.items():
        codes = principal.review_scopes.get(level)
        if codes:
            condition |= Q(state=state, **{f"{level}_code__in": codes})
    return (
        Achievement.objects.filter(condition)
        .select_related("owner_organisation", "region")
        .order_by("submitted_at", "id")
    )


def fiscal_deadline(achievement: Achievement) -> datetime.date:
    """When a fiscally funded record must be registered by: its completion date plus FISCAL_REGISTRATION_DAYS."""
    return achievement.completion_date + datetime.timedelta(
        days=settings.TECHMARKET["FISCAL_REGISTRATION_DAYS"]
    )


def overdue_fiscal(principal: Principal) -> QuerySet[Achievement]:
    """Fiscally funded records in the reviewer's regions not yet in review past their registration deadline."""
    cutoff = timezone.localdate() - datetime.timedelta(days=settings.TECHMARKET["FISCAL_REGISTRATION_DAYS"])
    scope = Q(pk__in=[])
    for level in ("county", "city", "province"):
        codes = principal.review_scopes.get(level)
        if codes:
            scope |= Q(**{f"{level}_code__in": codes})
    return (
        Achievement.objects.filter(
            scope,
            funding_source=FundingSource.FISCAL,
            completion_date__lt=cutoff,
            state__in=[AchievementState.DRAFT, AchievementState.RETURNED],
        )
        .select_related("owner_organisation")
        .order_by("completion_date")
    )


def own_organisation_records(principal: Principal) -> QuerySet[Achievement]:
    """Every record of the principal's organisation, in any state, last changed first (本单位成果)."""
    if principal.organisation_id is None:
        return Achievement.objects.none()
    return Achievement.objects.filter(owner_organisation_id=principal.organisation_id).order_by("-updated_at")


def timeline(achievement: Achievement) -> QuerySet[AuditEvent]:
    """The record's audit events (filing, reviews, decisions), oldest first."""
    return events_for(achievement)


def state_counts(queryset: QuerySet[Achievement]) -> dict[str, int]:
    """``{state: count}`` over the queryset (states with no records are absent)."""
    return dict(queryset.values_list("state").annotate(n=Count("id")).values_list("state", "n"))


def published_in_quarter(year: int, quarter: int) -> QuerySet[Achievement]:
    """公开 records published in a calendar quarter: the quarterly catalogue (Jilin plan: quarterly publication)."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, 3 * (quarter - 1) + 1, 1, tzinfo=tz)
    end = datetime.datetime(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1, tzinfo=tz)
    return achievement_for_export(
        Achievement.objects.filter(
            state=AchievementState.PUBLISHED,
            confidentiality=Confidentiality.PUBLIC,
            published_at__gte=start,
            published_at__lt=end,
        )
    ).order_by("published_at", "id")


ACTION_LABELS = {
    "achievements.achievement.create": _("创建草稿"),
    "achievements.achievement.update": _("修改"),
    "achievements.achievement.import": _("批量导入"),
    "achievements.attachment.add": _("上传附件"),
    "achievements.access.grant": _("授权查看"),
    "achievements.access.revoke": _("取消授权"),
}


def timeline_events(achievement: Achievement, principal: Principal) -> list[dict[str, Any]]:
    """The record's audit timeline. Who acted and why is shown only to the record's own organisation and
    its reviewers; everyone else who may see the record sees the steps and their times."""
    with_people = policies.can_see_review_details(principal, achievement)
    return [
        {
            "created_at": event.created_at,
            "actor": str(event.actor) if with_people and event.actor else None,
            "action": event.action,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "reason": event.reason if with_people else "",
        }
        for event in timeline(achievement)
    ]


def timeline_entries(achievement: Achievement, principal: Principal) -> list[dict[str, Any]]:
    """timeline_events with human labels for actions and states, for pages."""
    transition_labels = {
        f"{ACHIEVEMENT_WORKFLOW.event_prefix}.{t.name}": t.label for t in ACHIEVEMENT_WORKFLOW.transitions
    }
    states = dict(AchievementState.choices)
    return [
        {
            **event,
            "action": transition_labels.get(event["action"])
            or ACTION_LABELS.get(event["action"], event["action"]),
            "from_state": states.get(event["from_state"], event["from_state"]),
            "to_state": states.get(event["to_state"], event["to_state"]),
        }
        for event in timeline_events(achievement, principal)
    ]


def duplicate_candidates(principal: Principal, achievement: Achievement) -> list[dict[str, Any]]:
    """The suspected duplicates stored at submission, each marked ``visible`` when the viewer may open it.

    Empty unless the viewer may see them at all. The check runs against today's rules, so a record
    revoked or restricted since submission is named without a link instead of linking to a 404.
    """
    candidates = achievement.duplicate_candidates or []
    if not candidates or not policies.can_see_duplicates(principal, achievement):
        return []
    ids = [item.get("id") for item in candidates if isinstance(item.get("id"), int)]
    visible = set(achievement_visible(principal).filter(pk__in=ids).values_list("pk", flat=True))
    return [{**item, "visible": item.get("id") in visible} for item in candidates]


# --- My work (the to-do page, core.todo) ------------------------------------------------------


def _day(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""


def _row(achievement: Achievement, note: str = "") -> TodoRow:
    return TodoRow(
        label=achievement.name, url=reverse("achievements:detail", args=[achievement.pk]), note=note
    )


def _filer_scope(principal: Principal) -> QuerySet[Achievement]:
    """The records a filer answers for: an organisation administrator's whole organisation (with who filed
    each), an applicant's own records."""
    queryset = Achievement.objects.filter(owner_organisation_id=principal.organisation_id)
    if not principal.has_role(Role.ORG_ADMIN) and not principal.is_platform_admin:
        queryset = queryset.filter(created_by_id=principal.user_id)
    return queryset.select_related("region", "created_by")


def _filer_note(principal: Principal, achievement: Achievement, note: str) -> str:
    """An organisation administrator sees whose record it is; the record's region says where it waits."""
    parts = [note, achievement.region.name]
    if principal.has_role(Role.ORG_ADMIN):
        parts.append(str(_("填报人 %(name)s") % {"name": achievement.created_by}))
    return " · ".join(part for part in parts if part)


def todo_items(principal: Principal) -> list[TodoItem]:
    """The registry's work waiting for the principal: records at their review level (reviewers), the
    platform's review backlog (administrators, counts only: 受限 titles stay with their chain), and for
    filers their drafts, returned records with the reason, and records under review with where they wait."""
    if not principal.is_authenticated:
        return []
    items: list[TodoItem] = []
    if policies.can_see_review_queue(principal):
        count, first = count_and_first(review_queue(principal))
        items.append(
            TodoItem(
                key="achievements.review",
                title=_("待我审核的科技成果"),
                count=count,
                url=reverse("achievements:review_queue"),
                rows=tuple(
                    _row(
                        a,
                        _("%(state)s · %(region)s · %(day)s 提交")
                        % {
                            "state": a.get_state_display(),
                            "region": a.region.name,
                            "day": _day(a.submitted_at),
                        },
                    )
                    for a in first
                ),
            )
        )
    if principal.is_platform_admin:
        per_state = dict(
            Achievement.objects.filter(state__in=REVIEW_STATES)
            .values_list("state")
            .annotate(n=Count("pk"))
            .order_by()
        )
        items.append(
            TodoItem(
                key="achievements.review_all",
                title=_("全平台审核中的科技成果"),
                count=sum(per_state.values()),
                note=" · ".join(
                    f"{AchievementState(state).label} {per_state[state]}"
                    for state in REVIEW_STATES
                    if per_state.get(state)
                ),
                actionable=False,
            )
        )
    if policies.can_file(principal):
        own = _filer_scope(principal)
        count, first = count_and_first(
            own.filter(state=AchievementState.RETURNED).order_by("updated_at", "pk")
        )
        reasons = latest_reasons(Achievement, [a.pk for a in first], AchievementState.RETURNED)
        items.append(
            TodoItem(
                key="achievements.returned",
                title=_("被退回待修改的成果"),
                count=count,
                url=reverse("achievements:mine"),
                urgent=count > 0,
                rows=tuple(
                    _row(
                        a,
                        _filer_note(
                            principal,
                            a,
                            _("退回理由：%(reason)s") % {"reason": reasons.get(str(a.pk)) or "—"},
                        ),
                    )
                    for a in first
                ),
            )
        )
        count, first = count_and_first(own.filter(state=AchievementState.DRAFT).order_by("updated_at", "pk"))
        items.append(
            TodoItem(
                key="achievements.drafts",
                title=_("未提交的成果草稿"),
                count=count,
                url=reverse("achievements:mine"),
                rows=tuple(
                    _row(a, _filer_note(principal, a, _("%(day)s 修改") % {"day": _day(a.updated_at)}))
                    for a in first
                ),
            )
        )
        count, first = count_and_first(own.filter(state__in=REVIEW_STATES).order_by("submitted_at", "pk"))
        items.append(
            TodoItem(
                key="achievements.in_review",
                title=_("审核中的成果"),
                count=count,
                url=reverse("achievements:mine"),
                actionable=False,
                rows=tuple(
                    _row(
                        a,
                        _filer_note(
                            principal,
                            a,
                            _("%(state)s · %(day)s 提交")
                            % {"state": a.get_state_display(), "day": _day(a.submitted_at)},
                        ),
                    )
                    for a in first
                ),
            )
        )
    return items


def registered_counts_by_region(year: int, group_field: str, filters: dict[str, str]) -> dict[str, int]:
    """Achievements registered (given a registration number and published) in ``year``, counted per value
    of ``group_field`` (``province_code``, ``city_code`` or ``county_code``) within ``filters`` — one
    aggregated query for the statistics dashboard."""
    rows = (
        Achievement.objects.filter(registration_number__isnull=False, published_at__year=year, **filters)
        .values(group_field)
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row[group_field]: row["n"] for row in rows if row[group_field]}
