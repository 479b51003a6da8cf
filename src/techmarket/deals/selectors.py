"""Reads of negotiation and deals. Every read a page or the API makes starts from what the principal may
see; the unscoped ones are named as system reads."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from techmarket.accounts import selectors as account_selectors
from techmarket.accounts.policies import Principal
from techmarket.accounts.types import User
from techmarket.core import clock
from techmarket.core.errors import NotFound
from techmarket.deals import policies
from techmarket.deals.choices import OfferState
from techmarket.deals.models import Deal, DealNotice, Negotiation, Offer
from techmarket.trading import policies as trading_policies
from techmarket.trading.choices import LicenseKind, ListingMode
from techmarket.trading.types import Listing


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None


def negotiations_of(principal: Principal) -> QuerySet[Negotiation]:
    """我的洽谈: the negotiations of the principal's organisation as buyer, and those on listings it
    sells or handles as agency (filtered by the policy on each row by the caller's page)."""
    if principal.organisation_id is None:
        return Negotiation.objects.none()
    org = principal.organisation_id
    return (
        Negotiation.objects.filter(
            Q(buyer_organisation_id=org)
            | Q(listing__owner_organisation_id=org)
            | Q(listing__authorisation__agency_id=org)
        )
        .select_related("listing", "listing__authorisation", "listing__achievement", "buyer_organisation")
        .order_by("-updated_at", "-id")
    )


def my_negotiations(principal: Principal) -> list[Negotiation]:
    """The negotiations the principal may open (a side of each)."""
    return [n for n in negotiations_of(principal) if policies.can_view_negotiation(principal, n)]


def my_negotiation_rows(principal: Principal) -> list[dict[str, Any]]:
    """我的洽谈's rows: each negotiation with its listing's name only where the principal may read it (a
    受限 achievement's hidden name stays hidden from a buyer without a disclosure grant)."""
    return [
        {
            "negotiation": negotiation,
            "title": negotiation.listing.title
            if "achievement_name" in trading_policies.shown_fields(principal, negotiation.listing)
            else "",
        }
        for negotiation in my_negotiations(principal)
    ]


def negotiation_get(principal: Principal, pk: Any) -> Negotiation:
    """One negotiation; NotFound (not a refusal) for anyone outside it."""
    negotiation = (
        Negotiation.objects.select_related(
            "listing", "listing__authorisation", "listing__achievement", "buyer_organisation", "opened_by"
        )
        .filter(pk=_pk(pk))
        .first()
    )
    if negotiation is None or not policies.can_view_negotiation(principal, negotiation):
        raise NotFound()
    return negotiation


def negotiation_of_listing(principal: Principal, listing: Listing) -> Negotiation | None:
    """The buyer's own negotiation on a listing, if any."""
    if principal.organisation_id is None:
        return None
    return Negotiation.objects.filter(
        listing_id=listing.pk, buyer_organisation_id=principal.organisation_id
    ).first()


def negotiations_on_listing(principal: Principal, listing: Listing) -> list[Negotiation]:
    """The negotiations on a listing the principal may open: the seller side sees all, a buyer its own."""
    rows = Negotiation.objects.filter(listing_id=listing.pk).select_related("buyer_organisation", "listing")
    if not trading_policies.manages(principal, listing):
        rows = rows.filter(buyer_organisation_id=principal.organisation_id or 0)
    return [n for n in rows if policies.can_view_negotiation(principal, n)]


def offers_of(negotiation: Negotiation) -> list[Offer]:
    """The negotiation's offers, newest first, with ``shown_state`` (an open offer past its time reads as
    expired before the job marks it)."""
    now = clock.now()
    offers = list(
        Offer.objects.filter(negotiation=negotiation).select_related("made_by").order_by("-created_at", "-id")
    )
    for offer in offers:
        expired = offer.state == OfferState.OPEN and offer.expires_at <= now
        offer.shown_state = OfferState.EXPIRED if expired else offer.state  # type: ignore[attr-defined]
    return offers


def offer_get(principal: Principal, pk: Any) -> Offer:
    """One offer, for the sides of its negotiation; NotFound for everyone else."""
    offer = Offer.objects.select_related("negotiation", "listing").filter(pk=_pk(pk)).first()
    if offer is None or not policies.can_view_negotiation(principal, offer.negotiation):
        raise NotFound()
    return offer


def deals_of(principal: Principal) -> QuerySet[Deal]:
    """The deals of the principal's organisation (seller, buyer or broker)."""
    if principal.organisation_id is None:
        return Deal.objects.none()
    org = principal.organisation_id
    return (
        Deal.objects.filter(
            Q(seller_organisation_id=org) | Q(buyer_organisation_id=org) | Q(broker_organisation_id=org)
        )
        .select_related("listing", "seller_organisation", "buyer_organisation", "broker_organisation")
        .order_by("-dealt_at", "-id")
    )


def _deal(pk: Any) -> Deal | None:
    return (
        Deal.objects.select_related(
            "listing",
            "listing__achievement",
            "seller_organisation",
            "buyer_organisation",
            "broker_organisation",
            "notice",
        )
        .filter(pk=_pk(pk))
        .first()
    )


def deal_get(principal: Principal, pk: Any) -> Deal:
    """One deal, for its parties; NotFound for everyone else."""
    deal = _deal(pk)
    if deal is None or not policies.can_view_deal(principal, deal):
        raise NotFound()
    return deal


def deal_for_certificate(principal: Principal, pk: Any) -> Deal:
    """One deal, for its parties and trading administrators."""
    deal = _deal(pk)
    if deal is None or not policies.can_download_certificate(principal, deal):
        raise NotFound()
    return deal


def deal_of_auction(auction_id: int) -> Deal | None:
    """System read: the deal a sold auction made (None for 流拍, cancelled or running auctions)."""
    pk = Deal.objects.filter(auction_id=auction_id).values_list("pk", flat=True).first()
    return _deal(pk) if pk is not None else None


def deal_notices() -> QuerySet[DealNotice]:
    """Public: every 成交公告, newest first."""
    return DealNotice.objects.select_related(
        "deal",
        "deal__listing",
        "deal__listing__achievement",
        "deal__listing__authorisation",
        "deal__seller_organisation",
        "deal__buyer_organisation",
    ).order_by("-published_at", "-id")


def deal_notice_get(pk: Any) -> DealNotice:
    """One 成交公告 (public)."""
    notice = deal_notices().filter(pk=_pk(pk)).first()
    if notice is None:
        raise NotFound()
    return notice


def notice_public_view(principal: Principal, notice: DealNotice) -> dict[str, Any]:
    """A 成交公告 as the principal may read it: the listing's fields only as far as
    ``trading.policies.shown_fields`` allows (a 受限 achievement's listing shows only its public ones)."""
    deal = notice.deal
    listing = deal.listing
    shown = trading_policies.shown_fields(principal, listing)
    view: dict[str, Any] = {
        "id": notice.pk,
        "deal_number": deal.number,
        "listing": listing.pk,
        "source": deal.source,
        "seller": deal.seller_organisation.name,
        "buyer": deal.buyer_organisation.name,
        "dealt_at": deal.dealt_at,
        "published_at": notice.published_at,
        "ends_at": notice.ends_at,
        "in_notice": notice.ends_at > clock.now(),
    }
    if "achievement_name" in shown:
        view["title"] = listing.title
    if "mode" in shown:
        view["mode"] = deal.mode
        view["mode_label"] = str(ListingMode(deal.mode).label)
    if "license_terms" in shown:
        view["license_kind"] = deal.license_kind
        if deal.license_kind:
            view["mode_label"] = f"{view.get('mode_label', '')}（{LicenseKind(deal.license_kind).label}）"
    if "price" in shown:
        view["price"] = deal.price
    return view


def seller_people(listing: Listing) -> list[User]:
    """Who speaks for the seller in a negotiation: the listing's filer (the seller's or the agency's,
    while still with that organisation) and the owner organisation's administrators."""
    people = {user.pk: user for user in account_selectors.org_admins(listing.owner_organisation_id)}
    filer = listing.created_by
    if filer.is_active and filer.organisation_id in {
        listing.owner_organisation_id,
        listing.authorisation.agency_id if listing.authorisation else None,
    }:
        people.setdefault(filer.pk, filer)
    return list(people.values())


def transferred_counts_by_region(year: int, group_field: str, filters: dict[str, str]) -> dict[str, int]:
    """Achievements transferred (a deal was concluded on their listing) in ``year``, counted per value of
    the achievement's ``group_field`` (``province_code``, ``city_code`` or ``county_code``) within
    ``filters`` on the same fields — one aggregated query for the statistics dashboard."""
    prefix = "listing__achievement__"
    rows = (
        Deal.objects.filter(
            dealt_at__year=year, **{f"{prefix}{key}": value for key, value in filters.items()}
        )
        .values(f"{prefix}{group_field}")
        .annotate(n=Count("listing__achievement", distinct=True))
        .order_by()
    )
    return {row[f"{prefix}{group_field}"]: row["n"] for row in rows if row[f"{prefix}{group_field}"]}
