"""What matching does when other apps' workflows fire (declared on their transitions by dotted path)."""

from __future__ import annotations

from typing import Any

from techmarket.core.workflow import Fired
from techmarket.matching.services import suggestions_refresh_quietly


def match_published_demand(fired: Fired[Any]) -> None:
    """After a demand's publication commits: its first suggestions (a failure is logged, never raised)."""
    suggestions_refresh_quietly(fired.obj.pk)
