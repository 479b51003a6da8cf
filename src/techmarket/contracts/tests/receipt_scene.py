"""The scenery of the receipt tests: a registered contract of a university (the seller, in the first
city's county) with an enterprise of the other county as buyer and the cast's agency as its agency, the
standard cast around it, and the registrars of each level of the seller's chain and outside it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.models import Organisation
from techmarket.accounts.tests.cast import standard_cast
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.contracts import receipt_services
from techmarket.contracts.models import Receipt, TechContract
from techmarket.contracts.tests.factories import registered_contract
from techmarket.core.models import Region
from techmarket.core.tests.factories import region_tree

SELLER_SIDE = frozenset({"owner", "own_applicant", "own_org_admin", "own_enterprise", "broker"})
BUYER_SIDE = frozenset({"other_applicant", "other_org_admin", "other_enterprise"})
CHAIN_REGISTRARS = frozenset({"county_registrar", "city_registrar", "province_registrar"})
OUTSIDE_REGISTRARS = frozenset({"other_county_registrar", "other_city_registrar", "far_registrar"})
REVIEWERS = frozenset(
    {
        "county_reviewer",
        "city_reviewer",
        "province_reviewer",
        "outside_county_reviewer",
        "outside_city_reviewer",
        "outside_province_reviewer",
    }
)
NOBODY = (
    frozenset({"anonymous", "no_role", "expert", "platform_admin", "superuser"})
    | REVIEWERS
    | OUTSIDE_REGISTRARS
)


def today() -> datetime.date:
    return timezone.localdate()


def pdf(name: str = "回单.pdf", text: str = "bank slip") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n" + text.encode() + b"\n%%EOF\n", content_type="application/pdf"
    )


def registrars(regions: dict[str, Region]) -> dict[str, Any]:
    far = region_tree(province_code="970000")
    return {
        "county_registrar": user_with_role(Role.REGISTRAR, region=regions["county"]),
        "city_registrar": user_with_role(Role.REGISTRAR, region=regions["city"]),
        "province_registrar": user_with_role(Role.REGISTRAR, region=regions["province"]),
        "other_county_registrar": user_with_role(Role.REGISTRAR, region=regions["other_county"]),
        "other_city_registrar": user_with_role(Role.REGISTRAR, region=regions["other_city"]),
        "far_registrar": user_with_role(Role.REGISTRAR, region=far["province"]),
    }


def scene(regions: dict[str, Region], *, certified: str = "100000.00") -> dict[str, Any]:
    seller = OrganisationFactory(region=regions["county"], name="卖方大学", kind=OrganisationKind.UNIVERSITY)
    owner = user_with_role(Role.APPLICANT, organisation=seller)
    cast = standard_cast(regions, seller, owner)
    cast.update(registrars(regions))
    buyer = Organisation.objects.get(pk=cast["other_enterprise"].organisation_id)
    agency = Organisation.objects.get(pk=cast["broker"].organisation_id)
    contract = registered_contract(
        seller=seller,
        buyer=buyer,
        filed_by=owner,
        total=certified,
        agency_organisation=agency,
        signed_on=today() - datetime.timedelta(days=400),
    )
    return {"cast": {**cast, "system": None}, "contract": contract, "seller": seller, "buyer": buyer}


def record(
    world: dict[str, Any],
    amount: str = "1000.00",
    *,
    contract: TechContract | None = None,
    actor: Any = None,
    days_ago: int = 10,
    reference: str | None = None,
) -> Receipt:
    contract = contract or world["contract"]
    world.setdefault("_refs", [0])
    world["_refs"][0] += 1
    return receipt_services.receipt_record(
        actor=actor or world["cast"]["owner"],
        contract=contract,
        received_on=(today() - datetime.timedelta(days=days_ago)).isoformat(),
        amount=amount,
        payer="买方企业",
        bank_reference=reference or f"REF-{contract.pk}-{world['_refs'][0]}",
        evidence=pdf(),
    )


def amount_sum(values: list[Any]) -> Decimal:
    return sum((Decimal(str(v)) for v in values), Decimal("0"))
