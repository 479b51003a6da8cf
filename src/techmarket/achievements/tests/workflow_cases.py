"""The achievement workflow's case for the generated role × transition matrix (core.testing)."""

from __future__ import annotations

from typing import Any

from techmarket.accounts.tests.cast import CHAIN_REVIEWERS, FILER_ROLES, OUTSIDERS, standard_cast
from techmarket.achievements import services
from techmarket.achievements.choices import AchievementState as S
from techmarket.achievements.imports import job as import_job
from techmarket.achievements.models import Achievement, ImportJob, ImportStatus
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.achievements.workflow import ACHIEVEMENT_WORKFLOW, IMPORT_JOB_WORKFLOW
from techmarket.core.testing.workflow_matrix import FireFunction, Rule, WorkflowCase

REVIEW_TRANSITIONS = {"county_approve", "city_approve", "province_approve", "return", "revoke"}


def setup(request: Any) -> dict[str, Any]:
    regions = request.getfixturevalue("regions")
    applicant = request.getfixturevalue("applicant")
    cast = standard_cast(regions, request.getfixturevalue("organisation"), applicant)
    return {"regions": regions, "cast": cast}


def make(world: dict[str, Any], state: str) -> Achievement:
    regions, cast = world["regions"], world["cast"]
    # Province review exists only where the province asks for it.
    regions["province"].requires_province_review = state == S.PROVINCE_REVIEW
    regions["province"].save()
    reviewers = {level: cast[f"{level}_reviewer"] for level in ("county", "city", "province")}
    return achievement_in_state(state, applicant=cast["owner"], region=regions["county"], reviewers=reviewers)


def _through_service(name: str) -> FireFunction:
    def fire(actor: Any, achievement: Achievement, reason: str) -> Achievement:
        return services.achievement_transition(actor=actor, achievement=achievement, name=name, reason=reason)

    return fire


CASES = [
    WorkflowCase(
        workflow=ACHIEVEMENT_WORKFLOW,
        setup=setup,
        make=make,
        actors=lambda world: world["cast"],
        fire={name: _through_service(name) for name in ACHIEVEMENT_WORKFLOW.names()},
        rules=[
            Rule("an applicant never approves, returns or revokes", FILER_ROLES, REVIEW_TRANSITIONS, False),
            Rule(
                "outsiders, brokers and admins never act",
                OUTSIDERS | {"broker", "platform_admin"},
                set(ACHIEVEMENT_WORKFLOW.names()),
                False,
            ),
            Rule("the owner's filers submit", {"owner", "own_applicant", "own_org_admin"}, {"submit"}, True),
            Rule(
                "the county reviewer approves at county level", {"county_reviewer"}, {"county_approve"}, True
            ),
            Rule(
                "a city reviewer cannot take the province step",
                {"city_reviewer"},
                {"province_approve"},
                False,
            ),
            Rule("reviewers never withdraw the owner's record", CHAIN_REVIEWERS, {"withdraw"}, False),
        ],
    )
]


# --- Import jobs ----------------------------------------------------------------------------------
# The uploader confirms a checked job's import (``start_import`` answers False instead of raising, as the
# page polls it); every other move is the worker recording what it found, as the system (actor None).

WORKER_OUTCOMES = ("pass_check", "reject", "fail", "finish_import")


def make_job(world: dict[str, Any], state: str) -> ImportJob:
    """A job row placed in a state directly (test setup: the file it would hold is not needed)."""
    return ImportJob.objects.create(
        user=world["cast"]["owner"], original_name="成果.xlsx", stored_name="x.xlsx", status=state
    )


def _record(name: str) -> FireFunction:
    def fire(actor: Any, job: ImportJob, reason: str) -> ImportJob:
        return import_job.job_record_outcome(actor=actor, job=job, outcome=name)

    return fire


CASES.append(
    WorkflowCase(
        workflow=IMPORT_JOB_WORKFLOW,
        setup=setup,
        make=make_job,
        actors=lambda world: {**world["cast"], "system": None},
        fire={
            "start_import": lambda actor, job, reason: import_job.start_import(actor=actor, job=job),
            **{name: _record(name) for name in WORKER_OUTCOMES},
        },
        quiet_noops={("start_import", state) for state in ImportStatus.values},
        rules=[
            Rule("only the uploader confirms the import", {"owner"}, {"start_import"}, True),
            Rule(
                "nobody confirms another's import",
                (FILER_ROLES - {"owner"}) | CHAIN_REVIEWERS | OUTSIDERS | {"system", "platform_admin"},
                {"start_import"},
                False,
            ),
            Rule("the worker records outcomes", {"system"}, set(WORKER_OUTCOMES), True),
            Rule(
                "no person records an outcome",
                {"owner", "platform_admin", "superuser"},
                set(WORKER_OUTCOMES),
                False,
            ),
        ],
    )
)
