"""Who is told about offers, answers and deals (after the commit), and nobody outside the negotiation."""

from __future__ import annotations

from typing import Any

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.deals import services
from techmarket.deals.tests.factories import buyer_offer, exclusive_listing
from techmarket.notifications.models import Notification
from techmarket.trading import services as trading_services
from techmarket.trading.choices import ListingState
from techmarket.trading.tests.factories import agency_with_broker, buyer_user, listing_in_state

pytestmark = pytest.mark.django_db


def _kinds(user: Any) -> list[str]:
    rows = Notification.objects.filter(recipient=user, kind__startswith="deals.").order_by("id")
    return list(rows.values_list("kind", flat=True))


def test_offer_answer_and_deal_notices(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    listing = exclusive_listing(world)
    buyer, seller = world["buyer"], world["seller"]
    outsider = buyer_user()
    with django_capture_on_commit_callbacks(execute=True):
        offer = buyer_offer(listing, buyer, "50")
    assert _kinds(seller) == ["deals.offer"]
    assert "deals.offer" not in _kinds(buyer)
    with django_capture_on_commit_callbacks(execute=True):
        counter = services.offer_make(actor=seller, negotiation=offer.negotiation, amount="60")
    assert _kinds(buyer) == ["deals.offer"]
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_accept(actor=buyer, offer=counter)
    assert "deals.offer_answered" in _kinds(seller)
    assert "deals.deal" in _kinds(seller)
    assert "deals.deal" not in _kinds(buyer)  # the person who accepted is not told about it
    assert _kinds(outsider) == []


def test_the_agency_broker_hears_of_the_deal(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    import datetime

    from django.utils import timezone

    agency, broker = agency_with_broker(world["regions"]["city"])
    admin = user_with_role(Role.ORG_ADMIN, organisation=world["university"])
    authorisation = trading_services.authorisation_grant(
        actor=admin,
        achievement=world["achievement"],
        agency=agency,
        scope="list_and_trade",
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    listing = listing_in_state(
        ListingState.OPEN,
        seller=broker,
        achievement=world["achievement"],
        admin=world["admin"],
        authorisation=authorisation,
        mode="transfer",
    )
    offer = buyer_offer(listing, world["buyer"], "50", commission="2.5")
    with django_capture_on_commit_callbacks(execute=True):
        deal = services.offer_accept(actor=admin, offer=offer)
    assert deal.broker_organisation_id == agency.pk
    assert str(deal.commission) == "2.50"
    assert "deals.deal" in _kinds(broker)
    assert "deals.deal" in _kinds(world["buyer"])
