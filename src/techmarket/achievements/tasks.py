"""Background work of the achievements app (huey): checking and importing uploaded spreadsheets."""

from __future__ import annotations

from django.utils import translation
from huey.contrib.djhuey import db_task

from techmarket.achievements.imports.job import process_job


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
