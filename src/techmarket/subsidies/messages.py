"""The subsidy engine's problems and refusals in the user's language.

The engine (no Django) reports each problem as a code + params with a Chinese default text
(``policy_format.MESSAGES``); here the same texts go through gettext so ``makemessages`` finds them and
they are rendered in the active language. ``test_engine_messages`` keeps both catalogues identical.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from techmarket.subsidies.policy_format import Problem

MESSAGES = {
    "file_not_found": _("找不到策略文件 %(path)s。"),
    "bad_json": _("策略文件 %(path)s 不是有效的 JSON：%(error)s"),
    "unknown_policy": _("没有编号为 %(id)s 的内置策略（可用：%(known)s）。"),
    "other": _("%(text)s"),
    "not_an_object": _("%(at)s 应为 JSON 对象。"),
    "missing_field": _("%(at)s 缺少字段 %(field)s。"),
    "unknown_field": _("%(at)s 有未知字段 %(field)s。"),
    "not_text": _("%(at)s.%(field)s 应为非空文本。"),
    "not_a_list": _("%(at)s.%(field)s 应为列表。"),
    "empty_list": _("%(at)s.%(field)s 不能为空。"),
    "not_a_boolean": _("%(at)s.%(field)s 应为 true 或 false。"),
    "not_an_integer": _("%(at)s.%(field)s 应为正整数：%(value)s。"),
    "not_a_number": _("%(at)s.%(field)s 不是数字：%(value)s。"),
    "negative": _("%(at)s.%(field)s 不能为负数：%(value)s。"),
    "rate_above_one": _("%(at)s.%(field)s 是比例，不能大于 1：%(value)s。"),
    "too_precise": _("%(at)s.%(field)s 是金额，最多两位小数：%(value)s。"),
    "bad_format": _("不支持的策略格式版本 %(value)s（支持：%(supported)s）。"),
    "bad_policy_id": _("策略编号 %(value)s 无效（只能用小写字母、数字和连字符）。"),
    "bad_rule_id": _("%(at)s 的规则编号 %(value)s 无效（只能用小写字母、数字和下划线，以字母开头）。"),
    "duplicate_rule": _("规则编号 %(rule)s 重复。"),
    "bad_region": _("%(at)s.%(field)s 不是有效的 6 位 GB/T 2260 行政区划代码：%(value)s。"),
    "bad_date": _("%(at)s.%(field)s 不是有效日期（YYYY-MM-DD）：%(value)s。"),
    "dates_reversed": _("失效日期 %(to)s 早于生效日期 %(from)s。"),
    "bad_budget_method": _("预算方式 %(value)s 未知（可用：%(methods)s）。"),
    "unknown_kind": _("规则 %(rule)s 的类型 %(value)s 未知（可用：%(kinds)s）。"),
    "bad_side": _("规则 %(rule)s 的 side 应为 seller 或 buyer：%(value)s。"),
    "unknown_contract_type": _("规则 %(rule)s 的合同类型 %(value)s 未知（可用：%(types)s）。"),
    "min_above_max": _("规则 %(rule)s 的下限 %(min)s 大于上限 %(max)s。"),
    "amount_or_levels": _("规则 %(rule)s 须给出 amount 或 levels 之一（不能同时给出）。"),
    "license_without_transfer": _("规则 %(rule)s 把许可计为转让，但合同类型中没有 transfer。"),
    "year_not_effective": _("策略在 %(year)s 年无效（有效期 %(from)s 至 %(to)s）。"),
    "budget_required": _("策略 %(policy)s 按当年科技预算的比例安排资金，须给出预算。"),
    "negative_budget": _("预算不能为负数：%(value)s。"),
    "duplicate_claim": _("申请 %(claim)s 重复。"),
    "unknown_rule": _("策略中没有规则 %(rule)s。"),
    "rule_not_for_claims": _("规则 %(rule)s 按合同到账额计算，不受理申请。"),
    "outside_region": _("申请单位所在地 %(region)s 不在策略范围 %(policy_region)s 内。"),
    "claim_other_year": _("申请属于 %(claim_year)s 年，而计算的是 %(year)s 年。"),
    "condition_not_met": _("条件 %(fact)s 不满足：%(value)s（须为：%(allowed)s）。"),
    "fact_missing": _("申请缺少 %(fact)s。"),
    "fact_not_a_number": _("申请中的 %(fact)s 不是数字：%(value)s。"),
    "fact_negative": _("申请中的 %(fact)s 不能为负数：%(value)s。"),
    "fact_too_precise": _("申请中的金额 %(fact)s 最多两位小数：%(value)s。"),
    "fact_not_an_integer": _("申请中的 %(fact)s 应为正整数：%(value)s。"),
    "unknown_level": _("级别 %(level)s 未知（可用：%(levels)s）。"),
    "amount_out_of_range": _("申请金额 %(amount)s 不在 %(min)s 至 %(max)s 元之间。"),
    "investment_too_small": _("技术改造固定资产投资（不含土地）%(investment)s 元低于 %(minimum)s 元。"),
    "outside_reward_years": _("%(year)s 年不在奖补年度 %(first)s 至 %(last)s 年内。"),
    "tax_year_missing": _("缺少 %(year)s 年的税收数据。"),
    "tax_fell": _("%(year)s 年税收下降（%(before)s → %(after)s），自该年起停止奖补。"),
    "no_tax_award": _("税收增量 %(increase)s 元、剩余额度 %(remaining)s 元，本年无奖补。"),
}


def render(code: str, params: Mapping[str, Any]) -> str:
    """One engine message in the active language (the code itself when it is unknown)."""
    template = MESSAGES.get(code)
    if template is None:
        return gettext("未知问题：%(code)s") % {"code": code}
    try:
        return str(template) % dict(params)
    except (KeyError, TypeError, ValueError):
        return f"{code}: {dict(params)}"


def render_problem(problem: Problem) -> str:
    return render(problem.code, problem.params)


def render_problems(error: Exception) -> list[str]:
    """Every problem of a ``PolicyError`` in the active language."""
    details = getattr(error, "details", None)
    if details is None:
        return [str(error)]
    return [render_problem(problem) for problem in details]
