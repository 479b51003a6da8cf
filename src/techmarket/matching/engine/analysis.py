"""Three views of the same Chinese text, all fed to one index.

Character bigrams (what Elasticsearch's ``cjk`` analyzer indexes) match any substring of two characters
or more, so they survive segmentation mistakes and unknown compounds; rjieba words (the segmenter of
:mod:`techmarket.search.segment`) keep whole terms apart from accidental overlaps across word
boundaries. The two disagree on different records, which is why their sum ranks better than either.

Single characters are the third view, the vocabulary bridge: an enterprise writes 挂冰, 餐桌, 加长
where the record says 覆冰, 桌子, 延长 — different words, no shared bigram, but one shared character
that carries the meaning. A demand's characters are scored at a fraction of their weight
(:data:`CHARACTER_WEIGHT`), and like every feature their weight is learned from the indexed records
(IDF × residual IDF: 冰, 桌, 鱼 cluster in the records about them; 的, 用, 行 do not), so only
characters that are topical in this corpus move a ranking. benchmarks/matching/notes.md measures it.

Features carry a one-character prefix so that the bigram 导热, the word 导热 and the character 导
stay separate terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from techmarket.search import segment

if TYPE_CHECKING:
    from techmarket.matching.engine.lexicon import Lexicon

BIGRAM = "c"
WORD = "w"
CHARACTER = "u"
KINDS = (BIGRAM, WORD, CHARACTER)
# Query weight of a demand's character features, as a share of their term weight: the largest value
# on the development set's tuning half that kept B3/B4 at their figures (benchmarks/matching/notes.md).
CHARACTER_WEIGHT = 0.2
# CJK runs and Latin/digit runs (with inner dots and hyphens: "5g", "ti-6al-4v", "2.5d").
_RUN = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+(?:[.\-][a-z0-9]+)*")
_CJK_CHARACTER = re.compile(r"[\u4e00-\u9fff]")
# Title and keywords say what a record is about in few words: each of their tokens counts twice.
# An achievement's body is its abstract; a demand's (for reverse matching) is its content.
FIELD_WEIGHTS: tuple[tuple[str, int], ...] = (("title", 2), ("keywords", 2), ("abstract", 1), ("content", 1))


normalise = segment.normalise


def bigram_spans(text: str) -> list[tuple[str, int]]:
    """(feature, start offset in the normalised text) for every bigram and Latin run of ``text``."""
    spans: list[tuple[str, int]] = []
    for run in _RUN.finditer(segment.normalise(text)):
        chunk, start = run.group(), run.start()
        if chunk[0].isascii() or len(chunk) == 1:
            spans.append((BIGRAM + chunk, start))
        else:
            spans.extend((BIGRAM + chunk[i : i + 2], start + i) for i in range(len(chunk) - 1))
    return spans


def words(text: str, lexicon: Lexicon | None = None) -> list[str]:
    """Word features of a text, in order, with repeats; with a lexicon, also its domain terms as wholes."""
    found = lexicon.words(text) if lexicon else segment.tokens(text)
    return [WORD + word for word in found]


def characters(text: str) -> list[str]:
    """Character features of a text: each CJK character, in order, with repeats (Latin runs are bigram features)."""
    return [CHARACTER + character for character in _CJK_CHARACTER.findall(segment.normalise(text))]


def features(text: str, lexicon: Lexicon | None = None) -> list[str]:
    """All features of a text: its bigrams and its words, in order, with repeats."""
    return [feature for feature, _ in bigram_spans(text)] + words(text, lexicon)


def field_text(document: Mapping[str, Any], field: str) -> str:
    value = document.get(field) or ""
    if field == "keywords" and not isinstance(value, str):
        # Each keyword is its own run: no bigram spans two keywords.
        return " ".join(str(keyword) for keyword in value)
    return str(value)


def document_counts(document: Mapping[str, Any], lexicon: Lexicon | None = None) -> dict[str, int]:
    """Field-weighted feature counts of an achievement-like record (all three views)."""
    counts: dict[str, int] = {}
    for field, weight in FIELD_WEIGHTS:
        text = field_text(document, field)
        for feature in features(text, lexicon) + characters(text):
            counts[feature] = counts.get(feature, 0) + weight
    return counts


def distinct(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
