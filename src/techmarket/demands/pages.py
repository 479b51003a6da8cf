"""What apps built on demands add to the demand page (matching adds its suggestion panel and what was
pushed), so that demands imports none of them: the layering stays acyclic (matching depends on demands,
never the other way round). A provider is registered by its app's ``AppConfig.ready``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from techmarket.accounts.policies import Principal
from techmarket.demands.models import Demand

DetailContext = Callable[[Demand, Principal], dict[str, Any]]

_DETAIL: list[DetailContext] = []


def add_detail_context(provider: DetailContext) -> None:
    """Register a provider of extra context for the demand page (once)."""
    if provider not in _DETAIL:
        _DETAIL.append(provider)


def detail_context(demand: Demand, principal: Principal) -> dict[str, Any]:
    """The extra context every registered provider gives the demand page for this viewer."""
    context: dict[str, Any] = {}
    for provider in _DETAIL:
        context.update(provider(demand, principal))
    return context
