"""Every role the policies distinguish, built around an owning organisation in the first city's county.

The generated workflow matrix (``core.testing.workflow_matrix``) and the page/API visibility tests use
it, so a role added here is checked by all of them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.models import Organisation, User
from techmarket.accounts.tests.factories import OrganisationFactory, UserFactory, user_with_role
from techmarket.core.models import Region
from techmarket.core.tests.factories import region_tree


def standard_cast(regions: dict[str, Region], organisation: Organisation, owner: User) -> dict[str, Any]:
    """Role name → user: ``owner`` made the object; ``organisation`` owns it (``regions`` from
    ``region_tree``: the object lives in its ``county``)."""
    other_organisation = OrganisationFactory(region=regions["other_county"], name="另一单位")
    agency = OrganisationFactory(region=regions["city"], name="某技术转移中心", kind=OrganisationKind.AGENCY)
    far = region_tree(province_code="980000")
    cast: dict[str, Any] = {
        "anonymous": AnonymousUser(),
        "owner": owner,
        "no_role": UserFactory(organisation=None),
        "superuser": UserFactory(organisation=None, is_superuser=True, is_staff=True),
        "platform_admin": user_with_role(Role.PLATFORM_ADMIN),
        "expert": user_with_role(Role.EXPERT),
        "broker": user_with_role(Role.BROKER, organisation=agency),
    }
    for role in (Role.APPLICANT, Role.ORG_ADMIN, Role.ENTERPRISE):
        cast[f"own_{role}"] = user_with_role(role, organisation=organisation)
        cast[f"other_{role}"] = user_with_role(role, organisation=other_organisation)
    for level, outside in (("county", "other_county"), ("city", "other_city"), ("province", None)):
        cast[f"{level}_reviewer"] = user_with_role(Role.REVIEWER, region=regions[level])
        cast[f"outside_{level}_reviewer"] = user_with_role(
            Role.REVIEWER, region=regions[outside] if outside else far["province"]
        )
    return cast


FILER_ROLES = frozenset({"owner", "own_applicant", "own_org_admin", "own_enterprise"})
CHAIN_REVIEWERS = frozenset({"county_reviewer", "city_reviewer", "province_reviewer"})
OUTSIDE_REVIEWERS = frozenset(
    {"outside_county_reviewer", "outside_city_reviewer", "outside_province_reviewer"}
)
OUTSIDERS = (
    frozenset({"anonymous", "no_role", "expert", "other_applicant", "other_org_admin", "other_enterprise"})
    | OUTSIDE_REVIEWERS
)
