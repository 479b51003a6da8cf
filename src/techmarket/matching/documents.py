"""What each corpus puts into the engine: the text of a record and its structured profile.

Only text that may be shown to the public goes into an organisation's or an expert's document: a 受限
achievement's words must not make its organisation findable by them. 受限 achievements and demands are
indexed (their own audience may match them) and flagged ``restricted``, so that a ranking for anyone else
filters them out inside the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q

from techmarket.accounts.choices import OrganisationStatus
from techmarket.accounts.models import Organisation
from techmarket.achievements.choices import AchievementState, Confidentiality
from techmarket.achievements.models import Achievement
from techmarket.demands.choices import OPEN_STATES, DemandConfidentiality
from techmarket.demands.models import Demand
from techmarket.matching.choices import Corpus
from techmarket.matching.ranking import Profile

# An organisation is described by the names and keywords of (at most) this many public achievements.
ORGANISATION_ACHIEVEMENTS = 40


@dataclass(frozen=True)
class Entry:
    """One record as the engine sees it."""

    document: dict[str, Any]
    profile: Profile
    restricted: bool = False


def _code(classification: Any) -> str:
    return classification.code if classification is not None else ""


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
        ),
        restricted=achievement.confidentiality != Confidentiality.PUBLIC,
    )


def demand_entry(demand: Demand) -> Entry:
    body = " ".join(part for part in (demand.problem, demand.targets, demand.background) if part)
    budget = float(demand.budget_max) if demand.budget_max is not None else None
    return Entry(
        {"id": str(demand.pk), "title": demand.title, "keywords": demand.keyword_list, "content": body},
        Profile(
            industry=_code(demand.industry),
            discipline=_code(demand.discipline),
            region=demand.region_id,
            trl=demand.expected_trl,
            price=budget,
            modes=frozenset(demand.cooperation_list),
        ),
        restricted=demand.confidentiality != DemandConfidentiality.PUBLIC,
    )


def organisation_entry(organisation: Organisation) -> Entry | None:
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
        ),
    )


def _most_common(codes: Iterable[str]) -> str:
    counts: dict[str, int] = {}
    for code in codes:
        if code:
            counts[code] = counts.get(code, 0) + 1
    return max(counts, key=lambda code: counts[code]) if counts else ""


def expert_entry(document: dict[str, Any]) -> Entry:
    return Entry(
        document,
        Profile(
            industry=document.get("industry") or "",
            discipline=document.get("discipline") or "",
            region=document.get("region") or "",
        ),
    )


def _achievements(ids: Iterable[str] | None) -> Iterator[Entry]:
    queryset = Achievement.objects.filter(state=AchievementState.PUBLISHED).select_related(
        "industry", "discipline"
    )
    if ids is not None:
        queryset = queryset.filter(pk__in=[int(i) for i in ids if i.isdigit()])
    for achievement in queryset.order_by("pk").iterator(chunk_size=2000):
        yield achievement_entry(achievement)


def _demands(ids: Iterable[str] | None) -> Iterator[Entry]:
    queryset = Demand.objects.filter(state__in=OPEN_STATES).select_related("industry", "discipline")
    if ids is not None:
        queryset = queryset.filter(pk__in=[int(i) for i in ids if i.isdigit()])
    for demand in queryset.order_by("pk").iterator(chunk_size=2000):
        yield demand_entry(demand)


def _organisations(ids: Iterable[str] | None) -> Iterator[Entry]:
    public = (
        Achievement.objects.filter(state=AchievementState.PUBLISHED, confidentiality=Confidentiality.PUBLIC)
        .select_related("industry", "discipline")
        .order_by("-published_at")
    )
    queryset = Organisation.objects.filter(status=OrganisationStatus.VERIFIED).prefetch_related(
        Prefetch("achievements", queryset=public, to_attr="all_public")
    )
    if ids is not None:
        queryset = queryset.filter(pk__in=[int(i) for i in ids if i.isdigit()])
    for organisation in queryset.order_by("pk"):
        organisation.public_achievements = organisation.all_public[:ORGANISATION_ACHIEVEMENTS]  # type: ignore[attr-defined]
        entry = organisation_entry(organisation)
        if entry is not None:
            yield entry


def _experts(ids: Iterable[str] | None) -> Iterator[Entry]:
    from techmarket.experts import selectors as experts
    from techmarket.experts.models import ExpertProfile

    queryset = ExpertProfile.objects.filter(is_active=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=[int(i) for i in ids if i.isdigit()])
    for document in experts.match_documents(queryset):
        document = dict(document)
        document["id"] = document["id"].split(":", 1)[-1]
        yield expert_entry(document)


SOURCES: dict[str, Callable[[list[str] | None], Iterator[Entry]]] = {
    Corpus.ACHIEVEMENTS: _achievements,
    Corpus.DEMANDS: _demands,
    Corpus.ORGANISATIONS: _organisations,
    Corpus.EXPERTS: _experts,
}


def entries(corpus: str, ids: Iterable[str] | None = None) -> Iterator[Entry]:
    """Every indexable record of a corpus (or those of ``ids`` that still are)."""
    return SOURCES[corpus](None if ids is None else list(ids))


def organisation_ids_of_achievements(achievement_ids: Iterable[str]) -> list[str]:
    """An achievement change changes its organisation's document too."""
    ids = [int(i) for i in achievement_ids if i.isdigit()]
    owners = Achievement.objects.filter(Q(pk__in=ids)).values_list("owner_organisation_id", flat=True)
    return sorted({str(owner) for owner in owners})
