"""Reads for the trading floor. Every query a page, the API or an export makes starts from what the
principal may see (``policies.visible_q``); the unscoped reads are named as system reads."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone

from techmarket.accounts.policies import Principal
from techmarket.core import calendar
from techmarket.core.errors import NotFound
from techmarket.core.models import Region
from techmarket.trading import policies
from techmarket.trading.choices import AuctionKind, AuctionState, BidOutcome, ListingState
from techmarket.trading.models import (
    DEFAULT_NOTICE_WORKING_DAYS,
    Auction,
    BidderRegistration,
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


# --- auctions -----------------------------------------------------------------------------------------

# The result (成交/流拍) is published for the region's notice period (公示期, working days) after the close.


def auction_visible(principal: Principal) -> QuerySet[Auction]:
    """The auctions whose listing the principal may see (newest first)."""
    return (
        Auction.objects.filter(listing__in=Listing.objects.filter(policies.visible_q(principal)))
        .select_related("listing")
        .order_by("-starts_at", "-id")
    )


def auction_get(principal: Principal, pk: Any) -> Auction:
    """One auction; NotFound when the principal may not see its listing."""
    try:
        auction = Auction.objects.select_related(
            "listing", "listing__achievement", "listing__authorisation", "listing__region", "winner"
        ).get(pk=pk)
    except (Auction.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not policies.can_view_auction(principal, auction):
        raise NotFound()
    return auction


def auction_of_listing(listing: Listing) -> Auction | None:
    """The listing's latest auction (a running one first), if any."""
    return (
        Auction.objects.filter(listing=listing)
        .order_by(Case(When(state=AuctionState.ACTIVE, then=Value(0)), default=Value(1)), "-starts_at", "-id")
        .first()
    )


def registration_of(principal: Principal, auction: Auction) -> BidderRegistration | None:
    """The principal's own registration for the auction."""
    if not principal.is_authenticated:
        return None
    return BidderRegistration.objects.filter(auction=auction, user_id=principal.user_id or 0).first()


def registrations_for_admin(auction: Auction) -> QuerySet[BidderRegistration]:
    """Every registration with its bidder and organisation (the administrators' page)."""
    return BidderRegistration.objects.filter(auction=auction).select_related("user", "organisation")


def own_bids(registration: BidderRegistration | None) -> list[BidLogEntry]:
    """A bidder's own attempts, accepted and rejected (newest first)."""
    if registration is None:
        return []
    return list(BidLogEntry.objects.filter(registration=registration).order_by("-seq"))


def result_published_until(auction: Auction) -> datetime.datetime | None:
    """The end of the result's notice period: midnight after the N-th working day after the close."""
    if auction.closed_at is None:
        return None
    region = auction.listing.region
    local = timezone.localtime(auction.closed_at).date()
    last = calendar.add_working_days(local, notice_days_for(region), region)
    return timezone.make_aware(datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time()))


def minimum_next_bid(auction: Auction) -> Decimal:
    """The lowest amount the next bid may offer (the start price for a sealed bid)."""
    if auction.kind == AuctionKind.SEALED or auction.current_price is None:
        return auction.start_price
    return auction.current_price + auction.increment


def clock_text(seconds: int) -> str:
    """Time left as H:MM:SS (what the countdown script keeps counting down from)."""
    hours, rest = divmod(max(0, seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def auction_view(principal: Principal, auction: Auction, now: datetime.datetime) -> dict[str, Any]:
    """The auction as the principal may read it (pages and the API render this, never the row): the
    reserve only for administrators, a sealed bid's best offer never before the close, the result only
    while published (or to the parties)."""
    live = policies.sees_live_price(auction)
    view: dict[str, Any] = {
        "id": auction.pk,
        "listing": auction.listing_id,
        "kind": auction.kind,
        "state": auction.state,
        "start_price": auction.start_price,
        "increment": auction.increment if auction.kind == AuctionKind.ENGLISH else None,
        "deposit": auction.deposit,
        "starts_at": auction.starts_at,
        "scheduled_end": auction.scheduled_end,
        "ends_at": auction.ends_at,
        "extension_minutes": auction.extension_minutes,
        "accepted_bids": auction.accepted_bids,
        "current_price": auction.current_price if live else None,
        "minimum_bid": minimum_next_bid(auction) if auction.state == AuctionState.ACTIVE else None,
        "started": now >= auction.starts_at,
        "running": auction.state == AuctionState.ACTIVE and auction.starts_at <= now < auction.ends_at,
        "seconds_left": max(0, int((auction.ends_at - now).total_seconds()))
        if auction.state == AuctionState.ACTIVE
        else 0,
        "result": None,
    }
    view["time_left"] = clock_text(view["seconds_left"])
    if policies.can_see_reserve(principal, auction):
        view["reserve_price"] = auction.reserve_price
    until = result_published_until(auction)
    published = until is not None and now < until
    if policies.can_see_result(principal, auction, published=published):
        view["result"] = {
            "state": auction.state,
            "winner": auction.winner.pseudonym if auction.winner_id and auction.winner else None,
            "price": auction.final_price,
            "reason": auction.result_reason,
            "closed_at": auction.closed_at,
            "published_until": until,
            "log_hash": auction.result_hash,
        }
    return view
