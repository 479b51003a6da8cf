"""Background work of the trading app (huey): every minute, open listings whose notice ended, expire
listings past their period and close due auctions."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from techmarket.trading import services


@db_periodic_task(crontab(minute="*"))
def trading_tick() -> None:
    """Idempotent and safe on several workers: each row is re-checked under its lock (exactly one close)."""
    with translation.override(settings.LANGUAGE_CODE):
        services.trading_tick()
