"""The bid log as evidence: the rules' view of an auction row, each entry's hashed content, and the
verification ``techmarket verify-auction`` runs (the hash chain, then a replay of the log against the
stored result)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from techmarket.trading import auction_rules as rules
from techmarket.trading.choices import AuctionKind, AuctionState, BidOutcome
from techmarket.trading.models import Auction, BidLogEntry


def params_of(auction: Auction) -> rules.Params:
    """The rules' view of an auction's fixed terms."""
    return rules.Params(
        kind=auction.kind,
        start_price=auction.start_price,
        increment=auction.increment,
        reserve=auction.reserve_price,
        starts_at=auction.starts_at,
        ends_at=auction.scheduled_end,
        extension=datetime.timedelta(minutes=auction.extension_minutes),
    )


def book_of(auction: Auction) -> rules.Book:
    """The rules' view of the auction's running state, as stored on its row."""
    bidders: frozenset[Any] = frozenset()
    if auction.kind == AuctionKind.SEALED:
        bidders = frozenset(
            BidLogEntry.objects.filter(auction=auction, outcome=BidOutcome.ACCEPTED).values_list(
                "registration_id", flat=True
            )
        )
    return rules.Book(
        ends_at=auction.ends_at,
        price=auction.current_price,
        leader=auction.leader_id,
        accepted=auction.accepted_bids,
        bidders=bidders,
    )


def entry_content(entry: BidLogEntry) -> dict[str, Any]:
    """What an entry's hash covers (canonical JSON, ``auction_rules.canonical``)."""
    return {
        "auction": entry.auction_id,
        "seq": entry.seq,
        "bidder": entry.registration_id,
        "amount": rules.money(entry.amount),
        "at": rules.instant(entry.received_at),
        "eligible": entry.eligible,
        "key": entry.idempotency_key,
        "outcome": entry.outcome,
        "reason": entry.reason,
        "price_after": rules.money(entry.price_after),
        "ends_at_after": rules.instant(entry.ends_at_after),
    }


@dataclass
class Verification:
    """What ``verify-auction`` found: ``problems`` is empty when the log and the stored result agree."""

    auction_id: int
    entries: int = 0
    final_hash: str = rules.GENESIS
    book: rules.Book | None = None
    outcome: rules.Outcome | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(auction: Auction) -> Verification:
    """Recompute the chain and the outcome from the log alone and compare them with the auction row."""
    result = Verification(auction.pk)
    entries = list(BidLogEntry.objects.filter(auction_id=auction.pk).order_by("seq"))
    previous = rules.GENESIS
    for position, entry in enumerate(entries, start=1):
        if entry.seq != position:
            result.problems.append(f"entry {entry.pk}: seq {entry.seq}, expected {position}")
        if entry.prev_hash != previous:
            result.problems.append(f"entry #{entry.seq}: prev_hash does not match the previous entry")
        if rules.chain_hash(previous, entry_content(entry)) != entry.hash:
            result.problems.append(f"entry #{entry.seq}: hash does not match its content")
        previous = entry.hash
    result.entries, result.final_hash = len(entries), previous
    params = params_of(auction)
    attempts = [rules.Attempt(e.registration_id, e.amount, e.received_at, e.eligible) for e in entries]
    decisions, book = rules.replay(params, attempts)
    for entry, decision in zip(entries, decisions, strict=True):
        logged = BidOutcome.ACCEPTED if decision.accepted else BidOutcome.REJECTED
        if (entry.outcome, entry.reason) != (logged, decision.reason):
            result.problems.append(
                f"entry #{entry.seq}: logged {entry.outcome}/{entry.reason}, replay {logged}/{decision.reason}"
            )
        if entry.price_after != decision.book.price or entry.ends_at_after != decision.book.ends_at:
            result.problems.append(f"entry #{entry.seq}: price or end after it differs from the replay")
    result.book = book
    stored: dict[str, Any] = {
        "last_seq": auction.last_seq,
        "last_hash": auction.last_hash,
        "current_price": auction.current_price,
        "leader": auction.leader_id,
        "ends_at": auction.ends_at,
        "accepted_bids": auction.accepted_bids,
    }
    replayed: dict[str, Any] = {
        "last_seq": len(entries),
        "last_hash": previous,
        "current_price": book.price,
        "leader": book.leader,
        "ends_at": book.ends_at,
        "accepted_bids": book.accepted,
    }
    for name, value in stored.items():
        if value != replayed[name]:
            result.problems.append(f"{name}: stored {value!r}, replay {replayed[name]!r}")
    if auction.state in (AuctionState.SOLD, AuctionState.FAILED):
        final = rules.outcome(params, book)
        result.outcome = final
        expected_state = AuctionState.SOLD if final.sold else AuctionState.FAILED
        if auction.state != expected_state:
            result.problems.append(f"state: stored {auction.state}, replay {expected_state}")
        if auction.winner_id != (final.winner if final.sold else None):
            result.problems.append(f"winner: stored {auction.winner_id}, replay {final.winner}")
        if auction.final_price != (final.price if final.sold else None):
            result.problems.append(f"final price: stored {auction.final_price}, replay {final.price}")
        if auction.result_hash != previous:
            result.problems.append("result hash: not the log's final hash")
        if auction.closed_at is not None and auction.closed_at < book.ends_at:
            result.problems.append("closed before its end")
    return result
