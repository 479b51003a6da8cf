"""What achievements contribute to matching: the achievements corpus, and the organisations corpus (an
organisation is described by its public achievements, which only this app knows; accounts sits below).

Only text that may be shown to the public goes into an organisation's document: a 受限 achievement's
words must not make its organisation findable by them. 受限 achievements are indexed (their own
audience may match them) and flagged ``restricted``, so that a ranking for anyone else filters them out
inside the engine; :func:`visible_restricted` says which of them a principal may see.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import Prefetch

from techmarket.accounts import selectors as accounts
from techmarket.accounts.policies import Principal
from techmarket.achievements import policies
from techmarket.achievements.choices import AchievementState, Confidentiality
from techmarket.achievements.models import Achievement
from techmarket.core import matchsources
from techmarket.core.matchsources import Entry, Profile, Source, Watch

# An organisation is described by the names and keywords of (at most) this many public achievements.
ORGANISATION_ACHIEVEMENTS = 40


def _code(classification: Any) -> str:
    return classification.code if classification is not None else ""


def _pks(ids: Iterable[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


def achievement_entry(achievement: Achievement) -> Entry:
    body = " ".join(
        part
        for part in (
            achievement.abstract,
            achievement.technical_indicators,
            achievement.innovation_points,
            achievement.application_prospects,
        )
        if part
    )
    price = float(achievement.reference_price) if achievement.reference_price is not None else None
    return Entry(
        {
            "id": str(achievement.pk),
            "title": achievement.name,
            "keywords": achievement.keyword_list,
            "abstract": body,
        },
        Profile(
            industry=_code(achievement.industry),
            discipline=_code(achievement.discipline),
            region=achievement.region_id,
            trl=achievement.trl,
            price=None if achievement.price_negotiable else price,
            modes=frozenset(achievement.transfer_mode_list),
            owner=str(achievement.owner_organisation_id or ""),
        ),
        restricted=achievement.confidentiality != Confidentiality.PUBLIC,
    )


def achievements(ids: list[str] | None) -> Iterator[Entry]:
    """Published achievements (受限 ones flagged)."""
    queryset = Achievement.objects.filter(state=AchievementState.PUBLISHED).select_related(
        "industry", "discipline"
    )
    if ids is not None:
        queryset = queryset.filter(pk__in=_pks(ids))
    for achievement in queryset.order_by("pk").iterator(chunk_size=2000):
        yield achievement_entry(achievement)


def visible_restricted(principal: Principal) -> set[str]:
    """Published 受限 achievements the principal may see (a handful: its own and those granted)."""
    if not principal.is_authenticated:
        return set()
    ids = (
        Achievement.objects.filter(
            policies.visible_q(principal),
            state=AchievementState.PUBLISHED,
            confidentiality=Confidentiality.RESTRICTED,
        )
        .order_by()
        .values_list("pk", flat=True)
    )  # a set: no sort
    return {str(pk) for pk in ids}


def labels(ids: Sequence[int], audiences: Sequence[Principal]) -> dict[int, str]:
    """Names of the achievements of ``ids`` that every principal of ``audiences`` may see."""
    queryset = Achievement.objects.filter(pk__in=list(ids))
    for principal in audiences:
        queryset = queryset.filter(policies.visible_q(principal))
    return dict(queryset.values_list("pk", "name"))


def target(pk: int, audiences: Sequence[Principal]) -> Achievement | None:
    """A published achievement every principal of ``audiences`` may see, else None."""
    achievement = Achievement.objects.filter(pk=pk).first()
    if achievement is None or achievement.state != AchievementState.PUBLISHED:
        return None
    if not all(policies.can_view(principal, achievement) for principal in audiences):
        return None
    return achievement


def organisation_entry(organisation: Any) -> Entry | None:
    public = list(getattr(organisation, "public_achievements", []))
    if not public:
        return None
    keywords = list(dict.fromkeys(word for achievement in public for word in achievement.keyword_list))
    return Entry(
        {
            "id": str(organisation.pk),
            "title": organisation.name,
            "keywords": keywords[:40],
            "abstract": " ".join(achievement.name for achievement in public),
        },
        Profile(
            industry=_most_common(_code(a.industry) for a in public),
            discipline=_most_common(_code(a.discipline) for a in public),
            region=organisation.region_id or "",
            owner=str(organisation.pk),
        ),
    )


def _most_common(codes: Iterable[str]) -> str:
    counts: dict[str, int] = {}
    for code in codes:
        if code:
            counts[code] = counts.get(code, 0) + 1
    return max(counts, key=lambda code: counts[code]) if counts else ""


def organisations(ids: list[str] | None) -> Iterator[Entry]:
    """Verified organisations with at least one public published achievement."""
    public = (
        Achievement.objects.filter(state=AchievementState.PUBLISHED, confidentiality=Confidentiality.PUBLIC)
        .select_related("industry", "discipline")
        .order_by("-published_at")
    )
    queryset = accounts.verified_organisations().prefetch_related(
        Prefetch("achievements", queryset=public, to_attr="all_public")
    )
    if ids is not None:
        queryset = queryset.filter(pk__in=_pks(ids))
    for organisation in queryset.order_by("pk"):
        organisation.public_achievements = organisation.all_public[:ORGANISATION_ACHIEVEMENTS]  # type: ignore[attr-defined]
        entry = organisation_entry(organisation)
        if entry is not None:
            yield entry


def organisation_labels(ids: Sequence[int], audiences: Sequence[Principal]) -> dict[int, str]:
    """Names of the organisations of ``ids`` (every organisation's name is public)."""
    return dict(accounts.organisations_by_id(ids).values_list("pk", "name"))


def organisation_target(pk: int, audiences: Sequence[Principal]) -> Any:
    return accounts.organisations_by_id([pk]).first()


def achievement_changed(instance: Achievement, created: bool) -> list[tuple[str, Any]]:
    """An achievement's own document, and its organisation's (described by its public achievements)."""
    changes: list[tuple[str, Any]] = [(matchsources.ACHIEVEMENTS, instance.pk)]
    if instance.owner_organisation_id:
        changes.append((matchsources.ORGANISATIONS, instance.owner_organisation_id))
    return changes


def organisation_changed(instance: Any, created: bool) -> list[tuple[str, Any]]:
    return [(matchsources.ORGANISATIONS, instance.pk)]


def register() -> None:
    matchsources.register(
        Source(
            matchsources.ACHIEVEMENTS,
            achievements,
            visible_restricted=visible_restricted,
            kind="achievement",
            labels=labels,
            target=target,
        ),
        Source(
            matchsources.ORGANISATIONS,
            organisations,
            kind="organisation",
            labels=organisation_labels,
            target=organisation_target,
        ),
        Watch("achievements.achievement", achievement_changed),
        Watch("accounts.organisation", organisation_changed),
    )
