"""The subsidies demo on a small Hubei-like scene: a Wuhan version of yueyang-2017 and a published run."""

from __future__ import annotations

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.demo import DemoPeople
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.core.tests.factories import RegionFactory
from techmarket.subsidies import demo
from techmarket.subsidies.choices import RunState
from techmarket.subsidies.models import PolicyVersion, SubsidyRun

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_a_wuhan_run():
    hubei = RegionFactory(code="420000", name="湖北省", level="province")
    wuhan = RegionFactory(code="420100", name="武汉市", level="city", parent=hubei)
    hongshan = RegionFactory(code="420111", name="洪山区", level="county", parent=wuhan)
    admin = user_with_role(Role.PLATFORM_ADMIN)
    people = DemoPeople(admin=admin)
    people.accounts["demo-city"] = user_with_role(Role.REVIEWER, region=wuhan)
    people.accounts["demo-province"] = user_with_role(Role.REVIEWER, region=hubei)
    for index, kind in enumerate(
        ["university", "institute", "university", "university", *["enterprise"] * 3]
    ):
        people.organisations.append(OrganisationFactory(region=hongshan, kind=kind, name=f"武汉单位{index}"))
    made = demo.load(people)
    assert made.contracts_written == 5
    version = PolicyVersion.objects.get(policy_id="yueyang-2017", number=made.policy_version)
    assert version.region_code == "420100"
    assert version.title == demo.TITLE
    assert version.created_by == admin
    run = SubsidyRun.objects.get(pk=made.run)
    assert run.state == RunState.PUBLISHED
    assert run.year == 2026
    assert run.pool is not None
    assert run.total <= run.pool
    assert run.scaling_factor < 1
    assert run.award_count >= 4
