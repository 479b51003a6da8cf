"""Fixtures of the subsidies tests: the test city's policy, its bureau and organisations with receipts."""

from __future__ import annotations

from typing import Any

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.subsidies.tests.factories import admin_user, make_policy, org_in


@pytest.fixture
def bureau(regions) -> dict[str, Any]:
    """Two administrators (one computes, one approves), the city's reviewer (checks), the policy."""
    computer = admin_user("computer")
    approver = admin_user("approver")
    checker = user_with_role(Role.REVIEWER, region=regions["city"], username="city_checker")
    policy = make_policy(computer)
    return {"computer": computer, "approver": approver, "checker": checker, "policy": policy}


@pytest.fixture
def orgs(regions) -> dict[str, Any]:
    return {
        "seller": org_in(regions["county"], "甲大学"),
        "seller2": org_in(regions["city"], "甲研究院"),
        "buyer": org_in(regions["county"], "甲企业", kind="enterprise"),
        "outside": org_in(regions["other_county"], "乙市企业", kind="enterprise"),
    }
