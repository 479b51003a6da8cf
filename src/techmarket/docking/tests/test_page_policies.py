"""The policies docking pages ask for their menu entries, per role."""

from __future__ import annotations

import pytest

from techmarket.accounts.policies import principal_of
from techmarket.achievements.tests.cast import ROLES, build_cast
from techmarket.docking import policies

pytestmark = pytest.mark.django_db


def who(cast, check) -> set[str]:
    return {role for role in ROLES if check(principal_of(cast[role]))}


def test_push_inbox_is_offered_to_experts_org_admins_and_filers(regions, reviewers, organisation, applicant):
    cast = build_cast(regions, reviewers, organisation, applicant)
    assert who(cast, policies.can_receive_pushes) == {"expert", "org_admin", "applicant", "other_applicant"}


def test_dashboard_is_for_reviewers_brokers_and_platform_admins(regions, reviewers, organisation, applicant):
    cast = build_cast(regions, reviewers, organisation, applicant)
    assert who(cast, policies.can_view_dashboard) == {
        "county_reviewer",
        "city_reviewer",
        "province_reviewer",
        "other_city_reviewer",
        "platform_admin",
        "broker",
    }
