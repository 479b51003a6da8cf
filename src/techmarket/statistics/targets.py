"""KPI target sets shipped as JSON (``statistics/targets/*.json``): reading, validation and loading.

A file is one plan's numeric targets::

    {"id": "hebi-2018", "name": "…", "name_en": "…", "region": {"code": "410600", "name": "鹤壁市"},
     "source": "…", "issued_year": 2018,
     "targets": [{"id": "contract_amount", "label": {"zh": "…", "en": "…"}, "metric": "contract_amount",
                  "region": "410600", "start_year": 2018, "deadline": "2020-12-31", "basis": "annual",
                  "value": 30000000, "unit": "元"}, …]}

``value`` is a number, ``{"min": 2, "max": 3}`` (a range), ``{"about": 50}`` (approximate) or
``{"at_most": 24}`` (a ceiling). ``metric`` is one the platform computes (:data:`METRICS`) or ``manual``
(administrators enter the actuals). A file with an error is refused whole, with every error named.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from techmarket.core.errors import DomainError

TARGETS_DIR = Path(__file__).resolve().parent / "targets"

# Metrics the platform computes (what they count is in docs/domains/statistics.md).
METRICS = (
    "registered_contracts",
    "contract_amount",
    "certified_amount",
    "receipts",
    "achievements_registered",
    "achievements_transferred",
    "demands_answered",
    "median_response_hours",
)
MANUAL = "manual"
BASES = ("cumulative", "annual")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
REGION_CODE = re.compile(r"^\d{6}$")


@dataclass
class ParsedTarget:
    key: str
    label: str
    label_en: str
    metric: str
    region_code: str
    start_year: int
    deadline: datetime.date
    basis: str
    value_min: Decimal
    value_max: Decimal | None
    approximate: bool
    at_most: bool
    unit: str
    note: str


@dataclass
class ParsedSet:
    key: str
    name: str
    name_en: str
    region_code: str
    region_name: str
    source: str
    issued_year: int
    targets: list[ParsedTarget] = field(default_factory=list)


def _number(raw: Any) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return None
    return value if value.is_finite() and value >= 0 else None


def _value(raw: Any) -> tuple[Decimal, Decimal | None, bool, bool] | None:
    """(min, max, approximate, at_most) of a target's ``value``; None when malformed."""
    if isinstance(raw, dict):
        if set(raw) == {"min", "max"}:
            low, high = _number(raw["min"]), _number(raw["max"])
            if low is None or high is None or high < low:
                return None
            return low, high, False, False
        if set(raw) == {"about"}:
            about = _number(raw["about"])
            return (about, None, True, False) if about is not None else None
        if set(raw) == {"at_most"}:
            ceiling = _number(raw["at_most"])
            return (ceiling, None, False, True) if ceiling is not None else None
        return None
    number = _number(raw)
    return (number, None, False, False) if number is not None else None


def parse(data: Any, *, name: str = "") -> ParsedSet:
    """A target set from a file's decoded JSON; DomainError listing every problem."""
    errors: list[str] = []
    where = name or "?"
    if not isinstance(data, dict):
        raise DomainError("bad_target_file", _("%(file)s：文件内容应为一个 JSON 对象。") % {"file": where})

    def need(mapping: dict[str, Any], key: str, kind: type, place: str) -> Any:
        value = mapping.get(key)
        if not isinstance(value, kind) or isinstance(value, bool) or value in ("", None):
            errors.append(_("%(place)s：缺少或错误的字段“%(key)s”。") % {"place": place, "key": key})
            return None
        return value

    key = need(data, "id", str, where)
    if key is not None and not SLUG.match(key):
        errors.append(
            _("%(place)s：标识“%(key)s”只能包含小写字母、数字、连字符和下划线。")
            % {"place": where, "key": key}
        )
    region: dict[str, Any] = data["region"] if isinstance(data.get("region"), dict) else {}
    region_code = need(region, "code", str, f"{where} region")
    if region_code is not None and not REGION_CODE.match(region_code):
        errors.append(
            _("%(place)s：地区代码“%(code)s”不是六位行政区划代码。") % {"place": where, "code": region_code}
        )
    parsed = ParsedSet(
        key=key or "",
        name=need(data, "name", str, where) or "",
        name_en=str(data.get("name_en") or ""),
        region_code=region_code or "",
        region_name=need(region, "name", str, f"{where} region") or "",
        source=str(data.get("source") or ""),
        issued_year=need(data, "issued_year", int, where) or 0,
    )
    items = data.get("targets")
    if not isinstance(items, list) or not items:
        errors.append(_("%(place)s：“targets”应为非空列表。") % {"place": where})
        items = []
    seen: set[str] = set()
    for index, item in enumerate(items, start=1):
        place = _("%(file)s 第 %(n)s 项指标") % {"file": where, "n": index}
        if not isinstance(item, dict):
            errors.append(_("%(place)s：应为一个对象。") % {"place": place})
            continue
        target_key = need(item, "id", str, place)
        if target_key is not None:
            if not SLUG.match(target_key):
                errors.append(
                    _("%(place)s：标识“%(key)s”只能包含小写字母、数字、连字符和下划线。")
                    % {"place": place, "key": target_key}
                )
            if target_key in seen:
                errors.append(_("%(place)s：标识“%(key)s”重复。") % {"place": place, "key": target_key})
            seen.add(target_key)
        label: dict[str, Any] = item["label"] if isinstance(item.get("label"), dict) else {}
        zh = need(label, "zh", str, f"{place} label")
        en = need(label, "en", str, f"{place} label")
        metric = need(item, "metric", str, place)
        if metric is not None and metric != MANUAL and metric not in METRICS:
            errors.append(
                _("%(place)s：未知的度量“%(metric)s”（可用：%(known)s）。")
                % {"place": place, "metric": metric, "known": ", ".join((*METRICS, MANUAL))}
            )
        target_region = item.get("region", region_code)
        if not isinstance(target_region, str) or not REGION_CODE.match(target_region):
            errors.append(
                _("%(place)s：地区代码“%(code)s”不是六位行政区划代码。")
                % {"place": place, "code": target_region}
            )
        start_year = need(item, "start_year", int, place)
        deadline_raw = need(item, "deadline", str, place)
        deadline = None
        if deadline_raw is not None:
            try:
                deadline = datetime.date.fromisoformat(deadline_raw)
            except ValueError:
                errors.append(
                    _("%(place)s：期限“%(value)s”不是 YYYY-MM-DD 格式的日期。")
                    % {"place": place, "value": deadline_raw}
                )
        if deadline is not None and isinstance(start_year, int) and start_year > deadline.year:
            errors.append(_("%(place)s：起始年份晚于期限。") % {"place": place})
        basis = item.get("basis", "cumulative")
        if basis not in BASES:
            errors.append(
                _("%(place)s：口径“%(basis)s”应为 cumulative 或 annual。") % {"place": place, "basis": basis}
            )
        value = _value(item.get("value"))
        if value is None:
            errors.append(
                _('%(place)s：目标值应为非负数，或 {"min","max"}、{"about"}、{"at_most"} 之一。')
                % {"place": place}
            )
        unit = need(item, "unit", str, place)
        if errors or value is None or deadline is None:
            continue
        parsed.targets.append(
            ParsedTarget(
                key=target_key,
                label=zh,
                label_en=en,
                metric=metric,
                region_code=target_region,
                start_year=start_year,
                deadline=deadline,
                basis=basis,
                value_min=value[0],
                value_max=value[1],
                approximate=value[2],
                at_most=value[3],
                unit=unit,
                note=str(item.get("note") or "")[:300],
            )
        )
    if errors:
        raise DomainError("bad_target_file", "\n".join(errors))
    return parsed


def read_file(path: Path) -> ParsedSet:
    """Parse one target file; DomainError naming the file and each problem."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise DomainError(
            "bad_target_file", _("%(file)s：无法读取（%(error)s）。") % {"file": path.name, "error": error}
        ) from error
    except json.JSONDecodeError as error:
        raise DomainError(
            "bad_target_file",
            _("%(file)s：JSON 格式错误，第 %(line)s 行第 %(col)s 列：%(msg)s。")
            % {"file": path.name, "line": error.lineno, "col": error.colno, "msg": error.msg},
        ) from error
    return parse(data, name=path.name)


def shipped_files() -> list[Path]:
    return sorted(TARGETS_DIR.glob("*.json"))


@transaction.atomic
def store(parsed: ParsedSet, *, using: str = "default") -> Any:
    """Create or replace a target set (targets no longer in the file are removed with their actuals)."""
    from techmarket.statistics.models import Target, TargetSet

    target_set, _created = TargetSet.objects.using(using).update_or_create(
        key=parsed.key,
        defaults={
            "name": parsed.name,
            "name_en": parsed.name_en,
            "region_code": parsed.region_code,
            "region_name": parsed.region_name,
            "source": parsed.source,
            "issued_year": parsed.issued_year,
        },
    )
    keys = []
    for position, item in enumerate(parsed.targets):
        keys.append(item.key)
        Target.objects.using(using).update_or_create(
            target_set=target_set,
            key=item.key,
            defaults={
                "position": position,
                "label": item.label,
                "label_en": item.label_en,
                "metric": item.metric,
                "region_code": item.region_code,
                "start_year": item.start_year,
                "deadline": item.deadline,
                "basis": item.basis,
                "value_min": item.value_min,
                "value_max": item.value_max,
                "approximate": item.approximate,
                "at_most": item.at_most,
                "unit": item.unit,
                "note": item.note,
            },
        )
    Target.objects.using(using).filter(target_set=target_set).exclude(key__in=keys).delete()
    return target_set


def load_paths(paths: list[Path], *, using: str = "default") -> list[Any]:
    """Validate every file first, then store them all; nothing is stored when one file is bad."""
    parsed = [read_file(path) for path in paths]
    keys = [item.key for item in parsed]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise DomainError(
            "bad_target_file", _("指标集标识重复：%(keys)s。") % {"keys": ", ".join(duplicates)}
        )
    with transaction.atomic(using=using):
        return [store(item, using=using) for item in parsed]


def load_shipped(*, using: str = "default") -> list[Any]:
    """Load the target sets shipped with the product."""
    return load_paths(shipped_files(), using=using)
