"""The contracts demo: a Wuhan registrar and contracts in every state, made through the services."""

from __future__ import annotations

import random

import pytest

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.demo import DemoPeople
from techmarket.accounts.policies import principal_of
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.contracts import demo
from techmarket.contracts.choices import ContractState
from techmarket.contracts.models import TechContract
from techmarket.core.choices import RegionLevel
from techmarket.core.tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


def test_the_demo_makes_contracts_in_every_state():
    province = RegionFactory(code="420000", name="湖北省", level=RegionLevel.PROVINCE)
    wuhan = RegionFactory(code="420100", name="武汉市", level=RegionLevel.CITY, parent=province)
    hongshan = RegionFactory(code="420111", name="洪山区", level=RegionLevel.COUNTY, parent=wuhan)
    university = OrganisationFactory(region=hongshan, name="江城理工大学")
    enterprise = OrganisationFactory(region=hongshan, name="企业", kind=OrganisationKind.ENTERPRISE)
    bureau = OrganisationFactory(region=wuhan, name="武汉市科技局", kind=OrganisationKind.GOVERNMENT)
    admin = user_with_role(Role.PLATFORM_ADMIN)
    people = DemoPeople(admin=admin)
    people.accounts.update(
        {
            "demo-city": user_with_role(Role.REVIEWER, region=wuhan, organisation=bureau),
            "demo-applicant": user_with_role(Role.APPLICANT, organisation=university),
            "demo-enterprise": user_with_role(Role.ENTERPRISE, organisation=enterprise),
        }
    )
    made = demo.seed(random.Random(1), people)
    states = set(TechContract.objects.values_list("state", flat=True))
    assert states == set(ContractState.values)
    assert made.states[ContractState.REGISTERED] == 2
    registrar = people.accounts[demo.REGISTRAR]
    assert principal_of(registrar).registry_codes == frozenset({"420100"})
    numbers = TechContract.objects.exclude(registration_number=None).values_list(
        "registration_number", flat=True
    )
    assert all(number.startswith("420100") for number in numbers)
