"""Excel export of any filtered list of achievements (what the caller sees, nothing more)."""

from __future__ import annotations

import io
from collections.abc import Iterable

import xlsxwriter
from django.http import HttpResponse
from django.utils.translation import gettext as _

from techmarket.achievements.models import Achievement
from techmarket.core.spreadsheets import CellWriter

MAX_EXPORT_ROWS = 50_000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def columns() -> list[tuple[str, object]]:
    return [
        (_("登记号"), lambda a: a.registration_number or ""),
        (_("成果名称"), lambda a: a.name),
        (_("成果类型"), lambda a: a.get_achievement_type_display()),
        (_("学科分类"), lambda a: str(a.discipline)),
        (_("行业分类"), lambda a: str(a.industry)),
        (_("关键词"), lambda a: a.keywords),
        (_("所属地区"), lambda a: a.region.name),
        (_("第一完成单位"), lambda a: a.owner_organisation.name),
        (_("技术就绪度"), lambda a: a.trl),
        (_("所处阶段"), lambda a: a.get_stage_display()),
        (_("意向转化方式"), lambda a: a.get_transfer_modes_display()),
        (_("参考价格（万元）"), lambda a: _("面议") if a.price_negotiable else float(a.reference_price or 0)),
        (_("发布时间"), lambda a: a.published_at.strftime("%Y-%m-%d") if a.published_at else ""),
        (_("成果简介"), lambda a: a.abstract),
    ]


def write_xlsx(achievements: Iterable[Achievement], target: io.BytesIO | str, *, title: str = "") -> int:
    """Write the records to an .xlsx workbook; returns the number of rows written."""
    workbook = xlsxwriter.Workbook(
        target, {"constant_memory": True, "in_memory": isinstance(target, io.BytesIO)}
    )
    cells = CellWriter(workbook)
    sheet = workbook.add_worksheet(title[:31] or _("科技成果"))
    header = cells.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
    spec = columns()
    cells.write_row(sheet, 0, 0, [label for label, _getter in spec], header)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, len(spec) - 1, 16)
    rows = 0
    for rows, achievement in enumerate(achievements, start=1):
        for col, (_label, getter) in enumerate(spec):
            cells.write(sheet, rows, col, getter(achievement))  # type: ignore[operator]
    workbook.close()
    return rows


def xlsx_response(achievements: Iterable[Achievement], filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    write_xlsx(achievements, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
