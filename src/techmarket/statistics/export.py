"""The dashboard as an Excel workbook: exactly what the page shows (suppressed cells as “<3”)."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from techmarket.core.spreadsheets import CellWriter
from techmarket.statistics import selectors
from techmarket.statistics.models import Dimension, Level, Side


def filename(board: selectors.Dashboard) -> str:
    node = board.drill.node
    code = node.code or "CN"
    prefix = "org" if node.level == Level.ORGANISATION else "region"
    return f"statistics-{prefix}-{code}-{board.drill.period.kind}{board.drill.period.key}.xlsx"


def figure_cells(figures: selectors.Figures) -> list[Any]:
    shown = figures.public()
    if shown["suppressed"]:
        return [shown["contracts_display"], "", "", ""]
    return [shown["contracts"]] + [
        "—" if shown[name] is None else float(shown[name]) for name in ("amount", "certified", "receipts")
    ]


def workbook(board: selectors.Dashboard) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    cells = CellWriter(book)
    bold = cells.add_format({"bold": True})
    drill = board.drill
    measures = [_("合同数"), _("成交额（元）"), _("核定技术交易额（元）"), _("到账额（元）")]

    sheet = book.add_worksheet(_("地区与单位"))
    cells.write_row(sheet, 0, 0, [_("统计监测"), drill.node.name, drill.period.label], bold)
    cells.write_row(
        sheet,
        2,
        0,
        [_("级别"), _("代码"), _("名称")]
        + [f"{_('输出')} {m}" for m in measures]
        + [f"{_('吸纳')} {m}" for m in measures]
        + [_("登记成果"), _("转化成果"), _("已响应需求")],
        bold,
    )
    row = 3
    cells.write_row(
        sheet,
        row,
        0,
        [_("合计"), drill.node.code, drill.node.name]
        + figure_cells(drill.output)
        + figure_cells(drill.absorption)
        + [drill.counts.get(name) for name in selectors.COUNT_READERS],
    )
    for child in drill.children:
        row += 1
        level = dict(Level.choices).get(child.level, child.level)
        code = child.code if child.level != Level.ORGANISATION else ""
        cells.write_row(
            sheet,
            row,
            0,
            [
                str(level),
                code,
                child.name,
                *figure_cells(child.output),
                *figure_cells(child.absorption),
                child.achievements_registered,
                child.achievements_transferred,
                child.demands_answered,
            ],
        )
    side_label = str(dict(Side.choices)[board.side])
    for dimension, (rows, _hide_total) in board.breakdowns.items():
        sheet = book.add_worksheet(str(dict(Dimension.choices)[dimension])[:31])
        cells.write_row(
            sheet, 0, 0, [str(dict(Dimension.choices)[dimension]), side_label, drill.period.label], bold
        )
        cells.write_row(sheet, 2, 0, [_("代码"), _("名称"), *measures], bold)
        for index, item in enumerate(rows, start=3):
            cells.write_row(sheet, index, 0, [item.value, item.label, *figure_cells(item.figures)])
    sheet = book.add_worksheet(_("同比与趋势"))
    cells.write_row(sheet, 0, 0, [_("期间"), *measures], bold)
    line = 1
    for entry in board.comparison:
        cells.write_row(sheet, line, 0, [entry["period"].label, *figure_cells(entry["figures"])])
        line += 1
    line += 1
    for kind, values in (("Y", board.yearly), ("Q", board.quarterly)):
        for period, figures in values:
            cells.write_row(sheet, line, 0, [selectors.period_label(kind, period), *figure_cells(figures)])
            line += 1
    book.close()
    return buffer.getvalue()
