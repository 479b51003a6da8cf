"""Background work of the achievements app (huey): checking and importing uploaded spreadsheets, and
writing a quarterly catalogue (its PDF takes about 50 ms a record: seconds for a busy quarter)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from techmarket.achievements import catalogue
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


@db_task()
def publish_catalogue(quarter: str, user_id: int, language: str) -> None:
    """Write and publish a quarter's catalogue for the administrator who asked on the web page."""
    with translation.override(language):
        catalogue.publish_as(quarter=quarter, user_id=user_id)
