"""The catalogue page and API against the shared list/detail checks (core.testing.views)."""

from __future__ import annotations

from typing import Any

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.core.testing.views import ListDetailTests

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(regions, reviewers, applicant) -> dict[str, Any]:
    """A 受限 published record: its organisation and chain reviewers see it, nobody else does."""
    chain = {level: reviewers[level] for level in ("county", "city", "province")}

    def add_rows(n: int) -> None:
        for _ in range(n):
            achievement_in_state(
                AchievementState.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=chain
            )

    target = achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=applicant,
        region=regions["county"],
        reviewers=chain,
        confidentiality="restricted",
    )
    other = OrganisationFactory(region=regions["other_county"])
    users = {
        "anonymous": None,
        "owner": applicant,
        "county_reviewer": reviewers["county"],
        "city_reviewer": reviewers["city"],
        "other_city_reviewer": reviewers["other_city"],
        "other_applicant": user_with_role(Role.APPLICANT, organisation=other),
        "broker": user_with_role(Role.BROKER),
    }
    return {"users": users, "target": target, "add_rows": add_rows}


class TestCataloguePage(ListDetailTests):
    list_url = "achievements:catalogue"
    detail_url = "achievements:detail"
    audience = ("owner", "county_reviewer", "city_reviewer")
    outsiders = ("anonymous", "other_applicant", "other_city_reviewer", "broker")


class TestAchievementApi(TestCataloguePage):
    list_url = "api:achievement-list"
    detail_url = "api:achievement-detail"
    api = True
