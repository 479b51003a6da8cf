"""What docking does when other apps' workflows fire (declared on their transitions by dotted path)."""

from __future__ import annotations

from typing import Any

from techmarket.core.workflow import Fired
from techmarket.docking.services import clock_start


def start_clock(fired: Fired[Any]) -> None:
    """Effect of a demand's publication, in its transaction: the response clock starts at publication."""
    clock_start(demand=fired.obj, actor=fired.actor, now=fired.obj.published_at)
