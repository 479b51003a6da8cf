"""Reading an uploaded spreadsheet (.xlsx or .csv) into rows of cell texts keyed by field.

Only the file's shape is checked here (type, encoding, header, row count); the cells are checked by
the converter and the registration rules.
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import IO, Any

import python_calamine
from django.utils.translation import gettext as _

from techmarket.achievements.imports.columns import (
    CANONICAL_HEADERS,
    COLUMNS,
    EXPORT_ONLY_TITLES,
    HEADER_FIELDS,
    MAX_IMPORT_ROWS,
    match_key,
)
from techmarket.core.errors import DomainError

# Header cells people often add that carry no data.
IGNORED_TITLES = frozenset({"序号", "备注"})


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
    aliased: dict[str, int] = {}
    unknown = []
    for index, title in enumerate(table[0]):
        key = match_key(title)
        if not title or title in IGNORED_TITLES or key in EXPORT_ONLY_TITLES:
            continue
        field_name = HEADER_FIELDS.get(key)
        if field_name is None:
            unknown.append(title)
        elif key in CANONICAL_HEADERS:
            positions.setdefault(field_name, index)
        else:
            aliased.setdefault(field_name, index)
    for field_name, index in aliased.items():
        positions.setdefault(field_name, index)  # an alias only where the exact title is missing
    if unknown:
        raise DomainError(
            "import_unknown_columns",
            _("无法识别的列：%(titles)s。请使用模板中的列名（从成果目录导出的文件也可直接导入）。")
            % {"titles": "、".join(unknown)},
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
