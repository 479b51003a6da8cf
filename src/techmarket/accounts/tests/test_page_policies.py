"""The account policies pages ask: the role page, the verification queue, roles offered to new members."""

from __future__ import annotations

import pytest

from techmarket.accounts import policies
from techmarket.accounts.choices import Role
from techmarket.accounts.policies import principal_of
from techmarket.achievements.tests.cast import ROLES, build_cast

pytestmark = pytest.mark.django_db


def test_role_page_and_verification_queue_are_the_platform_admins(
    regions, reviewers, organisation, applicant
):
    cast = build_cast(regions, reviewers, organisation, applicant)
    for check in (policies.can_manage_roles, policies.can_verify_organisation):
        assert {role for role in ROLES if check(principal_of(cast[role]))} == {"platform_admin"}


def test_new_members_are_offered_the_roles_the_actor_may_grant_but_regional_and_platform(
    regions, reviewers, organisation, applicant
):
    cast = build_cast(regions, reviewers, organisation, applicant)
    offered = {
        role: {
            value
            for value in Role.values
            if policies.can_grant_to_new_member(principal_of(cast[role]), value)
        }
        for role in ("org_admin", "platform_admin", "applicant")
    }
    assert offered["org_admin"] == {Role.APPLICANT, Role.ENTERPRISE, Role.BROKER}
    assert offered["platform_admin"] == set(Role.values) - {
        Role.REVIEWER,
        Role.REGISTRAR,
        Role.PLATFORM_ADMIN,
    }
    assert offered["applicant"] == set()
