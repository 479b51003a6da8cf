"""``techmarket load-targets [FILE.json ...]``: load KPI target sets (the shipped ones by default)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from techmarket.core.errors import DomainError
from techmarket.statistics import targets


class Command(BaseCommand):
    help = "Validate and load KPI target sets from JSON files (default: the sets shipped with the product)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="target set files; none: the shipped sets")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(name) for name in options["files"]] or targets.shipped_files()
        try:
            loaded = targets.load_paths(paths)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        for target_set in loaded:
            self.stdout.write(f"{target_set.key}: {target_set.targets.count()} targets")
