"""The import job's workflow: every transition × every status × every kind of actor, and the job lifecycle.

The expectations are written from the import page's rules (the uploader opens and confirms a job, the
background worker — ``actor=None`` — reports each run's outcome), not read back from the policy; the
matrix is generated from IMPORT_JOB_WORKFLOW, so a transition added without an expectation fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from techmarket.accounts.choices import Role
from techmarket.accounts.models import User
from techmarket.accounts.tests.factories import user_with_role
from techmarket.achievements.imports import job as import_jobs
from techmarket.achievements.models import ImportJob, ImportStatus
from techmarket.achievements.tests import spreadsheets
from techmarket.achievements.workflow import IMPORT_JOB_WORKFLOW
from techmarket.core.errors import InvalidTransition, NotPermitted
from techmarket.core.models import AuditEvent
from techmarket.core.workflow import INITIAL

pytestmark = pytest.mark.django_db

UPLOADER, OTHER_FILER, REVIEWER, SYSTEM = "uploader", "other_filer", "reviewer", "system"
ACTORS = (UPLOADER, OTHER_FILER, REVIEWER, SYSTEM)


@dataclass(frozen=True)
class Expectation:
    sources: frozenset[str]
    target: str
    actor: str


EXPECTED: dict[str, Expectation] = {
    "upload": Expectation(frozenset({INITIAL}), ImportStatus.CHECKING, UPLOADER),
    "pass_check": Expectation(frozenset({ImportStatus.CHECKING}), ImportStatus.CHECKED, SYSTEM),
    "reject": Expectation(
        frozenset({ImportStatus.CHECKING, ImportStatus.IMPORTING}), ImportStatus.REJECTED, SYSTEM
    ),
    "fail": Expectation(
        frozenset({ImportStatus.CHECKING, ImportStatus.IMPORTING}), ImportStatus.FAILED, SYSTEM
    ),
    "start_import": Expectation(frozenset({ImportStatus.CHECKED}), ImportStatus.IMPORTING, UPLOADER),
    "finish_import": Expectation(frozenset({ImportStatus.IMPORTING}), ImportStatus.IMPORTED, SYSTEM),
}
MATRIX = [
    (name, status, actor)
    for name in EXPECTED
    if name != "upload"
    for status in ImportStatus.values
    for actor in ACTORS
]


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def cast(applicant: User, reviewers: dict[str, User]) -> dict[str, User | None]:
    return {
        UPLOADER: applicant,
        OTHER_FILER: user_with_role(Role.APPLICANT, organisation=applicant.organisation),
        REVIEWER: reviewers["city"],
        SYSTEM: None,
    }


def job_in(status: str, user: User) -> ImportJob:
    """A job row placed in a status directly (test setup, not a transition)."""
    return ImportJob.objects.create(user=user, original_name="成果.xlsx", stored_name="x.xlsx", status=status)


def snapshot() -> tuple[Any, ...]:
    """Everything a job transition could touch: the job rows and the audit log."""
    return (
        list(ImportJob.objects.order_by("pk").values()),
        list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)),
    )


def job_events(job: ImportJob) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(target_type="achievements.importjob", target_id=str(job.pk)))


def test_the_table_matches_the_rules():
    assert IMPORT_JOB_WORKFLOW.names() == list(EXPECTED)
    for name, expected in EXPECTED.items():
        transition = IMPORT_JOB_WORKFLOW.get(name)
        assert transition.sources == expected.sources, name
        assert transition.target == expected.target, name
        assert not transition.requires_reason


@pytest.mark.parametrize(("name", "status", "actor"), MATRIX)
def test_every_transition_from_every_status_by_every_actor(cast, name, status, actor):
    job = job_in(status, cast[UPLOADER])
    expected = EXPECTED[name]
    before = snapshot()

    if status in expected.sources and actor == expected.actor:
        moved = IMPORT_JOB_WORKFLOW.fire(job, name, actor=cast[actor])

        assert moved.status == expected.target
        assert ImportJob.objects.get(pk=job.pk).status == expected.target
        (event,) = job_events(job)
        assert event.action == f"achievements.importjob.{name}"
        assert (event.from_state, event.to_state) == (status, expected.target)
        assert event.actor == cast[actor]
    else:
        with pytest.raises((InvalidTransition, NotPermitted)):
            IMPORT_JOB_WORKFLOW.fire(job, name, actor=cast[actor])

        # Compared here, outside the engine's rolled-back transaction: the refusal left no trace.
        assert snapshot() == before


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_uploader_opens_a_job(cast, actor):
    before = snapshot()
    job = ImportJob(user=cast[UPLOADER], original_name="成果.xlsx", stored_name="x.xlsx")

    if actor == UPLOADER:
        started = IMPORT_JOB_WORKFLOW.start(job, "upload", actor=cast[actor])

        assert ImportJob.objects.get(pk=started.pk).status == ImportStatus.CHECKING
        (event,) = job_events(started)
        assert (event.action, event.from_state, event.to_state) == (
            "achievements.importjob.upload",
            "",
            ImportStatus.CHECKING,
        )
        assert event.actor == cast[UPLOADER]
    else:
        with pytest.raises(NotPermitted):
            IMPORT_JOB_WORKFLOW.start(job, "upload", actor=cast[actor])
        assert snapshot() == before


def test_no_other_transition_creates_a_job(applicant):
    for name in EXPECTED.keys() - {"upload"}:
        with pytest.raises(ValueError):
            IMPORT_JOB_WORKFLOW.start(ImportJob(user=applicant, original_name="a.csv"), name, actor=None)
    assert not ImportJob.objects.exists()


# ------------------------------------------------------------------------------- through the lifecycle


def upload(applicant: User, rows: list[dict[str, str]]) -> ImportJob:
    content = SimpleUploadedFile("成果.csv", spreadsheets.csv_bytes(rows))
    return import_jobs.store_upload(actor=applicant, upload=content)


def actions(job: ImportJob) -> list[tuple[str, int | None]]:
    return [(event.action.rsplit(".", 1)[1], event.actor_id) for event in job_events(job)]


def test_check_confirm_import_each_step_audited(var_dir, regions, applicant):
    spreadsheets.classifications()
    job = upload(applicant, [spreadsheets.valid_row(n, regions["county"]) for n in range(2)])
    assert job.status == ImportStatus.CHECKING

    checked = import_jobs.process_job(job.pk, dry_run=True)
    assert checked.status == ImportStatus.CHECKED
    assert import_jobs.start_import(actor=applicant, job=checked)
    assert ImportJob.objects.get(pk=job.pk).done == 0
    imported = import_jobs.process_job(job.pk, dry_run=False)

    assert imported.status == ImportStatus.IMPORTED
    assert (imported.total, imported.done, imported.stored_name) == (2, 2, "")
    assert actions(job) == [
        ("upload", applicant.pk),
        ("pass_check", None),
        ("start_import", applicant.pk),
        ("finish_import", None),
    ]


def test_start_import_is_refused_quietly_and_changes_nothing(var_dir, regions, applicant):
    other = user_with_role(Role.APPLICANT, organisation=applicant.organisation)
    checking = upload(applicant, [spreadsheets.valid_row(1, regions["county"])])
    checked = job_in(ImportStatus.CHECKED, applicant)
    before = snapshot()

    assert not import_jobs.start_import(actor=applicant, job=checking)  # not checked yet
    assert not import_jobs.start_import(actor=other, job=checked)  # not the uploader

    assert snapshot() == before


def test_a_bad_file_is_rejected_and_an_unexpected_error_fails(var_dir, regions, applicant, monkeypatch):
    rejected = upload(applicant, [spreadsheets.valid_row(1, regions["county"], TRL="十")])
    assert import_jobs.process_job(rejected.pk, dry_run=True).status == ImportStatus.REJECTED

    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(import_jobs, "read_rows", explode)
    failed = upload(applicant, [spreadsheets.valid_row(1, regions["county"])])
    assert import_jobs.process_job(failed.pk, dry_run=True).status == ImportStatus.FAILED

    assert actions(rejected)[-1] == ("reject", None)
    assert actions(failed)[-1] == ("fail", None)
    assert not any((var_dir / "imports").iterdir())


def test_a_run_for_a_job_that_moved_on_is_skipped(var_dir, applicant):
    imported = job_in(ImportStatus.IMPORTED, applicant)
    checked = job_in(ImportStatus.CHECKED, applicant)
    before = snapshot()

    assert import_jobs.process_job(imported.pk, dry_run=False).status == ImportStatus.IMPORTED
    assert import_jobs.process_job(checked.pk, dry_run=True).status == ImportStatus.CHECKED

    assert snapshot() == before


def test_jobs_that_lost_their_worker_are_failed_and_their_files_deleted(var_dir, regions, applicant):
    stale = upload(applicant, [spreadsheets.valid_row(1, regions["county"])])
    importing = job_in(ImportStatus.IMPORTING, applicant)
    fresh = upload(applicant, [spreadsheets.valid_row(2, regions["county"])])
    checked = job_in(ImportStatus.CHECKED, applicant)
    long_ago = timezone.now() - import_jobs.STALE_AFTER - timedelta(minutes=1)
    ImportJob.objects.filter(pk__in=[stale.pk, importing.pk, checked.pk]).update(updated_at=long_ago)

    assert import_jobs.fail_stale_jobs() == 2

    statuses = dict(ImportJob.objects.values_list("pk", "status"))
    assert statuses[stale.pk] == statuses[importing.pk] == ImportStatus.FAILED
    assert statuses[fresh.pk] == ImportStatus.CHECKING
    assert statuses[checked.pk] == ImportStatus.CHECKED  # waits for its uploader, not for a worker
    assert actions(stale)[-1] == ("fail", None)
    assert "重新上传" in ImportJob.objects.get(pk=stale.pk).report["message"]
    assert sorted(path.name for path in (var_dir / "imports").iterdir()) == [fresh.stored_name]
    assert import_jobs.fail_stale_jobs() == 0


def test_a_stale_job_that_finished_meanwhile_is_left_alone(var_dir, applicant, monkeypatch):
    job = job_in(ImportStatus.CHECKING, applicant)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - import_jobs.STALE_AFTER * 2)
    fire = import_jobs.job_record_outcome

    def finished_first(**kwargs: Any) -> ImportJob:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.CHECKED)
        return fire(**kwargs)

    monkeypatch.setattr(import_jobs, "job_record_outcome", finished_first)
    assert import_jobs.fail_stale_jobs() == 0
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.CHECKED
