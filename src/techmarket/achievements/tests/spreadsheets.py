"""Import files for tests: rows keyed by the template's column titles, written as .xlsx or .csv."""

from __future__ import annotations

import csv
import io
from typing import Any

import xlsxwriter

from techmarket.achievements.imports.columns import COLUMNS
from techmarket.core.choices import ClassificationScheme
from techmarket.core.models import Region
from techmarket.core.tests.factories import ClassificationFactory

TITLES = [column.title for column in COLUMNS]


def classifications() -> None:
    """The discipline and industry codes the rows below use."""
    ClassificationFactory(scheme=ClassificationScheme.DISCIPLINE, code="430", name="材料科学")
    ClassificationFactory(
        scheme=ClassificationScheme.INDUSTRY, code="C39", name="计算机、通信和其他电子设备制造业"
    )


def valid_row(number: int, region: Region, **overrides: str) -> dict[str, str]:
    """One complete row, as a person fills in the template (Chinese labels, not codes)."""
    row = {
        "名称": f"高导热石墨烯复合薄膜制备技术{number:05d}",
        "成果类型": "应用技术",
        "学科代码": "430",
        "行业代码": "C39",
        "关键词": "石墨烯，导热膜，散热",
        "成果简介": f"第{number}项成果：一种高导热石墨烯复合薄膜的低成本制备工艺，导热系数达到1500W/mK。",
        "主要技术指标": "面内导热系数≥1500W/mK；厚度25–100μm。",
        "创新点": "低温还原与辊压结合。",
        "应用前景": "消费电子散热、动力电池热管理。",
        "经费来源": "财政资金",
        "计划名称": "省重点研发计划",
        "项目编号": f"2024BAA{number:04d}",
        "评价方式": "验收",
        "评价日期": "2025-06-01",
        "完成日期": "2025-05-01",
        "成果属性": "原始性创新",
        "TRL": "6",
        "转化方式": "转让、许可",
        "价格面议": "否",
        "参考价格（万元）": "120.5",
        "地区代码": region.code,
        "密级": "公开",
        "完成单位": "测试大学；测试研究院",
        "完成人": "张三，测试大学，教授，项目负责人；李四",
        "专利号": "ZL202310000001.X，发明专利，已授权",
    }
    row.update(overrides)
    return row


def as_table(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [TITLES, *([row.get(title, "") for title in TITLES] for row in rows)]


def xlsx_bytes(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for row_index, row in enumerate(as_table(rows)):
        sheet.write_row(row_index, 0, row)
    workbook.close()
    return buffer.getvalue()


def csv_bytes(rows: list[dict[str, Any]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(as_table(rows))
    return buffer.getvalue().encode(encoding)
