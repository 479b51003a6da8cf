"""The ``techmarket`` console command: the project's manage.py plus its own sub-commands.

``techmarket demo|serve|worker|import|export|publish-catalogue|config-doc|match-batch|verify-auction|totp-code|subsidy-calc``
are TechMarket's own; anything else (migrate, createsuperuser, shell, ...) is handed to Django.
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    "import": "import_achievements",
    "export": "export_achievements",
    "publish-catalogue": "publish_catalogue",
    "config-doc": "config_doc",
    "workflow-doc": "workflow_doc",
    "import-regions": "import_regions",
    "match-batch": "match_batch",
    "openapi-schema": "openapi_schema",
    "matching-rebuild": "matching_rebuild",
    "verify-auction": "verify_auction",
    "totp-code": "totp_code",
    "subsidy-calc": "subsidy_calc",
    "annual-report": "annual_report",
    "statistics-rebuild": "statistics_rebuild",
    "load-targets": "load_targets",
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techmarket.settings")
    args = list(sys.argv if argv is None else argv)
    args[0] = "techmarket"
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)
