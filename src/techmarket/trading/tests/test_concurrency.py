"""Concurrent bids on one hot auction, against real PostgreSQL (skipped on SQLite, which serialises
every writer anyway): run with ``TEST_DATABASE_URL=postgres://…``.

Fifty bidders in fifty threads, each with its own database connection, bid at once (several rounds,
every bid retried once with the same idempotency key). Afterwards the log has exactly one entry per
(bidder, key) — no bid lost, none counted twice —, its sequence is gap-free, the accepted prices rise by
at least the increment, the stored result equals a sequential replay of the log (``ledger.verify``, the
same check ``techmarket verify-auction`` runs), and ten closers racing at the end close it exactly once.
"""

from __future__ import annotations

import datetime
import itertools
import random
import threading
from collections.abc import Callable
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection, connections
from django.utils import timezone

from techmarket.core.errors import DomainError
from techmarket.core.models import AuditEvent
from techmarket.trading import ledger, services
from techmarket.trading.choices import AuctionState, BidOutcome, ListingState, Pricing
from techmarket.trading.models import Auction, BidLogEntry
from techmarket.trading.tests.factories import auction_for, listing_in_state, qualified_bidder

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BIDDERS = 50
ROUNDS = 4


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (set TEST_DATABASE_URL)")


def _in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released together; each thread has its own connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors[:3]
    return results


def test_fifty_concurrent_bidders_lose_and_double_count_nothing(world: dict[str, Any]) -> None:
    listing = listing_in_state(
        ListingState.OPEN,
        seller=world["seller"],
        achievement=world["achievement"],
        admin=world["admin"],
        pricing=Pricing.AUCTION,
    )
    start = timezone.now() - datetime.timedelta(minutes=1)
    auction = auction_for(
        listing, admin=world["admin"], start=start, minutes=120, reserve_price=Decimal("150")
    )
    bidders = [qualified_bidder(auction, admin=world["admin"]) for _ in range(BIDDERS)]
    close_old_connections()

    def bid(index: int) -> dict[str, int]:
        registration = bidders[index]
        rng = random.Random(index)
        counts = {"accepted": 0, "rejected": 0, "keys": 0}
        for round_number in range(ROUNDS):
            current = Auction.objects.get(pk=auction.pk).current_price or Decimal("95.00")
            amount = current + Decimal("5.00") + Decimal(rng.randrange(0, 3)) * Decimal("0.50")
            key = f"b{index}-r{round_number}"
            counts["keys"] += 1
            outcomes = []
            for _attempt in range(2):  # the client retries: the same key must count once
                try:
                    entry = services.place_bid(
                        actor=registration.user, auction=auction, amount=amount, idempotency_key=key
                    )
                    outcomes.append((entry.pk, "accepted"))
                except services.BidRejected as rejected:
                    outcomes.append((rejected.entry.pk, "rejected"))
            assert outcomes[0] == outcomes[1]
            counts[outcomes[0][1]] += 1
        return counts

    results = _in_threads(BIDDERS, bid)
    keys = sum(result["keys"] for result in results)
    accepted = sum(result["accepted"] for result in results)

    auction.refresh_from_db()
    entries = list(BidLogEntry.objects.filter(auction=auction).order_by("seq"))
    assert len(entries) == keys  # one entry per attempt: nothing lost, no retry counted twice
    assert [entry.seq for entry in entries] == list(range(1, keys + 1))
    assert len({(entry.registration_id, entry.idempotency_key) for entry in entries}) == keys
    prices = [entry.amount for entry in entries if entry.outcome == BidOutcome.ACCEPTED]
    assert len(prices) == accepted == auction.accepted_bids
    assert all(later >= earlier + auction.increment for earlier, later in itertools.pairwise(prices))
    assert auction.current_price == prices[-1]
    verification = ledger.verify(auction)
    assert verification.ok, verification.problems  # the stored state equals the sequential replay

    # Ten closers race after the end: exactly one close, one winner, deposits settled once.
    after_end = auction.ends_at + datetime.timedelta(seconds=1)

    def close(_index: int) -> str:
        try:
            return str(services.close_auction(auction_id=auction.pk, now=after_end).state)
        except DomainError as error:  # pragma: no cover - reported by the assertion below
            return error.code

    states = _in_threads(10, close)
    assert set(states) == {AuctionState.SOLD}
    assert AuditEvent.objects.filter(action="trading.auction.close", target_id=str(auction.pk)).count() == 1
    assert AuditEvent.objects.filter(action="trading.bidderregistration.settle").count() == BIDDERS
    auction.refresh_from_db()
    assert auction.winner_id == auction.leader_id
    out = StringIO()
    call_command("verify_auction", str(auction.pk), stdout=out)
    assert "OK" in out.getvalue()
