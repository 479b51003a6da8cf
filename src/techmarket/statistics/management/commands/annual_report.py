"""``techmarket annual-report --region CODE --year Y [--out FILE.pdf]``: a region's annual statistics PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from techmarket.core.errors import DomainError
from techmarket.statistics import report


class Command(BaseCommand):
    help = "Write a region's annual statistics report (public aggregates, charts, KPI progress) as a PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--region", required=True, help="GB/T 2260 region code (province, city or county)"
        )
        parser.add_argument("--year", required=True, type=int, help="the calendar year")
        parser.add_argument("--out", help="the PDF file (default annual-report-CODE-YEAR.pdf)")

    def handle(self, *args: Any, **options: Any) -> None:
        region, year = str(options["region"]), int(options["year"])
        if not 2000 <= year <= 2100:
            raise CommandError(f"year {year} is out of range (2000-2100)")
        try:
            content = report.render_pdf(region, year)
        except DomainError as error:
            raise CommandError(f"{region}: {error.message}") from error
        out = Path(options.get("out") or f"annual-report-{region}-{year}.pdf")
        out.write_bytes(content)
        self.stdout.write(f"{out} ({len(content)} bytes)")
