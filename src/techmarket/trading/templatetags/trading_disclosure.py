"""``{% load trading_disclosure %}{% disclosure_panel listing %}``: a listing's documents and confidential
section, as the caller may see them.

- Everyone who may see the listing: its public documents.
- The parties (seller, agency, trading administrators) and grantees: the confidential detail (the view
  is logged in the access log) and the confidential documents.
- Others: the way to ask (or the state of their request, or why they may not ask).
- The seller's side: links to its requests, NDA terms, auto-grant rules, uploads and the access log.
"""

from __future__ import annotations

from typing import Any

from django import template

from techmarket.accounts.policies import principal_of
from techmarket.trading import policies, selectors, services
from techmarket.trading.choices import AccessChannel, DisclosureState
from techmarket.trading.models import Listing

register = template.Library()


@register.inclusion_tag("trading/disclosure_panel.html", takes_context=True)
def disclosure_panel(context: template.Context, listing: Listing) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    principal = principal_of(user)
    panel: dict[str, Any] = {"listing": listing, "request": request, "visible": False}
    if not policies.can_view(principal, listing):
        return panel
    panel["visible"] = True
    panel["public_documents"] = selectors.public_documents(principal, listing)
    panel["manages"] = policies.can_manage_disclosure(principal, listing)
    panel["edits"] = policies.can_edit_disclosure(principal, listing)
    if policies.can_see_confidential(principal, listing):
        view = services.confidential_view(actor=user, listing=listing, channel=AccessChannel.WEB)
        panel["confidential"] = True
        panel["confidential_detail"] = view["confidential_detail"]
        panel["confidential_documents"] = [d for d in view["documents"] if d.confidential]
        latest = selectors.latest_request(principal, listing)
        if latest is not None and latest.state == DisclosureState.GRANTED:
            panel["granted_until"] = latest.granted_until
        return panel
    latest = selectors.latest_request(principal, listing)
    panel["latest"] = latest
    panel["expired"] = latest is not None and latest.state == DisclosureState.GRANTED
    panel["can_request"] = policies.can_request_disclosure(principal, listing)
    panel["signed_in"] = principal.is_authenticated
    return panel
