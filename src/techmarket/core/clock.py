"""The server's clock, in one place: services that decide by time (auction closing, notice periods) ask
:func:`now`, and tests move it with ``monkeypatch.setattr(clock, "now", ...)``. Never the client's time.

:func:`pinned_at` makes the services record a past moment, for the demo's history (contracts registered
and paid in earlier quarters) — the same code paths as today's work, only dated earlier."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator

from django.utils import timezone

_pinned: list[datetime.datetime] = []


def now() -> datetime.datetime:
    """The current time (aware, UTC), or the moment a :func:`pinned_at` block set."""
    return _pinned[-1] if _pinned else timezone.now()


@contextlib.contextmanager
def pinned_at(moment: datetime.datetime) -> Iterator[None]:
    """Within the block, :func:`now` answers ``moment`` (single-threaded callers: the demo loader)."""
    _pinned.append(moment)
    try:
        yield
    finally:
        _pinned.pop()
