from __future__ import annotations

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.models import User
from techmarket.accounts.tests.factories import user_with_role


@pytest.fixture
def broker(db: None) -> User:
    return user_with_role(Role.BROKER, username="broker")


@pytest.fixture
def admin_user(db: None) -> User:
    return user_with_role(Role.PLATFORM_ADMIN, username="platform_admin")
