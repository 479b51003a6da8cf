"""``{% negotiation_panel listing %}``: the negotiation box of a listing's page — 我要洽谈 for buyers and
the viewer's own negotiations on it (all of them for the seller side)."""

from __future__ import annotations

from typing import Any

from django import template

from techmarket.accounts.policies import principal_of
from techmarket.deals import policies, selectors
from techmarket.trading.types import Listing

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
