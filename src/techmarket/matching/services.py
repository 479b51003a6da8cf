"""Writes for matching: suggestions for a demand, responders' decisions, pushes and learning."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.policies import Principal, principal_of
from techmarket.accounts.types import User
from techmarket.core import matchsources
from techmarket.core.audit import record_event
from techmarket.core.errors import DomainError, NotFound, NotPermitted
from techmarket.demands import selectors as demand_selectors
from techmarket.matching import policies, ranking, selectors
from techmarket.matching.choices import Origin, RejectReason, SuggestionState, TargetKind
from techmarket.matching.models import LearnedWeights, ListingAlert, Suggestion
from techmarket.matching.workflow import SUGGESTION_WORKFLOW

if TYPE_CHECKING:
    from techmarket.demands.types import Demand

log = logging.getLogger(__name__)

# How many engine suggestions a demand gets per kind.
SUGGESTIONS_PER_KIND: dict[str, int] = {
    TargetKind.ACHIEVEMENT: 10,
    TargetKind.EXPERT: 5,
    TargetKind.ORGANISATION: 5,
}
# Learning waits for this many decisions: a handful of clicks must not reshape the ranking.
MIN_DECISIONS_TO_LEARN = 20
_TARGET_FIELD: dict[str, str] = {
    TargetKind.ACHIEVEMENT: "achievement_id",
    TargetKind.EXPERT: "expert_id",
    TargetKind.ORGANISATION: "organisation_id",
}


def _reasons(ranked: ranking.Ranked) -> list[dict[str, Any]]:
    return [reason.as_dict() for reason in ranked.reasons]


@transaction.atomic
def suggestions_refresh(*, demand: Demand, actor: User | None = None) -> int:
    """Rank achievements, experts and organisations for the demand; replace the undecided engine
    suggestions with the new ones. Decided and hand-added suggestions are never touched, and a
    rejected record does not come back as a new proposal. Returns how many are proposed now.

    Candidates are limited to what the demand's own enterprise may see: the response goes to it.
    """
    if actor is not None and not policies.can_work(principal_of(actor), demand):
        raise NotPermitted()
    audience = principal_of(demand.created_by)
    weights = selectors.current_weights()
    existing = {(s.kind, s.target_id): s for s in Suggestion.objects.filter(demand=demand)}
    Suggestion.objects.filter(demand=demand, state=SuggestionState.PROPOSED, origin=Origin.ENGINE).delete()
    proposed = []
    for kind, count in SUGGESTIONS_PER_KIND.items():
        ranked = selectors.rank_for_demand(demand, kind, audience=audience, k=count, weights=weights)
        for position, match in enumerate(ranked, start=1):
            previous = existing.get((kind, int(match.doc_id)))
            if previous is not None and not (
                previous.state == SuggestionState.PROPOSED and previous.origin == Origin.ENGINE
            ):
                continue
            proposed.append(
                Suggestion(
                    demand=demand,
                    kind=kind,
                    **{_TARGET_FIELD[kind]: int(match.doc_id)},
                    rank=position,
                    score=match.score,
                    level=match.level,
                    reasons=_reasons(match),
                    features=dict(match.features),
                )
            )
    Suggestion.objects.bulk_create(proposed)
    record_event(
        actor=actor,
        action="matching.suggestions.refresh",
        target=demand,
        data={"proposed": len(proposed), "weights_trained_on": weights.trained_on},
    )
    return len(proposed)


def suggestions_refresh_quietly(demand_id: int) -> None:
    """After publication: match at once, but a failing engine must never undo the publication."""
    try:
        suggestions_refresh(demand=demand_selectors.demand_by_pk(demand_id))
    except Exception:
        log.exception("matching failed for demand %s", demand_id)


def suggestion_confirm(*, actor: User, suggestion: Suggestion, note: str = "") -> Suggestion:
    """Accept a proposed suggestion so it can be pushed; the decision is kept for the engine to learn from."""
    return SUGGESTION_WORKFLOW.fire(
        suggestion,
        "confirm",
        actor=actor,
        reason=note,
        changes={
            "decided_by": actor,
            "decided_at": timezone.now(),
            "note": note.strip(),
            "reject_reason": "",
        },
    )


def suggestion_reject(*, actor: User, suggestion: Suggestion, reason: str, note: str = "") -> Suggestion:
    """Reject with a structured reason (too early, not relevant, already known, price, region, other)."""
    if reason not in RejectReason.values:
        raise DomainError(
            "reason_required", _("请选择驳回原因。"), fields={"reject_reason": [_("请选择驳回原因。")]}
        )
    if reason == RejectReason.OTHER and not note.strip():
        raise DomainError(
            "reason_required", _("选择“其他”时请填写说明。"), fields={"note": [_("请填写说明。")]}
        )
    label = str(RejectReason(reason).label)
    return SUGGESTION_WORKFLOW.fire(
        suggestion,
        "reject",
        actor=actor,
        reason=f"{label}：{note.strip()}" if note.strip() else label,
        changes={
            "decided_by": actor,
            "decided_at": timezone.now(),
            "note": note.strip(),
            "reject_reason": reason,
        },
        data={"reject_reason": reason},
    )


def suggestion_reconsider(*, actor: User, suggestion: Suggestion) -> Suggestion:
    """Put a confirmed or rejected suggestion back to proposed, clearing its decision."""
    return SUGGESTION_WORKFLOW.fire(
        suggestion,
        "reconsider",
        actor=actor,
        changes={"decided_by": None, "decided_at": None, "reject_reason": ""},
    )


def _target(kind: str, target_id: Any, audiences: Sequence[Principal]) -> Any:
    """The record of ``kind`` a responder adds by hand, as its domain allows it for ``audiences``."""
    source = matchsources.source_of_kind(kind)
    if source is None or source.target is None:
        raise NotFound()
    try:
        pk = int(target_id)
    except (ValueError, TypeError):
        raise NotFound() from None
    target = source.target(pk, audiences)
    if target is None:
        raise NotFound()
    return target


def _owned_by_demand(kind: str, target: Any, demand: Demand) -> bool:
    """Whether a target is the demand's own organisation or one of its achievements (never a match)."""
    owner = demand.owner_organisation_id
    if kind == TargetKind.ORGANISATION:
        return bool(target.pk == owner)
    if kind == TargetKind.ACHIEVEMENT:
        return bool(getattr(target, "owner_organisation_id", None) == owner)
    return False


@transaction.atomic
def suggestion_add(*, actor: User, demand: Demand, kind: str, target_id: Any, note: str = "") -> Suggestion:
    """A responder adds a match by hand; it counts as confirmed. The enterprise must be able to see it."""
    if not policies.can_work(principal_of(actor), demand):
        raise NotPermitted()
    # A published record both the responder and the demand's enterprise may see.
    target = _target(kind, target_id, [principal_of(actor), principal_of(demand.created_by)])
    if _owned_by_demand(kind, target, demand):
        raise DomainError("own_organisation", _("不能把需求单位自己或它的成果推荐给它。"))
    target_field = {_TARGET_FIELD[kind]: target.pk}
    existing = Suggestion.objects.filter(demand=demand, kind=kind, **target_field).first()
    if existing is not None:
        if existing.state == SuggestionState.PROPOSED:
            return suggestion_confirm(actor=actor, suggestion=existing, note=note)
        raise DomainError("duplicate", _("该对象已在匹配列表中。"))
    suggestion = Suggestion(
        demand=demand,
        kind=kind,
        **target_field,
        origin=Origin.MANUAL,
        decided_by=actor,
        decided_at=timezone.now(),
        note=note.strip(),
        reasons=[{"kind": "manual", "value": "", "weight": 0.0, "source": "reviewer"}],
    )
    return SUGGESTION_WORKFLOW.start(
        suggestion, "add", actor=actor, data={"demand": demand.pk, "kind": kind, "target": target.pk}
    )


def suggestions_mark_pushed(*, actor: User, demand: Demand) -> list[Suggestion]:
    """Confirmed → pushed for the demand's response (called by the docking app's push)."""
    with transaction.atomic():
        confirmed = list(
            Suggestion.objects.filter(demand=demand, state=SuggestionState.CONFIRMED).order_by("kind", "rank")
        )
        now = timezone.now()
        return [
            SUGGESTION_WORKFLOW.fire(suggestion, "push", actor=actor, changes={"pushed_at": now})
            for suggestion in confirmed
        ]


def decisions() -> list[ranking.Decision]:
    """Every responder decision on an engine suggestion, as the learner reads them."""
    rows = (
        selectors.decided()
        .filter(origin=Origin.ENGINE)
        .values_list(
            "demand_id",
            "kind",
            "achievement_id",
            "expert_id",
            "organisation_id",
            "state",
            "reject_reason",
            "features",
        )
    )
    return [
        ranking.Decision(
            demand_id=f"{demand_id}:{kind}",
            doc_id=str(a or e or o),
            accepted=state != SuggestionState.REJECTED,
            reason=reject_reason,
            features=features or {},
        )
        for demand_id, kind, a, e, o, state, reject_reason, features in rows
    ]


def weights_learn(*, minimum: int = MIN_DECISIONS_TO_LEARN) -> LearnedWeights | None:
    """Learn ranking weights from all decisions so far; None while there are too few of them."""
    found = decisions()
    if len(found) < minimum:
        return None
    learned = ranking.learn(found, base=ranking.DEFAULT_WEIGHTS)
    with transaction.atomic():
        row = LearnedWeights.objects.create(weights=learned.to_dict(), trained_on=len(found))
        record_event(actor=None, action="matching.weights.learn", target=row, data=learned.to_dict())
    return row


# A corpus is re-snapshotted when this many changes piled up since its last snapshot.
REBUILD_AFTER_CHANGES = 500


def indexes_rebuild_stale(*, after: int = REBUILD_AFTER_CHANGES) -> list[str]:
    """Rebuild the corpora with at least ``after`` changes since their snapshot; returns their names."""
    from techmarket.matching import indexes
    from techmarket.matching.choices import Corpus
    from techmarket.matching.models import IndexChange, IndexSnapshot

    rebuilt = []
    for corpus in Corpus.values:
        snapshot = IndexSnapshot.objects.filter(corpus=corpus).order_by("-id").first()
        since = snapshot.change_id if snapshot else 0
        if IndexChange.objects.filter(corpus=corpus, id__gt=since).count() >= after:
            indexes.rebuild(corpus)
            rebuilt.append(corpus)
    return rebuilt


def suggestions_catch_up() -> int:
    """Match every open demand that has no suggestion at all; returns how many were matched."""
    unmatched = demand_selectors.published_demands().filter(suggestions__isnull=True)
    count = 0
    for demand in unmatched.order_by("pk")[:200]:
        suggestions_refresh_quietly(demand.pk)
        count += 1
    return count


# --- 新挂牌匹配提醒 (saved interests, ADR 0011) ----------------------------------------------------------


def listing_alert_set(*, actor: User, demand: Demand, enabled: bool) -> bool:
    """Turn the demand's 新挂牌匹配提醒 on or off (its enterprise); returns the setting now in force."""
    if not policies.can_set_listing_alert(principal_of(actor), demand):
        raise NotPermitted()
    with transaction.atomic():
        alert, _created = ListingAlert.objects.select_for_update().get_or_create(
            demand_id=demand.pk, defaults={"enabled": enabled, "changed_by": actor}
        )
        if alert.enabled != enabled or _created:
            alert.enabled = enabled
            alert.changed_by = actor
            alert.save()
            record_event(
                actor=actor,
                action="matching.listingalert.set",
                target=demand,
                data={"enabled": enabled},
            )
    return enabled
