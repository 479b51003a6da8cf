"""The demand workflow's case for the generated role × transition matrix (core.testing)."""

from __future__ import annotations

from typing import Any

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.tests.cast import FILER_ROLES, OUTSIDE_REVIEWERS, OUTSIDERS, standard_cast
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.core.testing.workflow_matrix import FireFunction, Rule, WorkflowCase
from techmarket.demands import services
from techmarket.demands.choices import DemandState as S
from techmarket.demands.models import Demand
from techmarket.demands.tests.factories import demand_in_state
from techmarket.demands.workflow import DEMAND_WORKFLOW

REVIEW = {"approve", "return", "publish"}
REVIEWERS_AND_ADMIN = {"county_reviewer", "city_reviewer", "province_reviewer", "platform_admin"}
# transition → (a state it starts from, who may fire it there), written from the rules; the roles the
# table names and leaves out are refused there.
PINNED = {
    "submit": (S.DRAFT, {"owner"}),
    "approve": (S.SUBMITTED, REVIEWERS_AND_ADMIN),
    "return": (S.SUBMITTED, REVIEWERS_AND_ADMIN),
    "publish": (S.APPROVED, REVIEWERS_AND_ADMIN),
    "start_docking": (S.PUBLISHED, REVIEWERS_AND_ADMIN | {"broker"}),
    "close_solved": (S.PUBLISHED, {"owner", "county_reviewer", "city_reviewer", "province_reviewer"}),
    "close_unsolved": (S.DOCKING, {"owner", "county_reviewer", "city_reviewer", "province_reviewer"}),
    "withdraw": (S.PUBLISHED, {"owner"}),
}
PINNED_ROLES = {
    "owner",
    "own_applicant",
    "county_reviewer",
    "city_reviewer",
    "province_reviewer",
    "outside_city_reviewer",
    "broker",
    "expert",
    "platform_admin",
}


def _pinned_rules() -> list[Rule]:
    rules = []
    for name, (state, allowed) in PINNED.items():
        rules.append(Rule(f"{name} from {state}: {sorted(allowed)}", allowed, {name}, True, {state}))
        refused = PINNED_ROLES - allowed
        rules.append(Rule(f"{name} from {state}: not {sorted(refused)}", refused, {name}, False, {state}))
    return rules


def setup(request: Any) -> dict[str, Any]:
    regions = request.getfixturevalue("regions")
    enterprise = OrganisationFactory(
        region=regions["county"], name="某电子公司", kind=OrganisationKind.ENTERPRISE
    )
    owner = user_with_role(Role.ENTERPRISE, organisation=enterprise)
    return {"regions": regions, "cast": standard_cast(regions, enterprise, owner)}


def make(world: dict[str, Any], state: str, confidentiality: str = "public") -> Demand:
    cast = world["cast"]
    return demand_in_state(
        state,
        enterprise=cast["owner"],
        region=world["regions"]["county"],
        reviewer=cast["county_reviewer"],
        confidentiality=confidentiality,
    )


def make_restricted(world: dict[str, Any], state: str) -> Demand:
    return make(world, state, confidentiality="restricted")


def _through_service(name: str) -> FireFunction:
    if name == "start_docking":  # not offered on pages; the docking push calls it
        return lambda actor, demand, reason: services.demand_start_docking(actor=actor, demand=demand)

    def fire(actor: Any, demand: Demand, reason: str) -> Demand:
        return services.demand_transition(actor=actor, demand=demand, name=name, reason=reason)

    return fire


CASES = [
    WorkflowCase(
        workflow=DEMAND_WORKFLOW,
        setup=setup,
        make=make,
        actors=lambda world: world["cast"],
        fire={name: _through_service(name) for name in DEMAND_WORKFLOW.names()},
        # Starting to dock a demand already docking is an idempotent call (a second push).
        quiet_noops={("start_docking", S.DOCKING)},
        rules=[
            Rule("the enterprise never reviews its own demand", FILER_ROLES, REVIEW, False),
            Rule(
                "reviewers outside the region never act",
                OUTSIDE_REVIEWERS,
                set(DEMAND_WORKFLOW.names()),
                False,
            ),
            Rule("outsiders never act", OUTSIDERS, set(DEMAND_WORKFLOW.names()), False),
            Rule("platform administrators review", {"platform_admin", "superuser"}, REVIEW, True),
            Rule("the owner submits and withdraws", {"owner"}, {"submit", "withdraw"}, True),
            Rule(
                "a chain reviewer never withdraws", {"county_reviewer", "city_reviewer"}, {"withdraw"}, False
            ),
            *_pinned_rules(),
        ],
    ),
    # A 受限 demand: brokers may not respond to it (start docking), nor may anyone outside its audience.
    WorkflowCase(
        workflow=DEMAND_WORKFLOW,
        variant="restricted",
        setup=setup,
        make=make_restricted,
        actors=lambda world: world["cast"],
        fire={name: _through_service(name) for name in DEMAND_WORKFLOW.names()},
        quiet_noops={("start_docking", S.DOCKING)},
        states=[S.PUBLISHED, S.DOCKING],
        rules=[
            Rule("brokers never respond to a 受限 demand", {"broker"}, {"start_docking"}, False),
            Rule(
                "chain reviewers respond to it", {"county_reviewer", "city_reviewer"}, {"start_docking"}, True
            ),
            Rule("outsiders never act", OUTSIDERS, set(DEMAND_WORKFLOW.names()), False),
        ],
    ),
]
