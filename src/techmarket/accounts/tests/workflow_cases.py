"""The organisation verification workflow's case for the generated role × transition matrix."""

from __future__ import annotations

from typing import Any

from techmarket.accounts import services
from techmarket.accounts.choices import OrganisationKind, OrganisationStatus, Role
from techmarket.accounts.models import Organisation
from techmarket.accounts.tests.cast import FILER_ROLES, OUTSIDERS, standard_cast
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.accounts.workflow import ORGANISATION_WORKFLOW
from techmarket.core.testing.workflow_matrix import Rule, WorkflowCase

REVIEWERS = frozenset({"county_reviewer", "city_reviewer", "province_reviewer"})


def setup(request: Any) -> dict[str, Any]:
    regions = request.getfixturevalue("regions")
    registering = OrganisationFactory(
        region=regions["county"], kind=OrganisationKind.ENTERPRISE, status=OrganisationStatus.PENDING
    )
    owner = user_with_role(Role.ORG_ADMIN, organisation=registering)
    cast = standard_cast(regions, registering, owner)
    return {"cast": cast, "organisation": registering, "admin": cast["platform_admin"]}


def make(world: dict[str, Any], state: str) -> Organisation:
    """The registering organisation, moved to ``state`` by a platform administrator."""
    organisation: Organisation = world["organisation"]
    if state == OrganisationStatus.VERIFIED:
        return services.organisation_verify(actor=world["admin"], organisation=organisation)
    if state == OrganisationStatus.REJECTED:
        return services.organisation_reject(
            actor=world["admin"], organisation=organisation, reason="材料不全"
        )
    return organisation


CASES = [
    WorkflowCase(
        workflow=ORGANISATION_WORKFLOW,
        setup=setup,
        make=make,
        actors=lambda world: world["cast"],
        fire={
            "verify": lambda actor, o, reason: services.organisation_verify(
                actor=actor, organisation=o, reason=reason
            ),
            "reject": lambda actor, o, reason: services.organisation_reject(
                actor=actor, organisation=o, reason=reason
            ),
        },
        rules=[
            Rule(
                "platform administrators verify", {"platform_admin", "superuser"}, {"verify", "reject"}, True
            ),
            Rule("an organisation never verifies itself", FILER_ROLES, {"verify", "reject"}, False),
            Rule("reviewers do not verify organisations", REVIEWERS, {"verify", "reject"}, False),
            Rule("outsiders never act", OUTSIDERS | {"broker"}, {"verify", "reject"}, False),
        ],
    )
]
