"""The auction rules as plain Python: no Django, no database, no clock of its own.

Given an auction's parameters and its bid attempts in the order the server logged them (each with the
server's time and whether the bidder had paid the deposit then), :func:`decide` says whether one attempt
is accepted and what the auction looks like after it, and :func:`replay` folds the whole log. The service
calls :func:`decide` under the auction's row lock for every bid; ``techmarket verify-auction`` calls
:func:`replay` on the stored log and compares; the property tests check the rules themselves.

English auction (增价拍卖): the first bid is at least the start price, every later one at least the
current price plus the increment; the leader may not outbid themself; a bid accepted in the last N
minutes moves the end to N minutes after it (anti-sniping); the auction fails (流拍) without bids or when
the final price is below the hidden reserve.

Sealed bid (一次报价): one bid per bidder, at least the start price, no extension; the highest bid wins
and of equal bids the earlier one (the first logged); below the reserve it fails as well.

The bid log's integrity is plain Python too: :func:`canonical` writes one entry as canonical JSON and
:func:`chain_hash` makes each entry's hash cover the previous entry's hash.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

ENGLISH = "english"
SEALED = "sealed"

# Why an attempt is rejected (stable codes; the service turns them into messages).
NOT_STARTED = "not_started"
CLOSED = "closed"
NOT_QUALIFIED = "not_qualified"
BELOW_START = "below_start"
BELOW_INCREMENT = "below_increment"
ALREADY_LEADING = "already_leading"
ALREADY_BID = "already_bid"
REASONS = (NOT_STARTED, CLOSED, NOT_QUALIFIED, BELOW_START, BELOW_INCREMENT, ALREADY_LEADING, ALREADY_BID)

# Why an auction fails (流拍).
NO_BIDS = "no_bids"
RESERVE_NOT_MET = "reserve_not_met"

GENESIS = "0" * 64
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Params:
    """What is fixed before the first bid."""

    kind: str
    start_price: Decimal
    increment: Decimal
    reserve: Decimal | None
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    extension: datetime.timedelta = datetime.timedelta(0)  # anti-sniping window (English only)


@dataclass(frozen=True)
class Attempt:
    """One bid as the server received it: who, how much, the server's time, deposit received or not."""

    bidder: Hashable
    amount: Decimal
    at: datetime.datetime
    eligible: bool = True


@dataclass(frozen=True)
class Book:
    """The auction's running state after the accepted bids so far.

    ``price``/``leader``: the current price and its bidder (English), or the best bid so far and its
    bidder (sealed: hidden until the close). ``bidders``: who has bid (sealed only: one bid each).
    """

    ends_at: datetime.datetime
    price: Decimal | None = None
    leader: Hashable | None = None
    accepted: int = 0
    bidders: frozenset[Hashable] = frozenset()


@dataclass(frozen=True)
class Decision:
    accepted: bool
    reason: str
    book: Book


@dataclass(frozen=True)
class Outcome:
    sold: bool
    winner: Hashable | None
    price: Decimal | None
    reason: str = ""


def opening(params: Params) -> Book:
    """The book before any bid."""
    return Book(ends_at=params.ends_at)


def minimum_bid(params: Params, book: Book) -> Decimal:
    """The lowest amount the next bid may offer."""
    if params.kind == SEALED or book.price is None:
        return params.start_price
    return book.price + params.increment


def decide(params: Params, book: Book, attempt: Attempt) -> Decision:
    """Accept or reject one attempt; an accepted one gives the new book, a rejected one the same book."""

    def reject(reason: str) -> Decision:
        return Decision(False, reason, book)

    if attempt.at < params.starts_at:
        return reject(NOT_STARTED)
    if attempt.at >= book.ends_at:
        return reject(CLOSED)
    if not attempt.eligible:
        return reject(NOT_QUALIFIED)
    amount = attempt.amount
    if params.kind == SEALED:
        if attempt.bidder in book.bidders:
            return reject(ALREADY_BID)
        if amount < params.start_price:
            return reject(BELOW_START)
        better = book.price is None or amount > book.price  # a tie keeps the earlier bid
        return Decision(
            True,
            "",
            replace(
                book,
                price=amount if better else book.price,
                leader=attempt.bidder if better else book.leader,
                accepted=book.accepted + 1,
                bidders=book.bidders | {attempt.bidder},
            ),
        )
    if book.leader is not None and book.leader == attempt.bidder:
        return reject(ALREADY_LEADING)
    if book.price is None and amount < params.start_price:
        return reject(BELOW_START)
    if book.price is not None and amount < book.price + params.increment:
        return reject(BELOW_INCREMENT)
    ends_at = book.ends_at
    if params.extension and ends_at - attempt.at < params.extension:
        ends_at = attempt.at + params.extension
    return Decision(
        True, "", Book(ends_at=ends_at, price=amount, leader=attempt.bidder, accepted=book.accepted + 1)
    )


def replay(params: Params, attempts: Iterable[Attempt]) -> tuple[list[Decision], Book]:
    """Decide every attempt in order from the opening book: the decisions and the final book."""
    book = opening(params)
    decisions = []
    for attempt in attempts:
        decision = decide(params, book, attempt)
        decisions.append(decision)
        book = decision.book
    return decisions, book


def is_due(book: Book, now: datetime.datetime) -> bool:
    """Whether the auction may be closed at ``now`` (its end, after any extension, has passed)."""
    return now >= book.ends_at


def outcome(params: Params, book: Book) -> Outcome:
    """The result once closed: the leader wins at their price, unless nobody bid or the reserve is not met."""
    if book.leader is None or book.price is None:
        return Outcome(False, None, None, NO_BIDS)
    if params.reserve is not None and book.price < params.reserve:
        return Outcome(False, None, book.price, RESERVE_NOT_MET)
    return Outcome(True, book.leader, book.price)


# --- the bid log's hash chain ------------------------------------------------------------------------


def money(amount: Decimal | None) -> str | None:
    """An amount as the log writes it: two decimals, no exponent."""
    return None if amount is None else str(amount.quantize(CENT))


def instant(moment: datetime.datetime) -> str:
    """A time as the log writes it: UTC, microseconds."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(content: dict[str, Any]) -> bytes:
    """One entry's content as canonical JSON (sorted keys, no spaces, UTF-8)."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(previous: str, content: dict[str, Any]) -> str:
    """sha256 over the previous entry's hash and this entry's canonical content."""
    return hashlib.sha256(previous.encode() + b"\n" + canonical(content)).hexdigest()
