from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from techmarket.accounts.selectors import user_by_username
from techmarket.achievements import catalogue
from techmarket.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Publish the quarterly catalogue of public achievements (Excel + PDF under VAR_DIR/catalogues): "
        "`techmarket publish-catalogue --quarter 2026Q3`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quarter", required=True, help="Year and quarter, e.g. 2026Q3.")
        parser.add_argument("--user", help="Username recorded as the publisher in the audit log.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = user_by_username(options["user"])
            if actor is None:
                raise CommandError(_("用户“%(name)s”不存在。") % {"name": options["user"]})
        try:
            published = catalogue.publish(quarter=options["quarter"], actor=actor)
        except DomainError as error:
            raise CommandError(str(error.message)) from None
        directory = catalogue.catalogues_dir()
        self.stdout.write(
            _("已发布 %(quarter)s 季度目录：%(count)d 项成果。")
            % {"quarter": published.quarter, "count": published.record_count}
        )
        self.stdout.write(str(directory / published.xlsx_name))
        self.stdout.write(str(directory / published.pdf_name))
