"""The demand hall and API against the shared list/detail checks (core.testing.views)."""

from __future__ import annotations

from typing import Any

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.core.testing.views import ListDetailTests
from techmarket.demands.choices import DemandState
from techmarket.demands.tests.factories import demand_in_state, enterprise_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(regions, reviewers) -> dict[str, Any]:
    """A 受限 published demand: its enterprise, chain reviewers and platform admins see it."""
    owner = enterprise_user(regions["county"])

    def add_rows(n: int) -> None:
        for _ in range(n):
            demand_in_state(
                DemandState.PUBLISHED,
                enterprise=owner,
                region=regions["county"],
                reviewer=reviewers["county"],
            )

    target = demand_in_state(
        DemandState.PUBLISHED,
        enterprise=owner,
        region=regions["county"],
        reviewer=reviewers["county"],
        confidentiality="restricted",
    )
    users = {
        "anonymous": None,
        "owner": owner,
        "county_reviewer": reviewers["county"],
        "province_reviewer": reviewers["province"],
        "platform_admin": user_with_role(Role.PLATFORM_ADMIN),
        "other_city_reviewer": reviewers["other_city"],
        "other_enterprise": enterprise_user(regions["other_county"]),
        "broker": user_with_role(Role.BROKER),
        "expert": user_with_role(Role.EXPERT),
    }
    return {"users": users, "target": target, "add_rows": add_rows}


class TestDemandHall(ListDetailTests):
    list_url = "demands:hall"
    detail_url = "demands:detail"
    audience = ("owner", "county_reviewer", "province_reviewer", "platform_admin")
    outsiders = ("anonymous", "other_city_reviewer", "other_enterprise", "broker", "expert")


class TestDemandApi(TestDemandHall):
    list_url = "api:demand-list"
    detail_url = "api:demand-detail"
    api = True
