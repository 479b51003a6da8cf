"""The trading floor in the catalogue and in matching (ADR 0011).

:class:`ListingMarket` is what trading registers with :mod:`techmarket.achievements.market` (the seam that
lets the catalogue filter on listings without importing trading): the 可交易 / mode / price filters and
the badges of catalogue cards. :func:`trade_badges` is also what matching shows beside a suggested
achievement. Both cut each listing to the fields the viewer may read (``policies.shown_q`` and
``policies.shown_fields``): a 受限 achievement's listing whose price is not public is never matched by a
price filter nor shown with its price.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.policies import Principal
from techmarket.achievements.market import TradeBadge, TradeFilter
from techmarket.trading import policies
from techmarket.trading.choices import (
    TRADABLE_LISTING_STATES,
    ListingMode,
    ListingState,
    Pricing,
    PublicField,
)
from techmarket.trading.models import Listing

# What a badge says of the listing's state and pricing ("已挂牌 · 可议价", "已挂牌 · 拍卖中" …).
BADGE_STATES = (*TRADABLE_LISTING_STATES, ListingState.NOTICE)


def listing_url(listing_id: int) -> str:
    """The listing's page (built by the trading pages); empty while that page is not installed."""
    try:
        return reverse("trading:listing_detail", args=[listing_id])
    except NoReverseMatch:
        return ""


def status_label(listing: Listing) -> str:
    """The listing's trading status in a few words, as a suggestion or a card shows it."""
    if listing.state == ListingState.NOTICE:
        return str(_("挂牌公示中"))
    if listing.state == ListingState.IN_AUCTION:
        return str(_("已挂牌 · 竞价中") if listing.pricing == Pricing.SEALED else _("已挂牌 · 拍卖中"))
    if listing.state == ListingState.NEGOTIATING:
        return str(_("已挂牌 · 洽谈中"))
    if listing.pricing == Pricing.NEGOTIABLE:
        return str(_("已挂牌 · 可议价"))
    if listing.pricing == Pricing.FIXED:
        return str(_("已挂牌 · 一口价"))
    return str(_("已挂牌 · 待竞价"))


def badge_of(principal: Principal, listing: Listing) -> TradeBadge:
    """One listing as a badge, cut to the fields the principal may read."""
    shown = policies.shown_fields(principal, listing)
    price: Decimal | None = listing.price if PublicField.PRICE in shown else None
    if price is not None:
        price_label = str(_("%(price)s 万元") % {"price": price})
    elif PublicField.PRICE in shown and listing.pricing == Pricing.NEGOTIABLE:
        price_label = str(_("面议"))
    else:
        price_label = ""
    return TradeBadge(
        listing_id=listing.pk,
        state=listing.state,
        tradable=listing.state in TRADABLE_LISTING_STATES,
        status_label=status_label(listing),
        mode_label=str(listing.get_mode_display()) if PublicField.MODE in shown else "",
        price=price,
        price_label=price_label,
        url=listing_url(listing.pk),
    )


def trade_badges(principal: Principal, achievement_ids: list[int]) -> dict[int, TradeBadge]:
    """``{achievement id: badge}`` of the achievements' listings in notice or open for trading that the
    principal may see (a tradable listing before one in notice, then the latest opened); one query."""
    if not achievement_ids:
        return {}
    listings = (
        Listing.objects.filter(policies.visible_q(principal))
        .filter(achievement_id__in=achievement_ids, state__in=BADGE_STATES)
        .select_related("achievement", "authorisation")
        .annotate(
            notice_last=Case(
                When(state=ListingState.NOTICE, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("achievement_id", "notice_last", "-opened_at", "-id")
    )
    found: dict[int, TradeBadge] = {}
    for listing in listings:
        if listing.achievement_id not in found:
            found[listing.achievement_id] = badge_of(principal, listing)
    return found


def tradable_listings(principal: Principal, trade: TradeFilter) -> QuerySet[Listing]:
    """Listings open for trading that match the filter, the mode and price only where the principal may
    read them."""
    listings = Listing.objects.filter(policies.visible_q(principal)).filter(state__in=TRADABLE_LISTING_STATES)
    if trade.mode:
        listings = listings.filter(policies.shown_q(principal, PublicField.MODE), mode=trade.mode)
    if trade.price_min is not None or trade.price_max is not None:
        listings = listings.filter(policies.shown_q(principal, PublicField.PRICE), price__isnull=False)
        if trade.price_min is not None:
            listings = listings.filter(price__gte=trade.price_min)
        if trade.price_max is not None:
            listings = listings.filter(price__lte=trade.price_max)
    return listings


class ListingMarket:
    """The trading floor as :mod:`techmarket.achievements.market` knows it."""

    def mode_choices(self) -> list[tuple[str, Any]]:
        return list(ListingMode.choices)

    def filter(self, queryset: QuerySet[Any], trade: TradeFilter, principal: Principal) -> QuerySet[Any]:
        return queryset.filter(pk__in=tradable_listings(principal, trade).values("achievement_id"))

    def badges(self, principal: Principal, achievement_ids: list[int]) -> dict[int, TradeBadge]:
        return trade_badges(principal, achievement_ids)


MARKET = ListingMarket()
