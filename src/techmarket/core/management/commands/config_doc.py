from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from techmarket.core import config


class Command(BaseCommand):
    help = "Write the configuration reference (docs/configuration.md) from core/config.py."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default="docs/configuration.md")

    def handle(self, *args: Any, **options: Any) -> None:
        Path(options["out"]).write_text(config.markdown(), encoding="utf-8")
        self.stdout.write(options["out"])
