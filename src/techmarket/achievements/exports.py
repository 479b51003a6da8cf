"""Excel export of any filtered list of achievements (what the caller sees, nothing more)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Iterator
from typing import Any

import xlsxwriter
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.utils.translation import gettext as _

from techmarket.achievements.choices import PatentStatus, PatentType, PersonRole
from techmarket.achievements.models import Achievement
from techmarket.core.spreadsheets import CellWriter

MAX_EXPORT_ROWS = 50_000
BATCH = 1000
CHILD_ROWS = ("completing_organisations", "completing_persons", "ip_rights")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _yes_no(flag: bool) -> str:
    return _("是") if flag else _("否")


def _date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def _persons(achievement: Achievement) -> str:
    roles = dict(PersonRole.choices)
    return "；".join(
        "，".join([p.name, p.organisation_name, p.title, str(roles.get(p.role, p.role))])
        for p in achievement.completing_persons.all()
    )


def _ip_rights(achievement: Achievement) -> str:
    types, statuses = dict(PatentType.choices), dict(PatentStatus.choices)
    return "；".join(
        "，".join(
            [ip.number, str(types.get(ip.ip_type, ip.ip_type)), str(statuses.get(ip.status, ip.status))]
        )
        for ip in achievement.ip_rights.all()
    )


def columns() -> list[tuple[str, Any]]:
    """The export's columns. Titles the import takes (imports.columns) are written so a file exported
    here can be imported back; the others (登记号, 第一完成单位, 所处阶段, 发布时间 …) the import ignores
    (imports.columns.EXPORT_ONLY_TITLES). Titles are the file format, so they are not translated."""
    return [
        ("登记号", lambda a: a.registration_number or ""),
        ("成果名称", lambda a: a.name),
        ("成果类型", lambda a: a.get_achievement_type_display()),
        ("密级", lambda a: a.get_confidentiality_display()),
        ("学科代码", lambda a: a.discipline.code),
        ("学科分类", lambda a: str(a.discipline)),
        ("行业代码", lambda a: a.industry.code),
        ("行业分类", lambda a: str(a.industry)),
        ("关键词", lambda a: a.keywords),
        ("地区代码", lambda a: a.region.code),
        ("所属地区", lambda a: a.region.name),
        ("第一完成单位", lambda a: a.owner_organisation.name),
        ("技术就绪度", lambda a: a.trl),
        ("所处阶段", lambda a: a.get_stage_display()),
        ("意向转化方式", lambda a: a.get_transfer_modes_display()),
        ("价格面议", lambda a: _yes_no(a.price_negotiable)),
        ("参考价格（万元）", lambda a: _("面议") if a.price_negotiable else float(a.reference_price or 0)),
        ("经费来源", lambda a: a.get_funding_source_display()),
        ("计划名称", lambda a: a.programme_name),
        ("项目编号", lambda a: a.project_number),
        ("评价方式", lambda a: a.get_evaluation_form_display()),
        ("评价日期", lambda a: _date(a.evaluation_date)),
        ("完成日期", lambda a: _date(a.completion_date)),
        ("成果属性", lambda a: a.get_attribute_display()),
        ("完成单位", lambda a: "；".join(o.name for o in a.completing_organisations.all())),
        ("完成人", _persons),
        ("知识产权", _ip_rights),
        ("发布时间", lambda a: a.published_at.strftime("%Y-%m-%d") if a.published_at else ""),
        ("成果简介", lambda a: a.abstract),
        ("主要技术指标", lambda a: a.technical_indicators),
        ("创新点", lambda a: a.innovation_points),
        ("应用前景", lambda a: a.application_prospects),
    ]


def _batches(achievements: Iterable[Achievement]) -> Iterator[list[Achievement]]:
    """The records in batches with their rows (organisations, persons, IP) fetched per batch."""
    batch: list[Achievement] = []
    for achievement in achievements:
        batch.append(achievement)
        if len(batch) == BATCH:
            prefetch_related_objects(batch, *CHILD_ROWS)
            yield batch
            batch = []
    if batch:
        prefetch_related_objects(batch, *CHILD_ROWS)
        yield batch


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
    for batch in _batches(achievements):
        for achievement in batch:
            rows += 1
            for col, (_label, getter) in enumerate(spec):
                cells.write(sheet, rows, col, getter(achievement))
    workbook.close()
    return rows


def xlsx_response(achievements: Iterable[Achievement], filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    write_xlsx(achievements, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
