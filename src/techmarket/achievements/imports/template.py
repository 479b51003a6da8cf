"""The downloadable import templates: the column titles, with drop-down lists and a sheet explaining them."""

from __future__ import annotations

import csv
import io

import xlsxwriter
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from techmarket.achievements.choices import Confidentiality
from techmarket.achievements.errors import SECRET_REFUSED_MESSAGE
from techmarket.achievements.imports.columns import COLUMNS, MAX_IMPORT_ROWS, choice_labels
from techmarket.core.spreadsheets import CellWriter


def template_xlsx() -> bytes:
    """The import template: an empty data sheet with drop-down lists, and a sheet explaining each column."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    cells = CellWriter(workbook)
    sheet = workbook.add_worksheet("成果登记")
    required_header = cells.add_format(
        {"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True, "valign": "top"}
    )
    optional_header = cells.add_format(
        {"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True, "valign": "top"}
    )
    as_text = workbook.add_format({"num_format": "@"})
    for index, column in enumerate(COLUMNS):
        cells.write(sheet, 0, index, column.title, required_header if column.required else optional_header)
        sheet.set_column(index, index, column.width, as_text if column.text_format else None)
        sheet.write_comment(0, index, force_str(column.help), {"x_scale": 2, "y_scale": 1.5})
        if column.choices is not None and column.field != "transfer_modes":
            sheet.data_validation(
                1,
                index,
                MAX_IMPORT_ROWS,
                index,
                {
                    "validate": "list",
                    "source": choice_labels(column.choices),
                    "error_type": "warning",
                    "error_message": force_str(column.help),
                },
            )
    sheet.freeze_panes(1, 0)

    guide = workbook.add_worksheet(_("填写说明"))
    bold = cells.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    cells.write_row(guide, 0, 0, [_("列名"), _("是否必填"), _("填写说明"), _("可填写的值"), _("示例")], bold)
    guide.set_column(0, 0, 16)
    guide.set_column(1, 1, 10)
    guide.set_column(2, 3, 50, wrap)
    guide.set_column(4, 4, 30, wrap)
    for row, column in enumerate(COLUMNS, start=1):
        allowed = "、".join(choice_labels(column.choices)) if column.choices else ""
        if column.choices is not None:
            allowed += _("（也可填代码：%(codes)s）") % {
                "codes": "、".join(v for v in column.choices.values if v != Confidentiality.SECRET)
            }
        cells.write_row(
            guide,
            row,
            0,
            [
                column.title,
                _("是") if column.required else _("否"),
                force_str(column.help),
                allowed,
                column.example,
            ],
        )
    notes_start = len(COLUMNS) + 2
    for offset, note in enumerate(
        [
            _("第1行为列名，请勿修改；从第2行起每行填写一项成果。"),
            _("导入前会逐行校验；任何一行有误时不会导入任何记录，并列出每个有误的行号和原因。"),
            _("导入的成果保存为本单位的草稿，检查无误后再逐项提交审核。"),
            force_str(SECRET_REFUSED_MESSAGE),
        ]
    ):
        cells.write(guide, notes_start + offset, 0, note)
    workbook.close()
    return buffer.getvalue()


def template_csv() -> bytes:
    """The header row as UTF-8 CSV with a byte-order mark, so Excel opens the Chinese titles correctly."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([column.title for column in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
