"""Reasons: what in a demand's text a record matched, and which part of the engine scored it.

Matched bigrams are merged back into the longest runs of the demand's own text they cover (so the
reviewer reads 水运工程项目, not 水运 运工 工程 程项 项目), and matched words are folded into the run
that contains them. A record found through an alias of a demand's phrase (PVDF → 聚偏氟乙烯, see
:mod:`.lexicon`) gets an ``alias`` reason naming both. A reason's weight is its share of the record's score.

Filler is never a reason (:func:`is_filler`): a phrase made only of :data:`FILLER_WORDS` and
:data:`FILLER_CHARACTERS` (公司, 有限公司, 用于, 以上, 技术研究 …), a single character, or a bare number
(2024, 10.5%, 100万). Only the explanation drops them: the ranking still scores every feature (they
weigh little there already, their IDF and residual IDF being low), so the reasons' weights of a record
may sum to less than its score. A single character a record shares with a demand (the character
view, :mod:`.analysis`) adds to the matched phrase that contains it, as a word does, under that
phrase's source; a character outside every matched phrase says too little to be shown on its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from techmarket.matching.engine.analysis import BIGRAM, CHARACTER, WORD

BIGRAM_SOURCE = "bigram"
WORD_SOURCE = "word"
CHARACTER_SOURCE = "character"

# Words that say nothing about what a record is about: legal forms, the enterprise's own voice,
# generic research and project vocabulary, connectives. A phrase made only of these (and of the
# function characters below) is no reason; inside a longer phrase (锂电池技术) they stay.
FILLER_WORDS = frozenset(
    """
    公司 有限 有限公司 责任 有限责任 股份 集团 企业 单位 我们 我司 我公司 本公司 本单位 贵司
    用于 适用 以上 以下 以及 及其 其中 之一 一种 一个 一些 这种 该种 所述 其他 等等
    技术 研究 研发 开发 应用 工艺 方法 系统 装置 设备 产品 项目 工程 科技 科学 创新 领域 行业 方面
    需要 需求 希望 要求 寻求 寻找 提供 进行 实现 提高 提升 解决 问题 能力 合作 方式 情况 相关 主要
    具有 具备 通过 可以 能够 目前 现有 已经 达到 国内 国外 国际 领先 水平 工作 支持 服务
    """.split()  # noqa: SIM905  (a word list reads better as text)
)
FILLER_CHARACTERS = frozenset("的了和与及或等在对为是有于其之把被将以而且也都")
FILLER_LATIN = frozenset(
    {"and", "or", "of", "the", "for", "with", "in", "on", "to", "a", "an", "co", "ltd", "inc"}
)
# 12, 2024, 10.5, 3,000, 95%, 100万, 5年: numbers alone, with a unit at most.
_NUMBER = re.compile(r"[0-9][0-9.,，]*[%％‰]?[万亿千百十元年月日天个项台套吨米次倍度]?")


def is_filler(value: str) -> bool:
    """Whether a matched phrase is too empty to be shown as a reason (see the module's docstring)."""
    value = value.strip().lower()
    if len(value) <= 1 or _NUMBER.fullmatch(value) or value in FILLER_LATIN:
        return True
    # Can the phrase be cut entirely into filler words and function characters?
    covered = [True] + [False] * len(value)
    for end in range(1, len(value) + 1):
        covered[end] = any(
            covered[start]
            and (value[start:end] in FILLER_WORDS or (end - start == 1 and value[start] in FILLER_CHARACTERS))
            for start in range(max(0, end - 6), end)
        )
    return covered[-1]


class Reason(NamedTuple):
    """One explanation of a match.

    ``kind`` is ``"term"`` for text matches and ``"alias"`` for a synonym or abbreviation of the
    demand's words (value ``"phrase → alias"``); the platform adds its own kinds (industry, region, TRL,
    price …) next to them. ``source`` names the part of the engine that scored it.
    """

    kind: str
    value: str
    weight: float
    source: str

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "value": self.value, "weight": self.weight, "source": self.source}


class Match(NamedTuple):
    """A ranked record: unpacks as ``(doc_id, score, reasons)``."""

    doc_id: str
    score: float
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.doc_id,
            "score": self.score,
            "reasons": [reason.as_dict() for reason in self.reasons],
        }


class QueryText(NamedTuple):
    """The analysed demand that reasons are written against."""

    normalised: str
    bigram_spans: list[tuple[str, int]]
    words: list[str]
    aliases: Mapping[str, str] = {}  # an expansion's feature → the demand's phrase it stands for


@dataclass
class _Phrase:
    text: str
    weight: float
    start: int
    end: int  # one past the last character; -1 for a Latin run, which never grows
    sources: set[str] = field(default_factory=lambda: {BIGRAM_SOURCE})


def _phrases(query: QueryText, contributions: Mapping[str, float]) -> list[_Phrase]:
    """Matched bigrams merged into runs of the demand's text; each distinct bigram is counted once."""
    phrases: list[_Phrase] = []
    counted: set[str] = set()
    for feature, start in query.bigram_spans:
        weight = contributions.get(feature)
        if weight is None:
            continue
        share = 0.0 if feature in counted else weight
        counted.add(feature)
        token = feature[len(BIGRAM) :]
        is_cjk_pair = len(token) == 2 and not token.isascii()
        last = phrases[-1] if phrases else None
        if last is not None and is_cjk_pair and start == last.end - 1:
            last.end = start + 2
            last.text = query.normalised[last.start : last.end]
            last.weight += share
        else:
            phrases.append(_Phrase(token, share, start, start + 2 if is_cjk_pair else -1))
    return phrases


def term_reasons(query: QueryText, contributions: Mapping[str, float], limit: int) -> tuple[Reason, ...]:
    """Up to ``limit`` reasons, heaviest first, from the per-feature contributions to one record (no filler)."""
    phrases = _phrases(query, contributions)
    loose: list[Reason] = []
    for feature in query.words:
        weight = contributions.get(feature)
        if weight is None:
            continue
        word = feature[len(WORD) :]
        home = next((phrase for phrase in phrases if word in phrase.text), None)
        if home is None:
            loose.append(Reason("term", word, weight, WORD_SOURCE))
        else:
            home.weight += weight
            home.sources.add(WORD_SOURCE)
    for feature, weight in contributions.items():
        if feature[0] == CHARACTER:
            home = next((phrase for phrase in phrases if feature[1:] in phrase.text), None)
            if home is not None:
                home.weight += weight
    merged: dict[str, _Phrase] = {}
    for phrase in phrases:
        same = merged.setdefault(phrase.text, _Phrase(phrase.text, 0.0, phrase.start, phrase.end, set()))
        same.weight += phrase.weight
        same.sources |= phrase.sources
    reasons = [Reason("term", p.text, p.weight, "+".join(sorted(p.sources))) for p in merged.values()]
    aliases: dict[str, _Phrase] = {}
    for feature, literal in query.aliases.items():
        weight = contributions.get(feature)
        if weight is not None:
            value = f"{literal} → {feature[1:]}"  # a Latin alias is scored by both views: one reason
            alias = aliases.setdefault(value, _Phrase(value, 0.0, -1, -1, set()))
            alias.weight += weight
            alias.sources.add(BIGRAM_SOURCE if feature.startswith(BIGRAM) else WORD_SOURCE)
    loose.extend(Reason("alias", a.text, a.weight, "+".join(sorted(a.sources))) for a in aliases.values())
    reasons = sorted(
        (reason for reason in [*reasons, *loose] if reason.kind != "term" or not is_filler(reason.value)),
        key=lambda reason: -reason.weight,
    )
    return tuple(
        reason._replace(weight=round(reason.weight, 4)) for reason in reasons[:limit] if reason.weight > 0
    )
