"""Offline matching of a file of demands against a file of achievements (``techmarket match-batch``).

Same engine and ranking as the platform: records are indexed with :class:`.engine.MatchIndex`, each
demand is ranked with :func:`.ranking.rank`, the records' structured columns giving the fit. Input is
JSON lines, ``.csv`` or ``.xlsx`` (first sheet) with the columns of
``../shared/benchmarks/matching/corpus.jsonl`` (achievements) and ``b3_queries.jsonl`` (demands), plus
the optional structured ones; output is JSON lines in ``evaluate.py``'s run format, or ``.xlsx``.

Everything is checked before anything is written: a bad file raises :class:`BatchError` naming the
file and row, and the output file appears whole or not at all. Django-free.
"""

from __future__ import annotations

import csv
import functools
import json
import math
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from techmarket.matching import ranking
from techmarket.matching.engine import Lexicon, MatchIndex
from techmarket.matching.engine.runs import demand_text

# Achievement transfer modes and demand cooperation kinds: machine values, or the platform's labels
# (achievements.choices.TransferMode, demands.choices.Cooperation; a test keeps them in step).
MODE_LABELS = {
    "转让": "transfer",
    "许可": "license",
    "作价投资": "equity",
    "合作开发": "co_develop",
    "技术服务": "service",
}
COOPERATION_LABELS = {
    "购买": "purchase",
    "许可": "license",
    "合作开发": "co_develop",
    "委托开发": "commission",
    "技术咨询": "consulting",
    "技术服务": "service",
}
LIST_SEPARATORS = re.compile(r"[;；,，、]")
UNPRICED = {"", "面议", "negotiable"}
OUTPUT_COLUMNS = ("demand_id", "rank", "id", "score", "reasons", "理由")
# The national code tables the platform ships (core/data), read as plain files: the spreadsheet's
# 理由 column names regions, industries and disciplines instead of their codes.
CODE_TABLES = Path(__file__).resolve().parents[1] / "core" / "data"
_FIT_LABELS = {
    "industry": "行业",
    "discipline": "学科",
    "region": "地域",
    "trl": "成熟度",
    "price": "价格",
    "mode": "合作方式",
}


class BatchError(Exception):
    """A problem with an input file: the message names the file and, where there is one, the row."""


@dataclass(frozen=True)
class Row:
    """One input record with where it came from (for error messages)."""

    where: str  # "demands.csv 第 7 行"
    values: dict[str, Any]


@dataclass(frozen=True)
class Stats:
    records: int
    index_s: float
    demands: int
    rank_s: float
    p95_ms: float

    def summary(self) -> str:
        per = lambda count, seconds: count / seconds if seconds else float("inf")  # noqa: E731
        return (
            f"索引 {self.records:,} 条成果，用时 {self.index_s:.1f} 秒（{per(self.records, self.index_s):,.0f} 条/秒）；"
            f"匹配 {self.demands:,} 条需求，用时 {self.rank_s:.1f} 秒"
            f"（{per(self.demands, self.rank_s):,.1f} 条/秒，p95 {self.p95_ms:.1f} 毫秒）"
        )


# --------------------------------------------------------------------------- reading


def read_rows(path: Path) -> Iterator[Row]:
    """The records of a ``.jsonl``/``.json``, ``.csv`` or ``.xlsx`` file, each with an ``id``."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        rows = _table_rows(path, _xlsx_cells(path))
    elif suffix == ".csv":
        rows = _table_rows(path, _csv_cells(path))
    elif suffix in (".jsonl", ".json", ".ndjson"):
        rows = _jsonl_rows(path)
    else:
        raise BatchError(f"{path}：不支持的文件类型 {suffix or '（无扩展名）'}，请使用 .jsonl、.csv 或 .xlsx")
    for row in rows:
        doc_id = row.values.get("id")
        if isinstance(doc_id, float) and doc_id.is_integer():
            doc_id = str(int(doc_id))
        doc_id = "" if doc_id is None else str(doc_id).strip()
        if not doc_id or "\n" in doc_id:
            raise BatchError(f"{row.where}：id 为空或包含换行")
        row.values["id"] = doc_id
        yield row


def _jsonl_rows(path: Path) -> Iterator[Row]:
    try:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                where = f"{path} 第 {number} 行"
                try:
                    values = json.loads(line)
                except json.JSONDecodeError as error:
                    raise BatchError(f"{where}：不是有效的 JSON（{error.msg}）") from None
                if not isinstance(values, dict):
                    raise BatchError(f"{where}：应为 JSON 对象")
                if "id" not in values:
                    raise BatchError(f"{where}：缺少 id")
                yield Row(where, values)
    except (OSError, UnicodeDecodeError) as error:
        raise BatchError(f"{path}：无法读取文件（{error}）") from None


def _csv_cells(path: Path) -> Iterator[list[Any]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as source:
            yield from csv.reader(source)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise BatchError(f"{path}：无法按 UTF-8 CSV 读取（{error}）") from None


def _xlsx_cells(path: Path) -> Iterator[list[Any]]:
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        cells = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (OSError, python_calamine.CalamineError, IndexError) as error:
        raise BatchError(f"{path}：无法按 .xlsx 读取（{error}）") from None
    yield from cells


def _table_rows(path: Path, cells: Iterator[list[Any]]) -> Iterator[Row]:
    header: list[str] | None = None
    for number, line in enumerate(cells, start=1):
        if header is None:
            header = [str(name).strip().lower() for name in line]
            if "id" not in header:
                raise BatchError(f"{path} 第 {number} 行：缺少 id 列（现有列：{'、'.join(header) or '无'}）")
            continue
        if all(value in ("", None) for value in line):
            continue
        yield Row(
            f"{path} 第 {number} 行", {name: value for name, value in zip(header, line, strict=False) if name}
        )


# --------------------------------------------------------------------------- typed columns


def _text(row: Row, column: str) -> str:
    value = row.values.get(column)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _list(row: Row, column: str) -> list[str]:
    value = row.values.get(column)
    if isinstance(value, list | tuple):
        return [str(item).strip() for item in value if str(item).strip()]
    return [part.strip() for part in LIST_SEPARATORS.split(_text(row, column)) if part.strip()]


def _number(row: Row, column: str) -> float | None:
    value = row.values.get(column)
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = _text(row, column)
        if text.lower() in UNPRICED:
            return None
        try:
            number = float(text)
        except ValueError:
            raise BatchError(f"{row.where}：{column} “{text}”不是数字") from None
    if not math.isfinite(number) or number < 0:
        raise BatchError(f"{row.where}：{column} 应为不小于 0 的数")
    return number


def _trl(row: Row) -> int | None:
    number = _number(row, "trl")
    if number is None:
        return None
    if not number.is_integer() or not 1 <= number <= 9:
        raise BatchError(f"{row.where}：trl 应为 1 到 9 的整数，实为 {number:g}")
    return int(number)


def _choices(row: Row, column: str, labels: Mapping[str, str]) -> frozenset[str]:
    allowed = set(labels.values())
    result = set()
    for item in _list(row, column):
        value = labels.get(item, item.lower())
        if value not in allowed:
            shown = "、".join(sorted(allowed))
            raise BatchError(f"{row.where}：{column} “{item}”不是 {shown} 之一（也可用中文名称）")
        result.add(value)
    return frozenset(result)


def achievement_document(row: Row) -> dict[str, Any]:
    """What the engine indexes of an achievement row."""
    return {
        "id": row.values["id"],
        "title": _text(row, "title"),
        "abstract": _text(row, "abstract"),
        "keywords": _list(row, "keywords"),
    }


def achievement_profile(row: Row) -> ranking.Profile | None:
    """The row's structured columns, or None when it has none."""
    profile = ranking.Profile(
        industry=sys.intern(_text(row, "industry")),
        discipline=sys.intern(_text(row, "discipline")),
        region=sys.intern(_text(row, "region")),
        trl=_trl(row),
        price=_number(row, "price"),
        modes=_choices(row, "modes", MODE_LABELS),
    )
    return None if profile == ranking.Profile() else profile


def demand_need(row: Row) -> ranking.Need:
    low, high = _number(row, "budget_min"), _number(row, "budget_max")
    if low is not None and high is not None and low > high:
        raise BatchError(f"{row.where}：budget_min {low:g} 大于 budget_max {high:g}")
    return ranking.Need(
        text=demand_text({"title": _text(row, "title"), "content": _text(row, "content")}),
        industry=_text(row, "industry"),
        discipline=_text(row, "discipline"),
        region=_text(row, "region"),
        trl=_trl(row),
        budget_min=low,
        budget_max=high,
        cooperation=_choices(row, "cooperation", COOPERATION_LABELS),
    )


def read_demands(path: Path) -> list[tuple[str, ranking.Need]]:
    seen: dict[str, str] = {}
    demands = []
    for row in read_rows(path):
        doc_id = row.values["id"]
        if doc_id in seen:
            raise BatchError(f"{row.where}：id “{doc_id}”重复（首次出现在 {seen[doc_id]}）")
        seen[doc_id] = row.where
        demands.append((doc_id, demand_need(row)))
    return demands


def build_index(path: Path) -> tuple[MatchIndex, dict[str, ranking.Profile]]:
    """Index the achievements of ``path``; also their profiles (equal profiles share one object)."""
    profiles: dict[str, ranking.Profile] = {}
    shared: dict[ranking.Profile, ranking.Profile] = {}
    where: dict[str, str] = {}

    def documents() -> Iterator[dict[str, Any]]:
        for row in read_rows(path):
            where["last"], where["id"] = row.where, row.values["id"]
            profile = achievement_profile(row)
            if profile is not None:
                profiles[row.values["id"]] = shared.setdefault(profile, profile)
            yield achievement_document(row)

    lexicon = Lexicon.grow(achievement_document(row) for row in read_rows(path))
    try:
        index = MatchIndex.build(documents(), lexicon)
    except ValueError:  # ids are checked as they are read: the engine refuses only a duplicate
        raise BatchError(f"{where['last']}：id “{where['id']}”重复") from None
    if not len(index):
        raise BatchError(f"{path}：没有记录")
    return index, profiles


# --------------------------------------------------------------------------- running


def run(
    achievements: Path,
    demands: Path,
    *,
    top: int,
    weights: ranking.Weights,
    depth: int = 100,
) -> tuple[list[dict[str, Any]], Stats]:
    """Rank every demand: evaluate.py run records (``demand_id``, ``matches`` with reasons), and timings."""
    needs = read_demands(demands)  # small: checked before the long part starts
    started = time.perf_counter()
    index, profiles = build_index(achievements)
    index_s = time.perf_counter() - started
    results, seconds = [], []
    for demand_id, need in needs:
        began = time.perf_counter()
        ranked = ranking.rank(
            index, need, k=top, profile_of=profiles.get, weights=weights, depth=max(depth, top)
        )
        seconds.append(time.perf_counter() - began)
        results.append({"demand_id": demand_id, "matches": [as_match(item) for item in ranked]})
    ordered = sorted(seconds)
    p95 = 1000 * ordered[min(int(len(ordered) * 0.95), len(ordered) - 1)] if ordered else 0.0
    return results, Stats(len(index), index_s, len(needs), sum(seconds), p95)


def as_match(item: ranking.Ranked) -> dict[str, Any]:
    return {"id": item.doc_id, "score": item.score, "reasons": [reason.as_dict() for reason in item.reasons]}


def write(path: Path, results: list[dict[str, Any]]) -> None:
    """JSON lines, or a spreadsheet (one row per match) when ``path`` ends in ``.xlsx``; atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    try:
        writer: Callable[[Path, list[dict[str, Any]]], None] = (
            _write_xlsx if path.suffix.lower() == ".xlsx" else _write_jsonl
        )
        writer(Path(temporary), results)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write_jsonl(path: Path, results: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for result in results:
            out.write(json.dumps(result, ensure_ascii=False) + "\n")


def reason_text(reason: Mapping[str, Any]) -> str:
    return f"{reason['kind']} {reason['value']} {reason['weight']:+g}"


@functools.cache
def _code_names() -> dict[str, dict[str, str]]:
    tables = {"industry": "industries.csv", "discipline": "disciplines.csv", "region": "regions_hubei.csv"}
    names: dict[str, dict[str, str]] = {}
    for kind, name in tables.items():
        try:
            with (CODE_TABLES / name).open(encoding="utf-8", newline="") as handle:
                names[kind] = {row["code"]: row["name"] for row in csv.DictReader(handle)}
        except OSError:
            names[kind] = {}
    return names


def code_name(kind: str, code: str) -> str:
    """A region's, industry's or discipline's name; the nearest named level above it (C3985 → its
    division 39) when the shipped table stops short; the code itself when nothing is known."""
    table = _code_names().get(kind, {})
    key = code.strip().upper().replace(".", "")
    if kind == "industry" and key[:1].isalpha() and key[1:].isdigit() and key[1:]:
        key = key[1:]
    if kind == "region":
        return table.get(key, code)
    while len(key) >= 2:
        if key in table:
            return table[key]
        key = key[:-1]
    return table.get(code.strip().upper(), code)


_MODE_NAMES = {
    value: label for labels in (COOPERATION_LABELS, MODE_LABELS) for label, value in labels.items()
}


def _amount(value: str) -> str:
    try:
        return f"{float(value):g}"
    except ValueError:
        return value


def reason_words(reason: Mapping[str, Any]) -> str:
    """A reason as a person reads it (the 理由 column): names instead of codes, ✓ or ✗ for a fit."""
    kind, value = str(reason["kind"]), str(reason["value"])
    if kind not in _FIT_LABELS:
        return value
    if kind in ("industry", "discipline", "region"):
        text = code_name(kind, value)
    elif kind == "mode":
        text = "、".join(_MODE_NAMES.get(mode, mode) for mode in value.split("+") if mode)
    elif kind == "trl":
        have, _, want = value.partition("/")
        text = f"{have}级（期望{want}级）" if want else f"{have}级"
    else:  # price: "price/budget"
        price, _, budget = value.partition("/")
        if budget.endswith("+"):
            span = f"{_amount(budget[:-1])}万元以上"
        elif "-" in budget:
            low, high = budget.split("-", 1)
            span = f"{_amount(low)}–{_amount(high)}万元"
        else:
            span = f"{_amount(budget)}万元以内"
        text = f"参考价{_amount(price)}万元，预算{span}"
    return f"{_FIT_LABELS[kind]}：{text} {'✓' if float(reason['weight']) >= 0 else '✗'}"


def _write_xlsx(path: Path, results: list[dict[str, Any]]) -> None:
    import xlsxwriter

    from techmarket.core.spreadsheets import CellWriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    cells = CellWriter(workbook)
    sheet = workbook.add_worksheet("matches")
    cells.write_row(sheet, 0, 0, OUTPUT_COLUMNS)
    line = 1
    for result in results:
        for position, match in enumerate(result["matches"], start=1):
            reasons = "; ".join(reason_text(reason) for reason in match["reasons"])
            words = "；".join(reason_words(reason) for reason in match["reasons"])
            row = (result["demand_id"], position, match["id"], match["score"], reasons, words)
            cells.write_row(sheet, line, 0, row)
            line += 1
    sheet.freeze_panes(1, 0)
    workbook.close()


def load_weights(value: str) -> ranking.Weights:
    """``default`` or a JSON file written by ``Weights.to_dict``."""
    if value == "default":
        return ranking.DEFAULT_WEIGHTS
    path = Path(value)
    try:
        return ranking.Weights.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValueError) as error:
        raise BatchError(f"{path}：不是有效的权重文件（{error}）") from None
