"""The file format of the import template: its columns, their titles and the limits a file must keep.

A column's ``title`` (and its aliases) is what a spreadsheet's header row must say; ``match_key`` is the
normal form in which headers and code-list labels are compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy

from techmarket.achievements.choices import (
    AchievementAttribute,
    AchievementType,
    Confidentiality,
    EvaluationForm,
    FundingSource,
    TransferMode,
)

MAX_IMPORT_ROWS = 20_000


@dataclass(frozen=True)
class Column:
    """One column of the template. ``title`` is the file format itself, so it is never translated."""

    field: str
    title: str
    required: bool
    help: Any
    choices: type[models.TextChoices] | None = None
    aliases: tuple[str, ...] = ()
    example: str = ""
    text_format: bool = False
    width: int = 14


COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        "名称",
        True,
        gettext_lazy("成果名称，最多200字。"),
        aliases=("成果名称",),
        example="高导热石墨烯复合薄膜的制备技术",
        width=36,
    ),
    Column(
        "achievement_type", "成果类型", True, gettext_lazy("成果类型。"), AchievementType, example="应用技术"
    ),
    Column(
        "discipline",
        "学科代码",
        True,
        gettext_lazy("GB/T 13745 学科分类代码，如 430（材料科学）。"),
        aliases=("学科分类",),
        example="430",
        text_format=True,
    ),
    Column(
        "industry",
        "行业代码",
        True,
        gettext_lazy("GB/T 4754 国民经济行业分类代码，如 C39。"),
        aliases=("行业分类",),
        example="C39",
        text_format=True,
    ),
    Column(
        "keywords",
        "关键词",
        True,
        gettext_lazy("1–5个，用逗号、顿号或分号分隔。"),
        example="石墨烯，导热膜，散热",
        width=24,
    ),
    Column(
        "abstract",
        "成果简介",
        True,
        gettext_lazy("成果的主要内容、用途和效果。"),
        example="本成果提出一种高导热石墨烯复合薄膜的低成本制备工艺……",
        width=40,
    ),
    Column("technical_indicators", "主要技术指标", False, gettext_lazy("选填。"), width=30),
    Column("innovation_points", "创新点", False, gettext_lazy("选填。"), width=30),
    Column("application_prospects", "应用前景", False, gettext_lazy("选填。"), width=30),
    Column("funding_source", "经费来源", True, gettext_lazy("经费来源。"), FundingSource, example="财政资金"),
    Column(
        "programme_name",
        "计划名称",
        False,
        gettext_lazy("经费来源为财政资金时必填。"),
        example="省重点研发计划",
        width=20,
    ),
    Column(
        "project_number",
        "项目编号",
        False,
        gettext_lazy("经费来源为财政资金时必填。"),
        example="2023BAA001",
        text_format=True,
    ),
    Column("evaluation_form", "评价方式", True, gettext_lazy("评价方式。"), EvaluationForm, example="验收"),
    Column(
        "evaluation_date",
        "评价日期",
        False,
        gettext_lazy("评价方式不是“未评价”时必填，格式 YYYY-MM-DD。"),
        example="2025-06-01",
    ),
    Column(
        "completion_date",
        "完成日期",
        True,
        gettext_lazy("格式 YYYY-MM-DD，不能晚于今天。"),
        example="2025-05-01",
    ),
    Column(
        "attribute", "成果属性", True, gettext_lazy("成果属性。"), AchievementAttribute, example="原始性创新"
    ),
    Column(
        "trl",
        "TRL",
        True,
        gettext_lazy("技术就绪度，1–9 的整数（参照 GB/T 22900）；所处阶段由它推出，无需填写。"),
        aliases=("技术就绪度", "技术就绪度（TRL）"),
        example="6",
        width=8,
    ),
    Column(
        "transfer_modes",
        "转化方式",
        True,
        gettext_lazy("可填多个，用顿号“、”或逗号分隔。"),
        TransferMode,
        aliases=("意向转化方式",),
        example="转让、许可",
        width=18,
    ),
    Column(
        "price_negotiable",
        "价格面议",
        False,
        gettext_lazy("填“是”或“否”，留空视为“否”。"),
        aliases=("面议",),
        example="否",
        width=10,
    ),
    Column(
        "reference_price",
        "参考价格（万元）",
        False,
        gettext_lazy("不面议时必填，单位万元，0 至 100000000（即 1 万亿元），最多两位小数。"),
        aliases=("参考价格",),
        example="120",
    ),
    Column(
        "region",
        "地区代码",
        True,
        gettext_lazy("成果所属县（区）或市的六位行政区划代码（GB/T 2260）。"),
        aliases=("所属地区",),
        example="420102",
        text_format=True,
    ),
    Column(
        "confidentiality",
        "密级",
        True,
        gettext_lazy("公开 或 受限。涉密成果不得在线登记，须经离线渠道报送。"),
        Confidentiality,
        example="公开",
        width=10,
    ),
    Column(
        "organisations",
        "完成单位",
        False,
        gettext_lazy("按排名顺序，多个单位用分号“；”分隔。"),
        example="测试大学；测试研究院",
        width=28,
    ),
    Column(
        "persons",
        "完成人",
        False,
        gettext_lazy(
            "按排名顺序用分号“；”分隔；每人写“姓名”或“姓名，工作单位，职称，角色”，"
            "角色为 项目负责人/主要完成人/参与人，第一人默认为项目负责人。"
        ),
        example="张三，测试大学，教授，项目负责人；李四",
        width=28,
    ),
    Column(
        "ip_rights",
        "专利号",
        False,
        gettext_lazy(
            "知识产权，多项用分号“；”分隔；每项写“专利号，类型，状态”，类型为 发明专利/实用新型/外观设计/"
            "软件著作权/其他知识产权，状态为 已申请/已授权/已失效。"
        ),
        aliases=("知识产权",),
        example="ZL202310000001.X，发明专利，已授权",
        width=28,
    ),
)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
COLUMN_ORDER = {column.field: index for index, column in enumerate(COLUMNS)}


def match_key(text: str) -> str:
    """Normal form for matching headers and code-list labels: no spaces, half-width, lower case."""
    return re.sub(r"\s+", "", force_str(text)).replace("（", "(").replace("）", ")").lower()


HEADER_FIELDS = {
    match_key(name): column.field
    for column in COLUMNS
    for name in (column.title, column.field, *column.aliases)
}
# Headers that name a column exactly (its title or field name): they win over an alias when a file
# has both, as the catalogue export does (学科代码 with the code, 学科分类 with "code name").
CANONICAL_HEADERS = frozenset(match_key(name) for column in COLUMNS for name in (column.title, column.field))
# Columns the catalogue export (achievements.exports) writes that the import does not take: the record's
# own registration number, owner, derived stage and publication date belong to the original record.
EXPORT_ONLY_TITLES = frozenset(
    match_key(title) for title in ("登记号", "第一完成单位", "所处阶段", "发布时间", "状态", "id")
)


def choice_labels(choices: type[models.TextChoices]) -> list[str]:
    """The Chinese labels the template offers (涉密 is never offered: it cannot be filed online)."""
    with translation.override("zh-hans"):
        return [str(label) for value, label in choices.choices if value != Confidentiality.SECRET]
