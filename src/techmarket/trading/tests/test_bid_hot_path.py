"""``place_bid``'s PostgreSQL hot path (called outside any transaction: one statement locks and reads,
one message appends, moves and commits) decides exactly as the portable path: retries, conflicts,
refusals and their messages, the deposit, a cancelled auction. Skipped on SQLite."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.db import connection

from techmarket.core.errors import DomainError, NotPermitted
from techmarket.trading import ledger, services
from techmarket.trading.choices import BidOutcome, ListingState, Pricing
from techmarket.trading.models import Auction, BidLogEntry
from techmarket.trading.tests.factories import auction_for, buyer_user, listing_in_state, qualified_bidder

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
        reason="the hot path is PostgreSQL's (set TEST_DATABASE_URL)",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def auction(world: dict[str, Any]) -> Auction:
    listing = listing_in_state(
        ListingState.OPEN,
        seller=world["seller"],
        achievement=world["achievement"],
        admin=world["admin"],
        pricing=Pricing.AUCTION,
    )
    return auction_for(listing, admin=world["admin"])


def test_hot_path_decides_like_the_rules(world: dict[str, Any], auction: Auction) -> None:
    assert not connection.in_atomic_block
    first = qualified_bidder(auction, admin=world["admin"], user=world["buyer"])
    entry = services.place_bid(actor=first.user, auction=auction, amount="100", idempotency_key="a")
    assert entry.pk is not None
    assert entry.outcome == BidOutcome.ACCEPTED
    assert entry.seq == 1
    again = services.place_bid(actor=first.user, auction=auction, amount="100", idempotency_key="a")
    assert again.pk == entry.pk  # a retry counts once
    with pytest.raises(DomainError) as conflict:
        services.place_bid(actor=first.user, auction=auction, amount="120", idempotency_key="a")
    assert conflict.value.code == "idempotency_conflict"
    second = qualified_bidder(auction, admin=world["admin"])
    with pytest.raises(services.BidRejected) as low:
        services.place_bid(actor=second.user, auction=auction, amount="101", idempotency_key="b")
    assert "105.00" in str(low.value.message)
    with pytest.raises(services.BidRejected) as leading:
        services.place_bid(actor=first.user, auction=auction, amount="200", idempotency_key="c")
    assert leading.value.code == "already_leading"
    unpaid = services.registration_apply(actor=buyer_user(), auction=auction)
    with pytest.raises(services.BidRejected) as no_deposit:
        services.place_bid(actor=unpaid.user, auction=auction, amount="200", idempotency_key="d")
    assert no_deposit.value.code == "not_qualified"
    with pytest.raises(NotPermitted):
        services.place_bid(actor=buyer_user(), auction=auction, amount="200", idempotency_key="e")
    auction.refresh_from_db()
    assert auction.current_price == entry.amount
    assert auction.leader_id == first.pk
    assert auction.accepted_bids == 1
    assert auction.last_seq == BidLogEntry.objects.count() == 4
    assert ledger.verify(auction).ok
    services.auction_cancel(actor=world["admin"], auction=auction, reason="权属争议")
    with pytest.raises(DomainError) as closed:
        services.place_bid(actor=second.user, auction=auction, amount="300", idempotency_key="f")
    assert closed.value.code == "closed"
    assert BidLogEntry.objects.count() == 4
