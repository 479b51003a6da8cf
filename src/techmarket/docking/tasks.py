"""Background work of the docking app (huey): the response clock ticks every minute."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from techmarket.docking import services


@db_periodic_task(crontab(minute="*"))
def tick_response_clocks() -> None:
    """Send due reminders and escalations (idempotent: a late or repeated tick sends nothing twice).

    Messages are written in the platform's default language: there is no request to take one from.
    """
    with translation.override(settings.LANGUAGE_CODE):
        services.clock_tick()
