"""Background work of the achievements app (huey): checking and importing uploaded spreadsheets."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from techmarket.achievements.imports.job import fail_stale_jobs, process_job


@db_task()
def check_import(job_id: int, language: str) -> None:
    """Dry run: validate every row and store the row-by-row report on the job."""
    with translation.override(language):
        process_job(job_id, dry_run=True)


@db_task()
def run_import(job_id: int, language: str) -> None:
    """Validate again (data may have changed since the check) and write all rows in one transaction."""
    with translation.override(language):
        process_job(job_id, dry_run=False)


@db_periodic_task(crontab(minute="*/5"))
def sweep_stale_imports() -> None:
    """Tell uploaders whose job lost its worker (restart, crash) to upload again."""
    with translation.override(settings.LANGUAGE_CODE):
        fail_stale_jobs()
