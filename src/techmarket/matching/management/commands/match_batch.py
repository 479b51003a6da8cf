"""``techmarket match-batch``: rank a file of demands against a file of achievements, offline."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _

from techmarket.matching import batch, ranking


class Command(BaseCommand):
    help = (
        "Match demands to achievements with the platform's engine and ranking. "
        "`techmarket match-batch --achievements A --demands D --top K --out OUT [--weights FILE.json|default]`; "
        "files are .jsonl, .csv or .xlsx, OUT is .jsonl (evaluate.py's run format) or .xlsx."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--achievements", type=Path, required=True)
        parser.add_argument("--demands", type=Path, required=True)
        parser.add_argument("--top", type=int, default=10)
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument(
            "--weights",
            default="",
            help="A weights JSON file, or 'default'; omitted: the platform's current learned weights.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["top"] < 1:
            raise CommandError(_("--top 应为正整数。"), returncode=2)
        try:
            weights = self._weights(options["weights"])
            results, stats = batch.run(
                options["achievements"], options["demands"], top=options["top"], weights=weights
            )
            batch.write(options["out"], results)
        except batch.BatchError as error:
            raise CommandError(str(error), returncode=2) from None
        self.stderr.write(f"match-batch：{stats.summary()}")

    def _weights(self, value: str) -> ranking.Weights:
        if value:
            return batch.load_weights(value)
        from techmarket.matching.selectors import current_weights

        try:
            return current_weights()
        except DatabaseError as error:
            raise CommandError(
                _("无法读取平台当前的匹配权重（%(error)s）；可用 --weights default 或 --weights 文件.json。")
                % {"error": error},
                returncode=2,
            ) from None
