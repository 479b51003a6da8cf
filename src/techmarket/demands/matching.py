"""What demands contribute to matching: open demands, for reverse matching (which demands need an
achievement). 受限 demands are indexed and flagged ``restricted``; :func:`visible_restricted` says which
of them a principal may see."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from techmarket.accounts.policies import Principal
from techmarket.core import matchsources
from techmarket.core.matchsources import Entry, Profile, Source, Watch
from techmarket.demands import policies
from techmarket.demands.choices import OPEN_STATES, DemandConfidentiality
from techmarket.demands.models import Demand


def _code(classification: Any) -> str:
    return classification.code if classification is not None else ""


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
            owner=str(demand.owner_organisation_id or ""),
        ),
        restricted=demand.confidentiality != DemandConfidentiality.PUBLIC,
    )


def demands(ids: list[str] | None) -> Iterator[Entry]:
    """Open (published or docking) demands."""
    queryset = Demand.objects.filter(state__in=OPEN_STATES).select_related("industry", "discipline")
    if ids is not None:
        queryset = queryset.filter(pk__in=[int(i) for i in ids if i.isdigit()])
    for demand in queryset.order_by("pk").iterator(chunk_size=2000):
        yield demand_entry(demand)


def visible_restricted(principal: Principal) -> set[str]:
    """Open 受限 demands the principal may see."""
    if not principal.is_authenticated:
        return set()
    ids = (
        Demand.objects.filter(
            policies.visible_q(principal),
            state__in=OPEN_STATES,
            confidentiality=DemandConfidentiality.RESTRICTED,
        )
        .order_by()
        .values_list("pk", flat=True)
    )
    return {str(pk) for pk in ids}


def demand_changed(instance: Demand, created: bool) -> list[tuple[str, Any]]:
    return [(matchsources.DEMANDS, instance.pk)]


def register() -> None:
    matchsources.register(
        Source(matchsources.DEMANDS, demands, visible_restricted=visible_restricted),
        Watch("demands.demand", demand_changed),
    )
