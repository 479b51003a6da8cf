"""Working days: Monday to Friday, except the dated exceptions of :class:`core.models.CalendarDay`.

A holiday makes a weekday a day off; a 调休 make-up day makes a Saturday or Sunday a working day. A
region's own row for a date overrides the national row (the nearest region on the chain wins), so a
province can add a local holiday. Reads only; administrators change the rows through
``core.services.calendar_day_set`` / ``calendar_day_clear``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q

from techmarket.core.choices import CalendarDayKind
from techmarket.core.models import CalendarDay, Region

# Bound on the days scanned by add_working_days: a notice period is days or weeks, never years.
MAX_SPAN_DAYS = 3660


def _exceptions(start: datetime.date, end: datetime.date, region: Region | None) -> dict[datetime.date, str]:
    """date → kind of every exception in [start, end] that applies to ``region`` (nearest region wins)."""
    chain = [node.code for node in region.chain()] if region is not None else []
    rank = {code: index for index, code in enumerate(chain)}
    rows = CalendarDay.objects.filter(
        Q(region__isnull=True) | Q(region_id__in=chain), date__range=(start, end)
    )
    chosen: dict[datetime.date, tuple[int, str]] = {}
    for day, region_id, kind in rows.values_list("date", "region_id", "kind"):
        priority = rank.get(region_id, len(chain)) if region_id else len(chain)
        if day not in chosen or priority < chosen[day][0]:
            chosen[day] = (priority, kind)
    return {day: kind for day, (_priority, kind) in chosen.items()}


def _working(day: datetime.date, exceptions: dict[datetime.date, str]) -> bool:
    kind = exceptions.get(day)
    if kind == CalendarDayKind.HOLIDAY:
        return False
    if kind == CalendarDayKind.WORKDAY:
        return True
    return day.weekday() < 5


def is_working_day(day: datetime.date, region: Region | None = None) -> bool:
    """Whether ``day`` is a working day (in ``region``, or nationally)."""
    return _working(day, _exceptions(day, day, region))


def add_working_days(start: datetime.date, n: int, region: Region | None = None) -> datetime.date:
    """The ``n``-th working day after ``start`` (``start`` itself never counts; ``n`` = 0 gives ``start``).

    A notice period of N working days that starts on day D ends at the end of ``add_working_days(D, N)``.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return start
    window = max(14, n * 3)
    while True:
        end = start + datetime.timedelta(days=window)
        exceptions = _exceptions(start, end, region)
        day, counted = start, 0
        while day < end:
            day += datetime.timedelta(days=1)
            if _working(day, exceptions):
                counted += 1
                if counted == n:
                    return day
        if window >= MAX_SPAN_DAYS:  # pragma: no cover - a calendar of holidays only
            raise ValueError("no working day found")
        window = min(window * 2, MAX_SPAN_DAYS)


def working_days(
    start: datetime.date, end: datetime.date, region: Region | None = None
) -> list[datetime.date]:
    """The working days in [start, end]."""
    exceptions = _exceptions(start, end, region)
    days: Iterable[datetime.date] = (
        start + datetime.timedelta(days=offset) for offset in range((end - start).days + 1)
    )
    return [day for day in days if _working(day, exceptions)]
