"""One engine index per corpus per process, kept fresh from the database.

Every web or worker process holds its own :class:`~techmarket.matching.engine.MatchIndex` per corpus.
Freshness across processes comes from two tables: ``IndexChange`` (appended in the same transaction
as the change, see :mod:`.signals`; pruned by ``rebuild`` below what every kept snapshot holds) is
read before every ranking, and the changed records
are re-read and applied to the index's side segment; ``IndexSnapshot`` names the newest saved index
directory (built by the ``rebuild`` task), which a process memory-maps instead of building when it
appears. A change is therefore matchable by every process at its next request, without a restart.

Change ids are handed out when a row is inserted, not when its transaction commits: on PostgreSQL a
long transaction can commit its change after a later one, below the id a process has already
applied. So besides the ids above its mark, a process reads the changes of the last
:data:`LATE_COMMIT_WINDOW` and applies those it has not seen; a transaction that commits later than
that after writing its change is caught by the next snapshot.
"""

from __future__ import annotations

import datetime
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from techmarket.matching import documents
from techmarket.matching.choices import Corpus
from techmarket.matching.engine import Lexicon, MatchIndex
from techmarket.matching.models import IndexChange, IndexSnapshot
from techmarket.matching.ranking import Profile

# Saved snapshots kept on disk per corpus (older ones may still be mapped by a running process).
KEEP_SNAPSHOTS = 2
# How long after writing its change a transaction may commit and still reach every process at once.
LATE_COMMIT_WINDOW = datetime.timedelta(minutes=10)


@dataclass
class Loaded:
    """A process's current view of one corpus."""

    index: MatchIndex
    profiles: dict[str, Profile]
    restricted: set[str]
    applied: int  # the highest IndexChange id applied
    snapshot: int | None  # the IndexSnapshot id loaded, None when built in memory
    # Changes within the late-commit window at or below ``applied``, already applied: id → time.
    seen: dict[int, datetime.datetime] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def profile_of(self, doc_id: str) -> Profile | None:
        return self.profiles.get(doc_id)

    def put(self, entry: documents.Entry) -> None:
        doc_id = entry.document["id"]
        self.index.update(entry.document)
        self.profiles[doc_id] = entry.profile
        if entry.restricted:
            self.restricted.add(doc_id)
        else:
            self.restricted.discard(doc_id)

    def drop(self, doc_id: str) -> None:
        self.index.remove(doc_id)
        self.profiles.pop(doc_id, None)
        self.restricted.discard(doc_id)


def snapshot_root() -> Path:
    return Path(settings.VAR_DIR) / "matching"


def _last_change(corpus: str) -> int:
    return IndexChange.objects.filter(corpus=corpus).order_by("-id").values_list("id", flat=True).first() or 0


def _recent_changes(corpus: str) -> QuerySet[IndexChange]:
    return IndexChange.objects.filter(corpus=corpus, created_at__gte=timezone.now() - LATE_COMMIT_WINDOW)


def _build(corpus: str) -> Loaded:
    # Taken first: a change made during the build is applied again later. The recent changes already
    # committed are in the build; those still uncommitted are not, and will be applied when they land.
    applied = _last_change(corpus)
    seen = dict(_recent_changes(corpus).filter(id__lte=applied).values_list("id", "created_at"))
    entries = list(documents.entries(corpus))
    # The lexicon's aliases show in reasons: only public records may teach it (a 受限 record's
    # abbreviations would otherwise be shown to everyone).
    lexicon = Lexicon.grow(entry.document for entry in entries if not entry.restricted)
    index = MatchIndex.build((entry.document for entry in entries), lexicon)
    return Loaded(
        index,
        {e.document["id"]: e.profile for e in entries},
        {e.document["id"] for e in entries if e.restricted},
        applied,
        None,
        seen,
    )


def _load(corpus: str, snapshot: IndexSnapshot) -> Loaded:
    index = MatchIndex.load(snapshot_root() / snapshot.directory)
    profiles: dict[str, Profile] = {}
    restricted: set[str] = set()
    for entry in documents.entries(corpus):
        doc_id = entry.document["id"]
        profiles[doc_id] = entry.profile
        if entry.restricted:
            restricted.add(doc_id)
    return Loaded(index, profiles, restricted, snapshot.change_id, snapshot.id)


def _apply_changes(corpus: str, loaded: Loaded) -> None:
    """Apply the changes above the mark and those of the late-commit window not applied yet.

    Late commits are rare: the window's rows below the mark are only read when their count differs
    from the number this process has applied (a count on an index, not thousands of rows per request
    while an import runs).
    """
    cutoff = timezone.now() - LATE_COMMIT_WINDOW
    loaded.seen = {change_id: at for change_id, at in loaded.seen.items() if at >= cutoff}
    fields = ("id", "doc_id", "created_at")
    rows = list(
        IndexChange.objects.filter(corpus=corpus, id__gt=loaded.applied).order_by("id").values_list(*fields)
    )
    below = IndexChange.objects.filter(corpus=corpus, id__lte=loaded.applied, created_at__gte=cutoff)
    if below.count() != len(loaded.seen):
        late = [row for row in below.order_by("id").values_list(*fields) if row[0] not in loaded.seen]
        rows = late + rows
    loaded.seen.update((change_id, at) for change_id, _, at in rows if at >= cutoff)
    if not rows:
        return
    changes = [(change_id, doc_id) for change_id, doc_id, _ in rows]
    ids = list(dict.fromkeys(doc_id for _, doc_id in changes))
    current = {entry.document["id"]: entry for entry in documents.entries(corpus, ids)}
    for doc_id in ids:
        entry = current.get(doc_id)
        if entry is None:
            loaded.drop(doc_id)
        else:
            loaded.put(entry)
    loaded.applied = max(loaded.applied, changes[-1][0])


class Registry:
    """The loaded indexes of one process (tests make several to play several processes)."""

    def __init__(self) -> None:
        self._loaded: dict[str, Loaded] = {}
        self._lock = threading.Lock()

    def get(self, corpus: str) -> Loaded:
        """The index of ``corpus``, with every committed change applied."""
        with self._lock:
            loaded = self._loaded.get(corpus)
            snapshot = IndexSnapshot.objects.filter(corpus=corpus).order_by("-id").first()
            stale = loaded is None or (snapshot is not None and snapshot.id != loaded.snapshot)
            if loaded is not None and not stale and _last_change(corpus) < loaded.applied:
                stale = True  # the change log went backwards (a restored database): start again
            if loaded is None or stale:
                loaded = _load(corpus, snapshot) if snapshot is not None else _build(corpus)
                self._loaded[corpus] = loaded
        with loaded.lock:
            _apply_changes(corpus, loaded)
        return loaded

    def reset(self) -> None:
        with self._lock:
            self._loaded.clear()


PROCESS = Registry()


def get(corpus: str) -> Loaded:
    """This process's index of ``corpus``, with every committed change applied."""
    return PROCESS.get(corpus)


def reset() -> None:
    """Forget every loaded index (tests; a process picks the database up afresh)."""
    PROCESS.reset()


def rebuild(corpus: str) -> IndexSnapshot:
    """Build ``corpus`` from the database into a new directory and publish it as the newest snapshot."""
    started = time.perf_counter()
    built = _build(corpus)
    root = snapshot_root()
    directory = f"{corpus}/{int(time.time() * 1000)}"
    built.index.save(root / directory)
    with transaction.atomic():
        snapshot = IndexSnapshot.objects.create(
            corpus=corpus,
            directory=directory,
            change_id=built.applied,
            documents=len(built.index),
            build_seconds=round(time.perf_counter() - started, 3),
        )
    for old in IndexSnapshot.objects.filter(corpus=corpus).order_by("-id")[KEEP_SNAPSHOTS:]:
        shutil.rmtree(root / old.directory, ignore_errors=True)
        old.delete()
    _prune_changes(corpus)
    return snapshot


def _prune_changes(corpus: str) -> None:
    """Drop the changes every kept snapshot already holds; the newest row stays (it marks where the log is)."""
    oldest = (
        IndexSnapshot.objects.filter(corpus=corpus).order_by("change_id").values_list("change_id", flat=True)
    )
    held = oldest.first()
    if held:
        IndexChange.objects.filter(
            corpus=corpus,
            id__lt=min(held, _last_change(corpus)),
            created_at__lt=timezone.now() - LATE_COMMIT_WINDOW,
        ).delete()


def rebuild_all() -> list[IndexSnapshot]:
    return [rebuild(corpus) for corpus in Corpus.values]
