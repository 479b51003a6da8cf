"""The 技术性收入核定表 as an Excel workbook (every cell through ``core.spreadsheets.CellWriter``).

Sheet 1: the organisation's confirmed technology income per year, split by contract type. Sheet 2: the
chosen year's contracts with their certified and received amounts. Amounts are numbers in yuan.
"""

from __future__ import annotations

import io

import xlsxwriter
from django.utils.translation import gettext as _

from techmarket.contracts.receipt_selectors import OrganisationIncome
from techmarket.core.spreadsheets import CellWriter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filename(report: OrganisationIncome) -> str:
    year = f"-{report.year}" if report.year else ""
    return f"technology-income-{report.organisation_id}{year}.xlsx"


def write_xlsx(report: OrganisationIncome, target: io.BytesIO) -> None:
    workbook = xlsxwriter.Workbook(target, {"in_memory": True})
    cells = CellWriter(workbook)
    bold = cells.add_format({"bold": True})
    header = cells.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
    money = cells.add_format({"num_format": "#,##0.00"})

    sheet = workbook.add_worksheet(_("技术性收入核定表")[:31])
    cells.write(sheet, 0, 0, _("技术性收入核定表"), bold)
    cells.write(sheet, 1, 0, _("单位"))
    cells.write(sheet, 1, 1, report.organisation_name)
    titles = [_("年度"), *[label for _value, label in report.types], _("合计（元）"), _("到账笔数")]
    cells.write_row(sheet, 3, 0, titles, header)
    for index, year in enumerate(report.years, start=4):
        cells.write(sheet, index, 0, year.year)
        for col, (value, _label) in enumerate(report.types, start=1):
            cells.write(sheet, index, col, float(year.by_type.get(value, 0)), money)
        cells.write(sheet, index, len(report.types) + 1, float(year.total), money)
        cells.write(sheet, index, len(report.types) + 2, year.receipts)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, len(titles), 16)

    detail = workbook.add_worksheet(_("合同明细")[:31])
    cells.write(detail, 0, 0, _("年度"), bold)
    cells.write(detail, 0, 1, report.year or "")
    columns = [
        _("合同登记编号"),
        _("合同名称"),
        _("合同类型"),
        _("买方"),
        _("核定技术交易额（元）"),
        _("本年度到账（元）"),
        _("到账笔数"),
    ]
    cells.write_row(detail, 2, 0, columns, header)
    for index, row in enumerate(report.contracts, start=3):
        cells.write_row(
            detail, index, 0, [row.registration_number, row.title, row.type_label, row.buyer_name]
        )
        cells.write(detail, index, 4, float(row.certified), money)
        cells.write(detail, index, 5, float(row.received), money)
        cells.write(detail, index, 6, row.receipts)
    cells.write(detail, len(report.contracts) + 3, 4, _("合计"), bold)
    cells.write(detail, len(report.contracts) + 3, 5, float(report.year_total), money)
    detail.set_column(0, 0, 20)
    detail.set_column(1, 1, 40)
    detail.set_column(2, 6, 16)
    workbook.close()
