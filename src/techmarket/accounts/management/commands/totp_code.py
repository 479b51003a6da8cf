"""``techmarket totp-code``: the code an authenticator app would show now for a secret (the demo's by
default), for signing in to the demo's reviewer and administrator accounts without a phone."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from techmarket.accounts import totp
from techmarket.accounts.demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current two-factor code for a TOTP secret (default: the demo accounts' secret)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--secret", default=DEMO_TOTP_SECRET, help="base32 secret (default: the demo's)")

    def handle(self, *args: Any, **options: Any) -> None:
        left = totp.STEP_SECONDS - int(time.time()) % totp.STEP_SECONDS
        self.stdout.write(
            _("当前验证码：%(code)s（%(seconds)d 秒后更新）")
            % {"code": totp.code_at(options["secret"]), "seconds": left}
        )
