"""The annual report of a region (PDF, weasyprint, Noto CJK fonts): the public aggregates with small
cells suppressed — as anyone would see them on the dashboard — the charts drawn as SVG in Python, and
the KPI progress of the target sets of the region, the regions above it and those within it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import weasyprint
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts.policies import ANONYMOUS
from techmarket.statistics import selectors, svgcharts
from techmarket.statistics.models import Dimension, Level, Side

TEN_THOUSAND = Decimal(10000)


def _wan(value: Decimal | None) -> float | None:
    return None if value is None else float(value / TEN_THOUSAND)


def context(region_code: str, year: int) -> dict[str, Any]:
    principal = ANONYMOUS
    node = selectors.node_for(region_code)
    period = selectors.Period("Y", year)
    output = selectors.dashboard(principal, node, period, Side.OUTPUT)
    absorption_breakdowns = {
        dimension: selectors.breakdown(principal, node, period, Side.ABSORPTION, dimension)
        for dimension in selectors.BREAKDOWNS
    }
    children = [child for child in output.drill.children if child.level != Level.ORGANISATION]
    yearly_in = selectors.yearly_series(principal, node, Side.ABSORPTION, year)
    years = sorted({key for key, _f in output.yearly} | {key for key, _f in yearly_in})
    out_by_year = {key: figures.public()["amount"] for key, figures in output.yearly}
    in_by_year = {key: figures.public()["amount"] for key, figures in yearly_in}
    quarters = [key for key, _f in output.quarterly if key // 10 == year]
    q_values = {key: figures.public() for key, figures in output.quarterly}
    charts = {
        "children": svgcharts.bar_chart(
            [child.name for child in children[:12]],
            [
                (_("输出（万元）"), [_wan(child.output.public()["amount"]) for child in children[:12]]),
                (_("吸纳（万元）"), [_wan(child.absorption.public()["amount"]) for child in children[:12]]),
            ],
        )
        if children
        else "",
        "yearly": svgcharts.line_chart(
            [str(key) for key in years],
            [
                (_("输出（万元）"), [_wan(out_by_year.get(key)) for key in years]),
                (_("吸纳（万元）"), [_wan(in_by_year.get(key)) for key in years]),
            ],
        )
        if years
        else "",
        "quarterly": svgcharts.bar_chart(
            [f"Q{key % 10}" for key in quarters],
            [
                (_("成交额（万元）"), [_wan(q_values[key]["amount"]) for key in quarters]),
                (_("到账额（万元）"), [_wan(q_values[key]["receipts"]) for key in quarters]),
            ],
        )
        if quarters
        else "",
        "contract_type": "",
    }
    type_rows, _hidden = output.breakdowns[Dimension.CONTRACT_TYPE]
    if type_rows:
        charts["contract_type"] = svgcharts.bar_chart(
            [row.label for row in type_rows],
            [(_("成交额（万元）"), [_wan(row.figures.public()["amount"]) for row in type_rows])],
        )
    sets = [
        (target_set, [selectors.target_progress(principal, target) for target in target_set.targets.all()])
        for target_set in selectors.target_sets_for_region(node.code)
    ]
    return {
        "node": node,
        "year": year,
        "board": output,
        "absorption_breakdowns": absorption_breakdowns,
        "children": children,
        "dimension_labels": dict(Dimension.choices),
        "charts": charts,
        "sets": sets,
        "generated_at": timezone.localtime(),
        "min_contracts": 3,
    }


def render_pdf(region_code: str, year: int) -> bytes:
    html = render_to_string("statistics/annual_report.html", context(region_code, year))
    return bytes(weasyprint.HTML(string=html).write_pdf())
