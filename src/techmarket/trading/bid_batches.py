"""Group commit (flat combining) for bids on one auction, inside one process.

Why: every bid on an auction is decided under that auction's row lock, with the previous log entry's
hash, and the rules run in Python. One bid per transaction therefore holds the lock for at least one
client round trip plus a thread wake-up on the application side, and on a hot auction that cycle — not
the database — caps the rate far below what the server does for a plain ``UPDATE`` (docs/benchmarks.md,
"Auctions"; ADR 0012). Bids that arrive while a transaction is running are instead queued here and
decided together in the next one: one lock, one read, one multi-row insert, one update, one commit for
the whole queue, so the lock cycle's cost is shared by every bid waiting for it.

How: :func:`submit` appends the caller's request to the queue of its group (the auction). If nobody in
this process is leading the group, the caller becomes the leader: it takes everything queued, runs the
``execute`` callable given (``services._bid_batch``: one transaction on the leader's own connection),
hands every waiting caller its own answer, and repeats while requests are queued — up to
:data:`LEAD_ROUNDS` rounds after its own request is answered, then it hands the leadership to the oldest
waiting caller, so no caller serves the others indefinitely. Across processes (several workers) the
database's row lock still serialises the leaders, so the combiner changes only how many bids one lock
cycle decides, never how they are decided.

Answers: ``execute`` returns one :class:`Answer` per request, in order: a value, an error to raise in
that caller's thread, or :data:`FALLBACK` (the batch failed as a whole — e.g. a unique-key race with
another process — and the caller should take the per-request path itself). Should ``execute`` raise,
every request of that batch gets the exception and the leadership passes on: a follower never waits for
a leader that has gone. A follower waits at most ``timeout`` seconds: still queued, it leaves the queue
and gets :class:`FallBack` (nothing was written for it); already taken into a running batch, it gets
:class:`Undecided` (the outcome is unknown to it; a retry with the same idempotency key is answered
with whatever was logged).

No Django here: the module only coordinates threads; what a batch does is the caller's business.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

LEAD_ROUNDS = 8  # batches a leader still runs for others once its own request is answered
MAX_BATCH = 200  # requests decided in one transaction at most
TIMEOUT = 30.0  # seconds a follower waits for its answer


class FallBack(Exception):
    """The combiner did not decide this request: take the per-request path."""


class Undecided(TimeoutError):
    """The request was in a batch that has not answered within the timeout."""


@dataclass(frozen=True)
class Answer:
    value: Any = None
    error: BaseException | None = None
    fallback: bool = False


FALLBACK = Answer(fallback=True)


@dataclass(eq=False)
class _Request:
    payload: Any
    done: threading.Event = field(default_factory=threading.Event)
    reply: Answer | None = None
    promoted: bool = False  # woken to lead, not answered


@dataclass(eq=False)
class _Group:
    pending: list[_Request] = field(default_factory=list)
    leading: bool = False


_lock = threading.Lock()  # guards every group's queue and leadership (held only for list operations)
_groups: dict[Hashable, _Group] = {}


def _reset_after_fork() -> None:  # pragma: no cover - exercised by forked benchmark workers
    global _lock, _groups
    _lock = threading.Lock()
    _groups = {}


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def submit(
    group_key: Hashable,
    payload: Any,
    execute: Callable[[list[Any]], list[Answer]],
    *,
    timeout: float = TIMEOUT,
) -> Any:
    """Queue ``payload`` in ``group_key``'s batch and return its answer's value (or raise its error).

    Raises :class:`FallBack` when the caller should decide the request by itself and :class:`Undecided`
    when it was taken into a batch that did not answer within ``timeout``.
    """
    request = _Request(payload)
    with _lock:
        group = _groups.setdefault(group_key, _Group())
        group.pending.append(request)
        lead = not group.leading
        if lead:
            group.leading = True
    if not lead and not request.done.wait(timeout):
        with _lock:
            if not request.promoted and request in group.pending:  # nobody took it: nothing written
                group.pending.remove(request)
                raise FallBack
        if not request.done.is_set():
            raise Undecided
    if lead or (request.reply is None and request.promoted):  # promoted: the leader handed over
        _lead(group_key, group, request, execute)
    answer = request.reply
    assert answer is not None  # noqa: S101 (set before ``done`` by the leader, or by _lead above)
    if answer.fallback:
        raise FallBack
    if answer.error is not None:
        raise answer.error
    return answer.value


def _lead(
    group_key: Hashable,
    group: _Group,
    own: _Request,
    execute: Callable[[list[Any]], list[Answer]],
) -> None:
    """Run batches while requests are queued; then give up the leadership or hand it to a waiter."""
    rounds_after_own = 0
    try:
        while True:
            with _lock:
                if not group.pending or (own.reply is not None and rounds_after_own >= LEAD_ROUNDS):
                    break
                batch = group.pending[:MAX_BATCH]
                del group.pending[:MAX_BATCH]
            if own.reply is not None:
                rounds_after_own += 1
            try:
                answers = execute([request.payload for request in batch])
                if len(answers) != len(batch):
                    raise RuntimeError("a batch must answer every request")
            except BaseException as error:  # every caller of the batch gets it, nobody waits
                answers = [Answer(error=error)] * len(batch)
            for request, answer in zip(batch, answers, strict=True):
                request.reply = answer
                request.done.set()
    finally:
        with _lock:
            if group.pending:  # hand over to the oldest waiter (it wakes as leader)
                successor = group.pending[0]
                successor.promoted = True
                successor.done.set()
            else:
                group.leading = False
                if _groups.get(group_key) is group:
                    del _groups[group_key]
        if own.reply is None:  # only if the leader itself was interrupted before its batch ran
            own.reply = Answer(error=RuntimeError("the bid batch was interrupted"))
