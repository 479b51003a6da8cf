"""Which statistics cells one contract (or one aggregated row of contracts) touches — plain Python.

The incremental path (one event) and the rebuild (grouped rows) both derive their cells here, so the
two cannot disagree on a key.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import Any

# Each dimension's contract field ("" for the totals).
DIMENSION_FIELDS: dict[str, str] = {
    "total": "",
    "contract_type": "contract_type",
    "technology_field": "technology_field",
    "ip_type": "ip_type",
    "seller_entity_type": "seller_entity_type",
    "buyer_entity_type": "buyer_entity_type",
}

# Each side's region chain and organisation fields on the contract.
SIDE_FIELDS: dict[str, tuple[str, str, str, str]] = {
    "out": ("seller_province_code", "seller_city_code", "seller_county_code", "seller_organisation_id"),
    "in": ("buyer_province_code", "buyer_city_code", "buyer_county_code", "buyer_organisation_id"),
}

# The breakdowns kept for organisations: their totals only. An organisation's other breakdowns are read
# from its own contracts when its page asks (``selectors.breakdown``), a few dozen indexed rows; keeping
# them as cells would make three quarters of the table (every organisation × value × period × side).
ORGANISATION_DIMENSIONS = frozenset({"total"})

CONTRACT_FIELDS = sorted(
    {field for fields in SIDE_FIELDS.values() for field in fields}
    | {field for field in DIMENSION_FIELDS.values() if field}
)

# (period_kind, period, side, dimension, parent, level, code, value)
Key = tuple[str, int, str, str, str, str, str, str]
# The measures of a cell in this order: the first ones add up, the ``largest_…`` ones take the maximum.
SUMMED_MEASURES = ("contracts", "amount_fen", "certified_fen", "receipts_fen", "receipt_contracts")
LARGEST_MEASURES = ("largest_amount_fen", "largest_certified_fen", "largest_receipts_fen")
MEASURES = (*SUMMED_MEASURES, *LARGEST_MEASURES)
Measures = list[int]


def registration_measures(
    contracts: int, amount: int, certified: int, largest_amount: int, largest_certified: int
) -> Measures:
    """The measures of registered contracts (amounts in fen)."""
    return [contracts, amount, certified, 0, 0, largest_amount, largest_certified, 0]


def receipt_measures(receipts: int, paid_contracts: int, largest_receipts: int) -> Measures:
    """The measures of confirmed receipts (in fen): their sum, how many contracts they newly count as paid
    in the period, and the largest contract's receipts in it."""
    return [0, 0, 0, receipts, paid_contracts, 0, 0, largest_receipts]


def nodes(province: str, city: str, county: str, org_id: Any) -> list[tuple[str, str, str]]:
    """``(level, code, parent)`` of each node on a party's chain: its regions and its organisation.

    A party without a province (abroad) has none: output and absorption count Chinese regions only.
    """
    if not province:
        return []
    result = [("province", province, "")]
    if city:
        result.append(("city", city, province))
    if county:
        result.append(("county", county, city or province))
    if org_id is not None and org_id != "":
        result.append(("org", str(org_id), county or city or province))
    return result


def year_period(year: int) -> tuple[str, int]:
    return ("Y", year)


def quarter_period(year: int, quarter: int) -> tuple[str, int]:
    return ("Q", year * 10 + quarter)


def periods_of(day: datetime.date) -> list[tuple[str, int]]:
    return [year_period(day.year), quarter_period(day.year, (day.month - 1) // 3 + 1)]


def keys_for(
    row: dict[str, Any],
    periods: Iterable[tuple[str, int]],
    *,
    sides: Iterable[str] = tuple(SIDE_FIELDS),
    dimensions: Iterable[str] = tuple(DIMENSION_FIELDS),
) -> Iterator[Key]:
    """The cell keys of one contract (or of a grouped row holding the fields of the given sides and
    dimensions) in the given periods."""
    period_list = list(periods)
    dimension_list = list(dimensions)
    for side in sides:
        p_field, c_field, k_field, o_field = SIDE_FIELDS[side]
        chain = nodes(row[p_field] or "", row[c_field] or "", row[k_field] or "", row[o_field])
        for dimension in dimension_list:
            field = DIMENSION_FIELDS[dimension]
            value = str(row[field] or "") if field else ""
            levels = chain if dimension in ORGANISATION_DIMENSIONS else [n for n in chain if n[0] != "org"]
            for kind, period in period_list:
                for level, code, parent in levels:
                    yield (kind, period, side, dimension, parent, level, code, value)


def contract_lookups(
    kind: str, period: int, side: str, dimension: str, level: str, code: str, value: str
) -> dict[str, Any]:
    """The lookups on the contract model selecting the registered contracts one cell counts."""
    p_field, c_field, k_field, o_field = SIDE_FIELDS[side]
    lookups: dict[str, Any] = {f"{p_field}__gt": ""}
    if level == "org":
        lookups[o_field] = int(code)
    else:
        lookups[{"province": p_field, "city": c_field, "county": k_field}[level]] = code
    if DIMENSION_FIELDS[dimension]:
        lookups[DIMENSION_FIELDS[dimension]] = value
    if kind == "Q":
        lookups.update(registered_at__year=period // 10, registered_at__quarter=period % 10)
    else:
        lookups["registered_at__year"] = period
    return lookups


def add(cells: dict[Key, Measures], keys: Iterable[Key], measures: Iterable[int]) -> None:
    """Combine ``measures`` into each key's running figures (sums added, largest by maximum)."""
    values = list(measures)
    summed = len(SUMMED_MEASURES)
    for key in keys:
        current = cells.get(key)
        if current is None:
            cells[key] = list(values)
        else:
            for index, value in enumerate(values):
                current[index] = current[index] + value if index < summed else max(current[index], value)
