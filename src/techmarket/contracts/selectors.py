"""Reads of the contracts app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import ExtractQuarter, ExtractYear

from techmarket.contracts.choices import ContractState, ReceiptState
from techmarket.contracts.models import Receipt, TechContract

# --- Aggregates read by the statistics app (its rebuild); aggregated rows only, never one contract's detail.


def registered_aggregates(fields: list[str], *, quarters: bool) -> Iterator[dict[str, Any]]:
    """Registered contracts grouped by ``fields`` and the registration year (and quarter): ``contracts``,
    ``amount`` (total amounts) and ``certified`` (certified amounts), streamed."""
    queryset = TechContract.objects.filter(state=ContractState.REGISTERED, registered_at__isnull=False)
    periods: dict[str, Any] = {"year": ExtractYear("registered_at")}
    if quarters:
        periods["quarter"] = ExtractQuarter("registered_at")
    return (
        queryset.annotate(**periods)
        .values(*fields, *periods)
        .annotate(contracts=Count("id"), amount=Sum("total_amount"), certified=Sum("certified_amount"))
        .order_by()
        .iterator(chunk_size=5000)
    )


def confirmed_receipt_aggregates(fields: list[str], *, quarters: bool) -> Iterator[dict[str, Any]]:
    """Confirmed receipts of registered contracts grouped by the contract's ``fields`` and the receipt's
    year (and quarter): ``receipts`` (the sum), streamed. Field names are the contract's."""
    queryset = Receipt.objects.filter(state=ReceiptState.CONFIRMED, contract__state=ContractState.REGISTERED)
    periods: dict[str, Any] = {"year": ExtractYear("received_on")}
    if quarters:
        periods["quarter"] = ExtractQuarter("received_on")
    names = {field: f"contract__{field}" for field in fields}
    rows = (
        queryset.annotate(**periods)
        .values(*names.values(), *periods)
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


def registered_count() -> int:
    """How many contracts are registered (the statistics benchmark's check)."""
    return TechContract.objects.filter(state=ContractState.REGISTERED).count()
