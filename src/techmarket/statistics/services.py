"""Writes of the statistics app: the only place its business rules change data.

Cells are changed by additive upserts (``INSERT … ON CONFLICT (key) DO UPDATE SET x = x + excluded.x``),
one statement per event, inside the transaction of the contracts app that sent the signal: a rolled-back
registration leaves no trace, and two registrations touching the same cells on PostgreSQL both count
(the conflicting insert waits for the row lock and then adds). Keys are written in sorted order, so two
concurrent events lock shared rows in the same order and cannot deadlock on them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts.policies import principal_of
from techmarket.contracts import selectors as contract_selectors
from techmarket.core.audit import record_event
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.statistics import cells, policies
from techmarket.statistics.cells import Key, Measures
from techmarket.statistics.models import ManualActual, StatCell, Target, fen

TABLE = StatCell._meta.db_table
KEY_COLUMNS = ("period_kind", "period", "side", "dimension", "parent", "level", "code", "value")
MEASURE_COLUMNS = cells.MEASURES
ROWS_PER_STATEMENT = 500
REGISTERED = "registered"


def measure_updates() -> str:
    """The ``ON CONFLICT … DO UPDATE SET`` list: sums added, the largest kept by maximum."""
    greatest = "MAX" if connection.vendor == "sqlite" else "GREATEST"
    return ", ".join(
        [f"{name} = {TABLE}.{name} + excluded.{name}" for name in cells.SUMMED_MEASURES]
        + [f"{name} = {greatest}({TABLE}.{name}, excluded.{name})" for name in cells.LARGEST_MEASURES]
    )


def upsert(changes: dict[Key, Measures]) -> int:
    """Add each key's measures to its cell (created when missing); returns the number of keys."""
    items = sorted((key, measures) for key, measures in changes.items() if any(measures))
    columns = ", ".join((*KEY_COLUMNS, *MEASURE_COLUMNS))
    updates = measure_updates()
    placeholder = "(" + ", ".join(["%s"] * (len(KEY_COLUMNS) + len(MEASURE_COLUMNS))) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(items), ROWS_PER_STATEMENT):
            chunk = items[start : start + ROWS_PER_STATEMENT]
            params: list[Any] = []
            for key, measures in chunk:
                params.extend(key)
                params.extend(measures)
            cursor.execute(
                f"INSERT INTO {TABLE} ({columns}) VALUES {', '.join([placeholder] * len(chunk))} "  # noqa: S608 (fixed names)
                f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET {updates}",
                params,
            )
    return len(items)


def _row(contract: Any) -> dict[str, Any]:
    return {field: getattr(contract, field) for field in cells.CONTRACT_FIELDS}


def registration_day(contract: Any) -> datetime.date:
    """The day a contract counts in: its registration, in the platform's time zone."""
    moment = contract.registered_at or timezone.now()
    return timezone.localtime(moment).date()


def _apply(contract: Any, periods: list[tuple[str, int]], measures: cells.Measures) -> int:
    changes: dict[Key, Measures] = {}
    cells.add(changes, cells.keys_for(_row(contract), periods), measures)
    return upsert(changes)


def record_registration(contract: Any) -> int:
    """A contract was registered: +1 contract, its amount and certified amount in the registration period."""
    if contract.state != REGISTERED:
        return 0
    amount, certified = fen(contract.total_amount), fen(contract.certified_amount)
    return _apply(
        contract,
        cells.periods_of(registration_day(contract)),
        cells.registration_measures(1, amount, certified, amount, certified),
    )


def record_receipt(receipt: Any) -> int:
    """A receipt was confirmed: its amount in the receipt's year and quarter (a registered contract's only);
    the contract counts as paid in a period with its first receipt there, and its receipts in the period
    (this one included) compete for the period's largest."""
    contract = receipt.contract
    if contract.state != REGISTERED:
        return 0
    day = receipt.received_on
    quarter = (day.month - 1) // 3 + 1
    written = 0
    for period, period_quarter in (
        (cells.year_period(day.year), None),
        (cells.quarter_period(day.year, quarter), quarter),
    ):
        count, total = contract_selectors.confirmed_receipt_totals(contract.pk, day.year, period_quarter)
        written += _apply(
            contract, [period], cells.receipt_measures(fen(receipt.amount), int(count == 1), fen(total))
        )
    return written


def record_amendment(amendment: Any, previous_total: Decimal, previous_certified: Decimal) -> int:
    """An amendment was registered: the amounts' changes, in the contract's registration period (where the
    rebuild counts the contract's current amounts). A lowered amount may have been its cells' largest: those
    are then taken again from the contracts (a rare event; a few indexed aggregates)."""
    contract = amendment.contract
    if contract.state != REGISTERED:
        return 0
    new_total, new_certified = fen(amendment.new_total_amount), fen(amendment.new_certified_amount)
    periods = cells.periods_of(registration_day(contract))
    written = _apply(
        contract,
        periods,
        cells.registration_measures(
            0,
            new_total - fen(previous_total),
            new_certified - fen(previous_certified),
            new_total,
            new_certified,
        ),
    )
    if new_total < fen(previous_total) or new_certified < fen(previous_certified):
        _retake_largest(list(cells.keys_for(_row(contract), periods)))
    return written


def _retake_largest(keys: list[Key]) -> None:
    """Set the cells' largest amounts from the registered contracts they count."""
    for key in sorted(keys):
        kind, period, side, dimension, _parent, level, code, value = key
        largest_amount, largest_certified = contract_selectors.largest_registered(
            cells.contract_lookups(kind, period, side, dimension, level, code, value)
        )
        StatCell.objects.filter(**dict(zip(KEY_COLUMNS, key, strict=True))).update(
            largest_amount_fen=fen(largest_amount), largest_certified_fen=fen(largest_certified)
        )


def _flush_rows(
    rows: Iterable[dict[str, Any]], side: str, dimension: str, quarters: bool, measure: str
) -> int:
    changes: dict[Key, Measures] = {}
    for row in rows:
        year = int(row["year"])
        period = cells.quarter_period(year, int(row["quarter"])) if quarters else cells.year_period(year)
        if measure == "contracts":
            measures = cells.registration_measures(
                int(row["contracts"]),
                fen(row["amount"]),
                fen(row["certified"]),
                fen(row["largest_amount"]),
                fen(row["largest_certified"]),
            )
        else:
            receipts = fen(row["receipts"])
            measures = cells.receipt_measures(receipts, 1, receipts)
        cells.add(changes, cells.keys_for(row, [period], sides=[side], dimensions=[dimension]), measures)
    return upsert(changes)


@transaction.atomic
def rebuild() -> int:
    """Recompute every cell from the contracts (recovery; the benchmark's bulk path): grouped queries per
    side, breakdown and period kind, each streamed and added. Returns the number of cells."""
    if connection.vendor == "sqlite":
        # The whole table is rewritten in one transaction: keep its pages in memory until the commit
        # instead of spilling them to the WAL again and again (this connection only; ~1 GB at most).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -1000000")
    StatCell.objects.all().delete()
    for side, side_fields in cells.SIDE_FIELDS.items():
        for dimension, field in cells.DIMENSION_FIELDS.items():
            fields = [*side_fields, *([field] if field and field not in side_fields else [])]
            for quarters in (False, True):
                _flush_rows(
                    contract_selectors.registered_aggregates(fields, quarters=quarters),
                    side,
                    dimension,
                    quarters,
                    "contracts",
                )
                _flush_rows(
                    contract_selectors.confirmed_receipts_by_contract(fields, quarters=quarters),
                    side,
                    dimension,
                    quarters,
                    "receipts",
                )
    return StatCell.objects.count()


@transaction.atomic
def enter_actual(actor: Any, target: Target, *, year: Any, value: Any, note: str = "") -> ManualActual:
    """A platform administrator enters a manual target's actual for a year (a new entry: the history stays)."""
    if not policies.can_enter_actuals(principal_of(actor)):
        raise NotPermitted()
    if not target.is_manual:
        raise DomainError("computed_metric", _("该指标由平台自动统计，不能手工填报。"))
    errors: dict[str, list[Any]] = {}
    try:
        year_value = int(year)
    except (TypeError, ValueError):
        year_value = 0
    if not target.start_year - 1 <= year_value <= target.deadline.year + 5:
        errors["year"] = [
            _("年份应在 %(first)s 至 %(last)s 之间。")
            % {
                "first": target.start_year - 1,
                "last": target.deadline.year + 5,
            }
        ]
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e18"):
            raise ValueError
        amount = amount.quantize(Decimal("0.01"))
    except (ArithmeticError, ValueError):
        errors["value"] = [_("实际值应为非负数。")]
    if errors:
        raise DomainError("bad_actual", _("请更正填报内容。"), fields=errors)
    entry = ManualActual.objects.create(
        target=target, year=year_value, value=amount, note=str(note or "")[:300], entered_by=actor
    )
    record_event(
        actor=actor,
        action="statistics.actual_entered",
        target=target,
        data={"year": year_value, "value": str(amount), "note": entry.note},
    )
    return entry
