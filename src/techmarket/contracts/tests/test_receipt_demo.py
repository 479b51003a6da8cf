"""The receipt demo on registered contracts: confirmed, pending and rejected receipts and an amendment."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from techmarket.accounts.tests.factories import OrganisationFactory
from techmarket.contracts.choices import AmendmentState, ReceiptState
from techmarket.contracts.models import Amendment, Receipt, TechContract
from techmarket.contracts.receipt_demo import demo_receipts
from techmarket.contracts.tests.factories import registered_contract
from techmarket.contracts.tests.receipt_scene import registrars

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("count", [1, 3])
def test_the_demo_makes_receipts_in_every_state_and_an_amendment(regions: Any, count: int) -> None:
    registrars(regions)
    seller = OrganisationFactory(region=regions["county"])
    signed = timezone.localdate() - datetime.timedelta(days=300)
    contracts = [
        registered_contract(seller=seller, signed_on=signed, total="100000.00") for _ in range(count)
    ]
    made = demo_receipts([*contracts, registered_contract(signed_on=signed)])  # the last: no registrar
    assert made["pending"] == 1
    assert made["rejected"] == 1
    assert made["amendments"] == 1
    states = set(Receipt.objects.values_list("state", flat=True))
    assert states == {ReceiptState.CONFIRMED, ReceiptState.RECORDED, ReceiptState.REJECTED}
    amendment = Amendment.objects.get()
    assert amendment.state == AmendmentState.REGISTERED
    contract = TechContract.objects.get(pk=amendment.contract_id)
    assert contract.certified_amount == Decimal("120000.00")
    confirmed = sum(r.amount for r in Receipt.objects.filter(contract=contract, state=ReceiptState.CONFIRMED))
    assert confirmed > Decimal("100000.00")
