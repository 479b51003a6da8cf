"""Two buyers accepting offers on one exclusive listing at the same moment, against real PostgreSQL
(skipped on SQLite, which serialises every writer anyway): run with ``TEST_DATABASE_URL=postgres://…``.

Each buyer's negotiation holds a seller's counter-offer; both buyers accept theirs in two threads released
together, each with its own connection, several rounds on fresh listings. Exactly one deal is made per
listing, the listing is dealt once, the loser gets a clear refusal and its offer is closed; a 普通许可
listing, by contrast, makes both deals.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from techmarket.core.errors import DomainError
from techmarket.core.models import AuditEvent
from techmarket.core.testing.concurrency import released_together
from techmarket.deals import services
from techmarket.deals.choices import OfferState
from techmarket.deals.models import Deal, Offer
from techmarket.deals.tests.factories import negotiation, open_listing
from techmarket.trading.choices import ListingState
from techmarket.trading.models import Listing
from techmarket.trading.tests.factories import buyer_user

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROUNDS = 5


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (set TEST_DATABASE_URL)")


def _two_counter_offers(world: dict[str, Any], **listing: Any) -> tuple[Listing, list[Any], list[Offer]]:
    item = open_listing(world, **listing)
    buyers = [world["buyer"], buyer_user()]
    offers = [
        services.offer_make(actor=world["seller"], negotiation=negotiation(item, buyer), amount=f"{60 + i}")
        for i, buyer in enumerate(buyers)
    ]
    return item, buyers, offers


def test_two_buyers_accepting_on_one_exclusive_listing_make_exactly_one_deal(world: dict[str, Any]) -> None:
    for _round in range(ROUNDS):
        listing, buyers, offers = _two_counter_offers(world, mode="transfer")
        results = released_together(
            2, lambda i, buyers=buyers, offers=offers: services.offer_accept(actor=buyers[i], offer=offers[i])
        )
        deals = [result for result in results if isinstance(result, Deal)]
        refused = [result for result in results if not isinstance(result, Deal)]
        assert len(deals) == 1, results
        assert len(refused) == 1, refused
        assert isinstance(refused[0], DomainError), refused
        assert refused[0].code in ("offer_closed", "listing_dealt")
        assert Deal.objects.filter(listing_id=listing.pk).count() == 1
        listing.refresh_from_db()
        assert listing.state == ListingState.DEALT
        states = sorted(Offer.objects.filter(listing_id=listing.pk).values_list("state", flat=True))
        assert states == sorted([OfferState.ACCEPTED, OfferState.CLOSED])
        assert (
            AuditEvent.objects.filter(action="trading.listing.deal", target_id=str(listing.pk)).count() == 1
        )
        assert AuditEvent.objects.filter(action="deals.deal.make", target_id=str(deals[0].pk)).count() == 1


def test_two_buyers_of_an_ordinary_licence_both_deal(world: dict[str, Any]) -> None:
    listing, buyers, offers = _two_counter_offers(world, mode="license", license_kind="ordinary")
    results = released_together(2, lambda i: services.offer_accept(actor=buyers[i], offer=offers[i]))
    assert all(isinstance(result, Deal) for result in results), results
    assert Deal.objects.filter(listing_id=listing.pk).count() == 2
    listing.refresh_from_db()
    assert listing.state == ListingState.NEGOTIATING
