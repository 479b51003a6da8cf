"""Demo suggestions for ``techmarket demo`` (called by portal.demo after demands.demo).

Publishing a demand matches it after commit; the demo builds everything in one transaction that is still
open, so it asks the engine for the published demo demands' suggestions itself, through matching.services.
"""

from __future__ import annotations

from collections.abc import Iterable

from techmarket.demands.types import Demand
from techmarket.matching import services


def seed(published: Iterable[Demand]) -> None:
    """Match each published demand now, as publication would once the transaction commits."""
    for demand in published:
        services.suggestions_refresh(demand=demand)
