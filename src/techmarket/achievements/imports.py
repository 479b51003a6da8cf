"""Bulk registration from a spreadsheet: every row is checked with the form's rules, then all or none are written.

The template has one column per field of the registration form (科技成果登记表), titled in Chinese; cells
take the Chinese labels of the code lists (应用技术, 财政资金, 公开 …) or their codes. A file with any bad row
writes nothing and the report names each bad row (spreadsheet numbering: the header is row 1).
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

import python_calamine
import xlsxwriter
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techmarket.accounts.policies import principal_of
from techmarket.accounts.types import User
from techmarket.achievements import policies, services
from techmarket.achievements.choices import (
    AchievementAttribute,
    AchievementStage,
    AchievementState,
    AchievementType,
    Confidentiality,
    EvaluationForm,
    FundingSource,
    PatentStatus,
    PatentType,
    PersonRole,
    TransferMode,
)
from techmarket.achievements.errors import SECRET_REFUSED_MESSAGE
from techmarket.achievements.models import (
    Achievement,
    CompletingOrganisation,
    CompletingPerson,
    ImportJob,
    ImportStatus,
    IntellectualProperty,
)
from techmarket.core.audit import record_events_bulk
from techmarket.core.choices import ClassificationScheme
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.core.models import Classification, Region

logger = logging.getLogger(__name__)

MAX_IMPORT_ROWS = 20_000
MAX_IMPORT_BYTES = 20 * 1024 * 1024
PROGRESS_EVERY = 100
BATCH_SIZE = 500
IMPORT_ACTION = "achievements.achievement.import"
SUPPORTED_EXTENSIONS = (".xlsx", ".csv")
# Header cells people often add that carry no data.
IGNORED_TITLES = frozenset({"序号", "备注"})
LIST_SEPARATORS = re.compile(r"[；;\n]+")
MODE_SEPARATORS = re.compile(r"[、,，；;/\s]+")
PART_SEPARATORS = re.compile(r"[，,|]")
DATE_PATTERN = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
YES = frozenset({"是", "y", "yes", "true", "1", "面议"})
NO = frozenset({"", "否", "n", "no", "false", "0"})


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
    Column("stage", "所处阶段", True, gettext_lazy("所处阶段。"), AchievementStage, example="中期阶段"),
    Column(
        "trl",
        "TRL",
        True,
        gettext_lazy("技术就绪度，1–9 的整数（参照 GB/T 22900）。"),
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
        gettext_lazy("不面议时必填，非负数，最多两位小数。"),
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


def _key(text: str) -> str:
    """Normal form for matching headers and code-list labels: no spaces, half-width, lower case."""
    return re.sub(r"\s+", "", force_str(text)).replace("（", "(").replace("）", ")").lower()


HEADER_FIELDS = {
    _key(name): column.field for column in COLUMNS for name in (column.title, column.field, *column.aliases)
}


# ---------------------------------------------------------------------------------------------- reading


def read_rows(file_or_path: str | Path | IO[bytes], filename: str) -> list[dict[str, str]]:
    """The file's data rows as {field: cell text}; row i of the list is spreadsheet row i + 2."""
    extension = Path(filename or "").suffix.lower()
    if extension == ".xlsx":
        table = _xlsx_table(file_or_path)
    elif extension == ".csv":
        table = _csv_table(file_or_path)
    else:
        raise DomainError(
            "import_unsupported_file",
            _("只支持 .xlsx 或 .csv 文件，请使用平台提供的导入模板。"),
            fields={"file": [_("文件类型不支持。")]},
        )
    return _rows_from_table(table)


def _xlsx_table(source: str | Path | IO[bytes]) -> list[list[str]]:
    try:
        if isinstance(source, str | Path):
            workbook = python_calamine.CalamineWorkbook.from_path(str(source))
        else:
            workbook = python_calamine.CalamineWorkbook.from_filelike(source)
        cells = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except python_calamine.CalamineError:
        raise DomainError(
            "import_unreadable",
            _("无法读取该 Excel 文件，请确认它是未加密的 .xlsx 文件。"),
            fields={"file": [_("文件无法读取。")]},
        ) from None
    return [[_cell_text(value) for value in row] for row in cells]


def _cell_text(value: Any) -> str:
    """Excel cell values as the text a person typed (6.0 → "6", dates → ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _csv_table(source: str | Path | IO[bytes]) -> list[list[str]]:
    raw = Path(source).read_bytes() if isinstance(source, str | Path) else source.read()
    text: str
    if isinstance(raw, str):
        text = raw.removeprefix("\ufeff")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("gb18030")
            except UnicodeDecodeError:
                raise DomainError(
                    "import_unreadable",
                    _("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GB18030 编码。"),
                    fields={"file": [_("文件编码无法识别。")]},
                ) from None
    try:
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error:
        raise DomainError(
            "import_unreadable", _("CSV 文件格式有误。"), fields={"file": [_("文件无法读取。")]}
        ) from None


def _rows_from_table(table: list[list[str]]) -> list[dict[str, str]]:
    if not table or not any(table[0]):
        raise DomainError(
            "import_no_header",
            _("第1行应为模板的列名（名称、成果类型……），请使用平台提供的导入模板。"),
            fields={"file": [_("缺少列名行。")]},
        )
    positions: dict[str, int] = {}
    unknown = []
    for index, title in enumerate(table[0]):
        if not title or title in IGNORED_TITLES:
            continue
        field_name = HEADER_FIELDS.get(_key(title))
        if field_name is None:
            unknown.append(title)
        else:
            positions.setdefault(field_name, index)
    if unknown:
        raise DomainError(
            "import_unknown_columns",
            _("无法识别的列：%(titles)s。请使用模板中的列名。") % {"titles": "、".join(unknown)},
            fields={"file": [_("列名有误。")]},
        )
    missing = [column.title for column in COLUMNS if column.required and column.field not in positions]
    if missing:
        raise DomainError(
            "import_missing_columns",
            _("缺少必填列：%(titles)s。") % {"titles": "、".join(missing)},
            fields={"file": [_("缺少必填列。")]},
        )
    data_rows = table[1:]
    if len(data_rows) > MAX_IMPORT_ROWS:
        raise DomainError(
            "import_too_many_rows",
            _("一次最多导入 %(limit)d 行，请拆分文件。") % {"limit": MAX_IMPORT_ROWS},
            fields={"file": [_("行数过多。")]},
        )
    return [
        {name: row[index] if index < len(row) else "" for name, index in positions.items()}
        for row in data_rows
    ]


# --------------------------------------------------------------------------------------------- template


def _choice_labels(choices: type[models.TextChoices]) -> list[str]:
    """The Chinese labels the template offers (涉密 is never offered: it cannot be filed online)."""
    with translation.override("zh-hans"):
        return [str(label) for value, label in choices.choices if value != Confidentiality.SECRET]


def template_xlsx() -> bytes:
    """The import template: an empty data sheet with drop-down lists, and a sheet explaining each column."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("成果登记")
    required_header = workbook.add_format(
        {"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True, "valign": "top"}
    )
    optional_header = workbook.add_format(
        {"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True, "valign": "top"}
    )
    as_text = workbook.add_format({"num_format": "@"})
    for index, column in enumerate(COLUMNS):
        sheet.write_string(0, index, column.title, required_header if column.required else optional_header)
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
                    "source": _choice_labels(column.choices),
                    "error_type": "warning",
                    "error_message": force_str(column.help),
                },
            )
    sheet.freeze_panes(1, 0)

    guide = workbook.add_worksheet(_("填写说明"))
    bold = workbook.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    guide.write_row(0, 0, [_("列名"), _("是否必填"), _("填写说明"), _("可填写的值"), _("示例")], bold)
    guide.set_column(0, 0, 16)
    guide.set_column(1, 1, 10)
    guide.set_column(2, 3, 50, wrap)
    guide.set_column(4, 4, 30, wrap)
    for row, column in enumerate(COLUMNS, start=1):
        allowed = "、".join(_choice_labels(column.choices)) if column.choices else ""
        if column.choices is not None:
            allowed += _("（也可填代码：%(codes)s）") % {
                "codes": "、".join(v for v in column.choices.values if v != Confidentiality.SECRET)
            }
        guide.write_row(
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
        guide.write_string(notes_start + offset, 0, note)
    workbook.close()
    return buffer.getvalue()


def template_csv() -> bytes:
    """The header row as UTF-8 CSV with a byte-order mark, so Excel opens the Chinese titles correctly."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([column.title for column in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# ------------------------------------------------------------------------------------------- converting


def _choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    """Code-list cell text → code: the Chinese label, the label in the current language, or the code."""
    lookup = {_key(value): value for value in choices.values}
    for language in ("zh-hans", translation.get_language() or "zh-hans"):
        with translation.override(language):
            lookup.update({_key(str(label)): value for value, label in choices.choices})
    return lookup


class RowConverter:
    """Turns one row of cell texts into the registration form's data, caching code-table lookups."""

    def __init__(self) -> None:
        self.lookups = {
            column.field: _choice_lookup(column.choices) for column in COLUMNS if column.choices is not None
        }
        self.person_roles = _choice_lookup(PersonRole)
        self.ip_types = _choice_lookup(PatentType)
        self.ip_statuses = _choice_lookup(PatentStatus)
        self.classifications: dict[tuple[str, str], Classification | None] = {}
        self.regions: dict[str, Region | None] = {}

    def convert(self, row: dict[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        data: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}

        def fail(name: str, message: str) -> None:
            errors.setdefault(name, []).append(message)

        for name in (
            "name",
            "keywords",
            "abstract",
            "technical_indicators",
            "innovation_points",
            "application_prospects",
            "programme_name",
            "project_number",
        ):
            data[name] = row.get(name, "")
        for name in ("achievement_type", "funding_source", "evaluation_form", "attribute", "stage"):
            data[name] = self._choice(name, row.get(name, ""), fail)
        data["confidentiality"] = self._choice("confidentiality", row.get("confidentiality", ""), fail)
        data["discipline"] = self._classification(
            ClassificationScheme.DISCIPLINE, row.get("discipline", ""), "discipline", fail
        )
        data["industry"] = self._classification(
            ClassificationScheme.INDUSTRY, row.get("industry", ""), "industry", fail
        )
        data["region"] = self._region(row.get("region", ""), fail)
        data["evaluation_date"] = self._date(row.get("evaluation_date", ""), "evaluation_date", fail)
        data["completion_date"] = self._date(row.get("completion_date", ""), "completion_date", fail)
        data["trl"] = self._trl(row.get("trl", ""), fail)
        data["transfer_modes"] = self._transfer_modes(row.get("transfer_modes", ""), fail)
        self._price(row.get("price_negotiable", ""), row.get("reference_price", ""), data, fail)
        data["organisations"] = self._organisations(row.get("organisations", ""), fail)
        data["persons"] = self._persons(row.get("persons", ""), fail)
        data["ip_rights"] = self._ip_rights(row.get("ip_rights", ""), fail)
        return data, errors

    def _choice(self, name: str, text: str, fail: Callable[[str, str], None]) -> str:
        if not text:
            return ""
        value = self.lookups[name].get(_key(text))
        if value is None:
            fail(
                name,
                _("“%(text)s”不是有效的值，可填：%(allowed)s。")
                % {"text": text, "allowed": "、".join(_choice_labels(COLUMN_BY_FIELD[name].choices))},  # type: ignore[arg-type]
            )
            return ""
        return value

    def _classification(
        self, scheme: str, code: str, name: str, fail: Callable[[str, str], None]
    ) -> Classification | None:
        if not code:
            return None
        key = (scheme, code.upper() if scheme == ClassificationScheme.INDUSTRY else code)
        if key not in self.classifications:
            self.classifications[key] = Classification.objects.filter(scheme=key[0], code=key[1]).first()
        found = self.classifications[key]
        if found is None:
            fail(name, _("代码“%(code)s”不存在。") % {"code": code})
        return found

    def _region(self, code: str, fail: Callable[[str, str], None]) -> Region | None:
        if not code:
            return None
        if code not in self.regions:
            self.regions[code] = (
                Region.objects.select_related("parent", "parent__parent").filter(code=code).first()
            )
        found = self.regions[code]
        if found is None:
            fail("region", _("行政区划代码“%(code)s”不存在。") % {"code": code})
        return found

    @staticmethod
    def _date(text: str, name: str, fail: Callable[[str, str], None]) -> datetime.date | None:
        if not text:
            return None
        match = DATE_PATTERN.match(text) or re.match(r"^(\d{4})(\d{2})(\d{2})$", text)
        try:
            if match is None:
                raise ValueError(text)
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            fail(name, _("日期“%(text)s”无效，格式应为 YYYY-MM-DD。") % {"text": text})
            return None

    @staticmethod
    def _trl(text: str, fail: Callable[[str, str], None]) -> int | None:
        if not text:
            return None
        try:
            number: float | None = float(text)
        except ValueError:
            number = None
        if number is None or not number.is_integer() or not 1 <= number <= 9:
            fail("trl", _("应为 1–9 的整数。"))
            return None
        return int(number)

    def _transfer_modes(self, text: str, fail: Callable[[str, str], None]) -> list[str]:
        modes = []
        for part in MODE_SEPARATORS.split(text):
            if not part:
                continue
            value = self.lookups["transfer_modes"].get(_key(part))
            if value is None:
                fail(
                    "transfer_modes",
                    _("“%(text)s”不是有效的转化方式，可填：%(allowed)s。")
                    % {"text": part, "allowed": "、".join(_choice_labels(TransferMode))},
                )
            elif value not in modes:
                modes.append(value)
        return modes

    @staticmethod
    def _price(negotiable: str, price: str, data: dict[str, Any], fail: Callable[[str, str], None]) -> None:
        flag = _key(negotiable)
        if flag not in YES | NO:
            fail("price_negotiable", _("请填“是”或“否”。"))
        data["price_negotiable"] = flag in YES or _key(price) == "面议"
        data["reference_price"] = None
        if price and not data["price_negotiable"]:
            try:
                value = Decimal(price.replace(",", "").replace("，", ""))
            except InvalidOperation:
                fail("reference_price", _("“%(text)s”不是有效的金额。") % {"text": price})
            else:
                if not value.is_finite():
                    fail("reference_price", _("“%(text)s”不是有效的金额。") % {"text": price})
                else:
                    data["reference_price"] = value

    @staticmethod
    def _organisations(text: str, fail: Callable[[str, str], None]) -> list[str]:
        names = [name.strip() for name in LIST_SEPARATORS.split(text) if name.strip()]
        if any(len(name) > 200 for name in names):
            fail("organisations", _("单位名称不能超过200字。"))
        return names

    def _persons(self, text: str, fail: Callable[[str, str], None]) -> list[dict[str, str]]:
        persons = []
        for number, entry in enumerate(_entries(text), start=1):
            parts = [*(part.strip() for part in PART_SEPARATORS.split(entry)), "", "", ""]
            role: str = PersonRole.LEADER if number == 1 else PersonRole.MAIN
            if parts[3]:
                found = self.person_roles.get(_key(parts[3]))
                if found is None:
                    fail("persons", _("“%(text)s”不是有效的角色。") % {"text": parts[3]})
                else:
                    role = found
            if len(parts[0]) > 64 or len(parts[1]) > 200 or len(parts[2]) > 64:
                fail("persons", _("第%(n)d位完成人的信息过长。") % {"n": number})
            persons.append({"name": parts[0], "organisation_name": parts[1], "title": parts[2], "role": role})
        return persons

    def _ip_rights(self, text: str, fail: Callable[[str, str], None]) -> list[dict[str, str]]:
        rights = []
        for number, entry in enumerate(_entries(text), start=1):
            parts = [*(part.strip() for part in PART_SEPARATORS.split(entry)), "", ""]
            ip_type = self.ip_types.get(_key(parts[1]))
            status = self.ip_statuses.get(_key(parts[2]))
            if not parts[0] or len(parts[0]) > 64 or ip_type is None or status is None:
                fail("ip_rights", _("第%(n)d项格式不正确：应为“专利号，类型，状态”。") % {"n": number})
                continue
            rights.append({"number": parts[0], "ip_type": ip_type, "status": status})
        return rights


def _entries(text: str) -> list[str]:
    return [entry.strip() for entry in LIST_SEPARATORS.split(text) if entry.strip()]


# ---------------------------------------------------------------------------------------------- running


@dataclass
class ImportReport:
    total: int
    imported: int = 0
    errors: list[tuple[int, list[str]]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_text(self) -> str:
        if self.errors:
            lines = [
                _("共 %(total)d 行，其中 %(bad)d 行有误，未导入任何记录。请修改后重新上传：")
                % {"total": self.total, "bad": len(self.errors)}
            ]
            lines += [
                _("第%(row)d行：%(reasons)s") % {"row": row, "reasons": "；".join(messages)}
                for row, messages in self.errors
            ]
            return "\n".join(lines)
        if self.dry_run:
            return _("共 %(total)d 行，全部通过校验（试运行，未写入任何记录）。") % {"total": self.total}
        return _("共 %(total)d 行，已全部导入为本单位的草稿（%(imported)d 条）。") % {
            "total": self.total,
            "imported": self.imported,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "imported": self.imported,
            "errors": [[row, messages] for row, messages in self.errors],
            "dry_run": self.dry_run,
        }


def _row_messages(errors: dict[str, list[Any]]) -> list[str]:
    """Messages of one row in column order, each prefixed with its column title."""
    messages: list[str] = []
    for name in sorted(errors, key=lambda n: COLUMN_ORDER.get(n, len(COLUMNS))):
        column = COLUMN_BY_FIELD.get(name)
        for message in errors[name]:
            text = f"{column.title}：{force_str(message)}" if column else force_str(message)
            if text not in messages:
                messages.append(text)
    return messages


def run_import(
    *,
    actor: User,
    rows: list[dict[str, str]],
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    source: str = "",
) -> ImportReport:
    """Check every row with the registration rules; write all of them as drafts, or none if any is bad.

    ``rows`` come from :func:`read_rows` (row i is spreadsheet row i + 2); blank rows are skipped.
    ``progress(done, total)`` is called every PROGRESS_EVERY rows while checking.
    """
    if not policies.can_file(principal_of(actor)):
        raise NotPermitted(_("只有成果填报人或单位管理员可以登记成果。"))
    numbered = [(index + 2, row) for index, row in enumerate(rows) if any(value for value in row.values())]
    if not numbered:
        raise DomainError("import_empty", _("文件中没有数据行。"), fields={"file": [_("没有数据行。")]})
    report = ImportReport(total=len(numbered), dry_run=dry_run)
    converter = RowConverter()
    built: list[tuple[int, Achievement, dict[str, Any]]] = []
    for done, (row_number, row) in enumerate(numbered, start=1):
        data, errors = converter.convert(row)
        if data["confidentiality"] == Confidentiality.SECRET:
            errors = {"confidentiality": [force_str(SECRET_REFUSED_MESSAGE)]}
        else:
            try:
                achievement = services.build(actor=actor, data=data, prechecked=True)
            except DomainError as error:
                # A column that failed conversion keeps its own message (not also "required").
                for name, messages in (error.fields or {"": [error.message]}).items():
                    if name not in errors:
                        errors[name] = [force_str(message) for message in messages]
            else:
                if not errors:
                    built.append((row_number, achievement, data))
        if errors:
            report.errors.append((row_number, _row_messages(errors)))
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == report.total):
            progress(done, report.total)
    if report.errors or dry_run:
        return report
    _write(actor=actor, built=built, source=source)
    report.imported = len(built)
    return report


@transaction.atomic
def _write(*, actor: User, built: list[tuple[int, Achievement, dict[str, Any]]], source: str) -> None:
    """One transaction: the records, their organisations, persons and IP, and one audit event each."""
    achievements = Achievement.objects.bulk_create([item[1] for item in built], batch_size=BATCH_SIZE)
    organisations: list[CompletingOrganisation] = []
    persons: list[CompletingPerson] = []
    rights: list[IntellectualProperty] = []
    for achievement, (_row, _unsaved, data) in zip(achievements, built, strict=True):
        organisations += [
            CompletingOrganisation(achievement=achievement, position=position, name=name)
            for position, name in enumerate(data["organisations"], start=1)
        ]
        persons += [
            CompletingPerson(achievement=achievement, position=position, **person)
            for position, person in enumerate(data["persons"], start=1)
        ]
        rights += [IntellectualProperty(achievement=achievement, **right) for right in data["ip_rights"]]
    CompletingOrganisation.objects.bulk_create(organisations, batch_size=BATCH_SIZE)
    CompletingPerson.objects.bulk_create(persons, batch_size=BATCH_SIZE)
    IntellectualProperty.objects.bulk_create(rights, batch_size=BATCH_SIZE)
    record_events_bulk(
        actor=actor,
        action=IMPORT_ACTION,
        entries=(
            (achievement, {"row": row_number, "file": source})
            for achievement, (row_number, _unsaved, _data) in zip(achievements, built, strict=True)
        ),
        to_state=AchievementState.DRAFT,
    )


# ------------------------------------------------------------------------------------------------- jobs


def imports_dir() -> Path:
    directory = Path(settings.VAR_DIR) / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def store_upload(*, actor: User, upload: UploadedFile) -> ImportJob:
    """Keep an uploaded spreadsheet under VAR_DIR/imports and open a job that checks it."""
    if not policies.can_file(principal_of(actor)):
        raise NotPermitted(_("只有成果填报人或单位管理员可以登记成果。"))
    name = Path(upload.name or "").name
    extension = Path(name).suffix.lower()
    if extension not in SUPPORTED_EXTENSIONS:
        raise DomainError(
            "import_unsupported_file",
            _("只支持 .xlsx 或 .csv 文件，请使用平台提供的导入模板。"),
            fields={"file": [_("文件类型不支持。")]},
        )
    if upload.size is None or upload.size > MAX_IMPORT_BYTES:
        raise DomainError(
            "import_too_large",
            _("导入文件不能超过 %(mb)d MB。") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)},
            fields={"file": [_("文件过大。")]},
        )
    stored_name = f"{uuid.uuid4().hex}{extension}"
    with open(imports_dir() / stored_name, "wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    return ImportJob.objects.create(user=actor, original_name=name[-200:], stored_name=stored_name)


def process_job(job_id: int, *, dry_run: bool) -> ImportJob:
    """Check (dry run) or import a job's file, keeping progress and report on the job row.

    The file is deleted once the job ends anywhere but "checked", so rejected content is not kept.
    """
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    path = imports_dir() / job.stored_name

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(done=done, total=total, updated_at=timezone.now())

    try:
        if not job.stored_name or not path.is_file():
            raise DomainError("import_file_missing", _("上传的文件已不存在，请重新上传。"))
        report = run_import(
            actor=job.user,
            rows=read_rows(path, job.original_name),
            dry_run=dry_run,
            progress=progress,
            source=job.original_name,
        )
    except DomainError as error:
        job.status = ImportStatus.REJECTED
        job.report = {"message": force_str(error.message), "errors": []}
    except Exception:
        logger.exception("import job %s failed", job.pk)
        job.status = ImportStatus.FAILED
        job.report = {
            "message": _("处理文件时发生意外错误，未导入任何记录。请稍后重试或联系管理员。"),
            "errors": [],
        }
    else:
        job.total = job.done = report.total
        job.report = {**report.as_dict(), "message": report.as_text().splitlines()[0]}
        if not report.ok:
            job.status = ImportStatus.REJECTED
        else:
            job.status = ImportStatus.CHECKED if dry_run else ImportStatus.IMPORTED
    if job.status != ImportStatus.CHECKED:
        path.unlink(missing_ok=True)
        job.stored_name = ""
    job.save()
    return job


def start_import(*, actor: User, job: ImportJob) -> bool:
    """Move a checked job of the actor to "importing"; False when it is not (or no longer) checked."""
    return bool(
        ImportJob.objects.filter(pk=job.pk, user=actor, status=ImportStatus.CHECKED).update(
            status=ImportStatus.IMPORTING, done=0, updated_at=timezone.now()
        )
    )


def recent_jobs(actor: User, *, limit: int = 10) -> Iterable[ImportJob]:
    return ImportJob.objects.filter(user=actor)[:limit]
