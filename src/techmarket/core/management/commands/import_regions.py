from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from techmarket.core.codes import import_regions


class Command(BaseCommand):
    help = (
        "Import GB/T 2260 regions from a CSV (code,name,level,parent_code; UTF-8 or GB18030). "
        "All-or-nothing: any bad row and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV file")
        parser.add_argument("--dry-run", action="store_true", help="check the file without writing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path})
        report = import_regions(path, dry_run=options["dry_run"])
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(_("导入失败，请按上面的提示修改文件后重试。"))
