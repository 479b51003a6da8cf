"""Reasons in words: the stored reasons keep the engine's codes, people read names.

A stored reason is ``{kind, value, weight, source}`` with machine values (``region 420303``,
``mode co_develop+service``, ``trl 5/6``). :func:`describe` adds, for display only, ``label`` (what the
reason is about) and ``text`` (its value in the user's language: region and classification names,
transfer-mode labels, sentences for TRL and price) and ``fits``. Names are resolved in bulk: one query
per code table for a whole page of reasons, never one per reason. Region and classification names
exist in Chinese only (the national code tables) and are shown as such in every language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from techmarket.achievements.choices import TransferMode
from techmarket.core.choices import ClassificationScheme
from techmarket.core.models import Classification, Region
from techmarket.demands.choices import Cooperation

# Which code table names the value of a structured reason.
_SCHEMES = {"industry": ClassificationScheme.INDUSTRY, "discipline": ClassificationScheme.DISCIPLINE}


def _labels() -> dict[str, str]:
    return {
        "term": _("匹配词"),
        "alias": _("同义词或缩写"),
        "industry": _("行业"),
        "discipline": _("学科"),
        "region": _("地域"),
        "trl": _("成熟度"),
        "price": _("价格"),
        "mode": _("合作方式"),
        "manual": _("人工添加"),
    }


def _mode_names() -> dict[str, str]:
    # An achievement's transfer modes, then a demand's cooperation kinds (reverse matching).
    names = {str(value): str(label) for value, label in Cooperation.choices}
    names.update({str(value): str(label) for value, label in TransferMode.choices})
    return names


def _names(reasons: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], str]:
    """(kind, code) → name for every region and classification code among ``reasons``: ≤ 3 queries."""
    wanted: dict[str, set[str]] = {"region": set(), "industry": set(), "discipline": set()}
    for reason in reasons:
        if reason.get("kind") in wanted and reason.get("value"):
            wanted[str(reason["kind"])].add(str(reason["value"]))
    names: dict[tuple[str, str], str] = {}
    if wanted["region"]:
        regions = Region.objects.filter(code__in=wanted["region"]).order_by().values_list("code", "name")
        names.update((("region", code), name) for code, name in regions)
    for kind, scheme in _SCHEMES.items():
        if wanted[kind]:
            rows = (
                Classification.objects.filter(scheme=scheme, code__in=wanted[kind])
                .order_by()
                .values_list("code", "name")
            )
            names.update(((kind, code), name) for code, name in rows)
    return names


def _number(value: str) -> str:
    try:
        return f"{float(value):g}"
    except ValueError:
        return value


def _trl_text(value: str) -> str:
    have, _sep, want = value.partition("/")
    if not want:
        return _("%(have)s级") % {"have": have}
    return _("%(have)s级（期望%(want)s级）") % {"have": have, "want": want}


def _price_text(value: str) -> str:
    price, _sep, budget = value.partition("/")
    if budget.endswith("+"):
        span = _("%(low)s万元以上") % {"low": _number(budget[:-1])}
    elif "-" in budget:
        low, high = budget.split("-", 1)
        span = _("%(low)s–%(high)s万元") % {"low": _number(low), "high": _number(high)}
    else:
        span = _("%(high)s万元以内") % {"high": _number(budget)}
    return _("参考价%(price)s万元，预算%(budget)s") % {"price": _number(price), "budget": span}


def _text(reason: Mapping[str, Any], names: Mapping[tuple[str, str], str], modes: Mapping[str, str]) -> str:
    kind, value = str(reason.get("kind", "")), str(reason.get("value", ""))
    if kind in ("region", "industry", "discipline"):
        return names.get((kind, value), value)
    if kind == "mode":
        return pgettext("列表分隔符", "、").join(modes.get(mode, mode) for mode in value.split("+") if mode)
    if kind == "trl":
        return _trl_text(value)
    if kind == "price":
        return _price_text(value)
    if kind == "manual":
        return ""
    return value


def describe(reason_lists: Sequence[Sequence[Mapping[str, Any]]]) -> list[list[dict[str, Any]]]:
    """Each list of stored reasons with ``label``, ``text`` and ``fits`` added, in the active language.

    The stored fields are kept as they are (codes); names are read in bulk for all lists at once.
    """
    names = _names(reason for reasons in reason_lists for reason in reasons)
    labels, modes = _labels(), _mode_names()
    return [
        [
            {
                **reason,
                "label": labels.get(str(reason.get("kind", "")), str(reason.get("kind", ""))),
                "text": _text(reason, names, modes),
                "fits": float(reason.get("weight") or 0.0) >= 0,
            }
            for reason in reasons
        ]
        for reasons in reason_lists
    ]


def sentence(reasons: Sequence[Mapping[str, Any]]) -> str:
    """Described reasons (:func:`describe`) as one line, e.g. for a notification or a spreadsheet cell."""
    parts = []
    for reason in reasons:
        if reason.get("kind") == "manual":
            parts.append(str(reason["label"]))
        elif reason.get("kind") in ("term", "alias"):
            parts.append(str(reason["text"]))
        else:
            mark = "✓" if reason.get("fits") else "✗"
            parts.append(
                _("%(label)s：%(text)s") % {"label": reason["label"], "text": reason["text"]} + f" {mark}"
            )
    return pgettext("列表分隔符", "；").join(parts)
