"""Demo data of the statistics app: the five seed plans' KPI target sets.

The statistics themselves come from the demo's registered contracts and confirmed receipts through the
contract signals; :func:`load` rebuilds the cells as well, so contracts the demo wrote without the
signals (straight to the database) are counted too.
"""

from __future__ import annotations

from typing import Any

from techmarket.statistics import services, targets


def load(*, stdout: Any = None) -> None:
    loaded = targets.load_shipped()
    cells = services.rebuild()
    if stdout is not None:
        stdout.write(f"statistics: {len(loaded)} target sets, {cells} cells\n")
