"""The auctions API: what each role reads (the reserve, a sealed bid's offers), registrations and their
decisions, bids with the Idempotency-Key header (a retry counts once), close and cancel, bad input."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from techmarket.trading import services
from techmarket.trading.choices import AuctionState, ListingState, Pricing, RegistrationState
from techmarket.trading.models import Auction, BidderRegistration, BidLogEntry
from techmarket.trading.tests.factories import auction_for, buyer_user, listing_in_state, qualified_bidder

pytestmark = pytest.mark.django_db


def api(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def post(client: Client, url: str, data: Any = None, **headers: str) -> Any:
    return client.post(
        url, data if data is not None else {}, content_type="application/json", headers=headers
    )


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


def detail(auction: Auction) -> str:
    return reverse("api:auction-detail", args=[auction.pk])


def test_list_and_retrieve_hide_the_reserve_except_from_admins(
    world: dict[str, Any], auction: Auction
) -> None:
    body = api(None).get(reverse("api:auction-list")).json()
    assert [row["id"] for row in body["results"]] == [auction.pk]
    assert "reserve_price" not in body["results"][0]
    buyer = api(world["buyer"]).get(detail(auction)).json()
    assert "reserve_price" not in buyer
    assert buyer["minimum_bid"] == "100.00"
    assert buyer["result"] is None
    admin = api(world["admin"]).get(detail(auction)).json()
    assert admin["reserve_price"] == "120.00"


def test_registration_and_decisions(world: dict[str, Any], auction: Auction) -> None:
    url = reverse("api:auction-registrations", args=[auction.pk])
    refused = post(api(world["buyer"]), url, {"accept_rules": False})
    assert refused.status_code == 400
    assert refused.json()["code"] == "rules_not_accepted"
    malformed = post(api(world["buyer"]), url, {"accept_rules": "maybe"})
    assert malformed.status_code == 400
    assert malformed.json()["code"] == "invalid"
    assert not BidderRegistration.objects.exists()
    created = post(api(world["buyer"]), url, {"accept_rules": True})
    assert created.status_code == 201
    assert created.json()["bidder"] == "竞买人 01"
    registration = BidderRegistration.objects.get()
    assert api(world["buyer"]).get(url).json()[0]["state"] == RegistrationState.PENDING
    assert api(buyer_user()).get(url).json() == []  # another buyer sees none of it

    def decide(user: Any, action: str, **data: Any) -> Any:
        return post(
            api(user),
            reverse("api:auction-registration-decide", args=[auction.pk, registration.pk, action]),
            data,
        )

    assert decide(world["buyer"], "approve").status_code == 403
    assert decide(world["seller"], "approve").status_code == 403
    assert decide(world["admin"], "fly").status_code in (400, 409)
    assert decide(world["admin"], "reject").json()["code"] == "reason_required"
    assert decide(world["admin"], "approve").json()["state"] == RegistrationState.APPROVED
    assert decide(world["admin"], "receive_deposit").json()["state"] == RegistrationState.QUALIFIED
    assert decide(world["admin"], "approve").status_code == 409  # not pending any more
    assert len(api(world["admin"]).get(url).json()) == 1


def bids_url(auction: Auction) -> str:
    return reverse("api:auction-bids", args=[auction.pk])


def test_bid_needs_an_idempotency_key_and_a_retry_counts_once(
    world: dict[str, Any], auction: Auction
) -> None:
    registration = qualified_bidder(auction, admin=world["admin"], user=world["buyer"])
    client = api(world["buyer"])
    missing = post(client, bids_url(auction), {"amount": "100"})
    assert missing.status_code == 400
    assert missing.json()["code"] == "invalid_key"
    first = post(client, bids_url(auction), {"amount": "100"}, **{"Idempotency-Key": "k-1"})
    again = post(client, bids_url(auction), {"amount": "100"}, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert first.json()["outcome"] == "accepted"
    assert BidLogEntry.objects.filter(registration=registration).count() == 1
    auction.refresh_from_db()
    assert auction.accepted_bids == 1
    other = post(client, bids_url(auction), {"amount": "200"}, **{"Idempotency-Key": "k-1"})
    assert other.status_code == 400
    assert other.json()["code"] == "idempotency_conflict"
    history = api(None).get(bids_url(auction)).json()
    assert history == [
        {"seq": 1, "bidder": "竞买人 01", "amount": "100.00", "at": history[0]["at"]},
    ]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"amount": "abc"}, "malformed_amount"),
        ({"amount": "NaN"}, "malformed_amount"),
        ({"amount": "100.001"}, "malformed_amount"),
        ({"amount": {"x": 1}}, "malformed_amount"),
        ({}, "malformed_amount"),
        ({"amount": "102"}, "below_increment"),
    ],
)
def test_bad_bids_get_a_clear_error_and_change_nothing(
    world: dict[str, Any], auction: Auction, body: dict[str, Any], code: str
) -> None:
    first = qualified_bidder(auction, admin=world["admin"])
    services.place_bid(actor=first.user, auction=auction, amount="100", idempotency_key="a")
    qualified_bidder(auction, admin=world["admin"], user=world["buyer"])
    response = post(api(world["buyer"]), bids_url(auction), body, **{"Idempotency-Key": "b"})
    assert response.status_code in (400, 409)
    payload = response.json()
    assert payload["code"] == code
    assert payload["message"]
    auction.refresh_from_db()
    assert auction.accepted_bids == 1
    assert str(auction.current_price) == "100.00"


def test_english_caller_gets_english_envelope(world: dict[str, Any], auction: Auction) -> None:
    qualified_bidder(auction, admin=world["admin"], user=world["buyer"])
    response = post(
        api(world["buyer"]),
        bids_url(auction),
        {"amount": "x"},
        **{"Idempotency-Key": "b", "Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_amount"


def test_unregistered_and_anonymous_cannot_bid(world: dict[str, Any], auction: Auction) -> None:
    assert (
        post(
            api(world["buyer"]), bids_url(auction), {"amount": "100"}, **{"Idempotency-Key": "x"}
        ).status_code
        == 403
    )
    assert post(api(None), bids_url(auction), {"amount": "100"}, **{"Idempotency-Key": "x"}).status_code in (
        401,
        403,
    )
    assert not BidLogEntry.objects.exists()


def test_sealed_offers_stay_hidden_in_the_api(world: dict[str, Any]) -> None:
    listing = listing_in_state(
        ListingState.OPEN,
        seller=world["seller"],
        achievement=world["achievement"],
        admin=world["admin"],
        pricing=Pricing.SEALED,
    )
    auction = auction_for(listing, admin=world["admin"])
    registration = qualified_bidder(auction, admin=world["admin"], user=world["buyer"])
    services.place_bid(actor=registration.user, auction=auction, amount="130", idempotency_key="x")
    view = api(buyer_user()).get(detail(auction)).json()
    assert view["current_price"] is None
    assert api(None).get(bids_url(auction)).json()[0]["amount"] is None


def test_close_and_cancel_are_for_admins(world: dict[str, Any], auction: Auction, frozen: Any) -> None:
    qualified_bidder(auction, admin=world["admin"], user=world["buyer"])
    services.place_bid(actor=world["buyer"], auction=auction, amount="125", idempotency_key="x")
    close = reverse("api:auction-close", args=[auction.pk])
    cancel = reverse("api:auction-cancel", args=[auction.pk])
    assert post(api(world["buyer"]), close).status_code == 403
    assert post(api(world["seller"]), cancel, {"reason": "x"}).status_code == 403
    early = post(api(world["admin"]), close)
    assert early.status_code == 400
    assert early.json()["code"] == "not_due"
    frozen(auction.ends_at + datetime.timedelta(seconds=1))
    closed = post(api(world["admin"]), close).json()
    assert closed["state"] == AuctionState.SOLD
    assert closed["result"]["winner"] == "竞买人 01"
    assert closed["result"]["price"] == "125.00"
    assert post(api(world["admin"]), close).json()["state"] == AuctionState.SOLD  # once
    late = post(api(world["buyer"]), bids_url(auction), {"amount": "200"}, **{"Idempotency-Key": "late"})
    assert late.status_code == 409
    assert late.json()["code"] == "closed"
    assert api(None).get(detail(auction)).json()["result"]["winner"] == "竞买人 01"


def test_cancel_needs_a_reason(world: dict[str, Any], auction: Auction) -> None:
    cancel = reverse("api:auction-cancel", args=[auction.pk])
    assert post(api(world["admin"]), cancel, {}).json()["code"] == "reason_required"
    response = post(api(world["admin"]), cancel, {"reason": "权属争议"})
    assert response.status_code == 200
    assert response.json()["state"] == AuctionState.CANCELLED
