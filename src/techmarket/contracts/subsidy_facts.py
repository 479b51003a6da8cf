"""The facts the subsidy engine computes on: registered contracts' confirmed receipts of one year.

The only read of contracts the subsidies app makes (it may not import contracts' models). One row per
contract: the sum of its CONFIRMED receipts whose ``received_on`` falls in the year, summed in SQL and
streamed with ``.iterator()`` so that a year of a million contracts never sits in memory. Only
REGISTERED contracts count (a contract returned, refused or withdrawn earns nothing).

Parties are identified as the engine expects (opaque strings):

- the seller: its platform organisation's unified social credit code, else the code on the contract,
  else ``org:<pk>``;
- the buyer: the buyer organisation's code, else the code on the contract, else ``org:<pk>`` when it is
  on the platform, else ``name:<name as registered>`` (a party abroad or without a code);
- the region: the party's own GB/T 2260 code (county, or city when registered at city level); a party
  abroad has none, so it is outside every policy region.

Contract ids in the trail are the 16-digit registration numbers (a registry's reference, not the
contract's content). :func:`organisation_ids` maps these party ids back to platform organisations.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from techmarket.contracts.choices import ContractState, ReceiptState
from techmarket.contracts.models import Receipt, TechContract

ORG_PREFIX = "org:"
NAME_PREFIX = "name:"
CHUNK = 2000
T = TypeVar("T")


def _in_region(region_code: str) -> Q:
    """Contracts where either party lies in the policy's region (a province, city or county code): a
    pre-filter only, the engine decides who earns what. Without a region: every registered contract."""
    if not region_code:
        return Q()
    q = Q()
    for side in ("seller", "buyer"):
        for level in ("province", "city", "county"):
            q |= Q(**{f"{side}_{level}_code": region_code})
    return q


def seller_id(credit_code: str | None, contract_code: str, organisation_id: int) -> str:
    """The seller's id: the organisation's credit code, else the contract's, else ``org:<pk>``."""
    return (credit_code or contract_code or "").strip() or f"{ORG_PREFIX}{organisation_id}"


def buyer_id(credit_code: str | None, contract_code: str, organisation_id: int | None, name: str) -> str:
    """The buyer's id: credit code (organisation's, else contract's), else ``org:<pk>``, else ``name:<name>``."""
    code = (credit_code or contract_code or "").strip()
    if code:
        return code
    if organisation_id is not None:
        return f"{ORG_PREFIX}{organisation_id}"
    return f"{NAME_PREFIX}{name.strip()}"


def contract_facts(year: int, region_code: str = "", *, make: Callable[..., T]) -> Iterator[T]:
    """One fact per registered contract with confirmed receipts received in ``year``, built by ``make``
    (the subsidy engine's ``ContractFact``, passed in so that contracts never imports subsidies) from the
    keyword arguments ``contract_id, seller_id, seller_name, seller_region, buyer_id, buyer_name,
    buyer_region, type, received, year``.

    ``region_code`` (the policy's region) keeps the contracts where the seller or the buyer lies in it: a
    buyer-side rule pays a local buyer of a seller registered elsewhere.
    """
    received = (
        Receipt.objects.filter(
            contract_id__in=TechContract.objects.filter(
                _in_region(region_code), state=ContractState.REGISTERED
            ).values("pk"),
            state=ReceiptState.CONFIRMED,
            received_on__gte=datetime.date(year, 1, 1),
            received_on__lt=datetime.date(year + 1, 1, 1),
        )
        .values("contract_id")
        .annotate(
            received=Coalesce(
                Sum("amount"), Value(0), output_field=DecimalField(max_digits=18, decimal_places=2)
            )
        )
        .values(
            "contract_id",
            "received",
            "contract__registration_number",
            "contract__contract_type",
            "contract__seller_organisation_id",
            "contract__seller_organisation__credit_code",
            "contract__seller_credit_code",
            "contract__seller_name",
            "contract__seller_region_id",
            "contract__buyer_organisation_id",
            "contract__buyer_organisation__credit_code",
            "contract__buyer_credit_code",
            "contract__buyer_name",
            "contract__buyer_region_code",
        )
        .order_by("contract_id")
    )
    for row in received.iterator(chunk_size=CHUNK):
        if not row["received"] or row["received"] <= 0:
            continue
        yield make(
            contract_id=row["contract__registration_number"] or f"contract:{row['contract_id']}",
            seller_id=seller_id(
                row["contract__seller_organisation__credit_code"],
                row["contract__seller_credit_code"],
                row["contract__seller_organisation_id"],
            ),
            seller_name=row["contract__seller_name"],
            seller_region=row["contract__seller_region_id"] or "",
            buyer_id=buyer_id(
                row["contract__buyer_organisation__credit_code"],
                row["contract__buyer_credit_code"],
                row["contract__buyer_organisation_id"],
                row["contract__buyer_name"],
            ),
            buyer_name=row["contract__buyer_name"],
            buyer_region=row["contract__buyer_region_code"] or "",
            type=row["contract__contract_type"],
            received=row["received"],
            year=year,
        )


def organisation_ids(party_ids: Iterable[str]) -> dict[str, int]:
    """The platform organisation behind each party id that names one (``org:<pk>`` or a credit code that a
    seller or buyer organisation of a registered contract carries)."""
    wanted = set(party_ids)
    found: dict[str, int] = {}
    codes = set()
    for party in wanted:
        if party.startswith(ORG_PREFIX):
            number = party[len(ORG_PREFIX) :]
            if number.isdigit():
                found[party] = int(number)
        elif not party.startswith(NAME_PREFIX):
            codes.add(party)
    if codes:
        registered = TechContract.objects.filter(state=ContractState.REGISTERED)
        for side in ("seller", "buyer"):
            for field in (f"{side}_organisation__credit_code", f"{side}_credit_code"):
                rows = registered.filter(**{f"{field}__in": codes, f"{side}_organisation__isnull": False})
                for code, pk in rows.values_list(field, f"{side}_organisation_id").distinct():
                    found.setdefault(code, pk)
    return found


# --- demo scaffolding -------------------------------------------------------------------------------

# (seller index, buyer index, type, subtype, received) of the demo's registered contracts: enough for every
# rule of the Yueyang rules to fire, one seller one fen below the threshold, and the pool to scale.
DEMO_CONTRACTS = (
    (0, 0, "transfer", "transfer_patent", "1200000.00"),
    (0, 1, "development", "dev_commissioned", "800000.00"),
    (1, 0, "service", "service", "650000.00"),
    (2, 2, "license", "license_patent", "300000.00"),
    (3, 1, "consulting", "consulting", "499999.99"),
)
DEMO_TYPE_DIGIT = {"development": "1", "transfer": "2", "consulting": "3", "service": "4", "license": "5"}


def has_receipts(year: int, region_code: str) -> bool:
    """Whether any registered contract of the region has a confirmed receipt in the year."""
    return Receipt.objects.filter(
        contract_id__in=TechContract.objects.filter(
            _in_region(region_code), state=ContractState.REGISTERED
        ).values("pk"),
        state=ReceiptState.CONFIRMED,
        received_on__year=year,
    ).exists()


def write_demo_contracts(
    *, sellers: list[Any], buyers: list[Any], users: dict[int, Any], admin: Any, year: int
) -> int:
    """Demo only, until the contracts demo registers real ones: a few registered contracts between the given
    organisations (sellers[i] → buyers[j]) with one confirmed receipt each, written straight to the tables
    (no workflow). ``users`` gives a filer per organisation id (else ``admin``). Returns how many."""
    import datetime as _dt

    from django.utils import timezone

    made = 0
    for index, (s, b, kind, subtype, amount) in enumerate(DEMO_CONTRACTS):
        if s >= len(sellers) or b >= len(buyers):
            continue
        seller, buyer = sellers[s], buyers[b]
        seller_chain, buyer_chain = seller.region.chain_codes(), buyer.region.chain_codes()
        filer = users.get(seller.pk, admin)
        number = f"{seller.region_id}{year}{DEMO_TYPE_DIGIT[kind]}{90001 + index:05d}"
        if TechContract.objects.filter(registration_number=number).exists():
            continue
        contract = TechContract.objects.create(
            state=ContractState.REGISTERED,
            title=f"{buyer.name}委托的技术{index + 1}号合同",
            contract_type=kind,
            subtype=subtype,
            seller_organisation=seller,
            seller_name=seller.name,
            seller_credit_code=seller.credit_code or "",
            seller_entity_type="22",
            seller_region=seller.region,
            seller_province_code=seller_chain["province_code"],
            seller_city_code=seller_chain["city_code"],
            seller_county_code=seller_chain["county_code"],
            buyer_organisation=buyer,
            buyer_name=buyer.name,
            buyer_credit_code=buyer.credit_code or "",
            buyer_entity_type="41",
            buyer_region_code=buyer.region_id,
            buyer_province_code=buyer_chain["province_code"],
            buyer_city_code=buyer_chain["city_code"],
            buyer_county_code=buyer_chain["county_code"],
            filed_by=filer,
            signed_on=_dt.date(year, 2, 1 + index),
            total_amount=amount,
            certified_amount=amount,
            technology_field="01",
            ip_type="02",
            plan_source="5",
            registration_number=number,
            verification_code=f"DEMO{year}{index:08d}",
            registered_at=timezone.now(),
            registered_by=admin,
        )
        Receipt.objects.create(
            contract=contract,
            state=ReceiptState.CONFIRMED,
            received_on=_dt.date(year, 3 + index, 15),
            amount=amount,
            payer=buyer.name,
            bank_reference=f"DEMO{year}{index:06d}",
            recorded_by=filer,
            decided_by=admin,
            decided_at=timezone.now(),
        )
        made += 1
    return made
