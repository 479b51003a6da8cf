"""The subsidies workflows' cases for the generated role × transition matrix (core.testing).

The policy is the test city's (``990100``, the cast's ``city``): its bureau is the platform
administrators and the city's and the province's reviewers; the county's reviewer does not cover a
city's policy. ``computer`` (an administrator) computed the run and ``checker`` (another administrator)
checked it, so separation of duties is pinned by rules.
"""

from __future__ import annotations

from typing import Any

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.cast import FILER_ROLES, OUTSIDERS, standard_cast
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.core.testing.workflow_matrix import Rule, WorkflowCase
from techmarket.subsidies import services
from techmarket.subsidies.choices import ObjectionState as O
from techmarket.subsidies.choices import RunState as R
from techmarket.subsidies.models import Objection
from techmarket.subsidies.tests.factories import admin_user, make_policy, org_in, paid_contract, run_in_state
from techmarket.subsidies.workflow import OBJECTION_WORKFLOW, RUN_WORKFLOW

BUREAU_REVIEWERS = {"city_reviewer", "province_reviewer"}
ADMINS = {"platform_admin", "superuser"}
NOBODY = set(OUTSIDERS) | set(FILER_ROLES) | {"county_reviewer", "broker"}
RUN_TRANSITIONS = {"check", "approve", "publish", "pay", "return", "reopen", "recompute", "cancel"}


def setup(request: Any) -> dict[str, Any]:
    regions = request.getfixturevalue("regions")
    university = OrganisationFactory(region=regions["county"], name="某大学")
    owner = user_with_role(Role.APPLICANT, organisation=university)
    cast = standard_cast(regions, university, owner)
    computer = admin_user()
    checker = admin_user()
    make_policy(computer)
    buyer = org_in(regions["county"], "某企业")
    paid_contract(university, buyer, "600000.00")
    return {"cast": {**cast, "computer": computer, "checker": checker}, "admin": computer}


def make_run(world: dict[str, Any], state: str) -> Any:
    cast = world["cast"]
    return run_in_state(
        state,
        computer=cast["computer"],
        checker=cast["checker"],
        approver=cast["platform_admin"],
        deadline_passed=True,
    )


def make_objection(world: dict[str, Any], state: str) -> Objection:
    cast = world["cast"]
    run = run_in_state(
        R.PUBLISHED, computer=cast["computer"], checker=cast["checker"], approver=cast["platform_admin"]
    )
    objection = services.objection_file(actor=cast["other_enterprise"], run=run, text="某单位到账额有误")
    if state == O.UPHELD:
        return services.objection_uphold(actor=cast["city_reviewer"], objection=objection, reply="核实有误")
    if state == O.DISMISSED:
        return services.objection_dismiss(actor=cast["city_reviewer"], objection=objection, reply="核实无误")
    return objection


RUN_FIRE = {
    "check": lambda actor, run, reason: services.run_check(actor=actor, run=run),
    "approve": lambda actor, run, reason: services.run_approve(actor=actor, run=run),
    "publish": lambda actor, run, reason: services.run_publish(actor=actor, run=run),
    "pay": lambda actor, run, reason: services.run_pay(actor=actor, run=run),
    "return": lambda actor, run, reason: services.run_return(actor=actor, run=run, reason=reason),
    "reopen": lambda actor, run, reason: services.run_reopen(actor=actor, run=run, reason=reason),
    "recompute": lambda actor, run, reason: services.run_recompute(actor=actor, run=run),
    "cancel": lambda actor, run, reason: services.run_cancel(actor=actor, run=run, reason=reason),
}

CASES = [
    WorkflowCase(
        workflow=RUN_WORKFLOW,
        setup=setup,
        make=make_run,
        actors=lambda world: world["cast"],
        fire=RUN_FIRE,
        rules=[
            Rule("the computer never checks its own round", {"computer"}, {"check"}, False),
            Rule("the checker never approves", {"checker"}, {"approve"}, False),
            Rule("the city's bureau checks", BUREAU_REVIEWERS | ADMINS | {"checker"}, {"check"}, True),
            Rule("administrators approve, publish", ADMINS | {"computer"}, {"approve", "publish"}, True),
            Rule(
                "administrators mark paid after the period", ADMINS | {"computer", "checker"}, {"pay"}, True
            ),
            Rule(
                "reviewers never approve, publish or pay",
                BUREAU_REVIEWERS,
                {"approve", "publish", "pay"},
                False,
            ),
            Rule(
                "the bureau returns, reopens, recomputes and cancels",
                BUREAU_REVIEWERS | ADMINS,
                {"return", "reopen", "recompute", "cancel"},
                True,
            ),
            Rule("nobody outside the city's bureau acts on its run", NOBODY, RUN_TRANSITIONS, False),
        ],
    ),
    WorkflowCase(
        workflow=OBJECTION_WORKFLOW,
        setup=setup,
        make=make_objection,
        actors=lambda world: world["cast"],
        fire={
            "uphold": lambda actor, objection, reason: services.objection_uphold(
                actor=actor, objection=objection, reply=reason
            ),
            "dismiss": lambda actor, objection, reason: services.objection_dismiss(
                actor=actor, objection=objection, reply=reason
            ),
        },
        rules=[
            Rule("the city's bureau answers", BUREAU_REVIEWERS | ADMINS, {"uphold", "dismiss"}, True),
            Rule("nobody else answers", NOBODY, {"uphold", "dismiss"}, False),
        ],
    ),
]
