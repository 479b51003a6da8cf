"""Background work of the deals app (huey): every minute, mark offers past their time expired and close
open offers on listings that left trading (withdrawn, expired, suspended, dealt by an administrator)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from techmarket.deals import services


@db_periodic_task(crontab(minute="*"))
def deals_tick() -> None:
    """Idempotent and safe on several workers: each offer is re-checked under its lock."""
    with translation.override(settings.LANGUAGE_CODE):
        services.deals_tick()
