"""The expert pool page and API against the shared list/detail checks (core.testing.views)."""

from __future__ import annotations

from typing import Any

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.core.testing.views import ListDetailTests
from techmarket.experts import services
from techmarket.experts.tests.factories import expert, platform_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(regions, reviewers, organisation, applicant) -> dict[str, Any]:
    """A deactivated profile of the organisation: its org admin and platform admins still see it."""
    admin = platform_admin()
    org_admin = user_with_role(Role.ORG_ADMIN, organisation=organisation)

    def add_rows(n: int) -> None:
        for _ in range(n):
            expert(regions["county"], actor=admin)

    target = expert(regions["county"], actor=org_admin, name="赵磊")
    target = services.expert_set_active(admin, target, False, reason="已调离")
    users = {
        "anonymous": None,
        "platform_admin": admin,
        "org_admin": org_admin,
        "applicant": applicant,
        "county_reviewer": reviewers["county"],
        "broker": user_with_role(Role.BROKER),
    }
    return {"users": users, "target": target, "add_rows": add_rows}


class TestExpertPages(ListDetailTests):
    list_url = "experts:list"
    detail_url = "experts:detail"
    audience = ("platform_admin", "org_admin")
    outsiders = ("anonymous", "applicant", "county_reviewer", "broker")


class TestExpertApi(TestExpertPages):
    list_url = "api:expert-list"
    detail_url = "api:expert-detail"
    api = True
