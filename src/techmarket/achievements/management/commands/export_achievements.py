from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from techmarket.accounts.policies import principal_of
from techmarket.accounts.selectors import user_by_username
from techmarket.achievements import exports, selectors
from techmarket.achievements.filters import AchievementFilterForm

FILTER_OPTIONS = (
    "q",
    "discipline",
    "industry",
    "region",
    "trl_min",
    "trl_max",
    "transfer_mode",
    "price_min",
    "price_max",
    "year",
    "organisation_kind",
    "state",
    "sort",
)


class Command(BaseCommand):
    help = (
        "Export to Excel the achievements a user may see (anonymous visitors: the public catalogue), "
        "with the catalogue's filters. `techmarket export achievements OUT.xlsx [--user USERNAME]`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["achievements"])
        parser.add_argument("out", type=Path)
        parser.add_argument("--user", help="Export what this user may see; omitted: anonymous.")
        for name in FILTER_OPTIONS:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, default="")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        if out.suffix.lower() != ".xlsx":
            raise CommandError(_("导出文件名应以 .xlsx 结尾。"))
        user = None
        if options["user"]:
            user = user_by_username(options["user"])
            if user is None:
                raise CommandError(_("用户“%(name)s”不存在。") % {"name": options["user"]})
        form = AchievementFilterForm({name: options[name] for name in FILTER_OPTIONS if options[name]})
        if not form.is_valid():
            problems = "；".join(
                f"--{name.replace('_', '-')}：{'，'.join(str(m) for m in messages)}"
                for name, messages in form.errors.items()
            )
            raise CommandError(_("筛选条件有误：%(problems)s") % {"problems": problems})
        queryset = selectors.achievement_for_export(
            selectors.achievement_filter(
                selectors.achievement_visible(principal_of(user)), form.to_filters(), principal_of(user)
            )
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        count = exports.write_xlsx(queryset[: exports.MAX_EXPORT_ROWS].iterator(chunk_size=1000), str(out))
        self.stdout.write(_("已导出 %(count)d 条成果到 %(path)s。") % {"count": count, "path": out})
