"""The subsidy policy document format: validation and the engine's message catalogue (no Django).

A policy is a JSON object (see ``docs/domains/subsidies.md``, "Policies as data")::

    {"format": 1, "id": "yueyang-2017", "version": "1",
     "title": {"zh": "…", "en": "…"}, "region": "430600",
     "effective_from": "2017-01-01", "effective_to": "2020-12-31",
     "budget": {"method": "pool", "share": "0.10"},
     "rules": [{"id": "seller_dev_transfer", "kind": "contract_threshold", …}, …]}

:func:`validate_document` returns the normalised specification (amounts and rates as ``Decimal``, dates
as ``date``) and *every* problem found, each a :class:`Problem` (a code, its params and a Chinese default
text). The Django side renders the same codes in the user's language (``subsidies/messages.py``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

CONTRACT_TYPES = ("development", "transfer", "license", "consulting", "service")
SIDES = ("seller", "buyer")
BUDGET_METHODS = ("pool", "none")
CONTRACT_KINDS = ("contract_threshold",)
CLAIM_KINDS = ("tax_increment", "fixed", "range", "share_check")
RULE_KINDS = CONTRACT_KINDS + CLAIM_KINDS
FORMAT_VERSION = 1

POLICY_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
RULE_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
REGION_RE = re.compile(r"^[1-9][0-9]{5}$")

#: Every problem and refusal the engine reports: code → Chinese default text (``%(name)s`` params).
#: ``subsidies/messages.py`` repeats each text inside gettext so it is translated; a test keeps the two
#: in step.
MESSAGES: dict[str, str] = {
    # loading
    "file_not_found": "找不到策略文件 %(path)s。",
    "bad_json": "策略文件 %(path)s 不是有效的 JSON：%(error)s",
    "unknown_policy": "没有编号为 %(id)s 的内置策略（可用：%(known)s）。",
    "other": "%(text)s",
    # document
    "not_an_object": "%(at)s 应为 JSON 对象。",
    "missing_field": "%(at)s 缺少字段 %(field)s。",
    "unknown_field": "%(at)s 有未知字段 %(field)s。",
    "not_text": "%(at)s.%(field)s 应为非空文本。",
    "not_a_list": "%(at)s.%(field)s 应为列表。",
    "empty_list": "%(at)s.%(field)s 不能为空。",
    "not_a_boolean": "%(at)s.%(field)s 应为 true 或 false。",
    "not_an_integer": "%(at)s.%(field)s 应为正整数：%(value)s。",
    "not_a_number": "%(at)s.%(field)s 不是数字：%(value)s。",
    "negative": "%(at)s.%(field)s 不能为负数：%(value)s。",
    "rate_above_one": "%(at)s.%(field)s 是比例，不能大于 1：%(value)s。",
    "too_precise": "%(at)s.%(field)s 是金额，最多两位小数：%(value)s。",
    "bad_format": "不支持的策略格式版本 %(value)s（支持：%(supported)s）。",
    "bad_policy_id": "策略编号 %(value)s 无效（只能用小写字母、数字和连字符）。",
    "bad_rule_id": "%(at)s 的规则编号 %(value)s 无效（只能用小写字母、数字和下划线，以字母开头）。",
    "duplicate_rule": "规则编号 %(rule)s 重复。",
    "bad_region": "%(at)s.%(field)s 不是有效的 6 位 GB/T 2260 行政区划代码：%(value)s。",
    "bad_date": "%(at)s.%(field)s 不是有效日期（YYYY-MM-DD）：%(value)s。",
    "dates_reversed": "失效日期 %(to)s 早于生效日期 %(from)s。",
    "bad_budget_method": "预算方式 %(value)s 未知（可用：%(methods)s）。",
    "unknown_kind": "规则 %(rule)s 的类型 %(value)s 未知（可用：%(kinds)s）。",
    "bad_side": "规则 %(rule)s 的 side 应为 seller 或 buyer：%(value)s。",
    "unknown_contract_type": "规则 %(rule)s 的合同类型 %(value)s 未知（可用：%(types)s）。",
    "min_above_max": "规则 %(rule)s 的下限 %(min)s 大于上限 %(max)s。",
    "amount_or_levels": "规则 %(rule)s 须给出 amount 或 levels 之一（不能同时给出）。",
    "license_without_transfer": "规则 %(rule)s 把许可计为转让，但合同类型中没有 transfer。",
    # computing
    "year_not_effective": "策略在 %(year)s 年无效（有效期 %(from)s 至 %(to)s）。",
    "budget_required": "策略 %(policy)s 按当年科技预算的比例安排资金，须给出预算。",
    "negative_budget": "预算不能为负数：%(value)s。",
    # claims
    "duplicate_claim": "申请 %(claim)s 重复。",
    "unknown_rule": "策略中没有规则 %(rule)s。",
    "rule_not_for_claims": "规则 %(rule)s 按合同到账额计算，不受理申请。",
    "outside_region": "申请单位所在地 %(region)s 不在策略范围 %(policy_region)s 内。",
    "claim_other_year": "申请属于 %(claim_year)s 年，而计算的是 %(year)s 年。",
    "condition_not_met": "条件 %(fact)s 不满足：%(value)s（须为：%(allowed)s）。",
    "fact_missing": "申请缺少 %(fact)s。",
    "fact_not_a_number": "申请中的 %(fact)s 不是数字：%(value)s。",
    "fact_negative": "申请中的 %(fact)s 不能为负数：%(value)s。",
    "fact_too_precise": "申请中的金额 %(fact)s 最多两位小数：%(value)s。",
    "fact_not_an_integer": "申请中的 %(fact)s 应为正整数：%(value)s。",
    "unknown_level": "级别 %(level)s 未知（可用：%(levels)s）。",
    "amount_out_of_range": "申请金额 %(amount)s 不在 %(min)s 至 %(max)s 元之间。",
    "investment_too_small": "技术改造固定资产投资（不含土地）%(investment)s 元低于 %(minimum)s 元。",
    "outside_reward_years": "%(year)s 年不在奖补年度 %(first)s 至 %(last)s 年内。",
    "tax_year_missing": "缺少 %(year)s 年的税收数据。",
    "tax_fell": "%(year)s 年税收下降（%(before)s → %(after)s），自该年起停止奖补。",
    "no_tax_award": "税收增量 %(increase)s 元、剩余额度 %(remaining)s 元，本年无奖补。",
}


@dataclass(frozen=True)
class Problem:
    """One problem: ``code`` (a key of :data:`MESSAGES`) and its ``params``; ``text`` is the Chinese default."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        template = MESSAGES.get(self.code, "%(code)s")
        try:
            return template % {"code": self.code, **self.params}
        except (KeyError, TypeError, ValueError):
            return f"{self.code}: {dict(self.params)}"

    def __str__(self) -> str:
        return self.text


def region_prefix(region: str) -> str:
    """The code prefix shared by a region and everything below it (province 2, city 4, county 6 digits)."""
    if region.endswith("0000"):
        return region[:2]
    if region.endswith("00"):
        return region[:4]
    return region


# ------------------------------------------------------------------------------------- field checkers

TOP_FIELDS = {
    "format",
    "id",
    "version",
    "title",
    "region",
    "effective_from",
    "effective_to",
    "budget",
    "rules",
    "source",
    "note",
}
COMMON_RULE_FIELDS = {"id", "kind", "title", "note", "source"}
CLAIM_RULE_FIELDS = {"conditions", "requires"}
RULE_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    # kind: (required, optional)
    "contract_threshold": (
        {"side", "contract_types", "rate"},
        {"threshold", "cap", "license_as_transfer"},
    ),
    "tax_increment": (
        {"min_investment", "years", "share", "cap_share_of_investment", "cap"},
        {"stop_on_fall"} | CLAIM_RULE_FIELDS,
    ),
    "fixed": (set(), {"amount", "levels", "per_item"} | CLAIM_RULE_FIELDS),
    "range": ({"max"}, {"min", "per_item"} | CLAIM_RULE_FIELDS),
    "share_check": ({"min_share"}, CLAIM_RULE_FIELDS),
}
MONEY_FIELDS = {"threshold", "cap", "min_investment", "amount", "min", "max"}
RATE_FIELDS = {"rate", "share", "cap_share_of_investment", "min_share"}


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, code: str, **params: Any) -> None:
        self.problems.append(Problem(code, params))

    def number(self, value: Any, at: str, name: str) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            self.add("not_a_number", at=at, field=name, value=repr(value))
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.add("not_a_number", at=at, field=name, value=str(value))
            return None
        if not number.is_finite():
            self.add("not_a_number", at=at, field=name, value=str(value))
            return None
        if number < 0:
            self.add("negative", at=at, field=name, value=str(value))
            return None
        return number

    def money(self, value: Any, at: str, name: str) -> Decimal | None:
        number = self.number(value, at, name)
        if number is None:
            return None
        if number != number.quantize(Decimal("0.01")):
            self.add("too_precise", at=at, field=name, value=str(value))
            return None
        return number.quantize(Decimal("0.01"))

    def rate(self, value: Any, at: str, name: str) -> Decimal | None:
        number = self.number(value, at, name)
        if number is not None and number > 1:
            self.add("rate_above_one", at=at, field=name, value=str(value))
            return None
        return number

    def text(self, value: Any, at: str, name: str) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.add("not_text", at=at, field=name)
            return None
        return value

    def boolean(self, value: Any, at: str, name: str) -> bool | None:
        if not isinstance(value, bool):
            self.add("not_a_boolean", at=at, field=name)
            return None
        return value

    def integer(self, value: Any, at: str, name: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.add("not_an_integer", at=at, field=name, value=repr(value))
            return None
        return value

    def date(self, value: Any, at: str, name: str) -> datetime.date | None:
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        self.add("bad_date", at=at, field=name, value=str(value))
        return None

    def fields(self, data: Mapping[str, Any], at: str, required: set[str], optional: set[str]) -> None:
        for name in sorted(required - set(data)):
            self.add("missing_field", at=at, field=name)
        for name in sorted(set(data) - required - optional):
            self.add("unknown_field", at=at, field=str(name))

    def title(self, value: Any, at: str) -> dict[str, str] | None:
        if not isinstance(value, Mapping):
            self.add("not_an_object", at=f"{at}.title")
            return None
        self.fields(value, f"{at}.title", {"zh"}, {"en"})
        result = {}
        for lang in ("zh", "en"):
            if lang in value:
                text = self.text(value[lang], f"{at}.title", lang)
                if text is not None:
                    result[lang] = text
        return result


def validate_document(raw: Any) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Check a policy document; return its normalised spec (or None) and every problem found."""
    check = _Checker()
    if not isinstance(raw, Mapping):
        check.add("not_an_object", at="$")
        return None, check.problems
    check.fields(
        raw,
        "$",
        {"id", "version", "title", "region", "effective_from", "budget", "rules"},
        TOP_FIELDS,
    )
    spec: dict[str, Any] = {}
    if "format" in raw and raw["format"] != FORMAT_VERSION:
        check.add("bad_format", value=repr(raw["format"]), supported=str(FORMAT_VERSION))
    if "id" in raw:
        if isinstance(raw["id"], str) and POLICY_ID_RE.match(raw["id"]):
            spec["id"] = raw["id"]
        else:
            check.add("bad_policy_id", value=str(raw["id"]))
    if "version" in raw:
        version = raw["version"]
        if isinstance(version, bool) or not isinstance(version, (str, int)) or not str(version).strip():
            check.add("not_text", at="$", field="version")
        else:
            spec["version"] = str(version)
    if "title" in raw:
        spec["title"] = check.title(raw["title"], "$")
    if "region" in raw:
        region = raw["region"]
        if isinstance(region, str) and REGION_RE.match(region):
            spec["region"] = region
        else:
            check.add("bad_region", at="$", field="region", value=str(region))
    for name in ("source", "note"):
        if name in raw:
            spec[name] = check.text(raw[name], "$", name)
    start = check.date(raw["effective_from"], "$", "effective_from") if "effective_from" in raw else None
    end = None
    if raw.get("effective_to") is not None:
        end = check.date(raw["effective_to"], "$", "effective_to")
    if start and end and end < start:
        check.add("dates_reversed", **{"from": str(start), "to": str(end)})
    spec["effective_from"], spec["effective_to"] = start, end
    if "budget" in raw:
        spec["budget"] = _budget(check, raw["budget"])
    if "rules" in raw:
        spec["rules"] = _rules(check, raw["rules"])
    if check.problems:
        return None, check.problems
    return spec, []


def _budget(check: _Checker, budget: Any) -> dict[str, Any]:
    at = "$.budget"
    if not isinstance(budget, Mapping):
        check.add("not_an_object", at=at)
        return {}
    method = budget.get("method")
    if "method" not in budget:
        check.add("missing_field", at=at, field="method")
        return {}
    if method not in BUDGET_METHODS:
        check.add("bad_budget_method", value=str(method), methods=", ".join(BUDGET_METHODS))
        return {}
    if method == "pool":
        check.fields(budget, at, {"method", "share"}, {"note"})
        share = check.rate(budget["share"], at, "share") if "share" in budget else None
        return {"method": "pool", "share": share}
    check.fields(budget, at, {"method"}, {"note"})
    return {"method": "none"}


def _rules(check: _Checker, rules: Any) -> list[dict[str, Any]]:
    if not isinstance(rules, list):
        check.add("not_a_list", at="$", field="rules")
        return []
    if not rules:
        check.add("empty_list", at="$", field="rules")
    seen: set[str] = set()
    result = []
    for index, rule in enumerate(rules):
        at = f"$.rules[{index}]"
        if not isinstance(rule, Mapping):
            check.add("not_an_object", at=at)
            continue
        rule_id = rule.get("id")
        if "id" not in rule:
            check.add("missing_field", at=at, field="id")
        elif not isinstance(rule_id, str) or not RULE_ID_RE.match(rule_id):
            check.add("bad_rule_id", at=at, value=str(rule_id))
        elif rule_id in seen:
            check.add("duplicate_rule", rule=rule_id)
        else:
            seen.add(rule_id)
        label = str(rule_id) if rule_id is not None else f"#{index + 1}"
        at = f"$.rules[{index}]" if rule_id is None else f"$.rules[{index}]({rule_id})"
        kind = rule.get("kind")
        if "kind" not in rule:
            check.add("missing_field", at=at, field="kind")
            continue
        if kind not in RULE_FIELDS:
            check.add("unknown_kind", rule=label, value=str(kind), kinds=", ".join(RULE_KINDS))
            continue
        required, optional = RULE_FIELDS[kind]
        check.fields(rule, at, required | {"id", "kind"}, optional | COMMON_RULE_FIELDS)
        result.append(_rule(check, rule, kind, label, at))
    return result


def _rule(check: _Checker, rule: Mapping[str, Any], kind: str, label: str, at: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"id": rule.get("id"), "kind": kind}
    if "title" in rule:
        spec["title"] = check.title(rule["title"], at)
    for name in ("note", "source"):
        if name in rule:
            spec[name] = check.text(rule[name], at, name)
    for name, value in rule.items():
        if name in MONEY_FIELDS:
            spec[name] = check.money(value, at, name)
        elif name in RATE_FIELDS:
            spec[name] = check.rate(value, at, name)
        elif name in ("license_as_transfer", "per_item", "stop_on_fall"):
            spec[name] = check.boolean(value, at, name)
        elif name == "years":
            spec[name] = check.integer(value, at, name)
    if kind == "contract_threshold":
        side = rule.get("side")
        if "side" in rule and side not in SIDES:
            check.add("bad_side", rule=label, value=str(side))
        spec["side"] = side
        types = rule.get("contract_types")
        if "contract_types" in rule:
            if not isinstance(types, list):
                check.add("not_a_list", at=at, field="contract_types")
            elif not types:
                check.add("empty_list", at=at, field="contract_types")
            else:
                for value in types:
                    if value not in CONTRACT_TYPES:
                        check.add(
                            "unknown_contract_type",
                            rule=label,
                            value=str(value),
                            types=", ".join(CONTRACT_TYPES),
                        )
                spec["contract_types"] = list(types)
                if rule.get("license_as_transfer") is True and "transfer" not in types:
                    check.add("license_without_transfer", rule=label)
        spec.setdefault("threshold", Decimal("0.00"))
    if kind == "fixed":
        if ("amount" in rule) == ("levels" in rule):
            check.add("amount_or_levels", rule=label)
        if "levels" in rule:
            levels = rule["levels"]
            if not isinstance(levels, Mapping) or not levels:
                check.add("not_an_object", at=f"{at}.levels")
            else:
                spec["levels"] = {
                    str(name): check.money(value, f"{at}.levels", str(name)) for name, value in levels.items()
                }
    if kind == "range":
        spec.setdefault("min", Decimal("0.00"))
        low, high = spec.get("min"), spec.get("max")
        if low is not None and high is not None and low > high:
            check.add("min_above_max", rule=label, min=str(low), max=str(high))
    if kind == "tax_increment":
        spec.setdefault("stop_on_fall", True)
    if "conditions" in rule:
        conditions = rule["conditions"]
        spec["conditions"] = {}
        if not isinstance(conditions, Mapping):
            check.add("not_an_object", at=f"{at}.conditions")
        else:
            for name, allowed in conditions.items():
                if not isinstance(allowed, list) or not allowed:
                    check.add("not_a_list", at=f"{at}.conditions", field=str(name))
                else:
                    spec["conditions"][str(name)] = [str(value) for value in allowed]
    if "requires" in rule:
        requires = rule["requires"]
        if not isinstance(requires, list) or not all(isinstance(v, str) for v in requires):
            check.add("not_a_list", at=at, field="requires")
        else:
            spec["requires"] = list(requires)
    return spec
