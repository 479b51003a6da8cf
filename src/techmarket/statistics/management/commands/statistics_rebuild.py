"""``techmarket statistics-rebuild``: recompute every statistics cell from the registered contracts."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from techmarket.statistics import services


class Command(BaseCommand):
    help = "Recompute all statistics cells from the contracts and their confirmed receipts (recovery)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        count = services.rebuild()
        self.stdout.write(f"{count} cells rebuilt in {time.perf_counter() - started:.1f} s")
