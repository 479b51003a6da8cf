"""Progress of a target and its forecast to the deadline — plain Python, hand-checkable.

* **Actual**: for an ``annual`` target the value of the latest year with data up to the deadline year;
  for a ``cumulative`` one the sum of the yearly values from the start year (computed metrics) or the
  latest value entered (manual metrics, whose entries are already running totals).
* **Progress** = actual / target (the minimum of a range; 1 when a ceiling is kept).
* **Forecast**: an ordinary least-squares line through the yearly points (year, value) — the yearly
  values for ``annual``, the running totals for ``cumulative`` — evaluated at the deadline year. With
  one point the forecast is that point (no trend known); with none there is no forecast.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Progress:
    actual: Decimal | None
    share: Decimal | None  # actual / target, e.g. 0.4 for 40 %
    forecast: Decimal | None
    forecast_share: Decimal | None
    on_track: bool | None


def linear_forecast(points: list[tuple[int, Decimal]], year: int) -> Decimal | None:
    """The least-squares line through ``points`` evaluated at ``year`` (never below zero)."""
    if not points:
        return None
    if len(points) == 1:
        return points[0][1]
    n = Decimal(len(points))
    xs = [Decimal(x) for x, _ in points]
    ys = [Decimal(y) for _, y in points]
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return mean_y
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    value = mean_y + slope * (Decimal(year) - mean_x)
    return max(value, Decimal(0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def running_totals(points: list[tuple[int, Decimal]]) -> list[tuple[int, Decimal]]:
    total = Decimal(0)
    result = []
    for year, value in sorted(points):
        total += value
        result.append((year, total))
    return result


def ratio(actual: Decimal | None, target: Decimal, *, at_most: bool = False) -> Decimal | None:
    if actual is None:
        return None
    if at_most:
        if actual <= target:
            return Decimal(1)
        return (target / actual).quantize(Decimal("0.0001")) if actual else Decimal(1)
    if target == 0:
        return None
    return (actual / target).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def progress(
    yearly: list[tuple[int, Decimal]],
    *,
    target: Decimal,
    deadline_year: int,
    basis: str,
    at_most: bool = False,
    already_cumulative: bool = False,
) -> Progress:
    """Progress and forecast of one target from its yearly values (years ≤ the deadline year count)."""
    points = sorted((year, value) for year, value in yearly if year <= deadline_year)
    if basis == "cumulative" and not already_cumulative:
        points = running_totals(points)
    actual = points[-1][1] if points else None
    forecast = linear_forecast(points, deadline_year)
    share = ratio(actual, target, at_most=at_most)
    forecast_share = ratio(forecast, target, at_most=at_most)
    on_track = None if forecast_share is None else forecast_share >= 1
    return Progress(actual, share, forecast, forecast_share, on_track)
