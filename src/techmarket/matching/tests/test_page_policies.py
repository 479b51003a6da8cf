"""Who gets the reverse-matching page (and so its link on the achievement page), per role and state."""

from __future__ import annotations

import pytest

from techmarket.accounts.policies import principal_of
from techmarket.achievements.choices import AchievementState as S
from techmarket.achievements.tests.cast import ROLES, build_cast
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.matching import policies

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (
            S.PUBLISHED,
            {
                "applicant",
                "org_admin",
                "county_reviewer",
                "city_reviewer",
                "province_reviewer",
                "broker",
                "platform_admin",
            },
        ),
        (S.CITY_REVIEW, set()),
        (S.DRAFT, set()),
    ],
)
def test_reverse_matching_per_role(state, expected, regions, reviewers, organisation, applicant):
    cast = build_cast(regions, reviewers, organisation, applicant)
    record = achievement_in_state(state, applicant=applicant, region=regions["county"], reviewers=reviewers)
    seers = {role for role in ROLES if policies.can_see_reverse(principal_of(cast[role]), record)}
    assert seers == expected
