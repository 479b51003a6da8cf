"""A domain lexicon learned from the indexed records, plus aliases (abbreviations and synonyms).

* **Domain terms.** The records' own ``keywords[]`` name the platform's topics (锂离子电池, 3d打印,
  支持向量机). rjieba splits many of them (锂离子/电池); the word view then also emits the whole term
  as one word feature wherever its words stand side by side, in records and demands alike, so a
  compound matches as a whole as well as by its parts. Only concatenations of neighbouring rjieba
  words are looked up, so the cost is a few set lookups per word, whatever the lexicon's size.
  Off by default: on B3 it cost 0.1 point of MRR@10 at 21k records and 0.4 at 110k (the parts
  already match; the whole adds weight to generic keywords such as 预测方法). The keywords still
  settle abbreviations seen once, and every alias is a domain term so that it can be looked for whole.
* **Mined abbreviations.** Records write 全称（缩写）— 扫描电镜(SEM), 支持向量机(SVM) — or 缩写（全称）.
  Such pairs become aliases; where the full form's left edge is unclear, the suffix shared by most of
  the abbreviation's occurrences is taken, and abbreviations with no consistent full form are left out.
* **Curated synonyms.** ``data/synonyms.txt``: one group per line of common tech-transfer terms
  (人工智能 AI, 物联网 IoT …), written for this project.

Aliases expand the demand only (never a record): a demand that says PVDF also looks for
聚偏氟乙烯 — all expansions of one phrase together weigh at most :data:`DAMPING` × the phrase's own
weight, so an expansion never outweighs the literal term. Measured on B3/B4 demands rewritten with
an alias (benchmarks/matching): damping 0.5 / 0.8 / 1.0 won back 0.8 / 1.6 / 2.2 points of MRR@10
on B3 (of the 11 the rewrite cost) and cost the unrewritten demands 0.1 point at most; looking an
alias up by its bigrams too won back 4 points but cost 0.5 on the unrewritten demands.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from techmarket.matching.engine.analysis import BIGRAM, WORD
from techmarket.search import segment

FILE = "lexicon.json"
SYNONYMS = Path(__file__).with_name("data") / "synonyms.txt"
# Query weight of all the expansions of a phrase, as a share of the phrase's own weight.
DAMPING = 1.0
# Longest domain term looked for, in rjieba words and in characters.
MAX_TERM_WORDS = 6
MAX_TERM_CHARS = 16
# A keyword becomes a domain term when it is in at least this many records.
MIN_TERM_RECORDS = 1
# Mined abbreviations: Latin letters (and digits or hyphens), 2–10 characters.
_ABBREVIATION = r"[a-z][a-z0-9\-]{0,8}[a-z0-9]"
# 全称(缩写) and 全称(english name, 缩写): the abbreviation closes the parentheses.
_FULL_FIRST = re.compile(r"([\u4e00-\u9fff]{2,})\((?:[a-z][a-z \-]*[,;] ?)?(" + _ABBREVIATION + r")\)")
# 缩写(全称): the parentheses hold the whole full form.
_ABBREVIATION_FIRST = re.compile(r"(?<![a-z0-9\-])(" + _ABBREVIATION + r")\(([\u4e00-\u9fff]{2,16})\)")
_ROMAN = re.compile(r"[ivxlc]+")
_WORD_CHARS = re.compile(r"[\w\u4e00-\u9fff]+")
_LATIN_RUN = re.compile(r"[a-z0-9]+(?:[.\-][a-z0-9]+)*")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


class Lexicon:
    """Domain terms and aliases, all in :func:`segment.normalise` form. Immutable once made."""

    def __init__(self, terms: Iterable[str] = (), aliases: Mapping[str, Iterable[str]] | None = None) -> None:
        self.aliases: dict[str, tuple[str, ...]] = {
            key: tuple(values) for key, values in (aliases or {}).items() if values
        }
        # An alias is looked for as one word feature, so texts must emit it as one.
        members = {*self.aliases, *(alias for values in self.aliases.values() for alias in values)}
        cjk_aliases = (term for term in members if not term.isascii() and len(term) <= MAX_TERM_CHARS)
        self.terms = frozenset([*terms, *cjk_aliases])
        # Every leading part of a term: a scan stops at the first word that cannot begin or continue one.
        self._prefixes = frozenset(term[:end] for term in self.terms for end in range(1, len(term)))
        self._alias_lengths = sorted({len(key) for key in self.aliases if not key.isascii()}, reverse=True)

    def __bool__(self) -> bool:
        return bool(self.terms or self.aliases)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Lexicon) and (self.terms, self.aliases) == (other.terms, other.aliases)

    __hash__ = None  # type: ignore[assignment]

    # ------------------------------------------------------------------ making

    @classmethod
    def grow(
        cls,
        documents: Iterable[Mapping[str, Any]],
        *,
        terms: bool = False,
        abbreviations: bool = True,
        synonyms: bool = True,
    ) -> Lexicon:
        """The lexicon of a set of records (one pass): their keywords, their abbreviations, the curated synonyms.

        ``terms`` makes the keywords domain terms of the word view; without it they still settle
        abbreviations seen once. The defaults are what benchmarks/matching measured as not hurting.
        """
        keyword_records: Counter[str] = Counter()
        miner = AbbreviationMiner()
        for document in documents:
            keyword_records.update({normal for k in _keywords(document) if (normal := domain_term(k))})
            if abbreviations:
                miner.feed(document)
        grown = {term for term, records in keyword_records.items() if records >= MIN_TERM_RECORDS}
        groups: list[Sequence[str]] = []
        if abbreviations:
            groups.extend(miner.pairs(grown))
        if synonyms:
            groups.extend(read_synonyms())
        return cls(grown if terms else (), alias_table(groups))

    def save(self, directory: str | Path) -> None:
        data = {"terms": sorted(self.terms), "aliases": {k: list(v) for k, v in sorted(self.aliases.items())}}
        (Path(directory) / FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: str | Path) -> Lexicon:
        """The lexicon saved in ``directory``; an empty one if it holds none (an older index)."""
        path = Path(directory) / FILE
        if not path.exists():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["terms"], data["aliases"])

    # ------------------------------------------------------------------ using

    def words(self, text: str) -> list[str]:
        """rjieba's search tokens of ``text``, each run followed by the domain terms its neighbouring words form."""
        result: list[str] = []
        terms = self.terms
        prefixes = self._prefixes
        for run in segment.runs(text):
            result.extend(word for word in run if segment.is_token(word))
            if not terms:
                continue
            for start in range(len(run) - 1):
                joined = run[start]
                if joined not in prefixes:
                    continue
                for word in run[start + 1 : start + MAX_TERM_WORDS]:
                    joined += word
                    if joined in terms:
                        result.append(joined)
                    if joined not in prefixes:
                        break
        return result

    def phrases(self, text: str) -> list[str]:
        """Alias keys found in ``text`` (whole Latin runs; CJK anywhere), longest first where they overlap."""
        normal = segment.normalise(text)
        found: dict[str, None] = {}
        for run in _LATIN_RUN.finditer(normal):
            if run.group() in self.aliases:
                found[run.group()] = None
        covered: list[tuple[int, int]] = []
        for run in _CJK_RUN.finditer(normal):
            chunk, offset = run.group(), run.start()
            for length in self._alias_lengths:
                for start in range(len(chunk) - length + 1):
                    key = chunk[start : start + length]
                    span = (offset + start, offset + start + length)
                    if key in self.aliases and not any(a <= span[0] and span[1] <= b for a, b in covered):
                        covered.append(span)
                        found[key] = None
        return list(found)

    def expansions(
        self,
        text: str,
        present: Iterable[str],
        features: Callable[[str], Iterable[str]],
        term_weight: Callable[[Sequence[str]], Sequence[float | None]],
        unseen: float,
    ) -> dict[str, tuple[float, str]]:
        """Features that the aliases of ``text``'s phrases add: their query weight (0–:data:`DAMPING`) and phrase.

        An alias is looked for as one whole word feature (records emit it as a domain term), not by
        its parts: 粒子群优化 must not bring in every record about 优化. ``present`` are the demand's
        own features (weight 1, never expanded); ``features`` analyses a phrase into features;
        ``term_weight`` gives the index's term weight of features (None: not indexed). All the
        expansions of one phrase together weigh at most ``DAMPING`` × the phrase's own features (a
        phrase the index has never seen counts at ``unseen``, the weight of a term in one record).
        """
        own = set(present)
        result: dict[str, tuple[float, str]] = {}
        for phrase in self.phrases(text):
            added = [f for f in dict.fromkeys(alias_features(self.aliases[phrase])) if f not in own]
            if not added:
                continue
            literal = list(dict.fromkeys(features(phrase)))
            literal_weight = sum(unseen if w is None else w for w in term_weight(literal))
            added_weights = [w or 0.0 for w in term_weight(added)]
            total = sum(added_weights)
            if total <= 0.0:
                continue
            factor = DAMPING * min(1.0, literal_weight / total)
            for feature, weight in zip(added, added_weights, strict=True):
                if weight > 0.0 and factor > result.get(feature, (0.0, ""))[0]:
                    result[feature] = (factor, phrase)
        return result


def alias_features(aliases: Iterable[str]) -> list[str]:
    """The features an alias is looked for by: its word (a Latin run is also its own bigram feature)."""
    found: list[str] = []
    for alias in aliases:
        found.append(WORD + alias)
        if _LATIN_RUN.fullmatch(alias):
            found.append(BIGRAM + alias)
    return found


def domain_term(keyword: str) -> str | None:
    """A keyword in normal form if it can be a domain term: one run of word characters, 3–16 long."""
    normal = segment.normalise(keyword).strip()
    if not 3 <= len(normal) <= MAX_TERM_CHARS or not _WORD_CHARS.fullmatch(normal):
        return None
    if normal.isascii():
        return None  # a Latin keyword is already one feature of both views
    return normal


def _keywords(document: Mapping[str, Any]) -> list[str]:
    value = document.get("keywords") or []
    return [value] if isinstance(value, str) else [str(keyword) for keyword in value]


class AbbreviationMiner:
    """Collects 全称(缩写) and 缩写(全称) occurrences from records, then picks consistent pairs."""

    def __init__(self) -> None:
        self.contexts: defaultdict[str, list[str]] = defaultdict(list)
        self.explicit: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def feed(self, document: Mapping[str, Any]) -> None:
        text = segment.normalise(
            " ".join([str(document.get("title") or ""), str(document.get("abstract") or "")])
        )
        if "(" not in text:
            return
        for match in _FULL_FIRST.finditer(text):
            if _is_abbreviation(match.group(2)):
                self.contexts[match.group(2)].append(match.group(1)[-MAX_TERM_CHARS:])
        for match in _ABBREVIATION_FIRST.finditer(text):
            if _is_abbreviation(match.group(1)):
                self.explicit[match.group(1)][match.group(2)] += 1

    def pairs(self, terms: frozenset[str] | set[str] = frozenset()) -> list[tuple[str, str]]:
        """(abbreviation, full form) pairs; ``terms`` (domain terms) settle single occurrences."""
        result: list[tuple[str, str]] = []
        for abbreviation in sorted(set(self.contexts) | set(self.explicit)):
            full = _full_form(
                abbreviation,
                self.contexts.get(abbreviation, []),
                self.explicit.get(abbreviation, Counter()),
                terms,
            )
            if full is not None:
                result.append((abbreviation, full))
        return result


def _is_abbreviation(text: str) -> bool:
    letters = sum(char.isalpha() for char in text)
    return letters >= 2 and not _ROMAN.fullmatch(text)


def _full_form(
    abbreviation: str, contexts: list[str], explicit: Counter[str], terms: frozenset[str] | set[str]
) -> str | None:
    """The full form most of an abbreviation's occurrences agree on, or None.

    Each 全称(缩写) occurrence gives the CJK text before the parenthesis, whose left edge is unknown;
    its candidates are its suffixes made of whole rjieba words (a 缩写(全称) occurrence gives its full
    form exactly). A candidate's support is the number of occurrences offering it. The longest
    candidate offered by at least two occurrences and half of them wins; a lone occurrence counts only
    if its candidate is a domain term or came in parentheses. A full form is at least three characters,
    and no shorter than the abbreviation has letters (each letter stands for a word): 曲线 is not ROC.
    """
    shortest = max(3, sum(char.isalpha() for char in abbreviation))
    offered: list[set[str]] = [set(explicit)] if explicit else []
    for context in contexts:
        words = segment.runs(context)[0] if context else []
        suffixes: set[str] = set()
        suffix = ""
        for word in reversed(words):
            suffix = word + suffix
            if len(suffix) >= shortest and segment.is_token(word):  # not 和示差脉冲伏安
                suffixes.add(suffix)
        offered.append(suffixes)
    support: Counter[str] = Counter()
    for suffixes in offered:
        support.update(suffixes)
    support.update({full: count - 1 for full, count in explicit.items() if count > 1})
    occurrences = len(contexts) + sum(explicit.values())
    needed = max(2, (occurrences + 1) // 2)
    agreed = [candidate for candidate, count in support.items() if count >= needed]
    if not agreed and occurrences == 1:
        agreed = [c for c in support if c in terms or (c in explicit and len(c) >= shortest)]
    return max(agreed, key=lambda c: (len(c), c), default=None)


def read_synonyms(path: Path = SYNONYMS) -> list[list[str]]:
    """Synonym groups of a text file: one group per line, terms separated by whitespace or commas; # comments."""
    groups: list[list[str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0]
        group = [segment.normalise(term).strip() for term in re.split(r"[\s,，、]+", line)]
        group = list(dict.fromkeys(term for term in group if term))
        if len(group) >= 2:
            groups.append(group)
    return groups


def alias_table(groups: Iterable[Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Every member of a group → the other members (groups sharing a member are not merged).

    Chinese members that contain one another (储能, 储能系统) are not aliases of each other: the
    bigram view already matches the shorter inside the longer, so the alias would find no new record
    and only add weight to those that match anyway.
    """
    table: dict[str, dict[str, None]] = {}
    for group in groups:
        members = [segment.normalise(term).strip() for term in group]
        for member in members:
            others = table.setdefault(member, {})
            others.update((other, None) for other in members if not _nested(member, other))
    return {member: tuple(others) for member, others in table.items() if others}


def _nested(member: str, other: str) -> bool:
    if member == other:
        return True
    return not (member.isascii() or other.isascii()) and (member in other or other in member)
