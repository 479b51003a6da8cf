"""The notification inbox page and API against the shared list checks (core.testing.views)."""

from __future__ import annotations

from typing import Any

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.core.testing.views import ListDetailTests
from techmarket.notifications.services import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(applicant) -> dict[str, Any]:
    """A message to the applicant: only its recipient ever sees it."""

    def add_rows(n: int) -> None:
        for i in range(n):
            notify(applicant, kind="test", title=f"消息{i}", body="正文")

    users = {
        "anonymous": None,
        "recipient": applicant,
        "other_user": user_with_role(Role.APPLICANT),
        "platform_admin": user_with_role(Role.PLATFORM_ADMIN),
    }
    target = notify(applicant, kind="test", title="只给填报人", body="正文")
    return {"users": users, "target": target, "add_rows": add_rows}


class TestInboxPage(ListDetailTests):
    list_url = "notifications:inbox"
    link_url = "notifications:open"
    login_required = True
    audience = ("recipient",)
    outsiders = ("other_user", "platform_admin")


class TestNotificationApi(TestInboxPage):
    list_url = "api:notification-list"
    api = True
