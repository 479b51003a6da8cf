"""Concurrent writes on one contract's receipts, against real PostgreSQL (skipped on SQLite, which
serialises every writer anyway): run with ``TEST_DATABASE_URL=postgres://…``.

Two registrars confirm two pending receipts that together exceed the certified amount, in two threads
released together, each with its own connection, several rounds on fresh contracts: the contract's row
lock decides them one after the other, so exactly one is confirmed and the other refused clearly. Two
sellers recording at the same moment are held to the cap the same way.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from techmarket.contracts import receipt_services
from techmarket.contracts.choices import ReceiptState
from techmarket.contracts.models import Receipt
from techmarket.contracts.tests.factories import receipt as factory_receipt
from techmarket.contracts.tests.factories import registered_contract
from techmarket.contracts.tests.receipt_scene import record, scene
from techmarket.core.errors import DomainError
from techmarket.core.models import AuditEvent
from techmarket.core.testing.concurrency import released_together

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROUNDS = 5


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (set TEST_DATABASE_URL)")


def test_two_confirmations_over_the_certified_amount_never_pass_together(regions: Any) -> None:
    world = scene(regions)
    registrars = [world["cast"]["county_registrar"], world["cast"]["city_registrar"]]
    for _round in range(ROUNDS):
        contract = registered_contract(
            seller=world["seller"],
            filed_by=world["cast"]["owner"],
            total="100.00",
            signed_on=world["contract"].signed_on,
        )
        # Written around the service (as an import would): pending receipts of 60 + 60 on a cap of 100.
        pending = [factory_receipt(contract, "60.00", state=ReceiptState.RECORDED) for _ in range(2)]
        results = released_together(
            2,
            lambda i, pending=pending: receipt_services.receipt_confirm(
                actor=registrars[i], receipt=pending[i]
            ),
        )
        confirmed = [result for result in results if isinstance(result, Receipt)]
        refused = [result for result in results if not isinstance(result, Receipt)]
        assert len(confirmed) == 1, results
        assert len(refused) == 1, refused
        assert isinstance(refused[0], DomainError), refused
        assert refused[0].code == "over_certified_amount"
        states = sorted(Receipt.objects.filter(contract=contract).values_list("state", flat=True))
        assert states == sorted([ReceiptState.CONFIRMED, ReceiptState.RECORDED])
        assert (
            AuditEvent.objects.filter(
                action="contracts.receipt.confirm", target_id=str(confirmed[0].pk)
            ).count()
            == 1
        )


def test_two_recordings_over_the_certified_amount_never_pass_together(regions: Any) -> None:
    world = scene(regions)
    sellers = [world["cast"]["owner"], world["cast"]["own_org_admin"]]
    for _round in range(ROUNDS):
        contract = registered_contract(
            seller=world["seller"],
            filed_by=world["cast"]["owner"],
            total="100.00",
            signed_on=world["contract"].signed_on,
        )
        results = released_together(
            2,
            lambda i, contract=contract: record(
                world, "60.00", contract=contract, actor=sellers[i], reference=f"R{i}"
            ),
        )
        recorded = [result for result in results if isinstance(result, Receipt)]
        assert len(recorded) == 1, results
        assert isinstance(results[1 - results.index(recorded[0])], DomainError)
        total = sum((r.amount for r in Receipt.objects.filter(contract=contract)), Decimal("0"))
        assert total == Decimal("60.00")
