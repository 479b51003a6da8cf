"""National code tables.

The GB/T 13745 discipline and GB/T 4754 industry codes ship with TechMarket (``core/data``) and are
loaded by migration 0003, so every database has them. GB/T 2260 regions differ per deployment (each
bureau loads its own province), so they are imported from a CSV with :func:`import_regions`, which
checks every row first and writes either all of them or none.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from techmarket.core.audit import record_event
from techmarket.core.choices import ClassificationScheme, RegionLevel
from techmarket.core.models import Classification, Region
from techmarket.core.validators import validate_region_code

DATA_DIR = Path(__file__).resolve().parent / "data"
CLASSIFICATION_FILES = {
    ClassificationScheme.DISCIPLINE: DATA_DIR / "disciplines.csv",
    ClassificationScheme.INDUSTRY: DATA_DIR / "industries.csv",
}
HUBEI_REGIONS = DATA_DIR / "regions_hubei.csv"

REGION_COLUMNS = ("code", "name", "level", "parent_code")
# The level each level's parent must have (GB/T 2260: county → city → province).
PARENT_LEVEL = {RegionLevel.CITY: RegionLevel.PROVINCE, RegionLevel.COUNTY: RegionLevel.CITY}
LEVEL_ALIASES = {
    **{level.value: level.value for level in RegionLevel},
    **{str(level.label): level.value for level in RegionLevel},
}
MAX_REGION_NAME = Region._meta.get_field("name").max_length or 64


def read_code_table(path: Path) -> list[dict[str, str]]:
    """Rows of one shipped code table, values stripped."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [{key: (value or "").strip() for key, value in row.items()} for row in csv.DictReader(handle)]


def _parents_first(rows: list[dict[str, str]]) -> list[list[dict[str, str]]]:
    """The rows grouped by depth in their own tree, roots first, so parents exist before children."""
    by_code = {row["code"]: row for row in rows}
    depths: dict[str, int] = {}

    def depth(code: str) -> int:
        if code not in depths:
            parent = by_code[code]["parent_code"]
            depths[code] = 0 if not parent or parent not in by_code else depth(parent) + 1
        return depths[code]

    levels: dict[int, list[dict[str, str]]] = {}
    for row in rows:
        levels.setdefault(depth(row["code"]), []).append(row)
    return [levels[key] for key in sorted(levels)]


def upsert_classifications(model: type[Classification]) -> int:
    """Insert missing codes and correct changed names or parents; returns the number of rows written.

    Takes the model class so migration 0003 can pass its historical model.
    """
    written = 0
    manager = model._default_manager
    for scheme, path in CLASSIFICATION_FILES.items():
        for rows in _parents_first(read_code_table(path)):
            existing = {item.code: item for item in manager.filter(scheme=scheme)}
            new, changed = [], []
            for row in rows:
                parent = existing.get(row["parent_code"]) if row["parent_code"] else None
                parent_id = parent.pk if parent else None
                current = existing.get(row["code"])
                if current is None:
                    new.append(model(scheme=scheme, code=row["code"], name=row["name"], parent_id=parent_id))
                elif current.name != row["name"] or current.parent_id != parent_id:
                    current.name, current.parent_id = row["name"], parent_id
                    changed.append(current)
            manager.bulk_create(new)
            manager.bulk_update(changed, ["name", "parent"])
            written += len(new) + len(changed)
    return written


def load_classifications() -> int:
    """Bring the discipline and industry tables up to the shipped files (idempotent)."""
    with transaction.atomic():
        return upsert_classifications(Classification)


@dataclass(frozen=True)
class RowProblem:
    """One reason a row (0: the file as a whole) was refused."""

    row: int
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return _("文件：%(message)s") % {"message": self.message}
        return _("第%(row)d行：%(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ImportReport:
    """What an import did (or, for a dry run or a refused file, would do / did not do)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def bad_rows(self) -> list[int]:
        """Numbers of the refused rows (as a spreadsheet numbers them: the header is row 1)."""
        return sorted({problem.row for problem in self.errors if problem.row})

    def lines(self) -> list[str]:
        """The report as printed by ``techmarket import-regions``."""
        if not self.ok:
            bad = self.bad_rows()
            outcome = (
                _("共 %(rows)d 行，%(bad)d 行有误：未导入任何数据。") % {"rows": self.rows, "bad": len(bad)}
                if bad
                else _("未导入任何数据。")
            )
            return [*(str(problem) for problem in self.errors), outcome]
        summary = _("共 %(rows)d 行：新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d。") % {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if self.dry_run:
            summary += _("（试运行，未写入）")
        return [summary]


@dataclass
class _RegionRow:
    line: int
    code: str
    name: str
    level: str
    parent_code: str


def _read_bytes(source: str | Path | IO[Any]) -> bytes | str:
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    content: bytes | str = source.read()
    return content


def _decode(raw: bytes | str) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 as saved by Chinese Excel."""
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff")
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _parse(text: str, report: ImportReport) -> list[_RegionRow]:
    reader = csv.DictReader(io.StringIO(text))
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in REGION_COLUMNS if column not in header]
    if missing:
        report.errors.append(
            RowProblem(0, _("第1行应为表头，缺少列：%(columns)s。") % {"columns": ", ".join(missing)})
        )
        return []
    reader.fieldnames = header
    rows = []
    for record in reader:
        values = {column: (record.get(column) or "").strip() for column in REGION_COLUMNS}
        rows.append(_RegionRow(line=reader.line_num, **values))
    if not rows:
        report.errors.append(RowProblem(0, _("文件中没有数据行。")))
    return rows


def _row_problems(
    row: _RegionRow,
    in_file: dict[str, _RegionRow],
    first_line: dict[str, int],
    in_db: dict[str, Region],
) -> list[str]:
    problems: list[str] = []
    try:
        validate_region_code(row.code)
    except ValidationError as error:
        problems.extend(error.messages)
    if first_line[row.code] != row.line:
        problems.append(
            _("代码 %(code)s 与第%(line)d行重复。") % {"code": row.code, "line": first_line[row.code]}
        )
    if not row.name:
        problems.append(_("名称不能为空。"))
    elif len(row.name) > MAX_REGION_NAME:
        problems.append(_("名称不能超过%(count)d个字。") % {"count": MAX_REGION_NAME})
    level = LEVEL_ALIASES.get(row.level.lower())
    if level is None:
        problems.append(_("级别“%(level)s”无效，应为 province、city 或 county。") % {"level": row.level})
        return problems
    existing = in_db.get(row.code)
    if existing is not None and existing.level != level:
        problems.append(
            _("系统中已有 %(code)s %(name)s（%(old)s），不能改为%(new)s。")
            % {
                "code": row.code,
                "name": existing.name,
                "old": existing.get_level_display(),
                "new": RegionLevel(level).label,
            }
        )
    if level == RegionLevel.PROVINCE:
        if row.parent_code:
            problems.append(_("省级区划不应填写上级代码。"))
        return problems
    if not row.parent_code:
        problems.append(_("%(level)s区划必须填写上级代码。") % {"level": RegionLevel(level).label})
        return problems
    if row.parent_code == row.code:
        problems.append(_("上级代码不能是自身。"))
        return problems
    parent_row = in_file.get(row.parent_code)
    parent_db = in_db.get(row.parent_code)
    if parent_row is not None:
        parent_level = LEVEL_ALIASES.get(parent_row.level.lower())
    elif parent_db is not None:
        parent_level = parent_db.level
    else:
        problems.append(_("上级 %(parent)s 既不在文件中，也不在系统中。") % {"parent": row.parent_code})
        return problems
    expected = PARENT_LEVEL[RegionLevel(level)]
    if parent_level is not None and parent_level != expected:
        problems.append(
            _("上级 %(parent)s 是%(parent_level)s区划，%(level)s区划的上级应为%(expected)s区划。")
            % {
                "parent": row.parent_code,
                "parent_level": RegionLevel(parent_level).label,
                "level": RegionLevel(level).label,
                "expected": expected.label,
            }
        )
    elif row.code[:2] != row.parent_code[:2]:
        problems.append(
            _("代码 %(code)s 与上级 %(parent)s 不在同一省份（前两位不同）。")
            % {"code": row.code, "parent": row.parent_code}
        )
    return problems


def _level_order(rows: Iterable[_RegionRow]) -> list[_RegionRow]:
    rank = {RegionLevel.PROVINCE: 0, RegionLevel.CITY: 1, RegionLevel.COUNTY: 2}
    return sorted(rows, key=lambda row: rank[RegionLevel(LEVEL_ALIASES[row.level.lower()])])


def import_regions(source: str | Path | IO[Any], *, actor: Any = None, dry_run: bool = False) -> ImportReport:
    """Check every row of a GB/T 2260 CSV (code,name,level,parent_code); if all are valid, upsert them.

    All-or-nothing: one bad row and nothing is written; the report names each bad row and why.
    One audit event records an import that changed anything.
    """
    report = ImportReport(dry_run=dry_run)
    try:
        text = _decode(_read_bytes(source))
    except UnicodeDecodeError:
        report.errors.append(RowProblem(0, _("无法识别文件编码，请保存为 UTF-8 或 GB18030 编码的 CSV。")))
        return report
    rows = _parse(text, report)
    report.rows = len(rows)
    if not report.ok:
        return report
    in_file: dict[str, _RegionRow] = {}
    first_line: dict[str, int] = {}
    for row in rows:
        in_file.setdefault(row.code, row)
        first_line.setdefault(row.code, row.line)
    codes = {row.code for row in rows} | {row.parent_code for row in rows if row.parent_code}
    in_db = Region.objects.in_bulk(list(codes))
    for row in rows:
        report.errors.extend(
            RowProblem(row.line, message) for message in _row_problems(row, in_file, first_line, in_db)
        )
    if not report.ok:
        return report

    new: list[Region] = []
    changed: list[Region] = []
    for row in _level_order(rows):
        level = LEVEL_ALIASES[row.level.lower()]
        parent_id = row.parent_code or None
        current = in_db.get(row.code)
        if current is None:
            new.append(Region(code=row.code, name=row.name, level=level, parent_id=parent_id))
        elif current.name != row.name or current.parent_id != parent_id:
            current.name, current.parent_id = row.name, parent_id
            changed.append(current)
    report.created, report.updated = len(new), len(changed)
    report.unchanged = report.rows - len(new) - len(changed)
    if dry_run or not (new or changed):
        return report
    with transaction.atomic():
        Region.objects.bulk_create(new)
        Region.objects.bulk_update(changed, ["name", "parent"])
        record_event(
            actor=actor,
            action="core.regions.import",
            target=(new or changed)[0],
            data={
                "rows": report.rows,
                "created": [region.code for region in new],
                "updated": [region.code for region in changed],
            },
        )
    return report
