"""Reads for the trading floor. Every query a page, the API or an export makes starts from what the
principal may see (``policies.visible_q``); the unscoped reads are named as system reads."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from techmarket.accounts.policies import Principal
from techmarket.core.errors import NotFound
from techmarket.core.models import Region
from techmarket.trading import policies
from techmarket.trading.choices import AuctionKind, AuctionState, BidOutcome, ListingState
from techmarket.trading.models import (
    DEFAULT_NOTICE_WORKING_DAYS,
    Auction,
    BidLogEntry,
    Listing,
    TradingPolicy,
)


def notice_days_for(region: Region) -> int:
    """The notice period (working days) of the nearest policy on the region chain, else the default."""
    chain = region.chain()
    found = dict(
        TradingPolicy.objects.filter(region_id__in=[node.code for node in chain]).values_list(
            "region_id", "notice_working_days"
        )
    )
    for node in chain:
        if node.code in found:
            return int(found[node.code])
    return DEFAULT_NOTICE_WORKING_DAYS


def listing_visible(principal: Principal) -> QuerySet[Listing]:
    """Every listing the principal may see, in any state."""
    return Listing.objects.filter(policies.visible_q(principal))


def listing_get(principal: Principal, pk: Any) -> Listing:
    """One listing; NotFound (not a refusal) when the principal may not see it."""
    try:
        listing = Listing.objects.select_related("achievement", "authorisation", "owner_organisation").get(
            pk=pk
        )
    except (Listing.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not policies.can_view(principal, listing):
        raise NotFound()
    return listing


def listing_public_view(principal: Principal, listing: Listing) -> dict[str, Any]:
    """The listing as the principal may read it: restricted fields left out, the confidential detail
    only for the parties. Pages and the API render this, never the row."""
    shown = policies.shown_fields(principal, listing)
    view: dict[str, Any] = {"id": listing.pk, "state": listing.state, "pricing": listing.pricing}
    if "achievement_name" in shown:
        view["title"] = listing.title
    if "mode" in shown:
        view["mode"] = listing.mode
    if "license_terms" in shown:
        view.update(
            license_kind=listing.license_kind,
            license_territory=listing.license_territory,
            license_term_months=listing.license_term_months,
        )
    if "price" in shown:
        view["price"] = listing.price
    if "summary" in shown:
        view["public_summary"] = listing.public_summary
    if policies.can_see_confidential(principal, listing):
        view["confidential_detail"] = listing.confidential_detail
    return view


def due_for_opening(now: Any) -> QuerySet[Listing]:
    """System read: listings whose notice period has ended."""
    return Listing.objects.filter(state=ListingState.NOTICE, notice_ends_at__lte=now)


def due_for_expiry(now: Any) -> QuerySet[Listing]:
    """System read: open listings past their listing period."""
    return Listing.objects.filter(
        state__in=(ListingState.OPEN, ListingState.NEGOTIATING), open_until__lte=now
    )


def auctions_due(now: Any) -> QuerySet[Auction]:
    """System read: running auctions past their end (extensions included)."""
    return Auction.objects.filter(state=AuctionState.ACTIVE, ends_at__lte=now)


def bid_history(auction: Auction) -> list[dict[str, Any]]:
    """The public bid history: accepted bids, bidders pseudonymised (竞买人 01, 02 …); a sealed bid's
    amounts stay hidden until it closes."""
    hidden = auction.kind == AuctionKind.SEALED and auction.state == AuctionState.ACTIVE
    entries = (
        BidLogEntry.objects.filter(auction=auction, outcome=BidOutcome.ACCEPTED)
        .select_related("registration")
        .order_by("-seq")
    )
    return [
        {
            "seq": entry.seq,
            "bidder": entry.registration.pseudonym,
            "amount": None if hidden else entry.amount,
            "at": entry.received_at,
        }
        for entry in entries
    ]
