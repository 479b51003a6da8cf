"""The server's clock, in one place: services that decide by time (auction closing, notice periods) ask
:func:`now`, and tests move it with ``monkeypatch.setattr(clock, "now", ...)``. Never the client's time."""

from __future__ import annotations

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    """The current time (aware, UTC)."""
    return timezone.now()
