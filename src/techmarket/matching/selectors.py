"""Reads for matching: rankings for a demand or an achievement, suggestions, and the weights in use.

Every ranking passes an ``allowed`` filter into the engine built from the audience's visibility rule,
so a 受限 record is never a candidate for anyone outside its audience; the rows are then read back
through the same rule before anything is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.choices import Role
from techmarket.accounts.policies import Principal
from techmarket.accounts.policies import principal_of as principal_of_user
from techmarket.achievements import market as achievement_market
from techmarket.core import matchsources
from techmarket.core.errors import NotFound
from techmarket.core.todo import TodoItem, TodoRow, count_and_first
from techmarket.demands import policies as demand_policies
from techmarket.demands import selectors as demand_selectors
from techmarket.demands.choices import OPEN_STATES
from techmarket.matching import indexes, policies, ranking, wording
from techmarket.matching.choices import Corpus, SuggestionState, TargetKind
from techmarket.matching.models import LearnedWeights, ListingAlert, Suggestion

if TYPE_CHECKING:
    from techmarket.achievements.types import Achievement
    from techmarket.demands.types import Demand

CORPUS_OF_KIND: dict[str, str] = {
    TargetKind.ACHIEVEMENT: Corpus.ACHIEVEMENTS,
    TargetKind.EXPERT: Corpus.EXPERTS,
    TargetKind.ORGANISATION: Corpus.ORGANISATIONS,
}


def current_weights() -> ranking.Weights:
    """The newest learned weights, or the defaults before any decision was learned from."""
    latest = LearnedWeights.objects.order_by("-id").first()
    return ranking.Weights.from_dict(latest.weights) if latest else ranking.DEFAULT_WEIGHTS


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


def need_of_demand(demand: Demand) -> ranking.Need:
    """A demand as the ranking engine's need: its text, fields, region, TRL, budget and cooperation."""
    return ranking.Need(
        text=demand.text,
        industry=demand.industry.code,
        discipline=demand.discipline.code if demand.discipline is not None else "",
        region=demand.region_id,
        trl=demand.expected_trl,
        budget_min=_float(demand.budget_min),
        budget_max=_float(demand.budget_max),
        cooperation=frozenset(demand.cooperation_list),
    )


def need_of_achievement(achievement: Achievement) -> ranking.Need:
    """An achievement seen as a need, for reverse matching: its text, fields and region."""
    text = " ".join(part for part in (achievement.name, achievement.keywords, achievement.abstract) if part)
    return ranking.Need(
        text=text,
        industry=achievement.industry.code,
        discipline=achievement.discipline.code,
        region=achievement.region_id,
    )


def _restricted_allowed(loaded: indexes.Loaded, visible_extra: set[str]) -> Callable[[str], bool]:
    restricted = loaded.restricted
    return lambda doc_id: doc_id not in restricted or doc_id in visible_extra


def visible_restricted_achievements(principal: Principal) -> set[str]:
    """Published 受限 achievements the principal may see (a handful: its own and those granted)."""
    return _visible_restricted(Corpus.ACHIEVEMENTS, principal)


def visible_restricted_demands(principal: Principal) -> set[str]:
    """Open 受限 demands the principal may see (its own, its review chain's, those pushed to it)."""
    return _visible_restricted(Corpus.DEMANDS, principal)


def _visible_restricted(corpus: str, principal: Principal) -> set[str]:
    rule = matchsources.source(corpus).visible_restricted
    return rule(principal) if rule is not None else set()


def _allowed(
    corpus: str, loaded: indexes.Loaded, audience: Principal, *, not_owned_by: Any = None
) -> Callable[[str], bool] | None:
    """The engine's filter for an audience: None when nothing is filtered.

    ``not_owned_by`` (an organisation id) also keeps out that organisation and its own records: a
    demand is never answered with its own organisation or its own achievements (nor, reversed, an
    achievement with its own organisation's demands).
    """
    owner = str(not_owned_by) if not_owned_by else ""
    owned = (lambda doc_id: False) if not owner else _owned_by(loaded, owner)
    if matchsources.source(corpus).visible_restricted is None:
        return (lambda doc_id: not owned(doc_id)) if owner else None
    visible = _restricted_allowed(loaded, _visible_restricted(corpus, audience))
    return lambda doc_id: visible(doc_id) and not owned(doc_id)


def _owned_by(loaded: indexes.Loaded, owner: str) -> Callable[[str], bool]:
    def owned(doc_id: str) -> bool:
        profile = loaded.profile_of(doc_id)
        return profile is not None and profile.owner == owner

    return owned


def rank_for_demand(
    demand: Demand, kind: str, *, audience: Principal, k: int, weights: ranking.Weights | None = None
) -> list[ranking.Ranked]:
    """The best ``k`` records of one kind for a demand, among those ``audience`` may see; never the
    demand's own organisation nor its records."""
    corpus = CORPUS_OF_KIND[kind]
    loaded = indexes.get(corpus)
    return ranking.rank(
        loaded.index,
        need_of_demand(demand),
        k=k,
        allowed=_allowed(corpus, loaded, audience, not_owned_by=demand.owner_organisation_id),
        profile_of=loaded.profile_of,
        weights=weights or current_weights(),
        levels=True,
    )


def rank_text(
    text: str, kind: str, *, audience: Principal, k: int = 10, not_owned_by: Any = None
) -> list[ranking.Ranked]:
    """Free-text search of one kind (a responder adding a match by hand), without the records of the
    organisation ``not_owned_by`` (the demand's own)."""
    corpus = CORPUS_OF_KIND[kind]
    loaded = indexes.get(corpus)
    allowed = _allowed(corpus, loaded, audience, not_owned_by=not_owned_by)
    return ranking.rank(
        loaded.index,
        ranking.Need(text=text),
        k=k,
        allowed=allowed,
        profile_of=loaded.profile_of,
        levels=True,
    )


def reverse_matches(achievement: Achievement, *, viewer: Principal, k: int = 10) -> list[dict[str, Any]]:
    """Open demands that need this achievement, among those the viewer may see, best first."""
    loaded = indexes.get(Corpus.DEMANDS)
    ranked = ranking.rank(
        loaded.index,
        need_of_achievement(achievement),
        k=k,
        allowed=_allowed(Corpus.DEMANDS, loaded, viewer, not_owned_by=achievement.owner_organisation_id),
        profile_of=loaded.profile_of,
        weights=current_weights(),
        levels=True,
    )
    rows = demand_selectors.open_demands_by_id(viewer, [int(r.doc_id) for r in ranked])
    by_id = {str(demand.pk): demand for demand in rows}
    shown = [r for r in ranked if r.doc_id in by_id]
    described = wording.describe([[reason.as_dict() for reason in r.reasons] for r in shown])
    return [
        {"demand": by_id[r.doc_id], "score": r.score, "level": r.level, "reasons": reasons}
        for r, reasons in zip(shown, described, strict=True)
    ]


def suggestions_for(demand: Demand, viewer: Principal) -> list[Suggestion]:
    """The demand's suggestions whose target the viewer may see, grouped by kind, best first."""
    suggestions = (
        Suggestion.objects.filter(demand=demand)
        .select_related("achievement", "expert", "organisation", "decided_by")
        .order_by("kind", "-state", "rank", "id")
    )
    shown = policies.visible_suggestions(viewer, suggestions)
    with_words(shown)
    with_trade(shown, viewer)
    return shown


def with_trade(suggestions: list[Suggestion], viewer: Principal) -> list[Suggestion]:
    """Give each suggestion ``trade``: for a suggested achievement with a listing in notice or open for
    trading, its badge as the viewer may read it ("已挂牌 · 可议价", the price only where the viewer may
    see it; ADR 0011), else None. One query, through the catalogue's market seam."""
    ids = [
        s.achievement_id
        for s in suggestions
        if s.kind == TargetKind.ACHIEVEMENT and s.achievement_id is not None
    ]
    badges = achievement_market.badges(viewer, ids) if ids else {}
    for suggestion in suggestions:
        target = suggestion.achievement_id if suggestion.kind == TargetKind.ACHIEVEMENT else None
        suggestion.trade = badges.get(target) if target is not None else None  # type: ignore[attr-defined]
    return suggestions


def with_words(suggestions: list[Suggestion]) -> list[Suggestion]:
    """Give each suggestion ``display_reasons``: its stored reasons in words (names resolved in bulk)."""
    for suggestion, reasons in zip(
        suggestions, wording.describe([s.reasons or [] for s in suggestions]), strict=True
    ):
        suggestion.display_reasons = reasons  # type: ignore[attr-defined]
    return suggestions


def suggestion_get(principal: Principal, pk: Any) -> Suggestion:
    """One suggestion as a responder opens it to decide: its demand visible to the principal, its list
    shown to them and its target one they may see; otherwise :class:`NotFound` (no hint that it exists)."""
    try:
        suggestion = Suggestion.objects.select_related("demand", "achievement", "expert", "organisation").get(
            pk=int(pk)
        )
    except (Suggestion.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    demand = demand_selectors.demand_get(principal, suggestion.demand_id)
    if not policies.can_see_suggestions(principal, demand) or not policies.can_see_target(
        principal, suggestion
    ):
        raise NotFound()
    suggestion.demand = demand
    return suggestion


def has_confirmed(demand: Demand) -> bool:
    """Whether the demand has a confirmed suggestion (a response can be pushed)."""
    return Suggestion.objects.filter(demand=demand, state=SuggestionState.CONFIRMED).exists()


def pushed_for_enterprise(demand: Demand, viewer: Principal) -> list[Suggestion]:
    """What the enterprise was sent: pushed suggestions it may see."""
    return [s for s in suggestions_for(demand, viewer) if s.state == SuggestionState.PUSHED]


def decided(queryset: QuerySet[Suggestion] | None = None) -> QuerySet[Suggestion]:
    """Decisions the engine learns from."""
    queryset = queryset if queryset is not None else Suggestion.objects.all()
    return queryset.filter(
        state__in=[SuggestionState.CONFIRMED, SuggestionState.REJECTED, SuggestionState.PUSHED],
        decided_at__isnull=False,
    )


def target_label(suggestion: Suggestion) -> str:
    """The suggested record's name for display (its string form when it has no name)."""
    target = suggestion.target
    return str(getattr(target, "name", target))


def manual_candidates(
    query: str, kind: str, *, viewer: Principal, demand: Demand, k: int = 10
) -> list[dict[str, Any]]:
    """Records a responder may add by hand: seen by both the responder and the demand's enterprise."""
    owner = principal_of_user(demand.created_by)
    ranked = rank_text(query, kind, audience=owner, k=k * 2, not_owned_by=demand.owner_organisation_id)
    ids = [int(r.doc_id) for r in ranked]
    source = matchsources.source_of_kind(kind)
    if source is None or source.labels is None:
        return []
    rows = source.labels(ids, [viewer, owner])
    return [
        {"id": int(r.doc_id), "label": rows[int(r.doc_id)], "score": r.score, "level": r.level}
        for r in ranked
        if int(r.doc_id) in rows
    ][:k]


def demand_page_context(demand: Demand, viewer: Principal) -> dict[str, Any]:
    """What matching adds to the demand page (registered with :mod:`techmarket.demands.pages`): the
    responders' suggestion panel, and the pushed matches the demand's own enterprise is shown."""
    context: dict[str, Any] = {
        "can_work": policies.can_work(viewer, demand),
        "can_see_suggestions": policies.can_see_suggestions(viewer, demand),
        "pushed": pushed_for_enterprise(demand, viewer) if demand_policies.is_owner(viewer, demand) else [],
        "can_set_listing_alert": policies.can_set_listing_alert(viewer, demand),
    }
    if context["can_set_listing_alert"]:
        context["listing_alert_enabled"] = listing_alert_enabled(demand)
    if context["can_see_suggestions"]:
        context.update(panel_context(demand, viewer))
    return context


def panel_context(demand: Demand, viewer: Principal) -> dict[str, Any]:
    """What the demand page's match panel needs (the page itself belongs to demands)."""
    from django.urls import NoReverseMatch, reverse

    from techmarket.matching.choices import RejectReason

    try:
        push_url = reverse("docking:push", args=[demand.pk])
    except NoReverseMatch:
        push_url = ""
    return {
        "suggestions": suggestions_for(demand, viewer),
        "reject_reasons": RejectReason.choices,
        "target_kinds": TargetKind.choices,
        "push_url": push_url if demand.state in OPEN_STATES else "",
    }


# --- My work (the to-do page, core.todo) ------------------------------------------------------


def _responder_scope(principal: Principal) -> Q:
    """Open demands whose suggestions the principal decides (``policies.can_work``): their review chain,
    公开 ones for brokers, every one for platform administrators."""
    if principal.is_platform_admin:
        return Q()
    scope = Q(pk__in=[])
    if principal.is_reviewer:
        scope |= demand_policies.chain_q(principal)
    if principal.has_role(Role.BROKER):
        scope |= demand_policies.public_q()
    return scope


def todo_items(principal: Principal) -> list[TodoItem]:
    """Matching's work waiting for the principal: open demands they respond to whose suggestions still wait
    for a decision (confirm or reject), oldest demand first, within what they may see."""
    if not (
        principal.is_authenticated
        and (principal.is_reviewer or principal.is_platform_admin or principal.has_role(Role.BROKER))
    ):
        return []
    demands = demand_selectors.open_demands(principal).filter(_responder_scope(principal)).values("pk")
    waiting = (
        Suggestion.objects.filter(state=SuggestionState.PROPOSED, demand__in=demands)
        .values("demand_id", "demand__title")
        .annotate(n=Count("pk"))
        .order_by("demand_id")
    )
    count, first = count_and_first(waiting)
    return [
        TodoItem(
            key="matching.decisions",
            title=_("待确认匹配建议的需求"),
            count=count,
            url=reverse("docking:dashboard"),  # the responders' list of open demands (same audience)
            rows=tuple(
                TodoRow(
                    label=row["demand__title"],
                    url=reverse("demands:detail", args=[row["demand_id"]]),
                    note=str(_("%(n)d 条建议待确认") % {"n": row["n"]}),
                )
                for row in first
            ),
        )
    ]


# --- 新挂牌匹配提醒 (saved interests, ADR 0011) ----------------------------------------------------------

# The lowest match level (0–100) at which a new listing is announced to a demand's enterprise: a clear
# match, not every record that shares a word.
LISTING_ALERT_MIN_LEVEL = 40
LISTING_ALERT_MAX_DEMANDS = 50


def listing_alert_enabled(demand: Demand) -> bool:
    """Whether the demand's 新挂牌匹配提醒 is on (on unless its enterprise turned it off)."""
    return not ListingAlert.objects.filter(demand_id=demand.pk, enabled=False).exists()


def demands_for_new_listing(achievement: Achievement) -> list[tuple[Demand, int]]:
    """System read: open demands whose enterprise wants new listings that match the achievement at
    :data:`LISTING_ALERT_MIN_LEVEL` or more, best first, never the achievement's own organisation's.
    Whether each enterprise may see the achievement is the caller's check (it depends on the user)."""
    loaded = indexes.get(Corpus.DEMANDS)
    owner = str(achievement.owner_organisation_id)
    ranked = ranking.rank(
        loaded.index,
        need_of_achievement(achievement),
        k=LISTING_ALERT_MAX_DEMANDS,
        allowed=lambda doc_id: not _owned_by(loaded, owner)(doc_id),
        profile_of=loaded.profile_of,
        weights=current_weights(),
        levels=True,
    )
    levels = {int(r.doc_id): r.level or 0 for r in ranked if (r.level or 0) >= LISTING_ALERT_MIN_LEVEL}
    off = set(
        ListingAlert.objects.filter(demand_id__in=list(levels), enabled=False).values_list(
            "demand_id", flat=True
        )
    )
    demands = (
        demand_selectors.all_demands()
        .filter(pk__in=[pk for pk in levels if pk not in off], state__in=OPEN_STATES)
        .select_related("created_by")
    )
    found = sorted(((demand, levels[demand.pk]) for demand in demands), key=lambda pair: -pair[1])
    return [
        (demand, level)
        for demand, level in found
        if demand.owner_organisation_id != achievement.owner_organisation_id
    ]
