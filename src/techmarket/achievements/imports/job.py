"""The life of an uploaded spreadsheet on the import page: stored, checked, confirmed, imported.

Every status change goes through ``workflow.IMPORT_JOB_WORKFLOW`` (audited as
``achievements.importjob.<transition>``): the uploader fires ``upload`` and ``start_import``, the
background worker (``tasks.py``, ``actor=None``) fires the outcome of each run. Progress counters are not
state and are written directly while a run goes on.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from techmarket.accounts.policies import principal_of
from techmarket.accounts.types import User
from techmarket.achievements import policies
from techmarket.achievements.imports.readers import read_rows
from techmarket.achievements.imports.service import run_import
from techmarket.achievements.models import ImportJob, ImportStatus
from techmarket.achievements.workflow import IMPORT_JOB_WORKFLOW
from techmarket.core.errors import DomainError, InvalidTransition, NotPermitted

logger = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 20 * 1024 * 1024
SUPPORTED_EXTENSIONS = (".xlsx", ".csv")
# The state a job waits in for each kind of run; a run finding its job elsewhere leaves it alone.
RUN_FROM = {True: ImportStatus.CHECKING, False: ImportStatus.IMPORTING}
# A running job whose row has not moved for this long lost its worker (killed, restarted, queue lost):
# an import writes everything in one transaction, so a lost run wrote nothing and the job can be failed.
STALE_AFTER = timedelta(minutes=30)


def imports_dir() -> Path:
    """Where uploaded files wait between the check and the import (VAR_DIR/imports)."""
    directory = Path(settings.VAR_DIR) / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def store_upload(*, actor: User, upload: UploadedFile) -> ImportJob:
    """Keep an uploaded spreadsheet under VAR_DIR/imports and open a job that checks it."""
    if not policies.can_file(principal_of(actor)):
        raise NotPermitted(_("只有成果填报人或单位管理员可以登记成果。"))
    name = Path(upload.name or "").name
    extension = Path(name).suffix.lower()
    if extension not in SUPPORTED_EXTENSIONS:
        raise DomainError(
            "import_unsupported_file",
            _("只支持 .xlsx 或 .csv 文件，请使用平台提供的导入模板。"),
            fields={"file": [_("文件类型不支持。")]},
        )
    if upload.size is None or upload.size > MAX_IMPORT_BYTES:
        raise DomainError(
            "import_too_large",
            _("导入文件不能超过 %(mb)d MB。") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)},
            fields={"file": [_("文件过大。")]},
        )
    stored_name = f"{uuid.uuid4().hex}{extension}"
    with open(imports_dir() / stored_name, "wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    job = ImportJob(user=actor, original_name=name[-200:], stored_name=stored_name)
    return IMPORT_JOB_WORKFLOW.start(job, "upload", actor=actor, data={"file": job.original_name})


def process_job(job_id: int, *, dry_run: bool) -> ImportJob:
    """Check (dry run) or import a job's file, keeping progress and report on the job row.

    Runs in the worker, so the outcome is fired by the system (``actor=None``). The file is deleted once
    the job ends anywhere but "checked", so rejected content is not kept.
    """
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.status != RUN_FROM[dry_run]:
        # A repeated or stale task: the job has moved on, and running again could import twice.
        logger.warning("import job %s is %s, not %s; run skipped", job.pk, job.status, RUN_FROM[dry_run])
        return job
    path = imports_dir() / job.stored_name

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(done=done, total=total, updated_at=timezone.now())

    # Counters as loaded unless the run completes: an interrupted run does not leave partial progress.
    changes: dict[str, Any] = {"total": job.total, "done": job.done}
    try:
        if not job.stored_name or not path.is_file():
            raise DomainError("import_file_missing", _("上传的文件已不存在，请重新上传。"))
        report = run_import(
            actor=job.user,
            rows=read_rows(path, job.original_name),
            dry_run=dry_run,
            progress=progress,
            source=job.original_name,
        )
    except DomainError as error:
        outcome = "reject"
        changes["report"] = {"message": force_str(error.message), "errors": []}
    except Exception:
        logger.exception("import job %s failed", job.pk)
        outcome = "fail"
        changes["report"] = {
            "message": _("处理文件时发生意外错误，未导入任何记录。请稍后重试或联系管理员。"),
            "errors": [],
        }
    else:
        changes["total"] = changes["done"] = report.total
        changes["report"] = {**report.as_dict(), "message": report.as_text().splitlines()[0]}
        if not report.ok:
            outcome = "reject"
        elif dry_run:
            outcome = "pass_check"
        else:
            outcome = "finish_import"
    if outcome != "pass_check":
        path.unlink(missing_ok=True)
        changes["stored_name"] = ""
    return job_record_outcome(
        job=job, outcome=outcome, changes=changes, data={"file": job.original_name, "dry_run": dry_run}
    )


def job_record_outcome(
    *,
    job: ImportJob,
    outcome: str,
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    actor: Any = None,
) -> ImportJob:
    """Record what the worker found (pass_check, reject, fail or finish_import): the system's move only,
    so any ``actor`` but None is refused."""
    return IMPORT_JOB_WORKFLOW.fire(job, outcome, actor=actor, changes=changes, data=data)


def fail_stale_jobs(*, now: datetime | None = None) -> int:
    """Fail the jobs left checking or importing by a worker that died, so the uploader is told to upload
    again instead of watching "校验中" for ever; returns how many were failed.

    The outcome goes through the workflow, which re-reads the row under its lock: a run that finished
    meanwhile has moved the job on and is left alone.
    """
    cutoff = (now or timezone.now()) - STALE_AFTER
    failed = 0
    for job in ImportJob.objects.filter(status__in=RUN_FROM.values(), updated_at__lt=cutoff):
        stored_name = job.stored_name
        try:
            job_record_outcome(
                job=job,
                outcome="fail",
                changes={
                    "stored_name": "",
                    "report": {
                        "message": _("后台处理中断，未导入任何记录。请重新上传文件。"),
                        "errors": [],
                    },
                },
                data={"file": job.original_name, "stale_since": job.updated_at.isoformat()},
            )
        except InvalidTransition:
            continue
        if stored_name:
            (imports_dir() / stored_name).unlink(missing_ok=True)
        failed += 1
    return failed


def start_import(*, actor: User, job: ImportJob) -> bool:
    """Move a checked job of the actor to "importing"; False when it is not (or no longer) checked."""
    try:
        IMPORT_JOB_WORKFLOW.fire(job, "start_import", actor=actor, changes={"done": 0})
    except (InvalidTransition, NotPermitted, ImportJob.DoesNotExist):
        return False
    return True


def recent_jobs(actor: User, *, limit: int = 10) -> Iterable[ImportJob]:
    """The actor's latest jobs, newest first, for the upload page."""
    return ImportJob.objects.filter(user=actor)[:limit]
