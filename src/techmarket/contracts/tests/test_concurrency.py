"""Registrars registering contracts of one registry, year and type at the same moment, against real
PostgreSQL (skipped on SQLite, which serialises every writer anyway): run with
``TEST_DATABASE_URL=postgres://…``.

Each thread registers its own contract with its own connection; the serial counter's row lock makes them
queue, so every number is different and the serials are 1..N with no gap and no repeat — also when the
counter row does not exist yet (the first registration of a year creates it under ``ON CONFLICT``).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.contracts import services
from techmarket.contracts.choices import ContractState as S
from techmarket.contracts.models import RegistrationSerial, TechContract
from techmarket.contracts.tests.helpers import build_people, in_state
from techmarket.core.testing.concurrency import released_together

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

THREADS = 4


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (set TEST_DATABASE_URL)")


def test_concurrent_registrations_get_distinct_consecutive_numbers(regions, organisation, applicant) -> None:
    people = build_people(regions, organisation, applicant)
    registrars = [people["registrar"]] + [
        user_with_role(Role.REGISTRAR, region=regions["city"]) for _ in range(THREADS - 1)
    ]
    contracts = [
        in_state(people, S.UNDER_REVIEW, signed_on=f"2026-03-{day:02d}") for day in range(1, THREADS + 1)
    ]
    results = released_together(
        THREADS, lambda i: services.contract_register(actor=registrars[i], contract=contracts[i])
    )
    assert all(isinstance(result, TechContract) for result in results), results
    numbers = sorted(result.registration_number for result in results)
    assert len(set(numbers)) == THREADS
    assert [number[-5:] for number in numbers] == [f"{n:05d}" for n in range(1, THREADS + 1)]
    assert RegistrationSerial.objects.get().last_serial == THREADS


def test_two_filers_making_a_contract_of_one_deal_make_one(world, regions) -> None:
    from techmarket.deals.tests.factories import buyer_offer, open_listing

    listing = open_listing(world, mode="transfer")
    offer = buyer_offer(listing, world["buyer"])
    deal = services_deal_accept(world, offer)
    filers = [world["seller"], user_with_role(Role.ORG_ADMIN, organisation=world["university"])]
    results = released_together(2, lambda i: services.draft_from_deal(actor=filers[i], deal=deal))
    made = [result for result in results if isinstance(result, TechContract)]
    assert len(made) == 1, results
    assert TechContract.objects.filter(deal_id=deal.pk).count() == 1


def services_deal_accept(world: dict[str, Any], offer: Any) -> Any:
    from techmarket.deals import services as deal_services

    return deal_services.offer_accept(actor=world["seller"], offer=offer)
