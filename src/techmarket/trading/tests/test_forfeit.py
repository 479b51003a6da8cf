"""Forfeiting the deposit (保证金) of a sold auction's winner who walks away (issue 10 §4): an administrator
keeps the applied deposit with a reason, from the registrations page or the API; the winner is told; the
auction page shows it to the winner and the administrators only. Bad input changes nothing."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from techmarket.core.errors import DomainError, NotPermitted
from techmarket.core.models import AuditEvent
from techmarket.notifications.models import Notification
from techmarket.trading import services
from techmarket.trading.choices import AuctionState, ListingState, Pricing, RegistrationState
from techmarket.trading.models import Auction, BidderRegistration
from techmarket.trading.tests.factories import auction_for, buyer_user, listing_in_state, qualified_bidder

pytestmark = pytest.mark.django_db

REASON = "竞得后逾期未签订合同"


@pytest.fixture(autouse=True)
def _no_lost_notices(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.ERROR, logger="techmarket.notifications.services")
    yield
    assert not [r for r in caplog.records if "notice hook" in r.getMessage()]


def client_of(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def new_auction(world: dict[str, Any]) -> Auction:
    listing = listing_in_state(
        ListingState.OPEN,
        seller=world["seller"],
        achievement=world["achievement"],
        admin=world["admin"],
        pricing=Pricing.AUCTION,
    )
    return auction_for(listing, admin=world["admin"])


@pytest.fixture
def sold(world: dict[str, Any]) -> dict[str, Any]:
    """A sold auction: the buyer won (deposit applied); another bidder lost (deposit to be refunded)."""
    auction = new_auction(world)
    winner = qualified_bidder(auction, admin=world["admin"], user=world["buyer"])
    loser = qualified_bidder(auction, admin=world["admin"])
    services.place_bid(actor=world["buyer"], auction=auction, amount="125", idempotency_key="w")
    auction.refresh_from_db()
    auction = services.close_auction(auction_id=auction.pk, now=auction.ends_at)
    assert auction.state == AuctionState.SOLD
    return {
        "auction": auction,
        "winner": BidderRegistration.objects.get(pk=winner.pk),
        "loser": BidderRegistration.objects.get(pk=loser.pk),
    }


def snapshot(registration: BidderRegistration) -> tuple[Any, ...]:
    fresh = BidderRegistration.objects.get(pk=registration.pk)
    forfeits = AuditEvent.objects.filter(action="trading.bidderregistration.forfeit").count()
    return fresh.state, fresh.forfeited_at, fresh.forfeit_reason, forfeits, Notification.objects.count()


def decide_url(auction: Auction, registration: BidderRegistration) -> str:
    return reverse("trading:auction_registration_decide", args=[auction.pk, registration.pk, "forfeit"])


def api_url(auction: Auction, registration: BidderRegistration) -> str:
    return f"/api/v1/auctions/{auction.pk}/registrations/{registration.pk}/forfeit/"


# --- the service ------------------------------------------------------------------------------------------


def test_admin_forfeits_the_winners_deposit_and_the_winner_is_told(
    world: dict[str, Any], sold: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.deposit_forfeit(
            actor=world["admin"], registration=sold["winner"], reason=f"  {REASON} "
        )
    assert registration.state == RegistrationState.FORFEITED
    assert registration.forfeit_reason == REASON
    assert registration.forfeited_at is not None
    event = AuditEvent.objects.get(action="trading.bidderregistration.forfeit")
    assert event.reason == REASON
    assert event.from_state
    assert event.to_state
    notice = Notification.objects.get(recipient=world["buyer"], kind="trading.auction.deposit_forfeited")
    assert REASON in notice.body
    assert "10" in notice.body  # the deposit
    assert not Notification.objects.filter(
        recipient=sold["loser"].user, kind="trading.auction.deposit_forfeited"
    ).exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(world: dict[str, Any], sold: dict[str, Any], reason: str) -> None:
    before = snapshot(sold["winner"])
    with pytest.raises(DomainError) as caught:
        services.deposit_forfeit(actor=world["admin"], registration=sold["winner"], reason=reason)
    assert caught.value.code == "reason_required"
    assert snapshot(sold["winner"]) == before


def test_a_too_long_reason_is_refused(world: dict[str, Any], sold: dict[str, Any]) -> None:
    before = snapshot(sold["winner"])
    with pytest.raises(DomainError) as caught:
        services.deposit_forfeit(actor=world["admin"], registration=sold["winner"], reason="理" * 501)
    assert "reason" in caught.value.fields
    assert snapshot(sold["winner"]) == before


def test_only_the_winner_of_a_sold_auction(world: dict[str, Any], sold: dict[str, Any]) -> None:
    before = snapshot(sold["loser"])
    with pytest.raises(DomainError) as caught:
        services.deposit_forfeit(actor=world["admin"], registration=sold["loser"], reason=REASON)
    assert "竞得人" in str(caught.value.message)
    assert snapshot(sold["loser"]) == before


def test_not_while_running_nor_after_a_failed_or_cancelled_auction(world: dict[str, Any]) -> None:
    running = new_auction(world)
    registration = qualified_bidder(running, admin=world["admin"], user=world["buyer"])
    with pytest.raises(DomainError) as caught:
        services.deposit_forfeit(actor=world["admin"], registration=registration, reason=REASON)
    assert "已成交" in str(caught.value.message)
    assert BidderRegistration.objects.get(pk=registration.pk).state == RegistrationState.QUALIFIED
    services.auction_cancel(actor=world["admin"], auction=running, reason="权属争议")
    with pytest.raises(DomainError):
        services.deposit_forfeit(actor=world["admin"], registration=registration, reason=REASON)
    assert BidderRegistration.objects.get(pk=registration.pk).state == RegistrationState.REFUND_DUE


def test_twice_is_refused(world: dict[str, Any], sold: dict[str, Any]) -> None:
    services.deposit_forfeit(actor=world["admin"], registration=sold["winner"], reason=REASON)
    before = snapshot(sold["winner"])
    with pytest.raises(DomainError) as caught:
        services.deposit_forfeit(actor=world["admin"], registration=sold["winner"], reason="再次")
    assert caught.value.code == "invalid_transition"
    assert snapshot(sold["winner"]) == before


@pytest.mark.parametrize("who", ["buyer", "seller"])
def test_nobody_but_an_administrator(world: dict[str, Any], sold: dict[str, Any], who: str) -> None:
    before = snapshot(sold["winner"])
    with pytest.raises(NotPermitted):
        services.deposit_forfeit(actor=world[who], registration=sold["winner"], reason=REASON)
    assert snapshot(sold["winner"]) == before


# --- the pages --------------------------------------------------------------------------------------------


def test_registrations_page_offers_the_form_only_for_the_applied_winner(
    world: dict[str, Any], sold: dict[str, Any]
) -> None:
    auction = sold["auction"]
    page = client_of(world["admin"]).get(reverse("trading:auction_registrations", args=[auction.pk]))
    html = page.content.decode()
    assert 'id="forfeit-form"' in html
    assert decide_url(auction, sold["winner"]) in html
    assert decide_url(auction, sold["loser"]) not in html


def test_admin_forfeits_from_the_page_and_the_page_shows_it(
    world: dict[str, Any], sold: dict[str, Any]
) -> None:
    auction, winner = sold["auction"], sold["winner"]
    admin = client_of(world["admin"])
    response = admin.post(decide_url(auction, winner), {"reason": REASON}, follow=True)
    assert response.status_code == 200
    assert "已没收 竞买人 01 的保证金" in response.content.decode()
    assert BidderRegistration.objects.get(pk=winner.pk).state == RegistrationState.FORFEITED
    registrations = admin.get(reverse("trading:auction_registrations", args=[auction.pk])).content.decode()
    assert 'id="forfeiture"' in registrations
    assert REASON in registrations
    assert 'id="forfeit-form"' not in registrations
    detail = reverse("trading:auction_detail", args=[auction.pk])
    for who in ("admin", "buyer"):
        html = client_of(world[who]).get(detail).content.decode()
        assert 'id="auction-forfeiture"' in html, who
        assert REASON in html, who
    for user in (sold["loser"].user, world["seller"], None):
        html = client_of(user).get(detail).content.decode()
        assert 'id="auction-forfeiture"' not in html
        assert REASON not in html


def test_the_page_without_a_reason_says_so_and_changes_nothing(
    world: dict[str, Any], sold: dict[str, Any]
) -> None:
    before = snapshot(sold["winner"])
    response = client_of(world["admin"]).post(
        decide_url(sold["auction"], sold["winner"]), {"reason": " "}, follow=True
    )
    assert response.status_code == 200
    assert "必须填写理由" in response.content.decode()
    assert snapshot(sold["winner"]) == before


def test_the_page_for_a_loser_says_so_and_changes_nothing(
    world: dict[str, Any], sold: dict[str, Any]
) -> None:
    before = snapshot(sold["loser"])
    response = client_of(world["admin"]).post(
        decide_url(sold["auction"], sold["loser"]), {"reason": REASON}, follow=True
    )
    assert response.status_code == 200
    assert "不是本场竞价的竞得人" in response.content.decode()
    assert snapshot(sold["loser"]) == before


@pytest.mark.parametrize("who", ["buyer", "seller", None])
def test_the_page_is_not_for_others(world: dict[str, Any], sold: dict[str, Any], who: str | None) -> None:
    before = snapshot(sold["winner"])
    user = world[who] if who else None
    response = client_of(user).post(decide_url(sold["auction"], sold["winner"]), {"reason": REASON})
    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:
        assert "login" in response["Location"]
    assert snapshot(sold["winner"]) == before


# --- the API ----------------------------------------------------------------------------------------------


def api_post(user: Any, url: str, data: dict[str, Any]) -> Any:
    return client_of(user).post(url, data, content_type="application/json")


def test_api_forfeit(world: dict[str, Any], sold: dict[str, Any]) -> None:
    response = api_post(world["admin"], api_url(sold["auction"], sold["winner"]), {"reason": REASON})
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == RegistrationState.FORFEITED
    assert body["forfeit_reason"] == REASON
    assert body["forfeited_at"]
    own = client_of(world["buyer"]).get(f"/api/v1/auctions/{sold['auction'].pk}/registrations/").json()
    assert own[0]["state"] == RegistrationState.FORFEITED


def test_api_bad_input_gets_a_clear_error_and_changes_nothing(
    world: dict[str, Any], sold: dict[str, Any]
) -> None:
    auction, winner, loser = sold["auction"], sold["winner"], sold["loser"]
    before, before_loser = snapshot(winner), snapshot(loser)
    missing = api_post(world["admin"], api_url(auction, winner), {})
    assert missing.status_code == 400
    assert missing.json()["code"] == "reason_required"
    not_winner = api_post(world["admin"], api_url(auction, loser), {"reason": REASON})
    assert not_winner.status_code == 409
    assert "竞得人" in not_winner.json()["message"]
    refused = api_post(world["buyer"], api_url(auction, winner), {"reason": REASON})
    assert refused.status_code == 403
    anonymous = api_post(None, api_url(auction, winner), {"reason": REASON})
    assert anonymous.status_code in (401, 403)
    other = new_auction(world)
    stranger = qualified_bidder(other, admin=world["admin"], user=buyer_user())
    wrong_auction = api_post(world["admin"], api_url(auction, stranger), {"reason": REASON})
    assert wrong_auction.status_code == 404
    running = api_post(world["admin"], api_url(other, stranger), {"reason": REASON})
    assert running.status_code == 409
    assert "已成交" in running.json()["message"]
    assert snapshot(winner) == before
    assert snapshot(loser) == before_loser
    assert BidderRegistration.objects.get(pk=stranger.pk).state == RegistrationState.QUALIFIED


def test_api_message_in_english(world: dict[str, Any], sold: dict[str, Any]) -> None:
    response = client_of(world["admin"]).post(
        api_url(sold["auction"], sold["loser"]),
        {"reason": REASON},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
