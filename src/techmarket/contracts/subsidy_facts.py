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
from typing import TypeVar

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


def has_receipts(year: int, region_code: str) -> bool:
    """Whether any registered contract of the region has a confirmed receipt in the year."""
    return Receipt.objects.filter(
        contract_id__in=TechContract.objects.filter(
            _in_region(region_code), state=ContractState.REGISTERED
        ).values("pk"),
        state=ReceiptState.CONFIRMED,
        received_on__year=year,
    ).exists()
