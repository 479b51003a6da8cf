"""Reads of receipts, amendments and the 技术性收入核定. Every read starts from what the principal may see
(``policies.can_view_contract`` / ``policies.visible_q``); a record outside it is :class:`NotFound`, as if
it did not exist.

技术性收入核定 (the seller's technology income): the confirmed receipts of its registered contracts, per
contract (certified amount, received, outstanding, by year) and per organisation and year (by the year of
``received_on``, split by contract type).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import selectors as account_selectors
from techmarket.accounts.policies import Principal
from techmarket.contracts import policies
from techmarket.contracts.choices import AmendmentState, ContractState, ContractType, ReceiptState
from techmarket.contracts.models import Amendment, Receipt, TechContract
from techmarket.core.errors import NotFound
from techmarket.core.todo import TodoItem, TodoRow, count_and_first

ZERO = Decimal("0.00")


def money(value: Decimal | None) -> Decimal:
    """A sum from the database as yuan with two decimals (SQLite drops trailing zeros)."""
    return (value or ZERO).quantize(Decimal("0.01"))


def _pk(value: Any) -> int:
    """A primary key from a request, or NotFound (also for numbers no database column holds)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < number < 2**63:
        raise NotFound()
    return number


# --- contracts, receipts, amendments -------------------------------------------------------------------


def contract_for_receipts(principal: Principal, pk: Any) -> TechContract:
    """A contract whose receipts the principal may read (NotFound otherwise)."""
    contract = TechContract.objects.filter(pk=_pk(pk)).select_related("seller_organisation").first()
    if contract is None or not policies.can_view_receipts(principal, contract):
        raise NotFound()
    return contract


def receipts_of(principal: Principal, contract: TechContract) -> QuerySet[Receipt]:
    """The contract's receipts, oldest first (none for someone who may not read the contract)."""
    if not policies.can_view_receipts(principal, contract):
        return Receipt.objects.none()
    return (
        Receipt.objects.filter(contract=contract).select_related("recorded_by").order_by("received_on", "pk")
    )


def amendments_of(principal: Principal, contract: TechContract) -> QuerySet[Amendment]:
    if not policies.can_view_receipts(principal, contract):
        return Amendment.objects.none()
    return Amendment.objects.filter(contract=contract).select_related("filed_by").order_by("filed_at", "pk")


def _visible_contracts(principal: Principal) -> QuerySet[TechContract]:
    return TechContract.objects.filter(policies.visible_q(principal))


def receipts_visible(principal: Principal, contract_id: Any = None) -> QuerySet[Receipt]:
    """Receipts of every contract the principal may read (optionally of one contract), newest first."""
    rows = Receipt.objects.filter(contract__in=_visible_contracts(principal).values("pk"))
    if contract_id not in (None, ""):
        rows = rows.filter(contract_id=_pk(contract_id))
    return rows.select_related("contract").order_by("-received_on", "-pk")


def amendments_visible(principal: Principal, contract_id: Any = None) -> QuerySet[Amendment]:
    rows = Amendment.objects.filter(contract__in=_visible_contracts(principal).values("pk"))
    if contract_id not in (None, ""):
        rows = rows.filter(contract_id=_pk(contract_id))
    return rows.select_related("contract").order_by("-filed_at", "-pk")


def receipt_get(principal: Principal, pk: Any) -> Receipt:
    """One receipt for someone who may read its contract (NotFound otherwise)."""
    receipt = (
        Receipt.objects.filter(pk=_pk(pk)).select_related("contract", "recorded_by", "decided_by").first()
    )
    if receipt is None or not policies.can_view_receipts(principal, receipt.contract):
        raise NotFound()
    return receipt


def amendment_get(principal: Principal, pk: Any) -> Amendment:
    amendment = Amendment.objects.filter(pk=_pk(pk)).select_related("contract", "filed_by").first()
    if amendment is None or not policies.can_view_receipts(principal, amendment.contract):
        raise NotFound()
    return amendment


def _registry_q(principal: Principal) -> Q:
    codes = list(principal.registry_codes)
    return Q(seller_county_code__in=codes) | Q(seller_city_code__in=codes) | Q(seller_province_code__in=codes)


def pending_receipts(principal: Principal) -> QuerySet[Receipt]:
    """The registry's queue: pending receipts of registered contracts of its region, oldest first."""
    if not principal.is_registrar:
        return Receipt.objects.none()
    contracts = TechContract.objects.filter(_registry_q(principal), state=ContractState.REGISTERED)
    return (
        Receipt.objects.filter(state=ReceiptState.RECORDED, contract__in=contracts.values("pk"))
        .select_related("contract")
        .order_by("recorded_at", "pk")
    )


def pending_amendments(principal: Principal) -> QuerySet[Amendment]:
    """The registry's queue of amendments waiting for registration, oldest first."""
    if not principal.is_registrar:
        return Amendment.objects.none()
    contracts = TechContract.objects.filter(_registry_q(principal), state=ContractState.REGISTERED)
    return (
        Amendment.objects.filter(state=AmendmentState.SUBMITTED, contract__in=contracts.values("pk"))
        .select_related("contract")
        .order_by("filed_at", "pk")
    )


# --- 技术性收入核定 -----------------------------------------------------------------------------------------


@dataclass
class ContractIncome:
    """One contract's receipts against its certified amount (yuan)."""

    contract: TechContract
    certified: Decimal
    confirmed: Decimal
    pending: Decimal
    outstanding: Decimal
    by_year: list[tuple[int, Decimal]] = field(default_factory=list)


def contract_income(principal: Principal, contract: TechContract) -> ContractIncome:
    """The per-contract 技术性收入核定 (NotFound for someone who may not read the contract)."""
    if not policies.can_view_receipts(principal, contract):
        raise NotFound()
    certified = contract.certified_amount if contract.certified_amount is not None else contract.total_amount
    sums = dict(
        Receipt.objects.filter(contract=contract)
        .exclude(state=ReceiptState.REJECTED)
        .values_list("state")
        .annotate(total=Sum("amount"))
    )
    confirmed = money(sums.get(ReceiptState.CONFIRMED))
    years = (
        Receipt.objects.filter(contract=contract, state=ReceiptState.CONFIRMED)
        .annotate(year=ExtractYear("received_on"))
        .values_list("year")
        .annotate(total=Sum("amount"))
        .order_by("year")
    )
    return ContractIncome(
        contract=contract,
        certified=certified,
        confirmed=confirmed,
        pending=money(sums.get(ReceiptState.RECORDED)),
        outstanding=max(certified - confirmed, ZERO),
        by_year=[(int(year), money(total)) for year, total in years],
    )


@dataclass
class IncomeYear:
    """One year of an organisation's technology income: the total and its split by contract type."""

    year: int
    total: Decimal
    by_type: dict[str, Decimal]
    receipts: int


@dataclass
class IncomeContractRow:
    contract_id: int
    registration_number: str
    title: str
    contract_type: str
    type_label: str
    buyer_name: str
    certified: Decimal
    received: Decimal
    receipts: int


@dataclass
class OrganisationIncome:
    """技术性收入核定表 of one seller organisation: per year, and the chosen year's contracts."""

    organisation_id: int
    organisation_name: str
    years: list[IncomeYear]
    year: int | None
    contracts: list[IncomeContractRow]
    types: list[tuple[str, str]] = field(
        default_factory=lambda: [(v, str(label)) for v, label in ContractType.choices]
    )

    @property
    def year_total(self) -> Decimal:
        return sum((row.received for row in self.contracts), ZERO)


def income_organisation(principal: Principal, organisation_id: Any = None) -> tuple[int, str]:
    """(id, name) of the organisation whose income the principal asks for: its own by default; another
    only for the registrars of its region chain. NotFound otherwise."""
    if organisation_id in (None, ""):
        if principal.organisation_id is None:
            raise NotFound()
        organisation_id = principal.organisation_id
    org_id = _pk(organisation_id)
    organisation = account_selectors.organisations_by_id([org_id]).select_related("region").first()
    if organisation is None:
        raise NotFound()
    chain = [region.code for region in organisation.region.chain()]
    if not policies.can_view_income(principal, org_id, chain):
        raise NotFound()
    return org_id, organisation.name


def _income_receipts(principal: Principal, organisation_id: int) -> QuerySet[Receipt]:
    contracts = _visible_contracts(principal).filter(
        seller_organisation_id=organisation_id, state=ContractState.REGISTERED
    )
    return Receipt.objects.filter(state=ReceiptState.CONFIRMED, contract__in=contracts.values("pk"))


def organisation_income(
    principal: Principal, organisation_id: Any = None, year: Any = None
) -> OrganisationIncome:
    """The 技术性收入核定表 of a seller organisation (see :func:`income_organisation` for who may read it):
    the confirmed receipts of its registered contracts by year of receipt and contract type, and for
    ``year`` (default: the latest with receipts) each contract's received amount."""
    org_id, name = income_organisation(principal, organisation_id)
    receipts = _income_receipts(principal, org_id)
    by_year: dict[int, dict[str, Decimal]] = defaultdict(dict)
    counts: dict[int, int] = defaultdict(int)
    grouped = (
        receipts.annotate(year=ExtractYear("received_on"))
        .values_list("year", "contract__contract_type")
        .annotate(total=Sum("amount"), count=Count("pk"))
        .order_by("year")
    )
    for row_year, contract_type, total, count in grouped:
        by_year[int(row_year)][contract_type] = money(total)
        counts[int(row_year)] += count
    years = [
        IncomeYear(year=y, total=sum(types.values(), ZERO), by_type=types, receipts=counts[y])
        for y, types in sorted(by_year.items(), reverse=True)
    ]
    chosen: int | None
    if year in (None, ""):
        chosen = years[0].year if years else None
    else:
        try:
            chosen = int(year)
        except (TypeError, ValueError):
            chosen = None
        if chosen is not None and not 1900 <= chosen <= 9999:
            chosen = None
    rows: list[IncomeContractRow] = []
    if chosen is not None:
        labels = dict(ContractType.choices)
        per_contract = (
            receipts.filter(received_on__year=chosen)
            .values_list(
                "contract_id",
                "contract__registration_number",
                "contract__title",
                "contract__contract_type",
                "contract__buyer_name",
                "contract__certified_amount",
            )
            .annotate(total=Sum("amount"), count=Count("pk"))
            .order_by("contract__registration_number", "contract_id")
        )
        rows = [
            IncomeContractRow(
                contract_id=cid,
                registration_number=number or "",
                title=title,
                contract_type=ctype,
                type_label=str(labels.get(ctype, ctype)),
                buyer_name=buyer,
                certified=money(certified),
                received=money(total),
                receipts=count,
            )
            for cid, number, title, ctype, buyer, certified, total, count in per_contract
        ]
    return OrganisationIncome(
        organisation_id=org_id, organisation_name=name, years=years, year=chosen, contracts=rows
    )


def income_organisations(principal: Principal) -> list[tuple[int, str]]:
    """The organisations whose income the principal may choose: its own, and for registrars the sellers of
    the registered contracts of their region."""
    choices: dict[int, str] = {}
    if principal.organisation_id is not None:
        own = account_selectors.organisations_by_id([principal.organisation_id]).first()
        if own is not None:
            choices[own.pk] = own.name
    if principal.is_registrar:
        sellers = (
            TechContract.objects.filter(_registry_q(principal), state=ContractState.REGISTERED)
            .values_list("seller_organisation_id", "seller_organisation__name")
            .distinct()
            .order_by("seller_organisation__name")
        )
        for org_id, name in sellers:
            choices.setdefault(org_id, name)
    return list(choices.items())


# --- 我的待办 ---------------------------------------------------------------------------------------------


def todo_items(principal: Principal) -> list[TodoItem]:
    """The registry's work: receipts to confirm and amendments to register."""
    if not principal.is_authenticated or not principal.is_registrar:
        return []
    count, first = count_and_first(pending_receipts(principal))
    items = [
        TodoItem(
            key="contracts.receipts",
            title=_("待确认的到账"),
            count=count,
            url=reverse("contracts:receipt_queue"),
            rows=tuple(
                TodoRow(
                    label=f"{r.contract.registration_number or r.contract.title} · {r.amount}",
                    url=reverse("contracts:receipt_detail", args=[r.pk]),
                    note=_("%(day)s 到账") % {"day": r.received_on.isoformat()},
                )
                for r in first
            ),
        )
    ]
    count, amendments = count_and_first(pending_amendments(principal))
    items.append(
        TodoItem(
            key="contracts.amendments",
            title=_("待登记的合同变更"),
            count=count,
            url=reverse("contracts:receipt_queue") + "#amendments",
            rows=tuple(
                TodoRow(
                    label=a.contract.registration_number or a.contract.title,
                    url=reverse("contracts:receipts", args=[a.contract_id]),
                    note=_("核定额变更为 %(amount)s 元") % {"amount": a.new_certified_amount},
                )
                for a in amendments
            ),
        )
    )
    return items
