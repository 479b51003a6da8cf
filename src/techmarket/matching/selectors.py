"""Reads for matching: rankings for a demand or an achievement, suggestions, and the weights in use.

Every ranking passes an ``allowed`` filter into the engine built from the audience's visibility rule,
so a 受限 record is never a candidate for anyone outside its audience; the rows are then read back
through the same rule before anything is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from techmarket.accounts.policies import Principal
from techmarket.accounts.policies import principal_of as principal_of_user
from techmarket.core import matchsources
from techmarket.core.errors import NotFound
from techmarket.demands import policies as demand_policies
from techmarket.demands import selectors as demand_selectors
from techmarket.demands.choices import OPEN_STATES
from techmarket.matching import indexes, policies, ranking
from techmarket.matching.choices import Corpus, SuggestionState, TargetKind
from techmarket.matching.models import LearnedWeights, Suggestion

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


def _allowed(corpus: str, loaded: indexes.Loaded, audience: Principal) -> Callable[[str], bool] | None:
    """The engine's filter for an audience: None when the corpus has no restricted records."""
    if matchsources.source(corpus).visible_restricted is None:
        return None
    return _restricted_allowed(loaded, _visible_restricted(corpus, audience))


def rank_for_demand(
    demand: Demand, kind: str, *, audience: Principal, k: int, weights: ranking.Weights | None = None
) -> list[ranking.Ranked]:
    """The best ``k`` records of one kind for a demand, among those ``audience`` may see."""
    corpus = CORPUS_OF_KIND[kind]
    loaded = indexes.get(corpus)
    return ranking.rank(
        loaded.index,
        need_of_demand(demand),
        k=k,
        allowed=_allowed(corpus, loaded, audience),
        profile_of=loaded.profile_of,
        weights=weights or current_weights(),
    )


def rank_text(text: str, kind: str, *, audience: Principal, k: int = 10) -> list[ranking.Ranked]:
    """Free-text search of one kind (a responder adding a match by hand)."""
    corpus = CORPUS_OF_KIND[kind]
    loaded = indexes.get(corpus)
    allowed = _allowed(corpus, loaded, audience)
    return ranking.rank(
        loaded.index, ranking.Need(text=text), k=k, allowed=allowed, profile_of=loaded.profile_of
    )


def reverse_matches(achievement: Achievement, *, viewer: Principal, k: int = 10) -> list[dict[str, Any]]:
    """Open demands that need this achievement, among those the viewer may see, best first."""
    loaded = indexes.get(Corpus.DEMANDS)
    ranked = ranking.rank(
        loaded.index,
        need_of_achievement(achievement),
        k=k,
        allowed=_allowed(Corpus.DEMANDS, loaded, viewer),
        profile_of=loaded.profile_of,
        weights=current_weights(),
    )
    rows = demand_selectors.open_demands_by_id(viewer, [int(r.doc_id) for r in ranked])
    by_id = {str(demand.pk): demand for demand in rows}
    return [
        {"demand": by_id[r.doc_id], "score": r.score, "reasons": [reason.as_dict() for reason in r.reasons]}
        for r in ranked
        if r.doc_id in by_id
    ]


def suggestions_for(demand: Demand, viewer: Principal) -> list[Suggestion]:
    """The demand's suggestions whose target the viewer may see, grouped by kind, best first."""
    suggestions = (
        Suggestion.objects.filter(demand=demand)
        .select_related("achievement", "expert", "organisation", "decided_by")
        .order_by("kind", "-state", "rank", "id")
    )
    return policies.visible_suggestions(viewer, suggestions)


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
    ranked = rank_text(query, kind, audience=owner, k=k * 2)
    ids = [int(r.doc_id) for r in ranked]
    source = matchsources.source_of_kind(kind)
    if source is None or source.labels is None:
        return []
    rows = source.labels(ids, [viewer, owner])
    return [
        {"id": int(r.doc_id), "label": rows[int(r.doc_id)], "score": r.score}
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
    }
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
