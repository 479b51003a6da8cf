"""Preconditions for deals tests, reached through the services."""

from __future__ import annotations

from typing import Any

from techmarket.accounts.models import User
from techmarket.deals import services
from techmarket.deals.models import Negotiation, Offer
from techmarket.trading.choices import ListingState
from techmarket.trading.models import Listing
from techmarket.trading.tests.factories import listing_in_state


def open_listing(world: dict[str, Any], **overrides: Any) -> Listing:
    return listing_in_state(
        ListingState.OPEN,
        seller=world["seller"],
        achievement=world["achievement"],
        admin=world["admin"],
        **overrides,
    )


def exclusive_listing(world: dict[str, Any], **overrides: Any) -> Listing:
    return open_listing(world, mode="transfer", **overrides)


def negotiation(listing: Listing, buyer: User) -> Negotiation:
    return services.negotiation_open(actor=buyer, listing=listing)


def buyer_offer(listing: Listing, buyer: User, amount: str = "60.00", **more: Any) -> Offer:
    return services.offer_make(actor=buyer, negotiation=negotiation(listing, buyer), amount=amount, **more)
