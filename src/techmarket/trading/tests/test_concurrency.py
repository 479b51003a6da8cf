"""Concurrent bids on one hot auction, against real PostgreSQL (skipped on SQLite, which serialises
every writer anyway): run with ``TEST_DATABASE_URL=postgres://…``.

Fifty bidders in fifty threads, each with its own database connection, bid at once (several rounds,
every bid retried once with the same idempotency key). Afterwards the log has exactly one entry per
(bidder, key) — no bid lost, none counted twice —, its sequence is gap-free, the accepted prices rise by
at least the increment, the stored result equals a sequential replay of the log (``ledger.verify``, the
same check ``techmarket verify-auction`` runs), and ten closers racing at the end close it exactly once.

The calls go through the group commit of :mod:`techmarket.trading.bid_batches` (ADR 0012); the tests at
the end check its batches directly: accepted, rejected, refused and retried requests in one batch, the
same key sent by two threads at once, a batch failing as a whole (per-request fallback) and a leader
that raises (its batch gets the error, nobody hangs).
"""

from __future__ import annotations

import datetime
import itertools
import random
import time
from collections.abc import Callable
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, close_old_connections, connection
from django.utils import timezone

from techmarket.accounts.policies import principal_of
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.core.models import AuditEvent
from techmarket.core.testing.concurrency import released_together
from techmarket.trading import ledger, services
from techmarket.trading.choices import AuctionState, BidOutcome, ListingState, Pricing
from techmarket.trading.models import Auction, BidLogEntry
from techmarket.trading.tests.factories import auction_for, buyer_user, listing_in_state, qualified_bidder

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BIDDERS = 50
ROUNDS = 4


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (set TEST_DATABASE_URL)")


def _in_threads_ok(count: int, work: Callable[[int], Any]) -> list[Any]:
    """``released_together`` for work that must not raise: the first errors fail the test."""
    results = released_together(count, work, timeout=300)
    errors = [result for result in results if isinstance(result, BaseException)]
    assert not errors, errors[:3]
    return results


def test_fifty_concurrent_bidders_lose_and_double_count_nothing(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = listing_in_state(
        ListingState.OPEN,
        seller=world["seller"],
        achievement=world["achievement"],
        admin=world["admin"],
        pricing=Pricing.AUCTION,
    )
    start = timezone.now() - datetime.timedelta(minutes=1)
    # The reserve is the start price: sold whatever the number of accepted bids, which depends on the
    # timing (bidders who read the same price offer the same amount, and one of them wins).
    auction = auction_for(
        listing, admin=world["admin"], start=start, minutes=120, reserve_price=Decimal("100")
    )
    bidders = [qualified_bidder(auction, admin=world["admin"]) for _ in range(BIDDERS)]
    sizes = _record_batches(monkeypatch)
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

    results = _in_threads_ok(BIDDERS, bid)
    assert sum(sizes) >= 2 * sum(result["keys"] for result in results)  # every call went through a batch
    assert max(sizes) > 1  # and concurrent calls were decided together
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

    states = _in_threads_ok(10, close)
    assert set(states) == {AuctionState.SOLD}
    assert AuditEvent.objects.filter(action="trading.auction.close", target_id=str(auction.pk)).count() == 1
    assert AuditEvent.objects.filter(action="trading.bidderregistration.settle").count() == BIDDERS
    auction.refresh_from_db()
    assert auction.winner_id == auction.leader_id
    out = StringIO()
    call_command("verify_auction", str(auction.pk), stdout=out)
    assert "OK" in out.getvalue()


# --- group commit (trading/bid_batches.py, ADR 0012) ------------------------------------------------------


def _hot_auction(world: dict[str, Any], **overrides: Any) -> Auction:
    listing = listing_in_state(
        ListingState.OPEN,
        seller=world["seller"],
        achievement=world["achievement"],
        admin=world["admin"],
        pricing=Pricing.AUCTION,
    )
    start = timezone.now() - datetime.timedelta(minutes=1)
    return auction_for(listing, admin=world["admin"], start=start, minutes=120, **overrides)


def _record_batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    sizes: list[int] = []
    real = services._bid_batch

    def recording(requests: list[services.BidRequest]) -> list[Any]:
        sizes.append(len(requests))
        return real(requests)

    monkeypatch.setattr(services, "_bid_batch", recording)
    return sizes


def test_one_batch_decides_accepted_rejected_retries_and_refusals_in_order(world: dict[str, Any]) -> None:
    auction = _hot_auction(world)  # start price 100, increment 5
    first = qualified_bidder(auction, admin=world["admin"])
    second = qualified_bidder(auction, admin=world["admin"])
    unpaid = services.registration_apply(actor=buyer_user(), auction=auction)
    outsider = buyer_user()

    def request(user: Any, amount: str, key: str) -> services.BidRequest:
        return services.BidRequest(principal_of(user), auction.pk, Decimal(amount), key)

    answers = services._bid_batch(
        [
            request(first.user, "100", "k1"),  # accepted
            request(second.user, "101", "k2"),  # rejected: below the increment (105)
            request(first.user, "100", "k1"),  # the same attempt again in the same batch: counts once
            request(first.user, "120", "k1"),  # the same key, another amount: refused, nothing written
            request(outsider, "200", "k4"),  # not registered: refused, nothing written
            request(unpaid.user, "200", "k5"),  # no deposit: rejected and logged
            request(second.user, "105", "k3"),  # accepted
        ]
    )
    entries = list(BidLogEntry.objects.filter(auction=auction).order_by("seq"))
    assert [(e.seq, e.amount, e.outcome, e.reason) for e in entries] == [
        (1, Decimal("100.00"), BidOutcome.ACCEPTED, ""),
        (2, Decimal("101.00"), BidOutcome.REJECTED, "below_increment"),
        (3, Decimal("200.00"), BidOutcome.REJECTED, "not_qualified"),
        (4, Decimal("105.00"), BidOutcome.ACCEPTED, ""),
    ]
    assert answers[0].value == (entries[0], None)
    assert answers[1].value[0] == entries[1]
    assert answers[1].value[1] == Decimal("105.00")  # the minimum when it was decided
    assert answers[2].value[0] is answers[0].value[0]  # the in-batch retry: the first attempt's entry
    assert getattr(answers[3].error, "code", None) == "idempotency_conflict"
    assert isinstance(answers[4].error, NotPermitted)
    assert answers[5].value[0] == entries[2]
    assert answers[6].value[0] == entries[3]
    assert all(a.received_at <= b.received_at for a, b in itertools.pairwise(entries))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    auction.refresh_from_db()
    assert (auction.current_price, auction.leader_id, auction.accepted_bids, auction.last_seq) == (
        Decimal("105.00"),
        second.pk,
        2,
        4,
    )
    assert auction.last_hash == entries[-1].hash
    assert ledger.verify(auction).ok

    again = services._bid_batch([request(second.user, "101", "k2"), request(first.user, "110", "k1")])
    assert again[0].value == (entries[1], None)  # a retry of an attempt logged by an earlier batch
    assert getattr(again[1].error, "code", None) == "idempotency_conflict"
    assert BidLogEntry.objects.filter(auction=auction).count() == 4


def test_concurrent_retries_of_one_key_count_once(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    auction = _hot_auction(world)
    pairs = 25
    bidders = [qualified_bidder(auction, admin=world["admin"]) for _ in range(pairs)]
    sizes = _record_batches(monkeypatch)
    close_old_connections()

    def bid(index: int) -> list[tuple[int, str]]:
        registration = bidders[index % pairs]  # two threads per bidder send every bid at once
        seen: list[tuple[int, str]] = []
        for round_number in range(3):
            amount = Decimal(100 + 5 * (index % pairs) + 200 * round_number)
            key = f"p{index % pairs}-r{round_number}"
            try:
                entry = services.place_bid(
                    actor=registration.user, auction=auction, amount=amount, idempotency_key=key
                )
                seen.append((entry.pk, "accepted"))
            except services.BidRejected as rejected:
                seen.append((rejected.entry.pk, "rejected"))
        return seen

    results = _in_threads_ok(2 * pairs, bid)
    for index in range(pairs):
        assert [pk for pk, _ in results[index]] == [pk for pk, _ in results[index + pairs]]
    entries = list(BidLogEntry.objects.filter(auction=auction).order_by("seq"))
    assert len(entries) == 3 * pairs  # one entry per key however many times it was sent
    assert {e.pk for e in entries} == {pk for result in results for pk, _ in result}
    assert max(sizes) > 1  # bids were decided in batches
    auction.refresh_from_db()
    verification = ledger.verify(auction)
    assert verification.ok, verification.problems


def test_a_batch_that_fails_as_a_whole_falls_back_per_request(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    auction = _hot_auction(world)
    bidders = [qualified_bidder(auction, admin=world["admin"]) for _ in range(10)]
    real = services._append_batch_move_commit
    failures: list[int] = []

    def racing(entries: list[BidLogEntry], *args: Any) -> list[int]:
        if len(failures) < 2:  # as if another process had logged one of these keys first
            failures.append(len(entries))
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(entries, *args)

    monkeypatch.setattr(services, "_append_batch_move_commit", racing)
    close_old_connections()

    def bid(index: int) -> str:
        try:
            services.place_bid(
                actor=bidders[index].user, auction=auction, amount=100 + 5 * index, idempotency_key="x"
            )
        except services.BidRejected:
            return "rejected"
        return "accepted"

    results = _in_threads_ok(10, bid)
    assert len(failures) == 2
    assert BidLogEntry.objects.filter(auction=auction).count() == 10  # every bid decided exactly once
    assert BidLogEntry.objects.filter(auction=auction, outcome=BidOutcome.ACCEPTED).count() == results.count(
        "accepted"
    )
    auction.refresh_from_db()
    assert ledger.verify(auction).ok


def test_a_leader_error_answers_its_batch_and_nobody_hangs(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    auction = _hot_auction(world)
    bidders = [qualified_bidder(auction, admin=world["admin"]) for _ in range(12)]
    real = services._bid_batch_postgresql
    calls: list[int] = []

    def failing_once(requests: list[services.BidRequest]) -> list[Any]:
        calls.append(len(requests))
        if len(calls) == 1:
            time.sleep(0.3)  # the others queue meanwhile
            raise RuntimeError("the leader failed")
        return real(requests)

    monkeypatch.setattr(services, "_bid_batch_postgresql", failing_once)
    close_old_connections()

    def bid(index: int) -> str:
        try:
            services.place_bid(
                actor=bidders[index].user, auction=auction, amount=100 + 5 * index, idempotency_key="y"
            )
        except services.BidRejected:
            return "rejected"
        except RuntimeError:
            return "error"
        return "accepted"

    results = _in_threads_ok(12, bid)  # returns: every thread finished (joined within the timeout)
    assert results.count("error") == calls[0]  # the failed batch's callers got the leader's error
    assert len(calls) >= 2  # the rest went on in later batches
    logged = BidLogEntry.objects.filter(auction=auction).count()
    assert logged == 12 - calls[0]  # the failed batch wrote nothing
    auction.refresh_from_db()
    assert ledger.verify(auction).ok
