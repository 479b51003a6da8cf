"""The suggestion workflow's case for the generated role × transition matrix (core.testing)."""

from __future__ import annotations

from typing import Any

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.tests.cast import FILER_ROLES, OUTSIDE_REVIEWERS, OUTSIDERS, standard_cast
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.core.testing.workflow_matrix import Rule, WorkflowCase
from techmarket.demands.choices import DemandState
from techmarket.demands.tests.factories import demand_in_state
from techmarket.docking import services as docking_services
from techmarket.matching import services
from techmarket.matching.choices import RejectReason, TargetKind
from techmarket.matching.choices import SuggestionState as S
from techmarket.matching.models import Suggestion
from techmarket.matching.workflow import SUGGESTION_WORKFLOW


def setup(request: Any) -> dict[str, Any]:
    regions = request.getfixturevalue("regions")
    enterprise = OrganisationFactory(
        region=regions["county"], name="某电子公司", kind=OrganisationKind.ENTERPRISE
    )
    owner = user_with_role(Role.ENTERPRISE, organisation=enterprise)
    cast = standard_cast(regions, enterprise, owner)
    demand = demand_in_state(
        DemandState.PUBLISHED, enterprise=owner, region=regions["county"], reviewer=cast["county_reviewer"]
    )
    institute = OrganisationFactory(region=regions["city"], name="某研究院", kind=OrganisationKind.INSTITUTE)
    user_with_role(Role.ORG_ADMIN, organisation=institute)
    return {"cast": cast, "demand": demand, "target": institute}


def make(world: dict[str, Any], state: str) -> Suggestion:
    """An engine suggestion (the engine stores them proposed), then decided by a chain reviewer."""
    suggestion = Suggestion.objects.create(
        demand=world["demand"], kind=TargetKind.ORGANISATION, organisation=world["target"]
    )
    reviewer = world["cast"]["county_reviewer"]
    if state in {S.CONFIRMED, S.PUSHED}:
        suggestion = services.suggestion_confirm(actor=reviewer, suggestion=suggestion)
    if state == S.REJECTED:
        suggestion = services.suggestion_reject(
            actor=reviewer, suggestion=suggestion, reason=RejectReason.PRICE
        )
    if state == S.PUSHED:
        docking_services.response_push(actor=reviewer, demand=suggestion.demand)
        suggestion = Suggestion.objects.get(pk=suggestion.pk)
    return suggestion


CASES = [
    WorkflowCase(
        workflow=SUGGESTION_WORKFLOW,
        setup=setup,
        make=make,
        actors=lambda world: world["cast"],
        fire={
            "confirm": lambda actor, s, reason: services.suggestion_confirm(
                actor=actor, suggestion=s, note=reason
            ),
            "reject": lambda actor, s, reason: services.suggestion_reject(
                actor=actor, suggestion=s, reason=RejectReason.OTHER, note=reason
            ),
            "reconsider": lambda actor, s, reason: services.suggestion_reconsider(actor=actor, suggestion=s),
            # Suggestions are pushed with the demand's response, by the docking app.
            "push": lambda actor, s, reason: docking_services.response_push(actor=actor, demand=s.demand),
        },
        rules=[
            Rule(
                "the enterprise never decides its own matches",
                FILER_ROLES,
                set(SUGGESTION_WORKFLOW.names()),
                False,
            ),
            Rule(
                "outside reviewers never decide", OUTSIDE_REVIEWERS, set(SUGGESTION_WORKFLOW.names()), False
            ),
            Rule("outsiders never decide", OUTSIDERS, set(SUGGESTION_WORKFLOW.names()), False),
            Rule(
                "a chain reviewer confirms",
                {"county_reviewer", "city_reviewer", "province_reviewer"},
                {"confirm"},
                True,
            ),
            Rule("a broker works a 公开 demand", {"broker"}, {"confirm", "reject"}, True),
            Rule("an expert never decides", {"expert"}, set(SUGGESTION_WORKFLOW.names()), False),
        ],
    )
]
