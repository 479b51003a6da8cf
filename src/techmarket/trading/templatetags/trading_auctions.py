"""``{% auction_panel listing %}``: the listing's auction in brief, with a link (for the listing page).

Uses the request's principal: the same selectors and policies as the auction page (the reserve and a
sealed bid's best offer never show; the result only while published or to the auction's parties); an
administrator sees a link to schedule an auction on an open listing priced 拍卖/一次报价.
"""

from __future__ import annotations

from typing import Any

from django import template

from techmarket.accounts.policies import principal_of
from techmarket.core import clock
from techmarket.trading import policies, selectors
from techmarket.trading.choices import AUCTION_PRICING
from techmarket.trading.models import Listing

register = template.Library()


@register.inclusion_tag("trading/auction_panel.html", takes_context=True)
def auction_panel(context: template.Context, listing: Listing) -> dict[str, Any]:
    request = context.get("request")
    principal = principal_of(getattr(request, "user", None))
    auction = selectors.auction_of_listing(listing) if policies.can_view(principal, listing) else None
    return {
        "listing": listing,
        "auction": auction,
        "view": selectors.auction_view(principal, auction, clock.now()) if auction else None,
        "can_create": policies.can_manage_auction_of(principal, listing),
        # A listing priced for negotiation has no auction box unless one was held before a re-pricing.
        "shown": listing.pricing in AUCTION_PRICING or auction is not None,
    }
