"""The expert activation workflow's case for the generated role × transition matrix."""

from __future__ import annotations

from typing import Any

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.tests.cast import CHAIN_REVIEWERS, FILER_ROLES, OUTSIDERS, standard_cast
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.core.testing.workflow_matrix import Rule, WorkflowCase
from techmarket.experts import services
from techmarket.experts.models import ExpertProfile
from techmarket.experts.tests.factories import expert
from techmarket.experts.workflow import ACTIVATION_WORKFLOW


def setup(request: Any) -> dict[str, Any]:
    regions = request.getfixturevalue("regions")
    institute = OrganisationFactory(region=regions["county"], kind=OrganisationKind.INSTITUTE)
    owner = user_with_role(Role.EXPERT, organisation=institute)
    cast = standard_cast(regions, institute, owner)
    return {"cast": cast, "region": regions["county"], "owner": owner}


def make(world: dict[str, Any], state: bool) -> ExpertProfile:
    admin = world["cast"]["platform_admin"]
    profile = expert(world["region"], actor=admin, user=world["owner"])
    if not state:
        profile = services.expert_set_active(admin, profile, False, reason="暂停")
    return profile


CASES = [
    WorkflowCase(
        workflow=ACTIVATION_WORKFLOW,
        setup=setup,
        make=make,
        actors=lambda world: world["cast"],
        fire={
            "activate": lambda actor, e, reason: services.expert_set_active(actor, e, True, reason),
            "deactivate": lambda actor, e, reason: services.expert_set_active(actor, e, False, reason),
        },
        # Setting the state a profile already has is a documented no-op for those allowed to set it.
        quiet_noops={("activate", True), ("deactivate", False)},
        rules=[
            Rule(
                "platform administrators take experts in and out",
                {"platform_admin"},
                {"activate", "deactivate"},
                True,
            ),
            Rule("the expert never switches themself", {"owner"}, {"activate", "deactivate"}, False),
            Rule(
                "nobody else does",
                FILER_ROLES | CHAIN_REVIEWERS | OUTSIDERS | {"broker"},
                {"activate", "deactivate"},
                False,
            ),
        ],
    )
]
