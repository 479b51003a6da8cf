"""The push inbox page and API against the shared list checks (core.testing.views)."""

from __future__ import annotations

from typing import Any

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.core.testing.views import ListDetailTests
from techmarket.docking import services
from techmarket.docking.models import PushRecipient
from techmarket.docking.tests.factories import confirmed, organisation_with_admin, published_demand
from techmarket.matching.choices import TargetKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(regions, reviewers) -> dict[str, Any]:
    """A response pushed to an organisation: only its administrator finds it in the inbox."""
    organisation, org_admin = organisation_with_admin(regions["city"])

    def push_one() -> PushRecipient:
        demand = published_demand(regions["county"], reviewers["county"])
        confirmed(reviewers["county"], demand, TargetKind.ORGANISATION, organisation.pk)
        response = services.response_push(actor=reviewers["county"], demand=demand)
        return PushRecipient.objects.get(response=response, user=org_admin)

    def add_rows(n: int) -> None:
        for _ in range(n):
            push_one()

    _other, other_admin = organisation_with_admin(regions["other_city"])
    users = {
        "anonymous": None,
        "recipient": org_admin,
        "other_org_admin": other_admin,
        "county_reviewer": reviewers["county"],
        "platform_admin": user_with_role(Role.PLATFORM_ADMIN),
    }
    return {"users": users, "target": push_one(), "add_rows": add_rows}


class TestInboxPage(ListDetailTests):
    list_url = "docking:inbox"
    link_url = "docking:answer"
    login_required = True
    audience = ("recipient",)
    outsiders = ("other_org_admin", "county_reviewer", "platform_admin")


class TestPushApi(TestInboxPage):
    list_url = "api:docking-push-list"
    api = True
