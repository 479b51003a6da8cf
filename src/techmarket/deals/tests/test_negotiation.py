"""Negotiation rules: interest, offers and counter-offers, answers, expiry, objections, deals."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from techmarket.conversations.models import Participant, Thread
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.core.models import AuditEvent
from techmarket.deals import services
from techmarket.deals.choices import ContractType, DealSource, OfferState, Side
from techmarket.deals.models import Deal, DealNotice, Negotiation, Offer
from techmarket.deals.tests.factories import buyer_offer, exclusive_listing, negotiation, open_listing
from techmarket.trading import services as trading_services
from techmarket.trading.choices import ListingState, Pricing
from techmarket.trading.models import Listing
from techmarket.trading.tests.factories import auction_for, buyer_user, listing_in_state, qualified_bidder

pytestmark = pytest.mark.django_db


def _state(obj: Any) -> str:
    obj.refresh_from_db()
    return str(obj.state)


def test_interest_opens_the_negotiation_and_its_thread(world: dict[str, Any]) -> None:
    listing = open_listing(world)
    buyer = world["buyer"]
    first = negotiation(listing, buyer)
    assert _state(listing) == ListingState.NEGOTIATING
    again = negotiation(listing, buyer)
    assert again.pk == first.pk
    thread = Thread.objects.get(pk=first.thread_id)
    assert thread.subject_kind == "trading.listing"
    assert thread.subject_id == listing.pk
    people = set(Participant.objects.filter(thread=thread).values_list("user_id", flat=True))
    assert buyer.pk in people
    assert world["seller"].pk in people
    # A second buyer gets its own negotiation and thread; the listing stays under negotiation.
    other = negotiation(listing, buyer_user())
    assert other.pk != first.pk
    assert other.thread_id != first.thread_id
    assert AuditEvent.objects.filter(action="deals.negotiation.open").count() == 2


def test_seller_cannot_negotiate_its_own_listing(world: dict[str, Any]) -> None:
    listing = open_listing(world)
    with pytest.raises(NotPermitted):
        services.negotiation_open(actor=world["seller"], listing=listing)
    assert _state(listing) == ListingState.OPEN


def test_offer_counter_accept_makes_the_deal(world: dict[str, Any]) -> None:
    listing = exclusive_listing(world)
    buyer, seller = world["buyer"], world["seller"]
    first = buyer_offer(listing, buyer, "50", payment_terms="签约后30日内一次付清")
    assert first.side == Side.BUYER
    assert first.state == OfferState.OPEN
    counter = services.offer_make(actor=seller, negotiation=first.negotiation, amount="70.5")
    assert counter.side == Side.SELLER
    assert _state(first) == OfferState.SUPERSEDED
    with pytest.raises(DomainError) as error:
        services.offer_accept(actor=seller, offer=counter)
    assert error.value.code == "own_offer"
    with pytest.raises(DomainError) as error:
        services.offer_accept(actor=seller, offer=first)
    assert error.value.code == "offer_superseded"
    deal = services.offer_accept(actor=buyer, offer=counter)
    assert deal.price == Decimal("70.50")
    assert deal.source == DealSource.NEGOTIATION
    assert deal.buyer_organisation_id == buyer.organisation_id
    assert deal.seller_organisation_id == listing.owner_organisation_id
    assert deal.contract_type == ContractType.TRANSFER
    assert deal.contract["amount"] == "70.50"
    assert len(deal.evidence_hash) == 64
    assert deal.evidence_hash == services.offers_hash(deal.history["offers"])
    assert deal.history["listing"][-1]["action"] == "trading.listing.deal"
    assert _state(listing) == ListingState.DEALT
    assert _state(counter) == OfferState.ACCEPTED
    notice = DealNotice.objects.get(deal=deal)
    assert notice.ends_at > notice.published_at
    assert AuditEvent.objects.filter(action="deals.deal.make", target_id=str(deal.pk)).exists()
    assert AuditEvent.objects.filter(action="trading.listing.deal", target_id=str(listing.pk)).exists()


def test_exclusive_deal_closes_other_buyers_offers(world: dict[str, Any]) -> None:
    listing = exclusive_listing(world)
    first = buyer_offer(listing, world["buyer"], "50")
    other_buyer = buyer_user()
    second = buyer_offer(listing, other_buyer, "55")
    services.offer_accept(actor=world["seller"], offer=second)
    assert _state(first) == OfferState.CLOSED
    with pytest.raises(DomainError) as error:
        services.offer_accept(actor=world["seller"], offer=first)
    assert error.value.code == "offer_closed"
    assert Deal.objects.count() == 1
    with pytest.raises(DomainError) as error:
        services.offer_make(actor=world["buyer"], negotiation=first.negotiation, amount="60")
    assert error.value.code == "listing_dealt"


def test_ordinary_licence_makes_several_deals(world: dict[str, Any]) -> None:
    listing = open_listing(world, mode="license", license_kind="ordinary")
    first = buyer_offer(listing, world["buyer"], "50")
    second = buyer_offer(listing, buyer_user(), "45")
    deal_one = services.offer_accept(actor=world["seller"], offer=first)
    assert _state(second) == OfferState.OPEN
    deal_two = services.offer_accept(actor=world["seller"], offer=second)
    assert deal_one.contract_type == deal_two.contract_type == ContractType.LICENSE
    assert _state(listing) == ListingState.NEGOTIATING


@pytest.mark.parametrize(
    ("mode", "kind", "contract"),
    [
        ("equity", "", ContractType.EQUITY),
        ("license", "exclusive", ContractType.LICENSE),
        ("license", "sole", ContractType.LICENSE),
    ],
)
def test_exclusive_modes(world: dict[str, Any], mode: str, kind: str, contract: str) -> None:
    listing = open_listing(world, mode=mode, license_kind=kind)
    deal = services.offer_accept(actor=world["seller"], offer=buyer_offer(listing, world["buyer"]))
    assert deal.contract_type == contract
    assert _state(listing) == ListingState.DEALT


def test_reject_and_withdraw(world: dict[str, Any]) -> None:
    listing = open_listing(world)
    offer = buyer_offer(listing, world["buyer"])
    with pytest.raises(DomainError):
        services.offer_reject(actor=world["buyer"], offer=offer)
    rejected = services.offer_reject(actor=world["seller"], offer=offer, reason="价格过低")
    assert rejected.state == OfferState.REJECTED
    with pytest.raises(DomainError) as error:
        services.offer_accept(actor=world["seller"], offer=offer)
    assert error.value.code == "offer_rejected"
    second = services.offer_make(actor=world["buyer"], negotiation=offer.negotiation, amount="65")
    with pytest.raises(DomainError):
        services.offer_withdraw(actor=world["seller"], offer=second)
    assert services.offer_withdraw(actor=world["buyer"], offer=second).state == OfferState.WITHDRAWN


def test_expired_offer_cannot_be_accepted(world: dict[str, Any], frozen: Any) -> None:
    clock = frozen(timezone.now())
    listing = open_listing(world)
    offer = buyer_offer(listing, world["buyer"], valid_days=1)
    clock.advance(days=1, seconds=1)
    with pytest.raises(DomainError) as error:
        services.offer_accept(actor=world["seller"], offer=offer)
    assert error.value.code == "offer_expired"
    assert _state(offer) == OfferState.OPEN
    assert not Deal.objects.exists()
    assert services.offers_expire_due() == 1
    assert _state(offer) == OfferState.EXPIRED


@pytest.mark.parametrize("amount", ["abc", "-5", "0", "1.234", "1e3000", "", "NaN"])
def test_malformed_amount_changes_nothing(world: dict[str, Any], amount: str) -> None:
    listing = open_listing(world)
    nego = negotiation(listing, world["buyer"])
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError) as error:
        services.offer_make(actor=world["buyer"], negotiation=nego, amount=amount)
    assert error.value.code == "malformed_amount"
    assert "金额格式不正确" in str(error.value.message)
    assert AuditEvent.objects.count() == before
    assert not Offer.objects.exists()


def test_offer_on_withdrawn_listing_is_refused(world: dict[str, Any]) -> None:
    listing = open_listing(world)
    nego = negotiation(listing, world["buyer"])
    trading_services.listing_withdraw(actor=world["seller"], listing=Listing.objects.get(pk=listing.pk))
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError) as error:
        services.offer_make(actor=world["buyer"], negotiation=nego, amount="50")
    assert error.value.code == "listing_closed"
    assert "不在交易中" in str(error.value.message)
    assert AuditEvent.objects.count() == before
    assert not Offer.objects.exists()
    with pytest.raises(DomainError):
        services.negotiation_open(actor=buyer_user(), listing=listing)


def test_open_objection_blocks_offers_and_the_deal(world: dict[str, Any]) -> None:
    listing = listing_in_state(
        ListingState.NOTICE, seller=world["seller"], achievement=world["achievement"], admin=world["admin"]
    )
    trading_services.objection_file(actor=buyer_user(), listing=listing, reason="权属争议", evidence="协议")
    listing = trading_services.listing_open(listing_id=listing.pk, now=listing.notice_ends_at)
    assert listing is not None
    nego = negotiation(listing, world["buyer"])
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError) as error:
        services.offer_make(actor=world["buyer"], negotiation=nego, amount="50")
    assert error.value.code == "objection_open"
    assert AuditEvent.objects.count() == before


def test_objection_after_offer_blocks_the_accept(world: dict[str, Any], monkeypatch: Any) -> None:
    listing = exclusive_listing(world)
    offer = buyer_offer(listing, world["buyer"])
    from techmarket.trading import policies as trading_policies

    monkeypatch.setattr(trading_policies, "has_open_objection", lambda listing: True)
    with pytest.raises(DomainError) as error:
        services.offer_accept(actor=world["seller"], offer=offer)
    assert error.value.code == "objection_open"
    assert _state(offer) == OfferState.OPEN
    assert not Deal.objects.exists()


def test_outsiders_cannot_offer_or_answer(world: dict[str, Any]) -> None:
    listing = open_listing(world)
    offer = buyer_offer(listing, world["buyer"])
    outsider = buyer_user()
    for call in (
        lambda: services.offer_make(actor=outsider, negotiation=offer.negotiation, amount="50"),
        lambda: services.offer_accept(actor=outsider, offer=offer),
        lambda: services.offer_reject(actor=outsider, offer=offer),
        lambda: services.offer_withdraw(actor=outsider, offer=offer),
    ):
        with pytest.raises(NotPermitted):
            call()
    assert _state(offer) == OfferState.OPEN


def test_auction_listing_cannot_be_negotiated(world: dict[str, Any]) -> None:
    listing = open_listing(world, pricing=Pricing.AUCTION)
    with pytest.raises(DomainError) as error:
        services.negotiation_open(actor=world["buyer"], listing=listing)
    assert error.value.code == "auction_listing"
    assert not Negotiation.objects.exists()


def test_auction_sold_makes_the_deal_in_the_close(world: dict[str, Any]) -> None:
    listing = open_listing(world, pricing=Pricing.AUCTION)
    auction = auction_for(listing, admin=world["admin"])
    bidder = qualified_bidder(auction, admin=world["admin"], user=world["buyer"])
    trading_services.place_bid(actor=bidder.user, auction=auction, amount="150", idempotency_key="k1")
    auction.refresh_from_db()
    closed = trading_services.close_auction(
        auction_id=auction.pk, now=auction.ends_at + datetime.timedelta(seconds=1)
    )
    deal = Deal.objects.get(auction_id=auction.pk)
    assert deal.source == DealSource.AUCTION
    assert deal.buyer_organisation_id == world["buyer"].organisation_id
    assert deal.price == Decimal("150.00")
    assert deal.evidence_hash == closed.result_hash
    assert DealNotice.objects.filter(deal=deal).exists()


def test_a_failing_deal_rolls_the_auction_close_back(world: dict[str, Any], monkeypatch: Any) -> None:
    listing = open_listing(world, pricing=Pricing.AUCTION)
    auction = auction_for(listing, admin=world["admin"])
    bidder = qualified_bidder(auction, admin=world["admin"], user=world["buyer"])
    trading_services.place_bid(actor=bidder.user, auction=auction, amount="150", idempotency_key="k1")
    auction.refresh_from_db()

    def boom(**kwargs: Any) -> None:
        raise RuntimeError("deal failed")

    monkeypatch.setattr(services, "deal_from_auction", boom)
    with pytest.raises(RuntimeError):
        trading_services.close_auction(auction_id=auction.pk, now=auction.ends_at)
    auction.refresh_from_db()
    assert auction.state == "active"
    assert not Deal.objects.exists()


def test_a_resumed_listing_negotiates_again(world: dict[str, Any]) -> None:
    listing = exclusive_listing(world)
    offer = buyer_offer(listing, world["buyer"], "50")
    trading_services.listing_resume(actor=world["seller"], listing=Listing.objects.get(pk=listing.pk))
    assert _state(listing) == ListingState.OPEN
    with pytest.raises(DomainError) as error:
        services.offer_accept(actor=world["seller"], offer=offer)
    assert error.value.code == "listing_resumed"
    counter = services.offer_make(actor=world["seller"], negotiation=offer.negotiation, amount="58")
    assert _state(listing) == ListingState.OPEN
    deal = services.offer_accept(actor=world["buyer"], offer=counter)
    assert deal.price == Decimal("58.00")
    assert _state(listing) == ListingState.DEALT


def test_a_colleague_of_the_buyer_joins_its_thread(world: dict[str, Any]) -> None:
    from techmarket.accounts.choices import Role
    from techmarket.accounts.tests.factories import user_with_role

    listing = open_listing(world)
    first = negotiation(listing, world["buyer"])
    colleague = user_with_role(Role.ENTERPRISE, organisation=world["buyer"].organisation)
    again = negotiation(listing, colleague)
    assert again.pk == first.pk
    assert Participant.objects.filter(thread_id=first.thread_id, user=colleague).exists()
