"""``techmarket matching-rebuild``: save a fresh index of every corpus; running processes load it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from techmarket.matching import indexes


class Command(BaseCommand):
    help = "Rebuild the matching indexes from the database; web workers pick the new ones up at once."

    def handle(self, *args: Any, **options: Any) -> None:
        for snapshot in indexes.rebuild_all():
            self.stdout.write(
                f"{snapshot.corpus}: {snapshot.documents} records in {snapshot.build_seconds:.1f} s"
            )
