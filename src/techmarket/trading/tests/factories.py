"""Preconditions for trading tests: listings, auctions and bidders reach their states through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.models import Organisation, User
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.models import Achievement
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.core.models import Region
from techmarket.trading import services
from techmarket.trading.choices import AuctionKind, ListingState, Pricing
from techmarket.trading.models import Auction, BidderRegistration, Listing

REASON = "材料不全，请补充"


def published_achievement(
    *, applicant: User, region: Region, reviewers: dict[str, User], **overrides: Any
) -> Achievement:
    return achievement_in_state(
        AchievementState.PUBLISHED, applicant=applicant, region=region, reviewers=reviewers, **overrides
    )


def listing_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "mode": "license",
        "license_kind": "ordinary",
        "license_territory": "中国大陆",
        "license_term_months": 60,
        "pricing": Pricing.NEGOTIABLE,
        "price": "80.00",
        "listing_days": 90,
        "public_summary": "高导热石墨烯薄膜制备技术，普通许可，面议。",
        "confidential_detail": "工艺参数：还原温度、辊压压力等（保密）。",
        "public_fields": ["mode", "summary"],
    }
    data.update(overrides)
    return data


def admin_user() -> User:
    return user_with_role(Role.PLATFORM_ADMIN)


def listing_in_state(
    state: str,
    *,
    seller: User,
    achievement: Achievement,
    admin: User,
    buyer: User | None = None,
    authorisation: Any = None,
    **overrides: Any,
) -> Listing:
    """Drive a new listing to ``state`` through the services (the notice and listing periods are
    passed by giving the system's ``now``)."""
    if state == ListingState.IN_AUCTION:
        overrides.setdefault("pricing", Pricing.AUCTION)
    listing = services.listing_create(
        actor=seller, achievement=achievement, data=listing_data(**overrides), authorisation=authorisation
    )
    if state == ListingState.DRAFT:
        return listing
    if state == ListingState.WITHDRAWN:
        return services.listing_withdraw(actor=seller, listing=listing)
    listing = services.listing_submit(actor=seller, listing=listing)
    if state == ListingState.SUBMITTED:
        return listing
    if state == ListingState.RETURNED:
        return services.listing_return(actor=admin, listing=listing, reason=REASON)
    listing = services.listing_approve(actor=admin, listing=listing)
    if state == ListingState.NOTICE:
        return listing
    if state == ListingState.SUSPENDED:
        return services.listing_suspend(actor=admin, listing=listing, reason="权属存在争议")
    opened = services.listing_open(listing_id=listing.pk, now=listing.notice_ends_at)
    assert opened is not None
    listing = opened
    if state == ListingState.OPEN:
        return listing
    if state == ListingState.EXPIRED:
        expired = services.listing_expire(listing_id=listing.pk, now=listing.open_until)
        assert expired is not None
        return expired
    if state == ListingState.IN_AUCTION:
        auction_for(listing, admin=admin)
        return Listing.objects.get(pk=listing.pk)
    buyer = buyer or buyer_user()
    listing = services.listing_start_negotiation(actor=buyer, listing=listing)
    if state == ListingState.NEGOTIATING:
        return listing
    assert state == ListingState.DEALT, state
    return services.listing_deal(actor=admin, listing=listing)


def buyer_user(region: Region | None = None) -> User:
    organisation = OrganisationFactory(
        kind=OrganisationKind.ENTERPRISE, **({"region": region} if region else {})
    )
    return user_with_role(Role.ENTERPRISE, organisation=organisation)


def agency_with_broker(region: Region) -> tuple[Organisation, User]:
    agency = OrganisationFactory(region=region, kind=OrganisationKind.AGENCY, name="某技术转移中心甲")
    return agency, user_with_role(Role.BROKER, organisation=agency)


def terms(
    *,
    kind: str = AuctionKind.ENGLISH,
    start: datetime.datetime | None = None,
    minutes: int = 60,
    **overrides: Any,
) -> services.AuctionTerms:
    start = start or timezone.now() - datetime.timedelta(minutes=1)
    values: dict[str, Any] = {
        "kind": kind,
        "start_price": Decimal("100.00"),
        "increment": Decimal("5.00"),
        "reserve_price": Decimal("120.00"),
        "deposit": Decimal("10.00"),
        "starts_at": start,
        "ends_at": start + datetime.timedelta(minutes=minutes),
        "extension_minutes": 5,
    }
    values.update(overrides)
    return services.AuctionTerms(**values)


def auction_for(listing: Listing, *, admin: User, **overrides: Any) -> Auction:
    kind = AuctionKind.SEALED if listing.pricing == Pricing.SEALED else AuctionKind.ENGLISH
    return services.auction_create(actor=admin, listing=listing, terms=terms(kind=kind, **overrides))


def qualified_bidder(auction: Auction, *, admin: User, user: User | None = None) -> BidderRegistration:
    """A buyer registered, approved and with the deposit received: may bid."""
    user = user or buyer_user()
    registration = services.registration_apply(actor=user, auction=auction)
    registration = services.registration_approve(actor=admin, registration=registration)
    return services.deposit_receive(actor=admin, registration=registration)
