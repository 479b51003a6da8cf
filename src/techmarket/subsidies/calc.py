"""The what-if calculator's files: contract facts read from CSV/.xlsx (streamed), awards written out.

Used by ``techmarket subsidy-calc``; touches no database. Rows are checked as they stream into the
engine; bad rows are collected (row number + reason) so the command can refuse to write anything.
"""

from __future__ import annotations

import csv
import json
import operator
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from techmarket.subsidies.engine import CONTRACT_TYPES, Claim, ContractFact, Result

COLUMNS = (
    "contract_id",
    "seller_id",
    "seller_name",
    "seller_region",
    "buyer_id",
    "buyer_name",
    "buyer_region",
    "type",
    "received",
    "year",
)
OUTPUT_COLUMNS = (
    "org_id",
    "org_name",
    "rule",
    "base",
    "rate",
    "raw_award",
    "capped_award",
    "final_award",
)
MAX_REPORTED_ERRORS = 200
CACHE_LIMIT = 100_000
_TYPES = frozenset(CONTRACT_TYPES)


class CalcError(Exception):
    """The input cannot be read at all (missing file, missing columns, unreadable workbook)."""


class RowErrors:
    """Bad rows found while streaming: the first ``MAX_REPORTED_ERRORS`` kept, all counted."""

    def __init__(self) -> None:
        self.count = 0
        self.rows: list[tuple[int, str]] = []

    def add(self, row: int, reason: str) -> None:
        self.count += 1
        if len(self.rows) < MAX_REPORTED_ERRORS:
            self.rows.append((row, reason))

    def __bool__(self) -> bool:
        return self.count > 0


def _text(value: Any) -> str:
    """A cell as text; whole numbers from a workbook (430602.0) lose their ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _valid_region(code: str) -> bool:
    """A 6-digit GB/T 2260 code, or a 2-letter ISO 3166 country code for a foreign party."""
    if len(code) == 6:
        return code.isascii() and code.isdigit() and code[0] != "0"
    return len(code) == 2 and code.isascii() and code.isalpha() and code.isupper()


def _rows(path: Path) -> Iterator[list[Any]]:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        import python_calamine

        try:
            workbook = python_calamine.CalamineWorkbook.from_path(str(path))
            sheet = workbook.get_sheet_by_index(0)
        except (OSError, python_calamine.CalamineError, IndexError) as error:
            raise CalcError(
                _("无法读取工作簿 %(path)s：%(error)s") % {"path": path, "error": error}
            ) from None
        yield from sheet.iter_rows()
        return
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise CalcError(_("无法读取文件 %(path)s：%(error)s") % {"path": path, "error": error}) from None
    with handle:
        try:
            yield from csv.reader(handle)
        except (csv.Error, UnicodeDecodeError) as error:
            raise CalcError(_("无法读取文件 %(path)s：%(error)s") % {"path": path, "error": error}) from None


def read_contracts(path: Path, errors: RowErrors) -> Iterator[ContractFact]:
    """The contract facts of a CSV/.xlsx file, one at a time; bad rows go to ``errors`` (row 1 = header)."""
    rows = _rows(path)
    header = next(rows, None)
    if header is None:
        raise CalcError(_("文件 %(path)s 是空的。") % {"path": path})
    names = [_text(name).lower() for name in header]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        raise CalcError(
            _("文件 %(path)s 缺少列：%(columns)s。") % {"path": path, "columns": ", ".join(missing)}
        )
    index = [names.index(column) for column in COLUMNS]
    width = max(index) + 1
    pick = operator.itemgetter(*index)
    from_workbook = path.suffix.lower() == ".xlsx"
    # Few distinct regions and years: each is checked once (bounded, in case every row has a bad one).
    regions: dict[str, bool] = {}
    years: dict[str, int | None] = {}
    for number, row in enumerate(rows, start=2):
        if len(row) < width:
            if not any(_text(cell) for cell in row):
                continue  # a blank line
            errors.add(
                number,
                _("列数不足（%(found)d 列，需要 %(needed)d 列）。") % {"found": len(row), "needed": width},
            )
            continue
        values = pick(row)
        if from_workbook:
            values = tuple(_text(value) for value in values)
        (contract_id, seller_id, seller_name, seller_region, buyer_id, buyer_name, buyer_region,
         contract_type, received_text, year_text) = values  # fmt: skip
        year = years.get(year_text)
        if year is None and year_text not in years:
            year = _year(year_text)
            if len(years) < CACHE_LIMIT:
                years[year_text] = year
        seller_ok = regions.get(seller_region)
        if seller_ok is None:
            seller_ok = _valid_region(seller_region)
            if len(regions) < CACHE_LIMIT:
                regions[seller_region] = seller_ok
        buyer_ok = regions.get(buyer_region)
        if buyer_ok is None:
            buyer_ok = _valid_region(buyer_region)
            if len(regions) < CACHE_LIMIT:
                regions[buyer_region] = buyer_ok
        received = None
        if (
            contract_id
            and seller_id
            and buyer_id
            and seller_ok
            and buyer_ok
            and contract_type in _TYPES
            and year is not None
        ):
            received = _amount(received_text)
        if received is None or year is None:
            errors.add(number, "；".join(_reasons(values)) or _("行无效"))
            continue
        yield ContractFact(
            contract_id,
            seller_id,
            seller_name,
            seller_region,
            buyer_id,
            buyer_name,
            buyer_region,
            contract_type,
            received,
            year,
        )


def _year(text: str) -> int | None:
    if text.isascii() and text.isdigit() and 1900 <= int(text) <= 2999:
        return int(text)
    return None


def _amount(text: str) -> Decimal | None:
    """A received amount: a non-negative number of yuan with at most 2 decimals (thousands commas allowed)."""
    whole, dot, decimals = text.partition(".")
    if whole.isascii() and whole.isdigit() and (not dot or (decimals.isdigit() and len(decimals) <= 2)):
        return Decimal(text)  # the usual case, checked by its text: 1234 or 1234.5 or 1234.56
    try:
        amount = Decimal(text)
    except InvalidOperation:
        try:
            amount = Decimal(text.replace(",", ""))
        except InvalidOperation:
            return None
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return amount


def _reasons(values: tuple[str, ...]) -> list[str]:
    """Why a row was refused (only computed for bad rows)."""
    (contract_id, seller_id, _seller_name, seller_region, buyer_id, _buyer_name, buyer_region,
     contract_type, received_text, year_text) = values  # fmt: skip
    reasons = []
    if not contract_id:
        reasons.append(_("合同编号为空"))
    if not seller_id or not buyer_id:
        reasons.append(_("买方或卖方编号为空"))
    if not _valid_region(seller_region):
        reasons.append(_("卖方地区代码无效：%(value)s") % {"value": seller_region})
    if not _valid_region(buyer_region):
        reasons.append(_("买方地区代码无效：%(value)s") % {"value": buyer_region})
    if contract_type not in _TYPES:
        reasons.append(
            _("合同类型未知：%(value)s（可用：%(types)s）")
            % {"value": contract_type, "types": ", ".join(CONTRACT_TYPES)}
        )
    if _amount(received_text) is None:
        try:
            amount = Decimal(received_text.replace(",", ""))
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            reasons.append(_("到账额不是数字：%(value)s") % {"value": received_text})
        elif amount < 0:
            reasons.append(_("到账额不能为负数：%(value)s") % {"value": received_text})
        else:
            reasons.append(_("到账额最多两位小数：%(value)s") % {"value": received_text})
    if _year(year_text) is None:
        reasons.append(_("年份无效：%(value)s") % {"value": year_text})
    return reasons


def read_claims(path: Path) -> list[Claim]:
    """Claims from a JSON file: a list of {claim_id, org_id, org_name, org_region, rule, facts}."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CalcError(_("无法读取申请文件 %(path)s：%(error)s") % {"path": path, "error": error}) from None
    if not isinstance(data, list):
        raise CalcError(_("申请文件应为 JSON 列表。"))
    claims = []
    for number, item in enumerate(data, start=1):
        fields = ("claim_id", "org_id", "org_name", "org_region", "rule")
        if not isinstance(item, Mapping) or any(not isinstance(item.get(f), str) for f in fields):
            raise CalcError(
                _("申请文件第 %(number)d 项应为含 %(fields)s 的对象。")
                % {"number": number, "fields": ", ".join(fields)}
            )
        facts = item.get("facts", {})
        if not isinstance(facts, Mapping):
            raise CalcError(_("申请文件第 %(number)d 项的 facts 应为对象。") % {"number": number})
        claims.append(
            Claim(
                claim_id=item["claim_id"],
                org_id=item["org_id"],
                org_name=item["org_name"],
                org_region=item["org_region"],
                rule=item["rule"],
                facts=dict(facts),
            )
        )
    return claims


def award_rows(result: Result) -> Iterable[list[Any]]:
    for award in result.awards:
        yield [
            award.org_id,
            award.org_name,
            award.rule,
            award.base,
            award.rate,
            award.raw_award,
            award.capped_award,
            award.final_award,
        ]


def _atomic_target(path: Path) -> tuple[int, str]:
    return tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))


def write_awards(path: Path, result: Result) -> None:
    """OUT as CSV, or .xlsx when its name ends so; written to a temporary file and renamed into place."""
    fd, tmp = _atomic_target(path)
    try:
        if path.suffix.lower() == ".xlsx":
            os.close(fd)
            _write_xlsx(Path(tmp), result)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(OUTPUT_COLUMNS)
                for row in award_rows(result):
                    writer.writerow(["" if value is None else str(value) for value in row])
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_xlsx(path: Path, result: Result) -> None:
    import xlsxwriter

    from techmarket.core.spreadsheets import CellWriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    cells = CellWriter(workbook)
    bold = cells.add_format({"bold": True})
    money = cells.add_format({"num_format": "#,##0.00"})
    rate = cells.add_format({"num_format": "0.00##"})
    sheet = workbook.add_worksheet("awards")
    cells.write_row(sheet, 0, 0, OUTPUT_COLUMNS, bold)
    for number, row in enumerate(award_rows(result), start=1):
        for col, value in enumerate(row):
            if isinstance(value, Decimal):
                # Amounts have 2 decimals and are far below 2**53 fen, so the double is exact to the fen.
                cells.write(sheet, number, col, float(value), rate if col == 4 else money)
            else:
                cells.write(sheet, number, col, value)
    sheet.set_column(0, 2, 24)
    sheet.set_column(3, 7, 16)
    workbook.close()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def result_document(result: Result) -> dict[str, Any]:
    """The whole result with its trail as JSON-ready data (amounts as strings)."""
    return _jsonable(
        {
            "policy_id": result.policy_id,
            "policy_version": result.policy_version,
            "year": result.year,
            "pool": result.pool,
            "total_before_scaling": result.total_before_scaling,
            "scaling_factor": result.scaling_factor,
            "total": result.total,
            "scaling": result.scaling,
            "stats": result.stats,
            "awards": [
                {
                    "org_id": a.org_id,
                    "org_name": a.org_name,
                    "rule": a.rule,
                    "base": a.base,
                    "rate": a.rate,
                    "raw_award": a.raw_award,
                    "capped_award": a.capped_award,
                    "final_award": a.final_award,
                    "trail": a.trail,
                }
                for a in result.awards
            ],
            "refusals": [
                {
                    "claim_id": r.claim_id,
                    "org_id": r.org_id,
                    "rule": r.rule,
                    "code": r.code,
                    "params": r.params,
                }
                for r in result.refusals
            ],
            "checks": [
                {
                    "claim_id": c.claim_id,
                    "org_id": c.org_id,
                    "rule": c.rule,
                    "passed": c.passed,
                    "trail": c.trail,
                }
                for c in result.checks
            ],
        }
    )


def write_trail(path: Path, result: Result) -> None:
    fd, tmp = _atomic_target(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(result_document(result), handle, ensure_ascii=False, indent=1)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
