"""What each corpus puts into the engine, as the domain apps register it (:mod:`techmarket.core.matchsources`).

Each domain describes its own records (``achievements/matching.py``, ``demands/matching.py``,
``experts/matching.py``; organisations are described by their public achievements, in
``achievements/matching.py``) and applies its own visibility rule; 受限 records are indexed and flagged
``restricted``, so that a ranking for anyone outside their audience filters them out inside the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from techmarket.core import matchsources
from techmarket.core.matchsources import Entry

__all__ = ["Entry", "entries"]


def entries(corpus: str, ids: Iterable[str] | None = None) -> Iterator[Entry]:
    """Every indexable record of a corpus (or those of ``ids`` that still are)."""
    return matchsources.source(corpus).entries(None if ids is None else list(ids))
