"""The cast of every role the registry's rules distinguish, built around the root conftest's fixtures.

Matrix, confidentiality and API tests iterate over the same twelve roles, so a role added here is
checked by all of them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.models import Organisation, User
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.core.models import Region

ROLES = (
    "applicant",
    "org_admin",
    "other_applicant",
    "enterprise",
    "county_reviewer",
    "city_reviewer",
    "province_reviewer",
    "other_city_reviewer",
    "platform_admin",
    "expert",
    "broker",
    "anonymous",
)
# Who may see a 受限 record of the owning organisation filed in the first city's county.
OWNER_MEMBERS = frozenset({"applicant", "org_admin"})
CHAIN_REVIEWERS = frozenset({"county_reviewer", "city_reviewer", "province_reviewer"})
AUDIENCE = OWNER_MEMBERS | CHAIN_REVIEWERS
OUTSIDERS = frozenset(ROLES) - AUDIENCE


def build_cast(
    regions: dict[str, Region], reviewers: dict[str, User], organisation: Organisation, applicant: User
) -> dict[str, Any]:
    """One user per role; ``organisation`` (in the first city's county) owns the records under test."""
    other_organisation = OrganisationFactory(region=regions["other_county"], name="另一所大学")
    enterprise = OrganisationFactory(
        region=regions["other_county"], name="某科技有限公司", kind=OrganisationKind.ENTERPRISE
    )
    agency = OrganisationFactory(region=regions["city"], name="某技术转移中心", kind=OrganisationKind.AGENCY)
    return {
        "applicant": applicant,
        "org_admin": user_with_role(Role.ORG_ADMIN, organisation=organisation, username="org_admin"),
        "other_applicant": user_with_role(
            Role.APPLICANT, organisation=other_organisation, username="other_applicant"
        ),
        "enterprise": user_with_role(Role.ENTERPRISE, organisation=enterprise, username="enterprise_user"),
        "county_reviewer": reviewers["county"],
        "city_reviewer": reviewers["city"],
        "province_reviewer": reviewers["province"],
        "other_city_reviewer": reviewers["other_city"],
        "platform_admin": user_with_role(Role.PLATFORM_ADMIN, username="platform_admin"),
        "expert": user_with_role(Role.EXPERT, username="expert"),
        "broker": user_with_role(Role.BROKER, organisation=agency, username="broker"),
        "anonymous": AnonymousUser(),
    }
