"""The auction pages: role × transition through the web, bad input with a clear message and nothing
changed, the live fragment, sealed bids hidden until the close, the published result, the panel tag."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from techmarket.core.models import AuditEvent
from techmarket.trading import services
from techmarket.trading.choices import AuctionState, ListingState, Pricing, RegistrationState
from techmarket.trading.models import Auction, BidderRegistration, BidLogEntry
from techmarket.trading.tests.factories import (
    auction_for,
    buyer_user,
    listing_in_state,
    qualified_bidder,
)

pytestmark = pytest.mark.django_db


def client_of(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def open_listing(world: dict[str, Any], pricing: str = Pricing.AUCTION) -> Any:
    return listing_in_state(
        ListingState.OPEN,
        seller=world["seller"],
        achievement=world["achievement"],
        admin=world["admin"],
        pricing=pricing,
    )


@pytest.fixture
def auction(world: dict[str, Any]) -> Auction:
    return auction_for(open_listing(world), admin=world["admin"])


def text(response: Any) -> str:
    return response.content.decode()


# --- creating ----------------------------------------------------------------------------------------


def form_data(**overrides: Any) -> dict[str, Any]:
    start = timezone.localtime() - datetime.timedelta(minutes=1)
    data = {
        "kind": "english",
        "start_price": "100",
        "increment": "5",
        "reserve_price": "150",
        "deposit": "10",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "extension_minutes": "5",
    }
    data.update(overrides)
    return data


def test_admin_creates_an_auction_from_the_form(world: dict[str, Any]) -> None:
    listing = open_listing(world)
    client = client_of(world["admin"])
    url = reverse("trading:auction_create", args=[listing.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, form_data())
    auction = Auction.objects.get(listing=listing)
    assert response.status_code == 302
    assert response["Location"] == reverse("trading:auction_detail", args=[auction.pk])
    assert auction.reserve_price == Decimal("150.00")
    assert auction.deposit == Decimal("10.00")
    listing.refresh_from_db()
    assert listing.state == ListingState.IN_AUCTION


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"start_price": "abc"}, "start_price", "金额格式不正确"),
        ({"start_price": "1.234"}, "start_price", "最多两位小数"),
        ({"increment": ""}, "increment", "请填写金额"),
        ({"kind": "sealed"}, "kind", "须与挂牌的定价方式一致"),
        ({"extension_minutes": "500"}, "extension_minutes", "120"),
        ({"ends_at": "2000-01-01T00:00"}, "ends_at", "结束时间须晚于开始时间"),
        ({"starts_at": "not a date"}, "starts_at", ""),
    ],
)
def test_bad_auction_terms_are_explained_and_nothing_is_created(
    world: dict[str, Any], overrides: dict[str, Any], field: str, message: str
) -> None:
    listing = open_listing(world)
    response = client_of(world["admin"]).post(
        reverse("trading:auction_create", args=[listing.pk]), form_data(**overrides)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in text(response)
    assert not Auction.objects.filter(listing=listing).exists()


@pytest.mark.parametrize("who", ["seller", "buyer", None])
def test_only_administrators_create_auctions(world: dict[str, Any], who: str | None) -> None:
    listing = open_listing(world)
    response = client_of(world[who] if who else None).post(
        reverse("trading:auction_create", args=[listing.pk]), form_data()
    )
    assert response.status_code in (302, 403)
    assert not Auction.objects.filter(listing=listing).exists()


# --- the page, registration and bids --------------------------------------------------------------


def test_rules_are_shown_before_registering_and_the_reserve_stays_hidden(
    world: dict[str, Any], auction: Auction
) -> None:
    page = text(client_of(world["buyer"]).get(reverse("trading:auction_detail", args=[auction.pk])))
    assert "竞价规则" in page
    assert "保证金抵作价款" in page
    assert "不予退还" in page
    assert "保留价不公开" in page
    assert "延时规则" in page
    assert "我已阅读并同意" in page
    assert "120.00" not in page  # the reserve
    admin_page = text(client_of(world["admin"]).get(reverse("trading:auction_detail", args=[auction.pk])))
    assert "120.00" in admin_page
    anonymous = client_of(None).get(reverse("trading:auction_detail", args=[auction.pk]))
    assert anonymous.status_code == 200
    assert "120.00" not in text(anonymous)


def test_registration_needs_the_rules_confirmed(world: dict[str, Any], auction: Auction) -> None:
    client = client_of(world["buyer"])
    url = reverse("trading:auction_register", args=[auction.pk])
    response = client.post(url, {})
    assert response.status_code == 400
    assert "请先阅读并确认竞价规则" in text(response)
    assert not BidderRegistration.objects.exists()
    response = client.post(url, {"accept_rules": "on"})
    assert response.status_code == 302
    registration = BidderRegistration.objects.get()
    assert registration.user == world["buyer"]
    assert registration.state == RegistrationState.PENDING
    event = AuditEvent.objects.get(action="trading.bidderregistration.apply")
    assert event.data == {"rules_accepted": True}
    again = client.post(url, {"accept_rules": "on"}, follow=True)
    assert "已登记" in text(again)
    assert BidderRegistration.objects.count() == 1


def test_seller_cannot_register(world: dict[str, Any], auction: Auction) -> None:
    response = client_of(world["seller"]).post(
        reverse("trading:auction_register", args=[auction.pk]), {"accept_rules": "on"}
    )
    assert response.status_code == 302
    assert not BidderRegistration.objects.exists()


def test_admin_approves_rejects_and_marks_deposits(world: dict[str, Any], auction: Auction) -> None:
    first = services.registration_apply(actor=world["buyer"], auction=auction)
    second = services.registration_apply(actor=buyer_user(), auction=auction)
    admin = client_of(world["admin"])
    page = admin.get(reverse("trading:auction_registrations", args=[auction.pk]))
    assert page.status_code == 200
    assert "竞买人 01" in text(page)

    def decide(registration: BidderRegistration, action: str, **data: str) -> Any:
        url = reverse("trading:auction_registration_decide", args=[auction.pk, registration.pk, action])
        return admin.post(url, data)

    decide(first, "approve")
    decide(first, "receive_deposit")
    first.refresh_from_db()
    assert first.state == RegistrationState.QUALIFIED
    assert first.deposit_received_at is not None
    response = decide(second, "reject")  # no reason: refused with the message
    second.refresh_from_db()
    assert second.state == RegistrationState.PENDING
    assert "必须填写理由" in text(admin.get(response["Location"]))
    decide(second, "reject", reason="资质不符")
    second.refresh_from_db()
    assert second.state == RegistrationState.REJECTED
    # A bidder cannot decide registrations, nor see the page.
    buyer = client_of(world["buyer"])
    assert buyer.get(reverse("trading:auction_registrations", args=[auction.pk])).status_code == 404
    third = services.registration_apply(actor=buyer_user(), auction=auction)
    url = reverse("trading:auction_registration_decide", args=[auction.pk, third.pk, "approve"])
    assert buyer.post(url).status_code == 404
    third.refresh_from_db()
    assert third.state == RegistrationState.PENDING


# What a bid moves (a rejected one is only appended to the log, with its reason).
MOVING = ("current_price", "leader", "ends_at", "accepted_bids", "state")


def bid(client: Client, auction: Auction, amount: str, key: str = "") -> Any:
    return client.post(
        reverse("trading:auction_bid", args=[auction.pk]), {"amount": amount, "key": key or amount + "-k"}
    )


def test_qualified_bidder_bids_and_the_live_fragment_shows_it(
    world: dict[str, Any], auction: Auction
) -> None:
    registration = qualified_bidder(auction, admin=world["admin"], user=world["buyer"])
    client = client_of(world["buyer"])
    response = bid(client, auction, "100")
    assert response.status_code == 302
    auction.refresh_from_db()
    assert auction.current_price == Decimal("100.00")
    assert auction.leader_id == registration.pk
    live = client_of(None).get(reverse("trading:auction_live", args=[auction.pk]))
    body = text(live)
    assert live.status_code == 200
    assert "100.00" in body
    assert "竞买人 01" in body
    assert "105.00" in body
    assert 'hx-trigger="every 2s"' in body
    # A double submission of the same form counts once.
    other = qualified_bidder(auction, admin=world["admin"])
    other_client = client_of(other.user)
    bid(other_client, auction, "110", key="same")
    bid(other_client, auction, "110", key="same")
    assert BidLogEntry.objects.filter(registration=other).count() == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("102", "即 105.00 万元"),
        ("abc", "出价金额格式不正确"),
        ("-5", "出价金额格式不正确"),
        ("100.001", "出价金额格式不正确"),
        ("", "出价金额格式不正确"),
    ],
)
def test_bad_bids_are_explained_and_change_nothing(
    world: dict[str, Any], auction: Auction, amount: str, message: str
) -> None:
    qualified_bidder(auction, admin=world["admin"])
    services.place_bid(
        actor=auction.registrations.get().user, auction=auction, amount="100", idempotency_key="a"
    )
    registration = qualified_bidder(auction, admin=world["admin"], user=world["buyer"])
    before = Auction.objects.values(*MOVING).get(pk=auction.pk)
    response = bid(client_of(world["buyer"]), auction, amount)
    assert response.status_code in (400, 409)
    assert message in text(response)
    assert Auction.objects.values(*MOVING).get(pk=auction.pk) == before  # only the log records it
    assert not BidLogEntry.objects.filter(registration=registration, outcome="accepted").exists()


def test_bid_without_deposit_and_after_close_are_refused(
    world: dict[str, Any], auction: Auction, frozen: Any
) -> None:
    registration = services.registration_apply(actor=world["buyer"], auction=auction)
    services.registration_approve(actor=world["admin"], registration=registration)
    client = client_of(world["buyer"])
    response = bid(client, auction, "100")
    assert response.status_code == 409
    assert "保证金尚未确认到账" in text(response)
    services.deposit_receive(actor=world["admin"], registration=registration)
    clock = frozen(auction.ends_at + datetime.timedelta(seconds=1))
    response = bid(client, auction, "100", key="late")
    assert response.status_code == 409
    assert "竞价已结束" in text(response)
    auction.refresh_from_db()
    assert auction.current_price is None
    assert auction.accepted_bids == 0
    assert clock() > auction.ends_at


def test_unregistered_user_cannot_bid(world: dict[str, Any], auction: Auction) -> None:
    response = client_of(world["buyer"]).post(
        reverse("trading:auction_bid", args=[auction.pk]), {"amount": "100", "key": "k"}, follow=True
    )
    assert "尚未登记" in text(response)
    assert not BidLogEntry.objects.exists()


def test_english_language_messages(world: dict[str, Any], auction: Auction) -> None:
    qualified_bidder(auction, admin=world["admin"], user=world["buyer"])
    client = client_of(world["buyer"])
    client.cookies["django_language"] = "en"
    response = bid(client, auction, "abc")
    assert response.status_code == 400
    assert '<html lang="en"' in text(response)


# --- sealed bids, the close, the result, cancel -----------------------------------------------------


def test_sealed_bids_are_hidden_until_the_close(world: dict[str, Any], frozen: Any) -> None:
    auction = auction_for(open_listing(world, Pricing.SEALED), admin=world["admin"])
    first = qualified_bidder(auction, admin=world["admin"], user=world["buyer"])
    second = qualified_bidder(auction, admin=world["admin"])
    services.place_bid(actor=first.user, auction=auction, amount="130", idempotency_key="x")
    services.place_bid(actor=second.user, auction=auction, amount="140", idempotency_key="y")
    url = reverse("trading:auction_detail", args=[auction.pk])
    mine = text(client_of(first.user).get(url))
    assert "130.00" in mine
    assert "140.00" not in mine
    theirs = text(client_of(second.user).get(url))
    assert "140.00" in theirs
    assert "130.00" not in theirs
    public = text(client_of(None).get(url))
    assert "130.00" not in public
    assert "140.00" not in public
    assert "结束后公开" in public
    again = bid(client_of(first.user), auction, "150", key="again")
    assert again.status_code == 409
    assert "只能出价一次" in text(again)
    frozen(auction.ends_at + datetime.timedelta(seconds=1))
    services.trading_tick()
    public = text(client_of(None).get(url))
    assert "竞买人 02 以 140.00 万元竞得" in public
    assert "130.00" in public


def test_admin_closes_after_the_end_and_everyone_sees_the_result(
    world: dict[str, Any], auction: Auction, frozen: Any
) -> None:
    registration = qualified_bidder(auction, admin=world["admin"], user=world["buyer"])
    services.place_bid(actor=world["buyer"], auction=auction, amount="125", idempotency_key="k")
    admin = client_of(world["admin"])
    close_url = reverse("trading:auction_close", args=[auction.pk])
    early = admin.post(close_url)
    assert "竞价尚未结束" in text(admin.get(early["Location"]))
    assert Auction.objects.get(pk=auction.pk).state == AuctionState.ACTIVE
    # A bidder cannot close it.
    assert client_of(world["buyer"]).post(close_url).status_code == 404
    frozen(auction.ends_at + datetime.timedelta(seconds=1))
    admin.post(close_url)
    auction.refresh_from_db()
    assert auction.state == AuctionState.SOLD
    assert auction.winner_id == registration.pk
    page = text(client_of(None).get(reverse("trading:auction_detail", args=[auction.pk])))
    assert "竞价结果公示" in page
    assert "竞买人 01 以 125.00 万元竞得" in page
    assert auction.result_hash in page
    assert "交易鉴证书" in page


def test_failed_auction_shows_the_reason(world: dict[str, Any], auction: Auction, frozen: Any) -> None:
    qualified_bidder(auction, admin=world["admin"], user=world["buyer"])
    services.place_bid(actor=world["buyer"], auction=auction, amount="100", idempotency_key="k")
    frozen(auction.ends_at + datetime.timedelta(seconds=1))
    services.trading_tick()
    page = text(client_of(None).get(reverse("trading:auction_detail", args=[auction.pk])))
    assert "流拍" in page
    assert "未达到保留价" in page


def test_result_is_public_only_during_its_notice_period(
    world: dict[str, Any], auction: Auction, frozen: Any
) -> None:
    qualified_bidder(auction, admin=world["admin"], user=world["buyer"])
    services.place_bid(actor=world["buyer"], auction=auction, amount="125", idempotency_key="k")
    frozen(auction.ends_at + datetime.timedelta(seconds=1))
    services.trading_tick()
    frozen(auction.ends_at + datetime.timedelta(days=60))
    url = reverse("trading:auction_detail", args=[auction.pk])
    assert "以 125.00 万元竞得" not in text(client_of(None).get(url))
    assert "以 125.00 万元竞得" not in text(client_of(buyer_user()).get(url))
    assert "以 125.00 万元竞得" in text(client_of(world["buyer"]).get(url))  # a bidder
    assert "以 125.00 万元竞得" in text(client_of(world["seller"]).get(url))


def test_admin_cancels_with_a_reason(world: dict[str, Any], auction: Auction) -> None:
    admin = client_of(world["admin"])
    url = reverse("trading:auction_cancel", args=[auction.pk])
    admin.post(url, {"reason": ""})
    assert Auction.objects.get(pk=auction.pk).state == AuctionState.ACTIVE
    assert client_of(world["seller"]).post(url, {"reason": "x"}).status_code == 404
    admin.post(url, {"reason": "权属争议"})
    auction.refresh_from_db()
    assert auction.state == AuctionState.CANCELLED
    assert auction.listing.state == ListingState.OPEN


def test_unknown_auction_is_not_found(world: dict[str, Any]) -> None:
    assert client_of(None).get(reverse("trading:auction_detail", args=[999999])).status_code == 404
    assert client_of(None).get(reverse("trading:auction_live", args=[999999])).status_code == 404


# --- the panel tag ----------------------------------------------------------------------------------


def render_panel(listing: Any, user: Any) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load trading_auctions %}{% auction_panel listing %}")
    return template.render(Context({"request": request, "listing": listing}))


def test_panel_links_the_auction_and_offers_admins_to_create_one(world: dict[str, Any]) -> None:
    from django.contrib.auth.models import AnonymousUser

    listing = open_listing(world)
    assert reverse("trading:auction_create", args=[listing.pk]) in render_panel(listing, world["admin"])
    assert reverse("trading:auction_create", args=[listing.pk]) not in render_panel(listing, world["buyer"])
    auction = auction_for(listing, admin=world["admin"])
    listing.refresh_from_db()
    html = render_panel(listing, AnonymousUser())
    assert reverse("trading:auction_detail", args=[auction.pk]) in html
    assert "100.00" in html
    assert "120.00" not in html
