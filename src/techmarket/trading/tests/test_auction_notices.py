"""Auction notices: registration approved/rejected, deposit received, each bidder's result (won, lost,
流拍), the seller's, and a cancellation; pseudonyms only, never another bidder's identity."""

from __future__ import annotations

import datetime
import logging
from typing import Any

import pytest

from techmarket.notifications.models import Notification
from techmarket.trading import services
from techmarket.trading.choices import ListingState, Pricing
from techmarket.trading.models import Auction
from techmarket.trading.tests.factories import auction_for, buyer_user, listing_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_lost_notices(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.ERROR, logger="techmarket.notifications.services")
    yield
    assert not [r for r in caplog.records if "notice hook" in r.getMessage()]


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


def kinds(user: Any) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


def qualify(auction: Auction, admin: Any, user: Any, capture: Any) -> Any:
    registration = services.registration_apply(actor=user, auction=auction)
    with capture(execute=True):
        registration = services.registration_approve(actor=admin, registration=registration)
    with capture(execute=True):
        return services.deposit_receive(actor=admin, registration=registration)


def test_bidders_hear_their_registration_and_deposit(
    world: dict[str, Any], auction: Auction, django_capture_on_commit_callbacks: Any
) -> None:
    qualify(auction, world["admin"], world["buyer"], django_capture_on_commit_callbacks)
    assert kinds(world["buyer"]) == [
        "trading.auction.registration_approved",
        "trading.auction.deposit_received",
    ]
    other = buyer_user()
    registration = services.registration_apply(actor=other, auction=auction)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_reject(actor=world["admin"], registration=registration, reason="资质不符")
    note = Notification.objects.get(recipient=other)
    assert note.kind == "trading.auction.registration_rejected"
    assert "资质不符" in note.body
    assert kinds(world["admin"]) == []  # the actor is not told


def test_the_close_tells_the_winner_the_losers_and_the_seller(
    world: dict[str, Any], auction: Auction, frozen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    winner, loser = world["buyer"], buyer_user()
    qualify(auction, world["admin"], winner, capture)
    qualify(auction, world["admin"], loser, capture)
    services.place_bid(actor=loser, auction=auction, amount="120", idempotency_key="a")
    services.place_bid(actor=winner, auction=auction, amount="130", idempotency_key="b")
    frozen(auction.ends_at + datetime.timedelta(seconds=1))
    with capture(execute=True):
        services.trading_tick()
    won = Notification.objects.get(recipient=winner, kind="trading.auction.won")
    assert "130.00" in won.body
    assert "保证金抵作价款" in won.body
    lost = Notification.objects.get(recipient=loser, kind="trading.auction.lost")
    assert "竞买人 01 以 130.00" in lost.body
    assert "退还" in lost.body
    assert loser.username not in lost.body
    assert winner.username not in lost.body
    sold = Notification.objects.get(recipient=world["seller"], kind="trading.auction.sold")
    assert "130.00" in sold.body


def test_failed_and_cancelled_auctions_are_told(
    world: dict[str, Any], auction: Auction, frozen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    qualify(auction, world["admin"], world["buyer"], capture)
    services.place_bid(actor=world["buyer"], auction=auction, amount="100", idempotency_key="a")
    frozen(auction.ends_at + datetime.timedelta(seconds=1))
    with capture(execute=True):
        services.trading_tick()
    failed = Notification.objects.get(recipient=world["buyer"], kind="trading.auction.failed")
    assert "保留价" in failed.body
    assert Notification.objects.filter(recipient=world["seller"], kind="trading.auction.failed").exists()


def test_cancellation_is_told_with_the_reason(
    world: dict[str, Any], auction: Auction, django_capture_on_commit_callbacks: Any
) -> None:
    qualify(auction, world["admin"], world["buyer"], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.auction_cancel(actor=world["admin"], auction=auction, reason="权属争议")
    note = Notification.objects.get(recipient=world["buyer"], kind="trading.auction.cancelled")
    assert "权属争议" in note.body
    assert Notification.objects.filter(recipient=world["seller"], kind="trading.auction.cancelled").exists()
