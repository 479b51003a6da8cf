"""The contract between the domain apps and matching: what each domain contributes to the engine.

Each domain app registers, in its own ``matching.py`` (imported by its ``AppConfig.ready``):

- a :class:`Source` per corpus it owns: its indexable records as :class:`Entry` objects, which
  restricted ones a principal may see, and (for records a demand can be answered with) their names and
  the record a responder adds by hand — each answered by the domain's own visibility rule;
- :class:`Watch` and :class:`LinkWatch` entries: which saved rows change which documents, so that the
  matching app's change log follows every write (services, admin, imports) without importing a model.

The matching app reads the registry and never queries a domain's tables. The registry lives here, below
every domain app, so that registering does not make a domain depend on matching. Plain Python: the
engine-side code (:mod:`techmarket.matching.ranking`, the batch) imports :class:`Profile` from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

# The corpora (matching.choices.Corpus) and the kinds of suggestion target (matching.choices.TargetKind).
ACHIEVEMENTS = "achievements"
DEMANDS = "demands"
EXPERTS = "experts"
ORGANISATIONS = "organisations"


@dataclass(frozen=True)
class Profile:
    """The structured side of a candidate (achievement, expert, organisation; a demand when reversed)."""

    industry: str = ""  # GB/T 4754, e.g. "C3985"
    discipline: str = ""  # GB/T 13745, e.g. "520.1010"
    region: str = ""  # GB/T 2260, six digits
    trl: int | None = None
    price: float | None = None  # 万元; None: unknown or 面议
    modes: frozenset[str] = frozenset()  # transfer, license, equity, co_develop, service
    # The organisation (its id as text) that owns the record, or is it: a demand is never answered
    # with its own organisation or that organisation's records ("" when none).
    owner: str = ""


@dataclass(frozen=True)
class Entry:
    """One record as the engine sees it. A ``restricted`` record is ranked only for its own audience."""

    document: dict[str, Any]
    profile: Profile
    restricted: bool = False


# (corpus, document id) pairs a change touches.
Changes = Iterable[tuple[str, Any]]


@dataclass(frozen=True)
class Source:
    """One corpus as its domain app offers it to matching.

    ``entries(ids)``: every indexable record (``ids`` None), or those of ``ids`` that still are.
    ``visible_restricted(principal)``: ids of the restricted records the principal may see; None when
    the corpus has no restricted records.
    ``kind``: the suggestion target kind its records are (None: a corpus that is not a target).
    ``labels(ids, audiences)``: names of the records of ``ids`` that every principal of ``audiences``
    may see and that can be proposed now.
    ``target(pk, audiences)``: the record a responder adds by hand, or None when it does not exist or
    one of ``audiences`` may not see it.
    """

    corpus: str
    entries: Callable[[list[str] | None], Iterator[Entry]]
    visible_restricted: Callable[[Any], set[str]] | None = None
    kind: str | None = None
    labels: Callable[[Sequence[int], Sequence[Any]], dict[int, str]] | None = None
    target: Callable[[int, Sequence[Any]], Any] | None = None


@dataclass(frozen=True)
class Watch:
    """Saves and deletes of ``model`` (an ``app_label.modelname`` label, lower case) change the
    documents ``changed(instance, created)`` names; ``created`` is False on delete."""

    model: str
    changed: Callable[[Any, bool], Changes]


@dataclass(frozen=True)
class LinkWatch:
    """Changes of a many-to-many relation (``through``: its through model's lower-case label) change
    the documents ``changed(instance, action, reverse, pk_set)`` names (Django's ``m2m_changed``)."""

    through: str
    changed: Callable[[Any, str, bool, set[Any] | None], Changes]


_SOURCES: dict[str, Source] = {}
_WATCHES: dict[str, list[Watch]] = {}
_LINK_WATCHES: dict[str, list[LinkWatch]] = {}


def register(*items: Source | Watch | LinkWatch) -> None:
    """Register a domain's sources and watches (idempotent: a corpus or watch registered again replaces
    the earlier one of the same corpus or function)."""
    for item in items:
        if isinstance(item, Source):
            _SOURCES[item.corpus] = item
        elif isinstance(item, Watch):
            watches = _WATCHES.setdefault(item.model, [])
            watches[:] = [w for w in watches if w.changed is not item.changed] + [item]
        else:
            links = _LINK_WATCHES.setdefault(item.through, [])
            links[:] = [w for w in links if w.changed is not item.changed] + [item]


def source(corpus: str) -> Source:
    """The registered source of a corpus (KeyError when no app registered one)."""
    return _SOURCES[corpus]


def source_of_kind(kind: str) -> Source | None:
    """The source whose records are suggestion targets of ``kind``, if any."""
    return next((s for s in _SOURCES.values() if s.kind is not None and s.kind == kind), None)


def sources() -> list[Source]:
    return list(_SOURCES.values())


def watches_of(model: str) -> list[Watch]:
    return _WATCHES.get(model, [])


def link_watches_of(through: str) -> list[LinkWatch]:
    return _LINK_WATCHES.get(through, [])
