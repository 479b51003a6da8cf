"""Auctions through the services: registration and deposits, bids decided by the server's clock, bad
input, idempotent retries, anti-sniping, closing exactly once, deposits settled, verify-auction."""

from __future__ import annotations

import contextlib
import datetime
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from techmarket.accounts.policies import principal_of
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.core.models import AuditEvent
from techmarket.trading import ledger, selectors, services
from techmarket.trading.choices import (
    AuctionKind,
    AuctionState,
    BidOutcome,
    ListingState,
    Pricing,
    RegistrationState,
)
from techmarket.trading.models import Auction, BidLogEntry, Listing
from techmarket.trading.tests.factories import (
    auction_for,
    buyer_user,
    listing_in_state,
    qualified_bidder,
    terms,
)

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 12, 3, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture
def english(world: dict[str, Any], frozen: Any) -> dict[str, Any]:
    """An English auction from T0 to T0+60 min, start 100, increment 5, reserve 120, 5-minute extension."""
    clock = frozen(T0)
    listing = listing_in_state(
        ListingState.OPEN,
        seller=world["seller"],
        achievement=world["achievement"],
        admin=world["admin"],
        pricing=Pricing.AUCTION,
    )
    auction = auction_for(listing, admin=world["admin"], start=T0)
    return {**world, "clock": clock, "listing": listing, "auction": auction}


def _bid(world: dict[str, Any], user: Any, amount: Any, key: str) -> BidLogEntry:
    return services.place_bid(actor=user, auction=world["auction"], amount=amount, idempotency_key=key)


def _snapshot(auction: Auction) -> tuple[Any, ...]:
    auction.refresh_from_db()
    return (auction.current_price, auction.leader_id, auction.ends_at, auction.accepted_bids, auction.state)


def test_the_listing_goes_into_auction_and_back_when_it_fails(english: dict[str, Any]) -> None:
    assert Listing.objects.get(pk=english["listing"].pk).state == ListingState.IN_AUCTION
    english["clock"].set(T0 + datetime.timedelta(minutes=60))
    auction = services.close_auction(auction_id=english["auction"].pk)
    assert (auction.state, auction.result_reason) == (AuctionState.FAILED, "no_bids")
    assert Listing.objects.get(pk=english["listing"].pk).state == ListingState.OPEN


def test_bids_move_the_price_and_the_winner_pays_with_the_deposit(english: dict[str, Any]) -> None:
    admin, clock = english["admin"], english["clock"]
    a = qualified_bidder(english["auction"], admin=admin)
    b = qualified_bidder(english["auction"], admin=admin)
    waiting = services.registration_approve(
        actor=admin, registration=services.registration_apply(actor=buyer_user(), auction=english["auction"])
    )
    clock.advance(minutes=1)
    _bid(english, a.user, "100", "a-1")
    clock.advance(minutes=1)
    _bid(english, b.user, "110.50", "b-1")
    clock.advance(minutes=1)
    _bid(english, a.user, Decimal("125"), "a-2")
    auction = english["auction"]
    auction.refresh_from_db()
    assert (auction.current_price, auction.leader_id, auction.accepted_bids) == (Decimal("125.00"), a.pk, 3)
    history = selectors.bid_history(auction)
    assert [row["bidder"] for row in history] == ["竞买人 01", "竞买人 02", "竞买人 01"]
    clock.set(auction.ends_at)
    auction = services.close_auction(auction_id=auction.pk)
    assert (auction.state, auction.winner_id, auction.final_price) == (
        AuctionState.SOLD,
        a.pk,
        Decimal("125.00"),
    )
    assert auction.result_hash == auction.last_hash
    a.refresh_from_db(), b.refresh_from_db(), waiting.refresh_from_db()
    assert (a.state, b.state, waiting.state) == (
        RegistrationState.APPLIED,
        RegistrationState.REFUND_DUE,
        RegistrationState.APPROVED,  # no deposit was received: nothing to refund
    )
    listing = Listing.objects.get(pk=english["listing"].pk)
    assert listing.state == ListingState.DEALT
    assert ledger.verify(auction).ok


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("104.99", "below_increment"),
        ("abc", "malformed_amount"),
        ("-5", "malformed_amount"),
        ("0", "malformed_amount"),
        ("100.001", "malformed_amount"),
        ("NaN", "malformed_amount"),
        ("", "malformed_amount"),
    ],
)
def test_bad_bids_get_a_clear_message_and_change_nothing(
    english: dict[str, Any], amount: str, code: str
) -> None:
    admin, clock = english["admin"], english["clock"]
    a = qualified_bidder(english["auction"], admin=admin)
    b = qualified_bidder(english["auction"], admin=admin)
    clock.advance(minutes=1)
    _bid(english, a.user, "100", "a-1")
    before = _snapshot(english["auction"])
    entries = BidLogEntry.objects.count()
    with pytest.raises(DomainError) as error:
        _bid(english, b.user, amount, "b-1")
    assert error.value.code == code
    assert "万元" in str(error.value.message)
    assert _snapshot(english["auction"]) == before
    if code == "malformed_amount":
        assert BidLogEntry.objects.count() == entries  # nothing at all written
    else:
        rejected = BidLogEntry.objects.get(seq=2)
        assert (rejected.outcome, rejected.reason) == (BidOutcome.REJECTED, code)
        assert "105.00" in str(error.value.message)


def test_a_bid_without_deposit_or_after_the_close_is_logged_and_refused(english: dict[str, Any]) -> None:
    admin, clock = english["admin"], english["clock"]
    a = qualified_bidder(english["auction"], admin=admin)
    unpaid = services.registration_approve(
        actor=admin, registration=services.registration_apply(actor=buyer_user(), auction=english["auction"])
    )
    clock.advance(minutes=1)
    with pytest.raises(DomainError) as error:
        _bid(english, unpaid.user, "100", "u-1")
    assert error.value.code == "not_qualified"
    assert "保证金" in str(error.value.message)
    with pytest.raises(NotPermitted):  # not registered at all: refused, nothing logged
        _bid(english, buyer_user(), "100", "x-1")
    assert BidLogEntry.objects.count() == 1
    clock.set(english["auction"].ends_at)  # the end itself is late
    before = _snapshot(english["auction"])
    with pytest.raises(DomainError) as error:
        _bid(english, a.user, "100", "a-late")
    assert error.value.code == "closed"
    assert str(error.value.message) == "竞价已结束，出价无效。"
    assert _snapshot(english["auction"]) == before
    assert BidLogEntry.objects.get(seq=2).reason == "closed"
    assert ledger.verify(english["auction"]).ok


def test_a_retried_bid_counts_once(english: dict[str, Any]) -> None:
    admin, clock = english["admin"], english["clock"]
    a = qualified_bidder(english["auction"], admin=admin)
    clock.advance(minutes=1)
    first = _bid(english, a.user, "100", "same-key")
    clock.advance(seconds=5)
    again = _bid(english, a.user, "100", "same-key")
    assert first.pk == again.pk
    assert _snapshot(english["auction"])[3] == 1
    with pytest.raises(DomainError) as error:
        _bid(english, a.user, "130", "same-key")
    assert error.value.code == "idempotency_conflict"
    with pytest.raises(DomainError) as error:
        _bid(english, a.user, "130", "")
    assert error.value.code == "invalid_key"
    assert BidLogEntry.objects.count() == 1


def test_a_late_bid_extends_the_end(english: dict[str, Any]) -> None:
    admin, clock = english["admin"], english["clock"]
    a = qualified_bidder(english["auction"], admin=admin)
    b = qualified_bidder(english["auction"], admin=admin)
    clock.set(T0 + datetime.timedelta(minutes=50))
    _bid(english, a.user, "100", "a-1")
    assert _snapshot(english["auction"])[2] == T0 + datetime.timedelta(minutes=60)  # 10 minutes left: none
    clock.set(T0 + datetime.timedelta(minutes=58))
    _bid(english, b.user, "105", "b-1")
    assert _snapshot(english["auction"])[2] == T0 + datetime.timedelta(minutes=63)
    clock.set(T0 + datetime.timedelta(minutes=61))  # after the original end, before the extended one
    _bid(english, a.user, "110", "a-2")
    assert _snapshot(english["auction"])[2] == T0 + datetime.timedelta(minutes=66)
    with pytest.raises(DomainError):
        services.close_auction(auction_id=english["auction"].pk, actor=admin)  # not due yet
    clock.set(T0 + datetime.timedelta(minutes=66))
    auction = services.close_auction(auction_id=english["auction"].pk, actor=admin)
    assert auction.state == AuctionState.FAILED
    assert auction.result_reason == "reserve_not_met"
    assert ledger.verify(auction).ok


def test_closing_happens_exactly_once(english: dict[str, Any]) -> None:
    admin, clock = english["admin"], english["clock"]
    a = qualified_bidder(english["auction"], admin=admin)
    clock.advance(minutes=1)
    _bid(english, a.user, "150", "a-1")
    clock.set(english["auction"].ends_at + datetime.timedelta(minutes=1))
    assert services.trading_tick()["closed"] == 1
    assert services.trading_tick()["closed"] == 0
    again = services.close_auction(auction_id=english["auction"].pk, actor=admin)
    assert again.state == AuctionState.SOLD
    assert AuditEvent.objects.filter(action="trading.auction.close").count() == 1
    assert AuditEvent.objects.filter(action="trading.bidderregistration.settle").count() == 1
    with pytest.raises(NotPermitted):
        services.close_auction(
            auction_id=Auction.objects.create(**_copy(english["auction"])).pk, actor=a.user
        )


def _copy(auction: Auction) -> dict[str, Any]:
    """A second active auction row (test data only) to check who may close one."""
    fields = (
        "listing",
        "kind",
        "start_price",
        "increment",
        "starts_at",
        "scheduled_end",
        "ends_at",
        "created_by",
    )
    return {name: getattr(auction, name) for name in fields}


def test_a_sealed_bid_hides_amounts_and_breaks_ties_by_the_earlier_bid(
    world: dict[str, Any], frozen: Any
) -> None:
    clock = frozen(T0)
    listing = listing_in_state(
        ListingState.OPEN,
        seller=world["seller"],
        achievement=world["achievement"],
        admin=world["admin"],
        pricing=Pricing.SEALED,
    )
    auction = auction_for(listing, admin=world["admin"], start=T0)
    assert auction.kind == AuctionKind.SEALED
    assert auction.extension_minutes == 0
    a, b, c = (qualified_bidder(auction, admin=world["admin"]) for _ in range(3))
    clock.advance(minutes=1)
    services.place_bid(actor=b.user, auction=auction, amount="130", idempotency_key="b")
    clock.advance(minutes=1)
    services.place_bid(actor=a.user, auction=auction, amount="130", idempotency_key="a")
    clock.advance(minutes=1)
    services.place_bid(actor=c.user, auction=auction, amount="101", idempotency_key="c")
    with pytest.raises(DomainError) as error:
        services.place_bid(actor=c.user, auction=auction, amount="200", idempotency_key="c2")
    assert error.value.code == "already_bid"
    assert all(row["amount"] is None for row in selectors.bid_history(auction))
    clock.set(auction.ends_at)
    auction = services.close_auction(auction_id=auction.pk)
    assert (auction.winner_id, auction.final_price) == (b.pk, Decimal("130.00"))
    assert {row["amount"] for row in selectors.bid_history(auction)} == {Decimal("130.00"), Decimal("101.00")}
    assert ledger.verify(auction).ok


def test_only_buyers_register_and_only_administrators_run_the_auction(english: dict[str, Any]) -> None:
    with pytest.raises(NotPermitted):
        services.registration_apply(actor=english["seller"], auction=english["auction"])
    registration = services.registration_apply(actor=english["buyer"], auction=english["auction"])
    with pytest.raises(DomainError):
        services.registration_apply(actor=english["buyer"], auction=english["auction"])
    with pytest.raises(NotPermitted):
        services.registration_approve(actor=english["buyer"], registration=registration)
    assert principal_of(english["buyer"]).organisation_verified
    with pytest.raises(NotPermitted):
        services.auction_cancel(actor=english["seller"], auction=english["auction"], reason="不卖了")
    auction = services.auction_cancel(actor=english["admin"], auction=english["auction"], reason="权属核查")
    assert auction.state == AuctionState.CANCELLED
    assert Listing.objects.get(pk=english["listing"].pk).state == ListingState.OPEN


def test_an_auction_needs_valid_terms_and_an_auction_listing(world: dict[str, Any]) -> None:
    negotiable = listing_in_state(
        ListingState.OPEN, seller=world["seller"], achievement=world["achievement"], admin=world["admin"]
    )
    with pytest.raises(NotPermitted):
        services.auction_create(actor=world["admin"], listing=negotiable, terms=terms())
    listing = listing_in_state(
        ListingState.OPEN,
        seller=world["seller"],
        achievement=world["achievement"],
        admin=world["admin"],
        pricing=Pricing.AUCTION,
    )
    bad = terms(start_price="x", increment="0", minutes=-5)
    with pytest.raises(DomainError) as error:
        services.auction_create(actor=world["admin"], listing=listing, terms=bad)
    assert {"start_price", "increment", "ends_at"} <= set(error.value.fields)


def test_verify_auction_detects_a_tampered_log(english: dict[str, Any]) -> None:
    admin, clock = english["admin"], english["clock"]
    a = qualified_bidder(english["auction"], admin=admin)
    b = qualified_bidder(english["auction"], admin=admin)
    for minute, (user, amount) in enumerate([(a, "100"), (b, "105"), (a, "104"), (a, "130")], start=1):
        clock.set(T0 + datetime.timedelta(minutes=minute))
        with contextlib.suppress(DomainError):
            _bid(english, user.user, amount, f"k{minute}")
    clock.set(english["auction"].ends_at + datetime.timedelta(seconds=1))
    auction = services.close_auction(auction_id=english["auction"].pk)
    out = StringIO()
    call_command("verify_auction", str(auction.pk), stdout=out)
    assert "OK" in out.getvalue()
    # Tamper behind the model's back: change an accepted amount in the database.
    entry = BidLogEntry.objects.get(auction=auction, seq=2)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {BidLogEntry._meta.db_table} SET amount = %s WHERE id = %s", ["106.00", entry.pk]
        )
    with pytest.raises(CommandError) as error:
        call_command("verify_auction", str(auction.pk), stdout=StringIO(), stderr=StringIO())
    assert error.value.returncode == 1
    problems = ledger.verify(auction).problems
    assert any("hash does not match" in problem for problem in problems)


def test_the_bid_log_is_append_only(english: dict[str, Any]) -> None:
    a = qualified_bidder(english["auction"], admin=english["admin"])
    english["clock"].advance(minutes=1)
    entry = _bid(english, a.user, "100", "a-1")
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        BidLogEntry.objects.filter(pk=entry.pk).update(amount=1)
