import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the production web server (gunicorn, several workers; static files served by the app)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=f"127.0.0.1:{os.environ.get('PORT', '8000')}")
        parser.add_argument("--workers", type=int, default=settings.TECHMARKET["WEB_WORKERS"])

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            # Refuse to serve production with development settings (core/checks.py); raises CommandError.
            call_command("check", deploy=True, fail_level="ERROR")
        call_command("collectstatic", interactive=False, verbosity=0)
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        os.execv(  # noqa: S606 (fixed argv, no shell: the process becomes gunicorn)
            gunicorn,
            [
                gunicorn,
                "techmarket.wsgi:application",
                "--bind",
                options["bind"],
                "--workers",
                str(options["workers"]),
                "--access-logfile",
                "-",
                "--timeout",
                "120",
            ],
        )
