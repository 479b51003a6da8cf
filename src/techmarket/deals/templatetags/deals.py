"""``{% negotiation_panel listing %}``: the negotiation box of a listing's page — 我要洽谈 for buyers and
the viewer's own negotiations on it (all of them for the seller side). ``{% auction_deal_links auction %}``:
on a sold auction's page, the deal and its 交易鉴证书 for those who may open them, the 成交公告 for all."""

from __future__ import annotations

from typing import Any

from django import template

from techmarket.accounts.policies import principal_of
from techmarket.deals import policies, selectors
from techmarket.trading.types import Auction, Listing

register = template.Library()


@register.inclusion_tag("deals/_negotiation_panel.html", takes_context=True)
def negotiation_panel(context: dict[str, Any], listing: Listing) -> dict[str, Any]:
    request = context.get("request")
    principal = principal_of(getattr(request, "user", None))
    negotiations = selectors.negotiations_on_listing(principal, listing) if principal.is_authenticated else []
    own = selectors.negotiation_of_listing(principal, listing)
    return {
        "listing": listing,
        "negotiations": negotiations,
        "may_negotiate": own is None and policies.can_express_interest(principal, listing),
        "own": own if own is not None and policies.can_view_negotiation(principal, own) else None,
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }


@register.inclusion_tag("deals/_auction_deal_links.html", takes_context=True)
def auction_deal_links(context: dict[str, Any], auction: Auction) -> dict[str, Any]:
    request = context.get("request")
    principal = principal_of(getattr(request, "user", None))
    deal = selectors.deal_of_auction(auction.pk)
    notice = getattr(deal, "notice", None) if deal is not None else None
    return {
        "deal": deal,
        "may_view": deal is not None and policies.can_view_deal(principal, deal),
        "may_download": deal is not None and policies.can_download_certificate(principal, deal),
        "notice": notice,
    }
