"""A county with three selling organisations (2, 10 and 5 registered contracts in 2026) buying from
the other city: enough to see primary and complementary suppression and who knows which node."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.contracts import signals
from techmarket.contracts.models import Receipt, TechContract
from techmarket.contracts.tests import factories

TITLE = "一种保密工艺的技术秘密转让合同"


@dataclass
class Scene:
    small: Any
    large: Any
    medium: Any
    buyer: Any
    contracts: list[TechContract]
    registrar: Any
    other_registrar: Any


def build(regions: dict[str, Any], small_organisation: Any) -> Scene:
    large = OrganisationFactory(region=regions["county"], name="大型研究院")
    medium = OrganisationFactory(region=regions["county"], name="中型企业")
    buyer = OrganisationFactory(region=regions["other_county"], name="乙市买方公司")
    contracts = []
    for seller, count in ((small_organisation, 2), (large, 10), (medium, 5)):
        for index in range(count):
            item = factories.registered_contract(
                seller=seller,
                buyer=buyer,
                title=TITLE,
                total=f"{100000 + index * 1000}.00",
                contract_type="development" if index % 2 else "transfer",
                subtype="dev_commissioned" if index % 2 else "transfer_patent",
            )
            item.registered_at = datetime.datetime(2026, 4, 1, 2, 0, tzinfo=datetime.UTC)
            item.save(update_fields=["registered_at"])
            signals.contract_registered.send(sender=TechContract, contract=item)
            contracts.append(item)
    receipt = factories.receipt(contracts[0], "12345.67", received_on=datetime.date(2026, 5, 1))
    signals.receipt_confirmed.send(sender=Receipt, receipt=receipt)
    return Scene(
        small_organisation,
        large,
        medium,
        buyer,
        contracts,
        user_with_role(Role.REGISTRAR, region=regions["city"], username="city_registrar"),
        user_with_role(Role.REGISTRAR, region=regions["other_city"], username="other_registrar"),
    )
