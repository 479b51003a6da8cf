"""Reasons: what in a demand's text a record matched, and which part of the engine scored it.

Matched bigrams are merged back into the longest runs of the demand's own text they cover (so the
reviewer reads 水运工程项目, not 水运 运工 工程 程项 项目), and matched words are folded into the run
that contains them. A record found through an alias of a demand's phrase (PVDF → 聚偏氟乙烯, see
:mod:`.lexicon`) gets an ``alias`` reason naming both. A reason's weight is its share of the record's score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from techmarket.matching.engine.analysis import BIGRAM, WORD

BIGRAM_SOURCE = "bigram"
WORD_SOURCE = "word"


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
    """Up to ``limit`` reasons, heaviest first, from the per-feature contributions to one record."""
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
    reasons = sorted([*reasons, *loose], key=lambda reason: -reason.weight)
    return tuple(
        reason._replace(weight=round(reason.weight, 4)) for reason in reasons[:limit] if reason.weight > 0
    )
