"""Excel workbooks of a subsidy list: the public list (公示 columns only) and the bureau's (with a summary
of each award's trail: contract count, base, threshold, rate, cap, scaling — no contract ids)."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter
from django.http import HttpResponse
from django.utils.translation import gettext as _

from techmarket.core.spreadsheets import CellWriter
from techmarket.subsidies import selectors
from techmarket.subsidies.models import SubsidyRun

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _number(value: Any) -> Any:
    """Amounts as numbers (Excel sums them); blanks stay blank."""
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def _workbook(title: str, header: list[str], rows: list[list[Any]], summary: list[list[Any]]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    cells = CellWriter(workbook)
    sheet = workbook.add_worksheet(_("奖补名单"))
    bold = cells.add_format({"bold": True})
    head = cells.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
    money = cells.add_format({"num_format": "#,##0.00"})
    cells.write(sheet, 0, 0, title, bold)
    row = 1
    for line in summary:
        cells.write_row(sheet, row, 0, line)
        row += 1
    row += 1
    cells.write_row(sheet, row, 0, header, head)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 36)
    sheet.set_column(2, len(header) - 1, 16)
    for values in rows:
        row += 1
        for col, value in enumerate(values):
            cells.write(sheet, row, col, value, money if isinstance(value, float) else None)
    workbook.close()
    return buffer.getvalue()


def public_xlsx(run: SubsidyRun) -> bytes:
    """The published list: organisation, region, rule, final award."""
    rows = selectors.public_award_rows(run)
    header = [_("序号"), _("单位名称"), _("所在地区"), _("奖补项目"), _("奖补金额（元）")]
    body = [
        [
            index,
            row["org_name"],
            row["region_name"],
            row["rule_title"] or row["rule"],
            _number(row["final_award"]),
        ]
        for index, row in enumerate(rows, start=1)
    ]
    summary: list[list[Any]] = [
        [_("年度"), run.year],
        [_("公示时间"), run.published_at.strftime("%Y-%m-%d") if run.published_at else ""],
        [_("奖补合计（元）"), _number(run.total)],
    ]
    return _workbook(f"{run.title} {run.year} {_('奖补公示')}", header, body, summary)


def bureau_xlsx(run: SubsidyRun) -> bytes:
    """The bureau's workbook: every figure of each award and a summary of its trail."""
    awards = list(selectors.awards_of(run))
    names = selectors.region_names({award.org_region for award in awards})
    header = [
        _("序号"),
        _("单位名称"),
        _("单位标识"),
        _("所在地区"),
        _("奖补规则"),
        _("计入合同数"),
        _("计算基数（元）"),
        _("门槛（元）"),
        _("比例"),
        _("计算金额（元）"),
        _("封顶（元）"),
        _("封顶后金额（元）"),
        _("调整系数"),
        _("奖补金额（元）"),
        _("拨付金额（元）"),
    ]
    body = []
    for index, award in enumerate(awards, start=1):
        trail = selectors.trail_summary(award)
        body.append(
            [
                index,
                award.org_name,
                award.org_id,
                names.get(award.org_region, award.org_region),
                award.rule_title or award.rule,
                trail["contracts"],
                _number(award.base),
                _number(trail["threshold"]),
                str(award.rate) if award.rate is not None else "",
                _number(award.raw_award),
                _number(trail["cap"]),
                _number(award.capped_award),
                str(trail["factor"]),
                _number(award.final_award),
                _number(award.paid_amount),
            ]
        )
    summary: list[list[Any]] = [
        [_("年度"), run.year],
        [_("状态"), str(run.get_state_display())],
        [_("测算轮次"), run.round],
        [_("年度科技经费预算（元）"), _number(run.budget)],
        [_("奖补资金池（元）"), _number(run.pool)],
        [_("调整前合计（元）"), _number(run.total_before_scaling)],
        [_("调整系数"), str(run.scaling_factor)],
        [_("奖补合计（元）"), _number(run.total)],
    ]
    return _workbook(f"{run.title} {run.year}", header, body, summary)


def response(content: bytes, filename: str) -> HttpResponse:
    answer = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    answer["Content-Disposition"] = f'attachment; filename="{filename}"'
    return answer
