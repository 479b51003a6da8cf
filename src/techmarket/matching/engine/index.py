"""The matching index: an immutable main segment, a small side segment for fresh changes, and ranking.

The main segment is a term → records table (CSC: ``indptr`` into ``postings``/``weights``) whose
weights already hold BM25 × IDF × residual IDF (see :mod:`.weighting`), so ranking a demand is one
gather-and-sum over the postings of its distinct features. It is built in one pass, saved as ``.npy``
files and memory-mapped on load (ids and features too, see :mod:`.tables`), so several web worker
processes share one copy in the page cache.

Records added or changed after the build go to a side segment weighted with the main segment's
statistics, so their scores are comparable; a change or removal tombstones the old position. Positions
are never reused within one index object, so a :class:`Bitmap` made earlier still means the same
records (and denies the new ones). Statistics drift as the side segment grows: rebuild from the source
of truth (and load the new directory) when :attr:`MatchIndex.pending` gets large.

A :class:`~.lexicon.Lexicon` grown from the records (``Lexicon.grow``) is part of the index: records
and demands are segmented with its domain terms, and a demand's phrases are expanded with their
aliases (abbreviations, synonyms) at a damped weight. It is saved and loaded with the arrays.

Confidentiality is enforced here, not after the fact: ``match(..., allowed=...)`` only ever returns
allowed, live records, and the score of one record never depends on another record's visibility.
"""

from __future__ import annotations

import functools
import json
import os
import threading
from array import array
from collections.abc import Callable, Container, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np

from techmarket.matching.engine import analysis, weighting
from techmarket.matching.engine.explain import (
    BIGRAM_SOURCE,
    CHARACTER_SOURCE,
    WORD_SOURCE,
    Match,
    QueryText,
    Reason,
    term_reasons,
)
from techmarket.matching.engine.lexicon import Lexicon
from techmarket.matching.engine.tables import StringTable

FORMAT = 3
# Format 2 (before the character view) still loads: such an index simply has no character features.
READABLE_FORMATS = (2, 3)
# A demand is scored on its most informative features only: an essay pasted into the form must not
# cost a scan of half the index. Typical demands have 30–120 features.
MAX_QUERY_FEATURES = 256
MAX_QUERY_CHARACTERS = 128
MAX_REASONS = 8
_CHUNK = 1 << 22
_SAMPLED_TOP_FROM = 1 << 16

Document = Mapping[str, Any]


@dataclass(frozen=True)
class Bitmap:
    """Allowed positions of one index object (from :meth:`MatchIndex.bitmap`); later positions are denied."""

    owner: int
    allowed: np.ndarray


Allowed = Bitmap | AbstractSet[str] | Callable[[str], bool] | None


class Candidate(NamedTuple):
    """One record of :meth:`MatchIndex.candidates`: ``score`` is unrounded and equals the sum of ``views``."""

    doc_id: str
    score: float
    views: dict[str, float]  # {"bigram": subtotal, "word": subtotal, "character": subtotal}
    reasons: Callable[[], tuple[Reason, ...]]  # the reasons match() gives, written when called


class _Term(NamedTuple):
    """A feature a demand is scored on: its main-segment column (None: side segment only) and query weight."""

    feature: str
    column: int | None
    weight: float = 1.0


class _Collector:
    """One pass over the records: (record, feature, count) entries in compact arrays, then the CSC.

    The entries of a million records take gigabytes as numpy temporaries, so weights are computed in
    slices and every array is released as soon as the next one is made.
    """

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.ids: list[str] = []
        self.seen: set[str] = set()
        self.features: dict[str, int] = {}
        self.columns = array("i")
        self.counts = array("f")
        self.entries = array("q")
        self.lengths = {kind: array("f") for kind in analysis.KINDS}

    def add(self, document: Document) -> None:
        doc_id = _checked_id(document, self.seen)
        self.seen.add(doc_id)
        self.ids.append(doc_id)
        counts = analysis.document_counts(document, self.lexicon)
        features = self.features
        self.columns.extend([features.setdefault(feature, len(features)) for feature in counts])
        self.counts.extend(counts.values())
        self.entries.append(len(counts))
        lengths = dict.fromkeys(analysis.KINDS, 0)
        for feature, count in counts.items():
            lengths[feature[0]] += count
        for kind, length in lengths.items():
            self.lengths[kind].append(length)

    def finish(self) -> tuple[Any, ...]:
        """The arguments of :class:`MatchIndex`; the collector is spent afterwards."""
        n, features = len(self.ids), self.features
        column_of = np.frombuffer(self.columns, dtype=np.int32)
        tf = np.frombuffer(self.counts, dtype=np.float32)
        row_of = np.repeat(np.arange(n, dtype=np.int32), np.frombuffer(self.entries, dtype=np.int64))
        del self.entries, self.seen
        df = np.bincount(column_of, minlength=len(features))
        cf = np.bincount(column_of, weights=tf, minlength=len(features))
        term_weights = (weighting.idf(df, n) * weighting.specificity(df, cf, n)).astype(np.float32)
        kind_codes = {kind: code for code, kind in enumerate(analysis.KINDS)}
        kind_of = np.fromiter((kind_codes[f[0]] for f in features), dtype=np.int8, count=len(features))
        length_of = np.stack([np.frombuffer(self.lengths[kind], dtype=np.float32) for kind in analysis.KINDS])
        means = length_of.mean(axis=1) if n else np.ones(len(analysis.KINDS), dtype=np.float32)
        average = {kind: float(means[code]) for kind, code in kind_codes.items()}
        means = means.astype(np.float32)

        weights = np.empty(len(tf), dtype=np.float32)
        for start in range(0, len(tf), _CHUNK):
            part = slice(start, start + _CHUNK)
            rows, cols = row_of[part], column_of[part]
            kinds = kind_of[cols]
            weights[part] = term_weights[cols] * weighting.saturation(
                tf[part], length_of[kinds, rows], means[kinds]
            )
        del tf, self.counts, self.lengths, length_of, kind_of

        order = np.argsort(column_of, kind="stable")  # records stay ascending within each feature
        del column_of, self.columns
        postings = row_of[order]
        del row_of
        weights = weights[order]
        del order
        indptr = np.zeros(len(features) + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        ids, vocabulary = StringTable.build(self.ids), StringTable.build(features)
        del self.ids, self.features, features
        return ids, vocabulary, indptr, postings, weights, term_weights, average, self.lexicon


@dataclass(frozen=True)
class _State:
    """Which positions are live; replaced, never changed, so a ranking reads one consistent snapshot."""

    live: np.ndarray
    dead: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def without(self, position: int) -> _State:
        live = self.live.copy()
        live[position] = False
        return _State(live, np.append(self.dead, position))

    def with_new(self) -> _State:
        return _State(np.append(self.live, True), self.dead)


class _SideSegment:
    """Records added since the build: per-feature postings, appended under the index's lock."""

    def __init__(self) -> None:
        self.postings: dict[str, list[tuple[int, float]]] = {}
        self.documents: dict[int, Document] = {}
        self.ids: list[str] = []
        self.positions: dict[str, int] = {}  # id → its latest side position

    def add(self, position: int, doc_id: str, document: Document, contributions: dict[str, float]) -> None:
        self.documents[position] = document
        self.ids.append(doc_id)
        self.positions[doc_id] = position
        for feature, weight in contributions.items():
            self.postings.setdefault(feature, []).append((position, weight))


class MatchIndex:
    """Build with :meth:`build` or :meth:`load`; rank with :meth:`match`."""

    def __init__(
        self,
        ids: StringTable,
        features: StringTable,
        indptr: np.ndarray,
        postings: np.ndarray,
        weights: np.ndarray,
        term_weights: np.ndarray,
        average_lengths: dict[str, float],
        lexicon: Lexicon | None = None,
    ) -> None:
        self._ids = ids
        self._lexicon = lexicon or Lexicon()
        self._features = features
        self._indptr = indptr
        self._postings = postings
        self._weights = weights
        self._term_weights = term_weights
        self._average_lengths = average_lengths
        # An index saved before the character view (format 2) has none: its demands are scored without.
        self._characters = analysis.CHARACTER in average_lengths
        self._main_size = len(ids)
        self._side = _SideSegment()
        self._state = _State(np.ones(len(ids), dtype=bool))
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ build

    @classmethod
    def build(cls, documents: Iterable[Document], lexicon: Lexicon | None = None) -> MatchIndex:
        """Index records shaped like ``{id, title, abstract, keywords[]}`` (extra keys are ignored).

        ``lexicon`` is usually ``Lexicon.grow`` of the same records (a first pass over them).
        """
        collector = _Collector(lexicon or Lexicon())
        for document in documents:
            collector.add(document)
        return cls(*collector.finish())

    # ------------------------------------------------------------------ persistence

    def save(self, directory: str | os.PathLike[str]) -> None:
        """Write the index (side segment and removals included) to a new or empty ``directory``.

        ``meta.json`` is written last, so a reader never opens a half-written index. Never save over
        the directory an index was loaded from: its files are memory-mapped by running processes.
        """
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        if any(path.iterdir()):
            raise FileExistsError(f"{path} is not empty: save each version of the index to a new directory")
        with self._lock:
            live = self._state.live
            side = [self._side.documents[p] for p in sorted(self._side.documents) if live[p]]
        np.save(path / "indptr.npy", self._indptr)
        np.save(path / "postings.npy", self._postings)
        np.save(path / "weights.npy", self._weights)
        np.save(path / "term_weights.npy", self._term_weights)
        np.save(path / "removed.npy", np.flatnonzero(~live[: self._main_size]))
        self._ids.save(path, "ids")
        self._features.save(path, "features")
        self._lexicon.save(path)
        with (path / "side.jsonl").open("w", encoding="utf-8") as out:
            for document in side:
                out.write(json.dumps(dict(document), ensure_ascii=False) + "\n")
        meta = {"format": FORMAT, "documents": self._main_size, "average_lengths": self._average_lengths}
        (path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, directory: str | os.PathLike[str], *, mmap: bool = True) -> MatchIndex:
        """Open a saved index; with ``mmap`` the big arrays stay in the page cache, shared by processes."""
        path = Path(directory)
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") not in READABLE_FORMATS:
            raise ValueError(f"unsupported index format {meta.get('format')!r} in {path}")
        mode: Literal["r"] | None = "r" if mmap else None
        index = cls(
            StringTable.load(path, "ids", mmap),
            StringTable.load(path, "features", mmap),
            np.load(path / "indptr.npy", mmap_mode=mode),
            np.load(path / "postings.npy", mmap_mode=mode),
            np.load(path / "weights.npy", mmap_mode=mode),
            np.load(path / "term_weights.npy", mmap_mode=mode),
            meta["average_lengths"],
            Lexicon.load(path),
        )
        if len(index._ids) != meta["documents"]:
            raise ValueError(f"{path} is incomplete: its ids do not match meta.json")
        live = index._state.live.copy()
        live[np.load(path / "removed.npy")] = False
        index._state = _State(live, np.flatnonzero(~live))
        with (path / "side.jsonl").open(encoding="utf-8") as side:
            for line in side:
                if line.strip():
                    index.add(json.loads(line))
        return index

    # ------------------------------------------------------------------ freshness

    def add(self, document: Document) -> None:
        """Make a new record matchable at once (side segment)."""
        with self._lock:
            self._append(_checked_id(document, self), document)

    def update(self, document: Document) -> None:
        """Replace a record (or add it if it is not indexed)."""
        with self._lock:
            doc_id = _checked_id(document, ())
            old = self._position_of(doc_id)
            if old is not None:
                self._state = self._state.without(old)
            self._append(doc_id, document)

    def remove(self, doc_id: str) -> bool:
        """Stop matching a record; False if it was not indexed."""
        with self._lock:
            position = self._position_of(doc_id)
            if position is None:
                return False
            self._state = self._state.without(position)
            self._side.positions.pop(doc_id, None)
            return True

    @property
    def pending(self) -> int:
        """Positions taken by the side segment: rebuild when this grows to a few percent of the index."""
        return len(self._state.live) - self._main_size

    def __len__(self) -> int:
        return int(self._state.live.sum())

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self._position_of(doc_id) is not None

    def _id_at(self, position: int) -> str:
        if position < self._main_size:
            return self._ids[position]
        return self._side.ids[position - self._main_size]

    def _position_of(self, doc_id: str) -> int | None:
        """The live position of a record: its latest side-segment entry, else its main one."""
        return self._positions_of([doc_id])[0]

    def _positions_of(self, doc_ids: list[str]) -> list[int | None]:
        live, side = self._state.live, self._side.positions
        result: list[int | None] = []
        for doc_id, main in zip(doc_ids, self._ids.find_many(doc_ids), strict=True):
            position = side.get(doc_id, main)
            result.append(position if position is not None and live[position] else None)
        return result

    def _append(self, doc_id: str, document: Document) -> None:
        counts = analysis.document_counts(document, self._lexicon)
        if not self._characters:
            counts = {feature: count for feature, count in counts.items() if feature[0] != analysis.CHARACTER}
        self._side.add(len(self._state.live), doc_id, dict(document), self._side_weights(counts))
        self._state = self._state.with_new()

    def _side_weights(self, counts: dict[str, int]) -> dict[str, float]:
        """Weights of a fresh record under the main segment's statistics (unknown terms: df = 1)."""
        length = dict.fromkeys(analysis.KINDS, 0.0)
        for feature, count in counts.items():
            length[feature[0]] += count
        unseen = self._unseen_weight()
        result: dict[str, float] = {}
        columns = self._features.find_many(list(counts))
        for (feature, count), column in zip(counts.items(), columns, strict=True):
            term = float(self._term_weights[column]) if column is not None else unseen
            kind = feature[0]
            result[feature] = term * float(
                weighting.saturation(np.float64(count), np.float64(length[kind]), self._average_lengths[kind])
            )
        return result

    def _unseen_weight(self) -> float:
        """The term weight of a feature the main segment has never seen (df = 1)."""
        return float(weighting.idf(np.array([1.0]), max(self._main_size, 1))[0] * weighting.SPECIFICITY_PRIOR)

    # ------------------------------------------------------------------ ranking

    def bitmap(self, doc_ids: Iterable[str]) -> Bitmap:
        """A reusable ``allowed`` filter for this index object (e.g. the public records, cached)."""
        allowed = np.zeros(len(self._state.live), dtype=bool)
        allowed[[p for p in self._positions_of(list(doc_ids)) if p is not None]] = True
        return Bitmap(id(self), allowed)

    def match(self, text: str, k: int = 10, allowed: Allowed = None, *, explain: bool = True) -> list[Match]:
        """The ``k`` best live, allowed records for a demand's text, best first, with their reasons.

        ``allowed`` is a :class:`Bitmap` from :meth:`bitmap`, a set of doc ids, or a predicate over
        doc ids; ``None`` allows every record.
        """
        query, scores, best, terms, slices = self._select(text, k, allowed)
        if not len(best):
            return []
        contributions = self._contributions(best, terms, slices) if explain else None
        return [
            Match(
                self._id_at(p),
                round(float(scores[p]), 4),
                term_reasons(query, contributions[i], MAX_REASONS) if contributions is not None else (),
            )
            for i, p in enumerate(best.tolist())
        ]

    def candidates(self, text: str, k: int = 100, allowed: Allowed = None) -> list[Candidate]:
        """What :meth:`match` ranks, opened up for a re-ranker: unrounded scores and per-view subtotals.

        Same records in the same order as ``match(text, k, allowed)``; each :class:`Candidate` also
        carries its ``bigram`` and ``word`` subtotals and writes its reasons only when asked, so a
        re-ranker that keeps 10 of 100 candidates pays for 10 explanations.
        """
        query, scores, best, terms, slices = self._select(text, k, allowed)
        if not len(best):
            return []
        result = []
        for position, contributions in zip(
            best.tolist(), self._contributions(best, terms, slices), strict=True
        ):
            views = {BIGRAM_SOURCE: 0.0, WORD_SOURCE: 0.0, CHARACTER_SOURCE: 0.0}
            for feature, weight in contributions.items():
                views[_VIEW_OF[feature[0]]] += weight
            result.append(
                Candidate(
                    self._id_at(position),
                    float(scores[position]),
                    views,
                    functools.partial(term_reasons, query, contributions, MAX_REASONS),
                )
            )
        return result

    def ceiling(self, text: str) -> float:
        """The score of an ideal record for a demand: one that holds each of the demand's scored
        features once, at the average record length (BM25's saturation is then 1, so each feature
        adds its term weight). Features no record has are left out: nothing could match them.

        Real matches reach a fraction of it (a record rarely shares every word of a demand), and a
        record repeating the words may exceed it a little; the platform maps the ratio to a 0–100 level.
        """
        query, _ = self._analyse(text)
        terms = self._query_terms(query, {})
        side = self._side.postings
        totals = {False: 0.0, True: 0.0}  # without / with the character features
        for term in terms:
            character = term.feature[0] == analysis.CHARACTER
            share = term.weight if character else 1.0
            if term.column is not None:
                totals[character] += float(self._term_weights[term.column]) * share
            elif term.feature in side:
                totals[character] += self._unseen_weight() * share
        # Characters count only with a shared bigram or word (see _score): alone, nothing could match.
        return totals[False] + totals[True] if totals[False] > 0.0 else 0.0

    def _select(
        self, text: str, k: int, allowed: Allowed
    ) -> tuple[QueryText, np.ndarray, np.ndarray, list[_Term], np.ndarray]:
        """Score a demand and pick its ``k`` best live, allowed positions (best first)."""
        if isinstance(allowed, Bitmap) and allowed.owner != id(self):
            raise ValueError("this bitmap was made by another index")
        if not (allowed is None or isinstance(allowed, Bitmap | AbstractSet) or callable(allowed)):
            raise TypeError("allowed must be a Bitmap, a set of ids or a predicate over ids")
        query, expansion = self._analyse(text)
        if k <= 0:
            return query, np.zeros(0), np.zeros(0, dtype=np.int64), [], np.zeros((2, 0), dtype=np.int64)
        state = self._state  # one snapshot: a concurrent add/remove is seen entirely or not at all
        size = len(state.live)
        terms = self._query_terms(query, expansion)
        scores, slices = self._score(terms, size)
        scores[state.dead] = 0.0
        if isinstance(allowed, Bitmap):
            visible = allowed.allowed[:size]
            scores[: len(visible)][~visible] = 0.0
            scores[len(visible) :] = 0.0
            best = _top(scores, k)
        elif isinstance(allowed, AbstractSet):
            best = self._top_of_set(scores, k, allowed)
        elif allowed is not None:
            best = self._top_passing(scores, k, allowed)
        else:
            best = _top(scores, k)
        return query, scores, best, terms, slices

    def _analyse(self, text: str) -> tuple[QueryText, dict[str, float]]:
        """The demand's text analysed as the records were, and the query weights of its aliases' features."""
        lexicon = self._lexicon
        normal = analysis.normalise(text)
        spans = analysis.bigram_spans(text)
        words = analysis.distinct(analysis.words(text, lexicon))
        if not lexicon.aliases:
            return QueryText(normal, spans, words), {}
        present = [feature for feature, _ in spans] + words
        expanded = lexicon.expansions(
            text,
            present,
            lambda phrase: analysis.features(phrase, lexicon),
            self._term_weights_of,
            self._unseen_weight(),
        )
        phrases = {feature: phrase for feature, (_, phrase) in expanded.items()}
        return QueryText(normal, spans, words, phrases), {f: weight for f, (weight, _) in expanded.items()}

    def _term_weights_of(self, features: Iterable[str]) -> list[float | None]:
        weights = self._term_weights
        return [None if c is None else float(weights[c]) for c in self._features.find_many(list(features))]

    def _query_terms(self, query: QueryText, expansion: Mapping[str, float]) -> list[_Term]:
        """Distinct query features (the demand's own, then its aliases' at their damped weights)."""
        distinct = analysis.distinct([f for f, _ in query.bigram_spans] + query.words)
        terms = [_Term(f, c) for f, c in zip(distinct, self._features.find_many(distinct), strict=True)]
        if len(terms) > MAX_QUERY_FEATURES:
            weight = self._term_weights
            terms.sort(key=lambda term: -float(weight[term.column]) if term.column is not None else 0.0)
            terms = terms[:MAX_QUERY_FEATURES]
        added = list(expansion)
        terms += [
            _Term(f, c, expansion[f]) for f, c in zip(added, self._features.find_many(added), strict=True)
        ]
        if self._characters:
            terms += self._character_terms(query.normalised)
        return terms

    def _character_terms(self, normalised: str) -> list[_Term]:
        """The demand's distinct characters at :data:`~.analysis.CHARACTER_WEIGHT` (the most informative
        :data:`MAX_QUERY_CHARACTERS`); characters no record has are left out unless fresh records have them."""
        distinct = analysis.distinct(analysis.characters(normalised))
        columns = self._features.find_many(distinct)
        side = self._side.postings
        found = [(f, c) for f, c in zip(distinct, columns, strict=True) if c is not None or f in side]
        if len(found) > MAX_QUERY_CHARACTERS:
            weight = self._term_weights
            found.sort(key=lambda pair: -float(weight[pair[1]]) if pair[1] is not None else 0.0)
            found = found[:MAX_QUERY_CHARACTERS]
        return [_Term(f, c, analysis.CHARACTER_WEIGHT) for f, c in found]

    def _score(self, terms: list[_Term], size: int) -> tuple[np.ndarray, np.ndarray]:
        """Every position's score, and the postings slice of each main-segment term (in ``terms``' order).

        Characters refine, they do not find: a record's character features count only when it shares a
        bigram or a word with the demand, so a demand never matches records through 的 or 有 alone.
        """
        lexical = [term for term in terms if term.feature[0] != analysis.CHARACTER]
        characters = [term for term in terms if term.feature[0] == analysis.CHARACTER]
        scores, slices = self._gather(lexical, size)
        if characters:
            extra, more = self._gather(characters, size)
            scores += np.where(scores > 0.0, extra, 0.0)
            slices = np.concatenate([slices, more], axis=1)
        return scores, slices

    def _gather(self, terms: list[_Term], size: int) -> tuple[np.ndarray, np.ndarray]:
        main = [term for term in terms if term.column is not None]
        columns = np.array([term.column for term in main], dtype=np.int64)
        starts = np.asarray(self._indptr[columns], dtype=np.int64)
        ends = np.asarray(self._indptr[columns + 1], dtype=np.int64)
        scores: np.ndarray
        if len(columns):
            rows = np.concatenate([self._postings[s:e] for s, e in zip(starts, ends, strict=True)])
            values = np.concatenate(
                [
                    self._weights[s:e] if term.weight == 1.0 else self._weights[s:e] * np.float32(term.weight)
                    for term, s, e in zip(main, starts, ends, strict=True)
                ]
            )
            scores = np.bincount(rows, weights=values, minlength=size)[:size]
        else:
            scores = np.zeros(size)
        if size > self._main_size:
            side = self._side.postings
            for term in terms:
                for position, weight in side.get(term.feature, ()):
                    if position < size:
                        scores[position] += weight * term.weight
        return scores, np.stack([starts, ends])

    def _top_of_set(self, scores: np.ndarray, k: int, allowed: AbstractSet[str]) -> np.ndarray:
        if len(allowed) * 8 >= np.count_nonzero(scores):  # most matches allowed: filter the best ones
            return self._top_passing(scores, k, allowed.__contains__)
        positions = [p for p in self._positions_of(list(allowed)) if p is not None and p < len(scores)]
        restricted = np.zeros_like(scores)
        restricted[positions] = scores[positions]
        return _top(restricted, k)

    def _top_passing(self, scores: np.ndarray, k: int, allowed: Callable[[str], bool]) -> np.ndarray:
        """Walk the ranking best first, widening it until ``k`` allowed records are found."""
        wanted = max(4 * k, 64)
        while True:
            candidates = _top(scores, wanted)
            chosen = [p for p in candidates.tolist() if allowed(self._id_at(p))]
            if len(chosen) >= k or len(candidates) < wanted:
                return np.array(chosen[:k], dtype=np.int64)
            wanted *= 4

    def _contributions(
        self, best: np.ndarray, terms: list[_Term], slices: np.ndarray
    ) -> list[dict[str, float]]:
        """Per result, the weight each matched query feature added to its score."""
        result: list[dict[str, float]] = [{} for _ in best]
        order = np.argsort(best)
        ranked = best[order]
        main = [term for term in terms if term.column is not None]
        for term, start, end in zip(main, slices[0], slices[1], strict=True):
            column = self._postings[start:end]
            found = np.searchsorted(column, ranked)
            inside = found < len(column)
            hit = np.zeros(len(ranked), dtype=bool)
            hit[inside] = column[found[inside]] == ranked[inside]
            for j in np.flatnonzero(hit).tolist():
                result[order[j]][term.feature] = float(self._weights[start + found[j]]) * term.weight
        if len(best) and int(best.max()) >= self._main_size:
            wanted = {p: i for i, p in enumerate(best.tolist()) if p >= self._main_size}
            for term in terms:
                for position, weight in self._side.postings.get(term.feature, ()):
                    if position in wanted:
                        result[wanted[position]][term.feature] = weight * term.weight
        return result


_VIEW_OF = {analysis.BIGRAM: BIGRAM_SOURCE, analysis.WORD: WORD_SOURCE, analysis.CHARACTER: CHARACTER_SOURCE}


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest positive scores, best first (equal scores: earlier position first).

    A full partial sort of a million scores costs ~20 ms; instead a threshold is taken from every 16th
    score, and only scores above it are sorted. The result is exact: when at least ``k`` scores exceed
    the threshold, the ``k`` best are among them; otherwise every positive score is a candidate.
    """
    candidates = None
    if len(scores) > _SAMPLED_TOP_FROM and k < len(scores) // 16:
        sample = scores[::16]
        threshold = max(float(np.partition(sample, len(sample) - k)[len(sample) - k]), 0.0)
        candidates = np.flatnonzero(scores > threshold)
        if len(candidates) < k:
            candidates = None
    if candidates is None:
        candidates = np.flatnonzero(scores > 0)
    values = scores[candidates]
    if len(candidates) > k:
        kth = np.partition(values, len(values) - k)[len(values) - k]
        keep = values >= kth  # every tie of the k-th score, so that position breaks ties
        candidates, values = candidates[keep], values[keep]
    return candidates[np.lexsort((candidates, -values))][:k]


def _checked_id(document: Document, taken: Container[str]) -> str:
    doc_id = document.get("id")
    if not isinstance(doc_id, str) or not doc_id or "\n" in doc_id:
        raise ValueError(f"a document needs a one-line string id, got {doc_id!r}")
    if doc_id in taken:
        raise ValueError(f"document {doc_id!r} is already indexed")
    return doc_id
