"""Reads of technology contract registration. Every read a page or the API makes starts from what the
principal may see (``policies.visible_q`` / ``can_view_contract``); the unscoped ones are named as system
reads (the public verification)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.policies import Principal
from techmarket.contracts import codes, policies
from techmarket.contracts.choices import ContractState, ContractType, ReceiptState
from techmarket.contracts.models import ContractPart, Receipt, TechContract
from techmarket.core.audit import events_for
from techmarket.core.errors import NotFound
from techmarket.core.models import AuditEvent, Region
from techmarket.core.todo import TodoItem, TodoRow, count_and_first, latest_reasons

QUEUE_STATES = (ContractState.SUBMITTED, ContractState.UNDER_REVIEW, ContractState.RETURNED)
RELATED = ("seller_organisation", "buyer_organisation", "agency_organisation", "filed_by", "registered_by")


def _pk(value: Any) -> int:
    """A primary key from a request, or NotFound (also for numbers no database column holds)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < number < 2**63:
        raise NotFound()
    return number


def visible(principal: Principal) -> QuerySet[TechContract]:
    """Every contract the principal may read, newest first."""
    return (
        TechContract.objects.filter(policies.visible_q(principal))
        .select_related(*RELATED)
        .order_by("-created_at", "-id")
    )


def my_contracts(principal: Principal, state: str = "") -> QuerySet[TechContract]:
    """我的技术合同: the contracts of the principal's organisation as seller, buyer or agency."""
    if principal.organisation_id is None:
        return TechContract.objects.none()
    org = principal.organisation_id
    rows = visible(principal).filter(
        Q(seller_organisation_id=org) | Q(buyer_organisation_id=org) | Q(agency_organisation_id=org)
    )
    if state in ContractState.values:
        rows = rows.filter(state=state)
    return rows.order_by("-created_at", "-id")


def registry_queue(principal: Principal, state: str = "") -> QuerySet[TechContract]:
    """技术合同登记审查: submitted, under-review and returned contracts of the registrar's regions, oldest
    submission first."""
    if not principal.is_registrar:
        return TechContract.objects.none()
    states = [state] if state in QUEUE_STATES else list(QUEUE_STATES)
    return visible(principal).filter(_registry_q(principal), state__in=states).order_by("submitted_at", "id")


def registered_by_registry(principal: Principal) -> QuerySet[TechContract]:
    """The registry's registered contracts, newest first."""
    if not principal.is_registrar:
        return TechContract.objects.none()
    return (
        visible(principal)
        .filter(_registry_q(principal), state=ContractState.REGISTERED)
        .order_by("-registered_at", "-id")
    )


def _registry_q(principal: Principal) -> Q:
    registry = list(principal.registry_codes)
    return (
        Q(seller_county_code__in=registry)
        | Q(seller_city_code__in=registry)
        | Q(seller_province_code__in=registry)
    )


def contract_get(principal: Principal, pk: Any) -> TechContract:
    """One contract, for its parties and registry; NotFound (not a refusal) for everyone else."""
    contract = TechContract.objects.select_related(*RELATED, "seller_region").filter(pk=_pk(pk)).first()
    if contract is None or not policies.can_view_contract(principal, contract):
        raise NotFound()
    return contract


def parts_of(contract: TechContract) -> list[ContractPart]:
    """The contract's non-technical parts, each with its label (the caller has checked visibility)."""
    parts = list(ContractPart.objects.filter(contract=contract).order_by("id"))
    for part in parts:
        part.label = codes.label("non_technical_parts", part.kind)  # type: ignore[attr-defined]
    return parts


def history_of(contract: TechContract) -> list[AuditEvent]:
    """The contract's audit timeline, oldest first (the caller has checked visibility)."""
    return list(events_for(contract).order_by("created_at", "id"))


def contract_labels(contract: TechContract) -> dict[str, str]:
    """The code-list fields of a contract in the reader's language."""
    region = (
        Region.objects.filter(code=contract.buyer_region_code).first() if contract.buyer_region_code else None
    )
    return {
        "seller_entity_type": codes.label("entity_types", contract.seller_entity_type),
        "buyer_entity_type": codes.label("entity_types", contract.buyer_entity_type),
        "technology_field": codes.label("technology_fields", contract.technology_field),
        "ip_type": codes.label("ip_types", contract.ip_type),
        "plan_source": codes.label("plan_sources", contract.plan_source),
        "buyer_country": codes.label("countries", contract.buyer_country_code),
        "buyer_region": region.name if region else contract.buyer_region_code,
    }


def contract_of_deal(principal: Principal, deal_id: int) -> TechContract | None:
    """The deal's live contract (else its latest one) if the principal may see it."""
    rows = TechContract.objects.filter(policies.visible_q(principal), deal_id=deal_id)
    live = rows.exclude(state__in=(ContractState.REFUSED, ContractState.WITHDRAWN)).order_by("-id").first()
    return live or rows.order_by("-id").first()


def brokerable(principal: Principal, exclude: int | None = None) -> QuerySet[TechContract]:
    """Contracts a 技术中介 contract may name as brokered: live ones the principal may see."""
    return (
        TechContract.objects.filter(policies.visible_q(principal))
        .exclude(state__in=(ContractState.REFUSED, ContractState.WITHDRAWN))
        .exclude(pk=exclude or 0)
        .order_by("-id")
    )


# --- the public verification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """What ``GET /verify/<code>/`` may show of a registered contract: nothing confidential."""

    registration_number: str
    contract_type: str
    registered_on: Any
    registry: str
    certified_amount: Decimal
    seller: str
    buyer: str


def mask(name: str) -> str:
    """A party's name masked for the public: its first and last characters, the rest as ＊."""
    name = (name or "").strip()
    if len(name) <= 2:
        return name[:1] + "＊"
    keep = 2 if len(name) > 6 else 1
    return name[:keep] + "＊" * (len(name) - keep - 1) + name[-1]


def verification(code: str) -> Verification | None:
    """System read, public: the registered contract a verification code names, or None (the same answer
    for an unknown, malformed, withdrawn or not-yet-registered code)."""
    code = (code or "").strip().upper()
    if not code or len(code) > 32 or not code.isalnum():
        return None
    contract = TechContract.objects.filter(verification_code=code, state=ContractState.REGISTERED).first()
    if contract is None or not contract.registration_number:
        return None
    registry_code = contract.registration_number[:6]
    registry = Region.objects.filter(code=registry_code).first()
    return Verification(
        registration_number=contract.registration_number,
        contract_type=str(ContractType(contract.contract_type).label),
        registered_on=contract.registered_at.date() if contract.registered_at else None,
        registry=str(
            _("%(region)s技术合同登记机构") % {"region": registry.name if registry else registry_code}
        ),
        certified_amount=contract.certified_amount or Decimal("0"),
        seller=mask(contract.seller_name),
        buyer=mask(contract.buyer_name),
    )


# --- 我的待办 ------------------------------------------------------------------------------------------------


def _row(contract: TechContract, note: Any) -> TodoRow:
    return TodoRow(label=contract.title, url=reverse("contracts:detail", args=[contract.pk]), note=note)


def todo_items(principal: Principal) -> list[TodoItem]:
    """Contract work: the registry's queue (registrars); returned contracts (their filers)."""
    if not principal.is_authenticated:
        return []
    items: list[TodoItem] = []
    if principal.is_registrar:
        waiting = registry_queue(principal).filter(
            state__in=(ContractState.SUBMITTED, ContractState.UNDER_REVIEW)
        )
        count, first = count_and_first(waiting)
        items.append(
            TodoItem(
                key="contracts.registry",
                title=_("待登记审查的技术合同"),
                count=count,
                url=reverse("contracts:queue"),
                rows=tuple(_row(c, c.get_state_display()) for c in first),
            )
        )
    if policies.can_create_contract(principal):
        returned = (
            visible(principal)
            .filter(policies.filer_q(principal), state=ContractState.RETURNED)
            .order_by("updated_at", "pk")
        )
        count, first = count_and_first(returned)
        reasons = latest_reasons(TechContract, [c.pk for c in first], ContractState.RETURNED)
        items.append(
            TodoItem(
                key="contracts.returned",
                title=_("被退回补正的技术合同"),
                count=count,
                url=reverse("contracts:mine") + "?state=returned",
                urgent=count > 0,
                rows=tuple(
                    _row(c, _("退回原因：%(reason)s") % {"reason": reasons.get(str(c.pk)) or "—"})
                    for c in first
                ),
            )
        )
    return items


# --- Aggregates read by the statistics app (its rebuild); aggregated rows only, never one contract's detail.


def registered_aggregates(
    fields: list[str], *, quarters: bool, where: dict[str, Any] | None = None
) -> Iterator[dict[str, Any]]:
    """Registered contracts grouped by ``fields`` and the registration year (and quarter): ``contracts``,
    ``amount`` and ``certified`` (sums of the total and certified amounts), ``largest_amount`` and
    ``largest_certified`` (the largest single contract's), streamed. ``where``: lookups on the contract
    narrowing the rows (one organisation's contracts of one period, for instance)."""
    queryset = TechContract.objects.filter(
        state=ContractState.REGISTERED, registered_at__isnull=False, **(where or {})
    )
    periods: dict[str, Any] = {"year": ExtractYear("registered_at")}
    if quarters:
        periods["quarter"] = ExtractQuarter("registered_at")
    return (
        queryset.annotate(**periods)
        .values(*fields, *periods)
        .annotate(
            contracts=Count("id"),
            amount=Sum("total_amount"),
            certified=Sum("certified_amount"),
            largest_amount=Max("total_amount"),
            largest_certified=Max("certified_amount"),
        )
        .order_by()
        .iterator(chunk_size=5000)
    )


def largest_registered(where: dict[str, Any]) -> tuple[Decimal, Decimal]:
    """The largest total and certified amounts among the registered contracts matching ``where``."""
    result = TechContract.objects.filter(
        state=ContractState.REGISTERED, registered_at__isnull=False, **where
    ).aggregate(amount=Max("total_amount"), certified=Max("certified_amount"))
    return result["amount"] or Decimal(0), result["certified"] or Decimal(0)


def confirmed_receipts_by_contract(
    fields: list[str], *, quarters: bool, where: dict[str, Any] | None = None
) -> Iterator[dict[str, Any]]:
    """Confirmed receipts of registered contracts summed per contract and the receipt's year (and quarter):
    the contract's ``fields``, the period and ``receipts``, streamed (the statistics need how many contracts
    were paid in a period and the largest one's receipts, not only the sum). ``where`` holds lookups on the
    receipt (``contract__…`` for the contract's)."""
    queryset = Receipt.objects.filter(
        state=ReceiptState.CONFIRMED, contract__state=ContractState.REGISTERED, **(where or {})
    )
    periods: dict[str, Any] = {"year": ExtractYear("received_on")}
    if quarters:
        periods["quarter"] = ExtractQuarter("received_on")
    names = {field: f"contract__{field}" for field in fields}
    rows = (
        queryset.annotate(**periods)
        .values("contract_id", *names.values(), *periods)
        .annotate(receipts=Sum("amount"))
        .order_by()
        .iterator(chunk_size=5000)
    )
    for row in rows:
        yield {
            **{field: row[name] for field, name in names.items()},
            **{p: row[p] for p in periods},
            "receipts": row["receipts"],
        }


def confirmed_receipt_totals(contract_id: int, year: int, quarter: int | None = None) -> tuple[int, Decimal]:
    """How many confirmed receipts a contract has in a year (or one of its quarters), and their sum."""
    filters: dict[str, Any] = {"received_on__year": year}
    if quarter is not None:
        filters["received_on__quarter"] = quarter
    result = Receipt.objects.filter(
        contract_id=contract_id, state=ReceiptState.CONFIRMED, **filters
    ).aggregate(count=Count("id"), total=Sum("amount"))
    return int(result["count"] or 0), result["total"] or Decimal(0)


def registered_count() -> int:
    """How many contracts are registered (the statistics benchmark's check)."""
    return TechContract.objects.filter(state=ContractState.REGISTERED).count()
