"""The policies demand pages ask for their menu entries, per role."""

from __future__ import annotations

import pytest

from techmarket.accounts.policies import principal_of
from techmarket.achievements.tests.cast import ROLES, build_cast
from techmarket.demands import policies

pytestmark = pytest.mark.django_db


def who(cast, check) -> set[str]:
    return {role for role in ROLES if check(principal_of(cast[role]))}


def test_own_demands_are_offered_to_enterprises_and_org_admins(regions, reviewers, organisation, applicant):
    cast = build_cast(regions, reviewers, organisation, applicant)
    assert who(cast, policies.can_list_own) == {"enterprise", "org_admin"}


def test_review_list_is_for_reviewers_and_platform_admins(regions, reviewers, organisation, applicant):
    cast = build_cast(regions, reviewers, organisation, applicant)
    assert who(cast, policies.can_see_review_queue) == {
        "county_reviewer",
        "city_reviewer",
        "province_reviewer",
        "other_city_reviewer",
        "platform_admin",
    }
