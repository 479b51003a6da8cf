"""Background work of the matching app (huey): snapshots, learning and catching up missed matches."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from techmarket.matching import services


@db_periodic_task(crontab(minute="*/15"))
def rebuild_stale_indexes() -> None:
    """Save a fresh index of each corpus that changed a lot since its snapshot, so the side segments
    every process applies stay small and the term statistics stay current."""
    services.indexes_rebuild_stale()


@db_periodic_task(crontab(minute="5", hour="2"))
def learn_weights() -> None:
    """Learn the ranking weights from the day's decisions (the newest weights rank from then on)."""
    services.weights_learn()


@db_periodic_task(crontab(minute="*/10"))
def match_unmatched_demands() -> None:
    """Publication matches at once; if that failed (engine down), match the demand now."""
    services.suggestions_catch_up()
