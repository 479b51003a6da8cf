"""Demo data of the statistics app: the five seed plans' KPI target sets, and a few entered actuals.

The statistics themselves come from the demo's registered contracts and confirmed receipts through the
contract signals; :func:`load` rebuilds the cells as well, so contracts the demo wrote without the
signals (straight to the database) are counted too. Most targets are counts the platform cannot compute
(agencies, maker spaces, trained people); the demo enters a few years of them as an administrator
would, so that the KPI page shows progress and forecasts, not only 暂无数据.
"""

from __future__ import annotations

from typing import Any

from techmarket.statistics import services, targets
from techmarket.statistics.models import Target

# (target set, target, [(year, value), …]) — cumulative counts as entered each year.
DEMO_ACTUALS: tuple[tuple[str, str, tuple[tuple[int, str], ...]], ...] = (
    ("hubei-2020", "provincial_market", ((2021, "1"), (2022, "1"))),
    ("yueyang-2017", "city_demonstration_agencies", ((2017, "4"), (2018, "9"), (2019, "15"))),
    ("yueyang-2017", "trained_professionals", ((2017, "12"), (2018, "27"), (2019, "38"))),
    ("luoyang-2017", "carriers", ((2017, "31"), (2018, "58"), (2019, "80"))),
    ("jilin-2016", "sub_markets", ((2016, "1"), (2017, "3"), (2018, "4"), (2019, "6"))),
)
NOTE = "演示数据"


def load(*, admin: Any = None, stdout: Any = None) -> None:
    loaded = targets.load_shipped()
    cells = services.rebuild()
    entered = enter_demo_actuals(admin) if admin is not None else 0
    if stdout is not None:
        stdout.write(f"statistics: {len(loaded)} target sets, {cells} cells, {entered} actuals\n")


def enter_demo_actuals(admin: Any) -> int:
    """Enter the demo's actuals through the service (audited, as an administrator would)."""
    count = 0
    for set_key, target_key, values in DEMO_ACTUALS:
        target = Target.objects.filter(target_set__key=set_key, key=target_key).first()
        if target is None:
            continue
        for year, value in values:
            services.enter_actual(admin, target, year=year, value=value, note=NOTE)
            count += 1
    return count
