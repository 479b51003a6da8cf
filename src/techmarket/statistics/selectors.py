"""Reads of the statistics app: the dashboard's drill-down, breakdowns, series and KPI progress.

Every read goes through the cell table's indexes (see ``models.StatCell``): a drill-down level is one
index range (the children of a node), a breakdown another, a series a third. Figures a caller may not
see exactly are suppressed here, once, for the pages, the API, the export and the report alike:

* **primary**: a cell of one or two (fewer than ``policies.MIN_CONTRACTS``) contracts is shown as “<3”
  with no amounts;
* **dominance**: an amount, certified amount or receipts total of which one contract makes up more than
  ``policies.DOMINANCE_SHARE`` is hidden (the count stays), and so are receipts paid on fewer than
  ``policies.MIN_CONTRACTS`` contracts: a sum must not reveal a single contract's figure;
* **complementary**: when exactly one cell among siblings (children of a node, or the values of one
  breakdown) hides a figure, the smallest other sibling the caller does not know hides it too, so
  the parent's total minus the others cannot reveal it; when there is no such sibling, the parent's
  figure is hidden instead.

Cells the caller knows (``policies.knows_node``) are shown exactly and count as revealed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts import selectors as account_selectors
from techmarket.accounts.policies import Principal
from techmarket.achievements import selectors as achievement_selectors
from techmarket.contracts import codes
from techmarket.contracts import selectors as contract_selectors
from techmarket.contracts.choices import ContractType
from techmarket.core.errors import DomainError, NotFound
from techmarket.core.models import Region
from techmarket.deals import selectors as deal_selectors
from techmarket.docking import selectors as docking_selectors
from techmarket.statistics import cells, kpi, policies
from techmarket.statistics.models import (
    Dimension,
    Level,
    ManualActual,
    PeriodKind,
    Side,
    StatCell,
    Target,
    TargetSet,
    fen,
)

MEASURES = cells.MEASURES
# Reading several cells as one (the provinces as the nation): sums add up, the largest take the maximum.
AGGREGATES: dict[str, Any] = {name: Sum(name) for name in cells.SUMMED_MEASURES} | {
    name: Max(name) for name in cells.LARGEST_MEASURES
}
# The figures a cell may hide one by one (the count is hidden with the whole cell).
AMOUNTS = ("amount", "certified", "receipts")
CHILD_FIELD = {"": "province_code", "province": "city_code", "city": "county_code"}
LEVEL_FIELD = {"province": "province_code", "city": "city_code", "county": "county_code"}
COUNTS_CACHE_SECONDS = 600
FIRST_YEAR = 2000


# --- periods and nodes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str  # "Y" or "Q"
    year: int
    quarter: int = 0

    @property
    def key(self) -> int:
        return self.year * 10 + self.quarter if self.kind == PeriodKind.QUARTER else self.year

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.QUARTER:
            return _("%(year)s年第%(quarter)s季度") % {"year": self.year, "quarter": self.quarter}
        return _("%(year)s年") % {"year": self.year}

    def previous_year(self) -> Period:
        return Period(self.kind, self.year - 1, self.quarter)

    def previous(self) -> Period:
        if self.kind == PeriodKind.QUARTER:
            return (
                Period(self.kind, self.year - 1, 4)
                if self.quarter == 1
                else Period(self.kind, self.year, self.quarter - 1)
            )
        return self.previous_year()


def parse_period(year: Any, quarter: Any = None) -> Period:
    """The period of the query parameters (this year when absent); DomainError for nonsense."""
    this_year = timezone.localdate().year
    try:
        year_value = int(year) if year not in (None, "") else this_year
        quarter_value = int(quarter) if quarter not in (None, "", "0") else 0
    except (TypeError, ValueError) as error:
        raise DomainError(
            "bad_period", _("年份或季度不正确。"), fields={"year": [_("年份或季度不正确。")]}
        ) from error
    if not FIRST_YEAR <= year_value <= this_year + 1 or not 0 <= quarter_value <= 4:
        raise DomainError("bad_period", _("年份或季度不正确。"), fields={"year": [_("年份或季度不正确。")]})
    if quarter_value:
        return Period(PeriodKind.QUARTER, year_value, quarter_value)
    return Period(PeriodKind.YEAR, year_value)


def parse_choice(value: Any, choices: Any, default: str, name: str) -> str:
    """A query parameter that must be one of ``choices`` (``default`` when absent)."""
    if value in (None, ""):
        return default
    if value not in choices.values:
        raise DomainError(
            "bad_parameter", _("参数“%(name)s”不正确。") % {"name": name}, fields={name: [_("不正确。")]}
        )
    return str(value)


@dataclass(frozen=True)
class Node:
    """A node of the drill-down tree: the nation (code ""), a region, or an organisation within a region."""

    level: str  # "nation", "province", "city", "county", "org"
    code: str
    parent: str
    name: str
    chain: tuple[str, ...] = ()  # region codes from the node's region up to the province
    parents: tuple[tuple[str, str], ...] = ()  # (code, name) of the regions above, top first

    @property
    def is_nation(self) -> bool:
        return self.level == "nation"


NATION = "nation"


def node_for(region_code: Any = "", org: Any = None) -> Node:
    """The node of the query parameters ``region`` (a region code, "" for the nation) and ``org``."""
    code = str(region_code or "")
    if not code and org in (None, ""):
        return Node(NATION, "", "", _("全国"))
    region = (
        Region.objects.select_related("parent__parent").filter(code=code).first() if code.isdigit() else None
    )
    if region is None:
        raise NotFound(_("没有这个地区。"))
    chain = region.chain()
    chain_codes = tuple(item.code for item in chain)
    parents = tuple((item.code, item.name) for item in reversed(chain))
    if org not in (None, ""):
        try:
            org_id = int(org)
        except (TypeError, ValueError) as error:
            raise NotFound(_("没有这个单位。")) from error
        organisation = account_selectors.organisations_by_id([org_id]).first()
        if organisation is None:
            raise NotFound(_("没有这个单位。"))
        return Node("org", str(org_id), region.code, organisation.name, chain_codes, parents)
    parent = region.parent.code if region.parent is not None else ""
    return Node(region.level, region.code, parent, region.name, chain_codes, parents[:-1])


# --- figures and suppression -------------------------------------------------------------------------


def _yuan(row: dict[str, Any], name: str) -> Decimal:
    return Decimal(int(row.get(name) or 0)) / 100


@dataclass
class Figures:
    contracts: int = 0
    amount: Decimal = Decimal(0)
    certified: Decimal = Decimal(0)
    receipts: Decimal = Decimal(0)
    known: bool = False
    suppressed: bool = False
    # For the dominance rule: contracts paid in the period, and the largest single contract's figures.
    paid_contracts: int = 0
    largest: dict[str, Decimal] = field(default_factory=dict)
    # Figures (of ``AMOUNTS``) hidden while the count is shown.
    hidden: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, row: dict[str, Any] | None, *, known: bool = False) -> Figures:
        if not row:
            return cls(known=known)
        return cls(
            contracts=int(row.get("contracts") or 0),
            amount=_yuan(row, "amount_fen"),
            certified=_yuan(row, "certified_fen"),
            receipts=_yuan(row, "receipts_fen"),
            known=known,
            paid_contracts=int(row.get("receipt_contracts") or 0),
            largest={
                "amount": _yuan(row, "largest_amount_fen"),
                "certified": _yuan(row, "largest_certified_fen"),
                "receipts": _yuan(row, "largest_receipts_fen"),
            },
        )

    @property
    def empty(self) -> bool:
        return not (self.contracts or self.amount or self.certified or self.receipts)

    def shows(self, name: str) -> bool:
        """Whether the figure ``name`` (one of ``AMOUNTS``) is shown."""
        return not self.suppressed and name not in self.hidden

    @property
    def amount_shown(self) -> Decimal | None:
        return self.amount if self.shows("amount") else None

    @property
    def certified_shown(self) -> Decimal | None:
        return self.certified if self.shows("certified") else None

    @property
    def receipts_shown(self) -> Decimal | None:
        return self.receipts if self.shows("receipts") else None

    def public(self) -> dict[str, Any]:
        """The figures as shown: a suppressed cell has "<3" and no amounts; a hidden figure is null."""
        return {
            "contracts": None if self.suppressed else self.contracts,
            "contracts_display": f"<{policies.MIN_CONTRACTS}" if self.suppressed else str(self.contracts),
            "amount": self.amount_shown,
            "certified": self.certified_shown,
            "receipts": self.receipts_shown,
            "suppressed": self.suppressed,
            "hidden": list(AMOUNTS) if self.suppressed else sorted(self.hidden),
        }


def _dominated(total: Decimal, largest: Decimal) -> bool:
    return total > 0 and largest > total * policies.DOMINANCE_SHARE


def _primary(item: Figures) -> Figures:
    """The cell's own rules: one or two contracts hide it whole; a dominated figure hides that figure. A
    cell with receipts but no contract registered in the period (older contracts paid now) shows its
    zero count, its receipts judged by the receipts rule alone."""
    item.suppressed = not item.known and 0 < item.contracts < policies.MIN_CONTRACTS
    item.hidden = set()
    if item.known or item.suppressed:
        return item
    for name in ("amount", "certified"):
        if _dominated(getattr(item, name), item.largest.get(name, Decimal(0))):
            item.hidden.add(name)
    if item.receipts and (
        item.paid_contracts < policies.MIN_CONTRACTS
        or _dominated(item.receipts, item.largest.get("receipts", Decimal(0)))
    ):
        item.hidden.add("receipts")
    return item


def suppress(items: list[Figures]) -> set[str]:
    """Apply the rules to siblings (primary, dominance, complementary); returns what the parent must hide
    because no sibling could hide it in its place ("contracts": the whole parent; else figures' names)."""
    for item in items:
        _primary(item)
    parent_hides: set[str] = set()
    if len([item for item in items if item.suppressed]) == 1:
        candidates = [item for item in items if not item.known and not item.suppressed and not item.empty]
        if candidates:
            min(candidates, key=lambda item: (item.contracts, item.amount)).suppressed = True
        else:
            parent_hides.add("contracts")
    for name in AMOUNTS:
        if len([item for item in items if not item.shows(name)]) != 1:
            continue
        candidates = [item for item in items if not item.known and item.shows(name) and getattr(item, name)]
        if candidates:
            min(candidates, key=lambda item: getattr(item, name)).hidden.add(name)
        else:
            parent_hides.add(name)
    return parent_hides


def _hide_in_parent(parent: Figures, hides: set[str]) -> None:
    """What the children's suppression asks of their parent (nothing when the caller knows the parent)."""
    if parent.known:
        return
    if "contracts" in hides:
        parent.suppressed = True
    parent.hidden |= hides - {"contracts"}


def _cells(**filters: Any) -> list[dict[str, Any]]:
    return list(
        StatCell.objects.filter(**filters).values("level", "code", "parent", "value", "period", *MEASURES)
    )


def _sum(rows: list[dict[str, Any]]) -> dict[str, int]:
    summed = {name: sum(int(row[name]) for row in rows) for name in cells.SUMMED_MEASURES}
    return summed | {
        name: max((int(row[name]) for row in rows), default=0) for name in cells.LARGEST_MEASURES
    }


def node_figures(principal: Principal, node: Node, period: Period, side: str) -> Figures:
    """The node's own totals in a period and side (one indexed row; the provinces summed for the nation)."""
    known = policies.knows_node(principal, node.level, node.code, node.chain)
    base = {"period_kind": period.kind, "period": period.key, "side": side, "dimension": Dimension.TOTAL}
    if node.is_nation:
        return Figures.of(_sum(_cells(**base, parent="", level=Level.PROVINCE)))
    rows = _cells(**base, parent=node.parent, level=node.level, code=node.code, value="")
    return Figures.of(rows[0] if rows else None, known=known)


# --- drill-down ---------------------------------------------------------------------------------------


@dataclass
class Child:
    level: str
    code: str
    name: str
    output: Figures
    absorption: Figures
    achievements_registered: int | None = None
    achievements_transferred: int | None = None
    demands_answered: int | None = None

    @property
    def region_code(self) -> str:
        return self.code if self.level != Level.ORGANISATION else ""


@dataclass
class Drill:
    node: Node
    period: Period
    output: Figures
    absorption: Figures
    children: list[Child] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def drilldown(principal: Principal, node: Node, period: Period) -> Drill:
    """The node's totals and its children (next-level regions and organisations directly in it), both
    sides, suppressed for the caller. Organisations are children of the region they are in."""
    if node.level == Level.ORGANISATION:
        output = _primary(node_figures(principal, node, period, Side.OUTPUT))
        absorption = _primary(node_figures(principal, node, period, Side.ABSORPTION))
        return Drill(node, period, output, absorption)
    base = {
        "period_kind": period.kind,
        "period": period.key,
        "dimension": Dimension.TOTAL,
        "parent": node.code,
    }
    by_side = {side: _cells(**base, side=side) for side in (Side.OUTPUT, Side.ABSORPTION)}
    keys: dict[tuple[str, str], dict[str, Figures]] = {}
    chain_of_child = node.chain
    for side, rows in by_side.items():
        for row in rows:
            child_chain = (
                (row["code"], *chain_of_child) if row["level"] != Level.ORGANISATION else chain_of_child
            )
            known = policies.knows_node(principal, row["level"], row["code"], child_chain)
            keys.setdefault((row["level"], row["code"]), {})[side] = Figures.of(row, known=known)
    region_codes = [code for level, code in keys if level != Level.ORGANISATION]
    org_ids = [int(code) for level, code in keys if level == Level.ORGANISATION]
    names = dict(Region.objects.filter(code__in=region_codes).values_list("code", "name"))
    names.update(
        {
            str(pk): name
            for pk, name in account_selectors.organisations_by_id(org_ids).values_list("id", "name")
        }
    )
    children = []
    for (level, code), sides in keys.items():
        child_chain = (code, *chain_of_child) if level != Level.ORGANISATION else chain_of_child
        known = policies.knows_node(principal, level, code, child_chain)
        children.append(
            Child(
                level,
                code,
                names.get(code, code),
                sides.get(Side.OUTPUT, Figures(known=known)),
                sides.get(Side.ABSORPTION, Figures(known=known)),
            )
        )
    output = node_figures(principal, node, period, Side.OUTPUT)
    absorption = node_figures(principal, node, period, Side.ABSORPTION)
    _primary(output)
    _primary(absorption)
    _hide_in_parent(output, suppress([child.output for child in children]))
    _hide_in_parent(absorption, suppress([child.absorption for child in children]))
    children.sort(key=lambda child: (child.level == Level.ORGANISATION, -child.output.contracts, child.code))
    drill = Drill(node, period, output, absorption, children)
    _add_counts(drill)
    return drill


COUNT_READERS = {
    "achievements_registered": achievement_selectors.registered_counts_by_region,
    "achievements_transferred": deal_selectors.transferred_counts_by_region,
    "demands_answered": docking_selectors.answered_counts_by_region,
}


def region_counts(metric: str, year: int, group_field: str, filters: dict[str, str]) -> dict[str, int]:
    """Achievements and demands counted per region and year, computed on read (aggregated) and cached."""
    key = f"statistics:{metric}:{year}:{group_field}:" + ",".join(
        f"{k}={v}" for k, v in sorted(filters.items())
    )
    value = cache.get(key)
    if value is None:
        value = COUNT_READERS[metric](year, group_field, filters)
        cache.set(key, value, COUNTS_CACHE_SECONDS)
    return dict(value)


def _add_counts(drill: Drill) -> None:
    """Achievements registered and transferred, demands answered: per child region and for the node
    (calendar years; a quarter shows its year's counts)."""
    node = drill.node
    year = drill.period.year
    child_field = CHILD_FIELD.get("" if node.is_nation else node.level)
    all_counts: dict[str, dict[str, int]] = {}
    for metric in COUNT_READERS:
        if node.is_nation:
            per_child = region_counts(metric, year, "province_code", {})
            drill.counts[metric] = sum(per_child.values())
        else:
            own_field = LEVEL_FIELD[node.level]
            drill.counts[metric] = sum(
                region_counts(metric, year, own_field, {own_field: node.code}).values()
            )
            per_child = (
                region_counts(metric, year, child_field, {own_field: node.code}) if child_field else {}
            )
        all_counts[metric] = per_child
    # Regions with achievements or demands but no contracts in the period are children too.
    shown = {child.code for child in drill.children if child.level != Level.ORGANISATION}
    missing = {code for per_child in all_counts.values() for code in per_child} - shown
    if missing and child_field:
        level = {"province_code": Level.PROVINCE, "city_code": Level.CITY, "county_code": Level.COUNTY}[
            child_field
        ]
        for code, name in Region.objects.filter(code__in=missing).values_list("code", "name"):
            drill.children.append(Child(level, code, name, Figures(), Figures()))
    for child in drill.children:
        if child.level != Level.ORGANISATION:
            for metric, per_child in all_counts.items():
                setattr(child, metric, per_child.get(child.code, 0))


# --- breakdowns and series ----------------------------------------------------------------------------


def value_label(dimension: str, value: str) -> str:
    """The label of a breakdown value in the user's language (the code when unknown)."""
    if dimension == Dimension.CONTRACT_TYPE:
        try:
            return str(ContractType(value).label)
        except ValueError:
            return value
    lists: dict[str, str] = {
        Dimension.TECHNOLOGY_FIELD: "technology_fields",
        Dimension.IP_TYPE: "ip_types",
        Dimension.SELLER_ENTITY_TYPE: "entity_types",
        Dimension.BUYER_ENTITY_TYPE: "entity_types",
    }
    return codes.label(lists[dimension], value) if dimension in lists else value


@dataclass
class BreakdownRow:
    value: str
    label: str
    figures: Figures


def organisation_breakdown_rows(
    node: Node, period: Period, side: str, dimension: str
) -> list[dict[str, Any]]:
    """An organisation's figures per breakdown value, read from its own registered contracts and their
    confirmed receipts (``cells.ORGANISATION_DIMENSIONS``): the same counting as the cells — a contract in
    its registration period, a receipt in its own, parties abroad not counted."""
    province_field, _city, _county, organisation_field = cells.SIDE_FIELDS[side]
    field = cells.DIMENSION_FIELDS[dimension]
    where: dict[str, Any] = {organisation_field: int(node.code), f"{province_field}__gt": ""}
    registered = {**where, "registered_at__year": period.year}
    received = {
        **{f"contract__{name}": value for name, value in where.items()},
        "received_on__year": period.year,
    }
    if period.kind == PeriodKind.QUARTER:
        registered["registered_at__quarter"] = period.quarter
        received["received_on__quarter"] = period.quarter
    rows: dict[str, list[int]] = {}

    def add(value: Any, measures: cells.Measures) -> None:
        key = str(value or "")
        current = rows.setdefault(key, [0] * len(MEASURES))
        summed = len(cells.SUMMED_MEASURES)
        for index, amount in enumerate(measures):
            current[index] = current[index] + amount if index < summed else max(current[index], amount)

    for item in contract_selectors.registered_aggregates([field], quarters=False, where=registered):
        add(
            item[field],
            cells.registration_measures(
                int(item["contracts"]),
                fen(item["amount"]),
                fen(item["certified"]),
                fen(item["largest_amount"]),
                fen(item["largest_certified"]),
            ),
        )
    for item in contract_selectors.confirmed_receipts_by_contract([field], quarters=False, where=received):
        receipts = fen(item["receipts"])
        add(item[field], cells.receipt_measures(receipts, 1, receipts))
    return [
        {"value": value, **dict(zip(MEASURES, measures, strict=True))} for value, measures in rows.items()
    ]


def breakdown(
    principal: Principal, node: Node, period: Period, side: str, dimension: str
) -> tuple[list[BreakdownRow], set[str]]:
    """The node's figures per value of one breakdown (suppressed); and what of the node's own figures must
    be hidden so that the breakdown cannot be subtracted from them (see ``suppress``)."""
    known = not node.is_nation and policies.knows_node(principal, node.level, node.code, node.chain)
    base = {"period_kind": period.kind, "period": period.key, "side": side, "dimension": dimension}
    if node.is_nation:
        rows = list(
            StatCell.objects.filter(**base, parent="", level=Level.PROVINCE)
            .values("value")
            .annotate(**AGGREGATES)
            .order_by()
        )
    elif node.level == Level.ORGANISATION:
        rows = organisation_breakdown_rows(node, period, side, dimension)
    else:
        rows = _cells(**base, parent=node.parent, level=node.level, code=node.code)
    result = [
        BreakdownRow(row["value"], value_label(dimension, row["value"]), Figures.of(row, known=known))
        for row in rows
    ]
    hide_total = suppress([row.figures for row in result])
    result.sort(key=lambda row: (-row.figures.contracts, row.value))
    return result, hide_total


def series(
    principal: Principal, node: Node, side: str, kind: str, first: int, last: int
) -> list[tuple[int, Figures]]:
    """The node's totals per period from ``first`` to ``last`` (period keys), each suppressed alone."""
    known = not node.is_nation and policies.knows_node(principal, node.level, node.code, node.chain)
    filters: dict[str, Any] = {
        "side": side,
        "dimension": Dimension.TOTAL,
        "period_kind": kind,
        "period__gte": first,
        "period__lte": last,
    }
    if node.is_nation:
        filters.update(level=Level.PROVINCE, parent="")
    else:
        filters.update(level=node.level, code=node.code)
    rows = StatCell.objects.filter(**filters).values("period").annotate(**AGGREGATES).order_by("period")
    return [(row["period"], _primary(Figures.of(row, known=known))) for row in rows]


def comparison(principal: Principal, node: Node, period: Period, side: str) -> list[dict[str, Any]]:
    """This period against the same period a year earlier and (for a quarter) the previous quarter."""
    periods = [("current", period), ("previous_year", period.previous_year())]
    if period.kind == PeriodKind.QUARTER:
        periods.append(("previous_quarter", period.previous()))
    result = []
    for name, item in periods:
        result.append(
            {
                "name": name,
                "period": item,
                "figures": _primary(node_figures(principal, node, item, side)),
            }
        )
    return result


def yearly_series(
    principal: Principal, node: Node, side: str, last_year: int, years: int = 5
) -> list[tuple[int, Figures]]:
    """The last ``years`` years of a node's totals."""
    return series(principal, node, side, PeriodKind.YEAR, last_year - years + 1, last_year)


def quarterly_series(principal: Principal, node: Node, side: str, year: int) -> list[tuple[int, Figures]]:
    """The quarters of ``year`` and of the year before."""
    return series(principal, node, side, PeriodKind.QUARTER, (year - 1) * 10 + 1, year * 10 + 4)


# --- KPI ----------------------------------------------------------------------------------------------


def level_of_code(code: str) -> str:
    """A GB/T 2260 code's level from its shape (the region need not be in the table)."""
    if code.endswith("0000"):
        return Level.PROVINCE
    if code.endswith("00"):
        return Level.CITY
    return Level.COUNTY


FIGURE_OF_COLUMN = {"amount_fen": "amount", "certified_fen": "certified", "receipts_fen": "receipts"}
CONTRACT_METRICS = {
    "registered_contracts": "contracts",
    "contract_amount": "amount_fen",
    "certified_amount": "certified_fen",
    "receipts": "receipts_fen",
}


def metric_yearly(principal: Principal, target: Target, last_year: int) -> list[tuple[int, Decimal]]:
    """The target metric's yearly values for the target's region, from its start year (output side for
    contracts: the contracts registered by sellers of the region, as 技术合同成交额 is counted)."""
    code = target.region_code
    level = level_of_code(code)
    first = target.start_year
    if target.metric in CONTRACT_METRICS:
        chain = _chain_codes(code)
        known = policies.knows_node(principal, level, code, chain)
        rows = (
            StatCell.objects.filter(
                level=level,
                code=code,
                side=Side.OUTPUT,
                dimension=Dimension.TOTAL,
                period_kind=PeriodKind.YEAR,
                period__gte=first,
                period__lte=last_year,
            )
            .values("period")
            .annotate(**AGGREGATES)
            .order_by("period")
        )
        result = []
        for row in rows:
            figures = _primary(Figures.of(row, known=known))
            column = CONTRACT_METRICS[target.metric]
            if figures.suppressed or not figures.shows(FIGURE_OF_COLUMN.get(column, "")):
                continue
            value = Decimal(int(row[column])) if column == "contracts" else Decimal(int(row[column])) / 100
            result.append((row["period"], value))
        return result
    if target.metric in COUNT_READERS:
        field_name = LEVEL_FIELD[level]
        return [
            (year, Decimal(sum(region_counts(target.metric, year, field_name, {field_name: code}).values())))
            for year in range(first, last_year + 1)
        ]
    if target.metric == "median_response_hours":
        field_name = LEVEL_FIELD[level]
        medians = [
            (year, docking_selectors.median_response_hours(year, {field_name: code}))
            for year in range(first, last_year + 1)
        ]
        return [(year, value) for year, value in medians if value is not None]
    return []


def _chain_codes(code: str) -> tuple[str, ...]:
    region = Region.objects.select_related("parent__parent").filter(code=code).first()
    if region is None:
        return (code, f"{code[:2]}0000") if code[2:] != "0000" else (code,)
    return tuple(item.code for item in region.chain())


def manual_yearly(target: Target) -> list[tuple[int, Decimal]]:
    """The latest entered value per year (the entries' running totals or yearly values)."""
    latest: dict[int, Decimal] = {}
    for entry in sorted(target.manual_actuals.all(), key=lambda item: (item.entered_at, item.pk)):
        latest[entry.year] = entry.value
    return sorted(latest.items())


@dataclass
class TargetProgress:
    target: Target
    progress: kpi.Progress
    yearly: list[tuple[int, Decimal]]
    history: list[ManualActual]

    @property
    def percent(self) -> int:
        return min(int((self.progress.share or 0) * 100), 100)


def target_sets(principal: Principal) -> list[tuple[TargetSet, list[TargetProgress]]]:
    """Every target set with each target's actual, progress and forecast (prefetched: a few queries)."""
    today = timezone.localdate()
    result = []
    for target_set in TargetSet.objects.prefetch_related("targets__manual_actuals__entered_by"):
        items = []
        for target in target_set.targets.all():
            items.append(target_progress(principal, target, today))
        result.append((target_set, items))
    return result


def target_progress(
    principal: Principal, target: Target, today: datetime.date | None = None
) -> TargetProgress:
    """The progress and forecast of one target for the caller."""
    today = today or timezone.localdate()
    last_year = min(target.deadline.year, today.year)
    if target.is_manual:
        yearly = manual_yearly(target)
        already = True
    else:
        yearly = metric_yearly(principal, target, last_year)
        already = False
    result = kpi.progress(
        yearly,
        target=target.value_min,
        deadline_year=target.deadline.year,
        basis=target.basis,
        at_most=target.at_most,
        already_cumulative=already,
    )
    history = list(target.manual_actuals.all()) if target.is_manual else []
    return TargetProgress(target, result, yearly, history)


def target_get(pk: Any) -> Target:
    """A target by id (404 otherwise)."""
    try:
        return Target.objects.select_related("target_set").get(pk=int(pk))
    except (Target.DoesNotExist, TypeError, ValueError) as error:
        raise NotFound(_("没有这个指标。")) from error


def target_sets_for_region(code: str) -> list[TargetSet]:
    """Target sets of a region, of the regions above it, or of the regions within it (for the report)."""
    chain = set(_chain_codes(code))
    return [
        item
        for item in TargetSet.objects.all()
        if item.region_code in chain or _within(item.region_code, code)
    ]


def _within(candidate: str, code: str) -> bool:
    level = level_of_code(code)
    if level == Level.PROVINCE:
        return candidate[:2] == code[:2]
    if level == Level.CITY:
        return candidate[:4] == code[:4]
    return candidate == code


# --- the dashboard as one read (pages, API, export and report share it) -------------------------------


@dataclass
class Dashboard:
    drill: Drill
    side: str
    breakdowns: dict[str, tuple[list[BreakdownRow], set[str]]]
    comparison: list[dict[str, Any]]
    yearly: list[tuple[int, Figures]]
    quarterly: list[tuple[int, Figures]]


BREAKDOWNS = (
    Dimension.CONTRACT_TYPE,
    Dimension.TECHNOLOGY_FIELD,
    Dimension.IP_TYPE,
    Dimension.SELLER_ENTITY_TYPE,
    Dimension.BUYER_ENTITY_TYPE,
)


def dashboard(principal: Principal, node: Node, period: Period, side: str) -> Dashboard:
    """Everything the dashboard shows for a node, period and side, suppressed for the caller."""
    drill = drilldown(principal, node, period)
    breakdowns: dict[str, tuple[list[BreakdownRow], set[str]]] = {
        dimension: breakdown(principal, node, period, side, dimension) for dimension in BREAKDOWNS
    }
    for _rows, hides in breakdowns.values():
        _hide_in_parent(drill.output if side == Side.OUTPUT else drill.absorption, hides)
    return Dashboard(
        drill=drill,
        side=side,
        breakdowns=breakdowns,
        comparison=comparison(principal, node, period, side),
        yearly=yearly_series(principal, node, side, period.year),
        quarterly=quarterly_series(principal, node, side, period.year),
    )


def period_label(kind: str, key: int) -> str:
    """ "2026年" or "2026年第2季度"."""
    if kind == PeriodKind.QUARTER:
        return Period(kind, key // 10, key % 10).label
    return Period(kind, key).label
