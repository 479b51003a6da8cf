"""The subsidies demo on a small Hubei-like scene: a Wuhan version of yueyang-2017 and a published run
computed from registered Wuhan contracts' confirmed receipts (made here by the contracts test factories,
as the contracts demo makes them through its services)."""

from __future__ import annotations

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.demo import DemoPeople
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.core.tests.factories import RegionFactory
from techmarket.subsidies import demo
from techmarket.subsidies.choices import RunState
from techmarket.subsidies.models import PolicyVersion, SubsidyRun
from techmarket.subsidies.tests.factories import paid_contract

pytestmark = pytest.mark.django_db

# (seller, buyer, type, received): every Yueyang rule fires, one seller stays a fen below the threshold.
CONTRACTS = (
    (0, 0, "transfer", "1200000.00"),
    (0, 1, "development", "800000.00"),
    (1, 0, "service", "650000.00"),
    (2, 2, "license", "300000.00"),
    (3, 1, "consulting", "499999.99"),
)


def test_the_demo_publishes_a_wuhan_run():
    hubei = RegionFactory(code="420000", name="湖北省", level="province")
    wuhan = RegionFactory(code="420100", name="武汉市", level="city", parent=hubei)
    hongshan = RegionFactory(code="420111", name="洪山区", level="county", parent=wuhan)
    admin = user_with_role(Role.PLATFORM_ADMIN)
    people = DemoPeople(admin=admin)
    people.accounts["demo-city"] = user_with_role(Role.REVIEWER, region=wuhan)
    people.accounts["demo-province"] = user_with_role(Role.REVIEWER, region=hubei)
    sellers = [OrganisationFactory(region=hongshan, kind="university", name=f"武汉高校{i}") for i in range(4)]
    buyers = [OrganisationFactory(region=hongshan, kind="enterprise", name=f"武汉企业{i}") for i in range(3)]
    for seller, buyer, kind, amount in CONTRACTS:
        paid_contract(sellers[seller], buyers[buyer], amount, contract_type=kind)
    made = demo.load(people)
    assert made.had_receipts
    version = PolicyVersion.objects.get(policy_id="yueyang-2017", number=made.policy_version)
    assert version.region_code == "420100"
    assert version.title == demo.TITLE
    assert version.created_by == admin
    run = SubsidyRun.objects.get(pk=made.run)
    assert run.state == RunState.PUBLISHED
    assert run.year == 2026
    # Pool 120,000; capped total 40,000 + 6,500 + 48,000 + 32,000 + 12,000 = 138,500: scaled.
    assert run.total_before_scaling == 138500
    assert run.total <= run.pool
    assert run.scaling_factor < 1
    assert run.award_count == 5
