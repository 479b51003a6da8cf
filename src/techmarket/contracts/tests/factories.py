"""Contracts for tests, written straight to the database (no workflow, no signals): each app's own
tests drive the services; these build the scenery around them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from techmarket.accounts.models import Organisation, User
from techmarket.accounts.tests.factories import OrganisationFactory, UserFactory
from techmarket.contracts.choices import TYPE_OF_SUBTYPE, ContractState, ContractSubtype, ReceiptState
from techmarket.contracts.models import Receipt, TechContract

DEFAULT_SUBTYPE = {
    "development": ContractSubtype.DEV_COMMISSIONED,
    "transfer": ContractSubtype.TRANSFER_PATENT,
    "license": ContractSubtype.LICENSE_PATENT,
    "consulting": ContractSubtype.CONSULTING,
    "service": ContractSubtype.SERVICE,
}

_serial = iter(range(1, 10**9))


def contract(
    *,
    seller: Organisation | None = None,
    buyer: Organisation | None = None,
    filed_by: User | None = None,
    contract_type: str = "transfer",
    total: str | Decimal = "500000.00",
    state: str = ContractState.DRAFT,
    **overrides: Any,
) -> TechContract:
    """A contract between two organisations (new ones when not given), in ``state``."""
    seller = seller or OrganisationFactory()
    buyer = buyer if buyer is not None else OrganisationFactory(region=seller.region, name="买方企业")
    subtype = overrides.pop("subtype", DEFAULT_SUBTYPE[contract_type])
    assert TYPE_OF_SUBTYPE[subtype] == contract_type
    seller_chain = seller.region.chain_codes()
    buyer_chain = buyer.region.chain_codes()
    values: dict[str, Any] = {
        "state": state,
        "title": "一种测试技术的转让合同",
        "contract_type": contract_type,
        "subtype": subtype,
        "seller_organisation": seller,
        "seller_name": seller.name,
        "seller_credit_code": seller.credit_code or "",
        "seller_entity_type": "22",
        "seller_region": seller.region,
        "seller_province_code": seller_chain["province_code"],
        "seller_city_code": seller_chain["city_code"],
        "seller_county_code": seller_chain["county_code"],
        "buyer_organisation": buyer,
        "buyer_name": buyer.name,
        "buyer_credit_code": buyer.credit_code or "",
        "buyer_entity_type": "41",
        "buyer_region_code": buyer.region.code,
        "buyer_province_code": buyer_chain["province_code"],
        "buyer_city_code": buyer_chain["city_code"],
        "buyer_county_code": buyer_chain["county_code"],
        "filed_by": filed_by or UserFactory(organisation=seller),
        "signed_on": datetime.date(2026, 3, 1),
        "total_amount": Decimal(total),
        "certified_amount": Decimal(total),
        "technology_field": "01",
        "ip_type": "02",
        "plan_source": "5",
    }
    values.update(overrides)
    return TechContract.objects.create(**values)


def registered_contract(*, year: int = 2026, **kwargs: Any) -> TechContract:
    """A registered contract with a unique 16-digit number (not from the registry's serial counter)."""
    item = contract(state=ContractState.REGISTERED, **kwargs)
    serial = next(_serial)
    item.registration_number = f"{item.seller_region_id}{year}2{serial:05d}"[:16]
    item.verification_code = f"TEST{serial:012d}"
    item.registered_at = datetime.datetime(year, 4, 1, 10, 0, tzinfo=datetime.UTC)
    item.save(update_fields=["registration_number", "verification_code", "registered_at"])
    return item


def receipt(
    item: TechContract,
    amount: str | Decimal,
    *,
    received_on: datetime.date = datetime.date(2026, 5, 1),
    state: str = ReceiptState.CONFIRMED,
    **overrides: Any,
) -> Receipt:
    return Receipt.objects.create(
        contract=item,
        state=state,
        received_on=received_on,
        amount=Decimal(amount),
        payer=item.buyer_name,
        bank_reference=overrides.pop("bank_reference", f"BANK{next(_serial):010d}"),
        recorded_by=overrides.pop("recorded_by", item.filed_by),
        **overrides,
    )
