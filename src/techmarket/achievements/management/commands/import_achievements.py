from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from techmarket.accounts.selectors import user_by_username
from techmarket.achievements.imports.readers import read_rows
from techmarket.achievements.imports.service import run_import
from techmarket.core.errors import DomainError

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Import achievements from the template (.xlsx or .csv) as drafts of the user's organisation: "
        "all rows or none. `techmarket import achievements FILE --user USERNAME [--dry-run]`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["achievements"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="Username of the filer (applicant or org admin).")
        parser.add_argument("--dry-run", action="store_true", help="Check every row, write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        user = user_by_username(options["user"])
        if user is None:
            raise CommandError(_("用户“%(name)s”不存在。") % {"name": options["user"]})
        if not path.is_file():
            raise CommandError(_("文件“%(path)s”不存在。") % {"path": path})
        try:
            report = run_import(
                actor=user,
                rows=read_rows(path, path.name),
                dry_run=options["dry_run"],
                progress=self._progress,
                source=path.name,
            )
        except DomainError as error:
            raise CommandError(str(error.message)) from None
        finally:
            self.stderr.write("", style_func=str)
        self.stdout.write(report.as_text())
        if not report.ok:
            raise CommandError(_("导入未通过校验，未写入任何记录。"))

    def _progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total
        self.stderr.write(
            f"\r[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {done}/{total}", style_func=str, ending=""
        )
        self.stderr.flush()
