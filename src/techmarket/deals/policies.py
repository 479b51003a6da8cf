"""Who may see and do what in negotiation and deals — the only place this app's role logic lives.

- A **negotiation** (per listing and buyer organisation) has two sides: the **buyer side**, the users of
  the buyer organisation while they are buyers of the listing (``trading.policies.is_buyer``), and the
  **seller side**, the seller and its authorised agency (``trading.policies.manages``). Nobody else
  sees it: not other buyers, not the public, not platform administrators (the parties' negotiation is
  theirs; its thread follows the conversations rule).
- An **offer** is made by either side and answered (accepted or rejected) only by the other side; the
  side that made it may withdraw it.
- A **deal** is seen by the users of its seller, buyer and broker organisations; its 交易鉴证书 also by
  trading administrators. A **deal notice** (成交公告) is public, with the listing's public fields only.
"""

from __future__ import annotations

from typing import Any

from techmarket.accounts.policies import Principal, principal_of
from techmarket.core.policy_registry import policy
from techmarket.deals.choices import DealSource, Side
from techmarket.deals.models import Deal, Negotiation, Offer
from techmarket.trading import policies as trading_policies
from techmarket.trading.choices import AUCTION_PRICING, LicenseKind, ListingMode, ListingState
from techmarket.trading.types import Listing

NEGOTIABLE_STATES = (ListingState.OPEN, ListingState.NEGOTIATING)


def is_exclusive(listing: Listing) -> bool:
    """转让, 作价投资, 独占/排他许可: one deal ends the listing; a 普通许可 listing may make several."""
    return not (listing.mode == ListingMode.LICENSE and listing.license_kind == LicenseKind.ORDINARY)


def side_of(principal: Principal, negotiation: Negotiation, listing: Listing | None = None) -> str | None:
    """The principal's side in the negotiation, or None for anyone outside it."""
    listing = listing or negotiation.listing
    if not principal.is_authenticated:
        return None
    if trading_policies.manages(principal, listing):
        return Side.SELLER
    if principal.organisation_id == negotiation.buyer_organisation_id and trading_policies.is_buyer(
        principal, listing
    ):
        return Side.BUYER
    return None


@policy
def can_view_negotiation(principal: Principal, negotiation: Negotiation) -> bool:
    """The negotiation page, its offers and its thread: the two sides only."""
    return side_of(principal, negotiation) is not None


@policy
def can_express_interest(principal: Principal, listing: Listing) -> bool:
    """我要洽谈: a buyer, on a listing open for trading at a fixed or negotiable price."""
    return (
        listing.state in NEGOTIABLE_STATES
        and listing.pricing not in AUCTION_PRICING
        and trading_policies.is_buyer(principal, listing)
    )


def may_join_thread(principal: Principal, listing: Listing) -> bool:
    """The listing's agency broker may join a negotiation thread on it."""
    return trading_policies.is_agent(principal, listing)


def _principal(actor: Any) -> Principal:
    return actor if isinstance(actor, Principal) else principal_of(actor)


def can_transition_offer(actor: Any, name: str, offer: Offer) -> bool:
    """OFFER_WORKFLOW's permission."""
    if name == "expire":
        return actor is None  # judged by the clock, by the system
    if name == "close":  # the listing left trading (dealt to another buyer, withdrawn, expired, suspended)
        return actor is None and offer.listing.state not in NEGOTIABLE_STATES
    if actor is None or offer.listing.state not in NEGOTIABLE_STATES:
        return False  # people act on offers only while the listing is in trading
    principal = _principal(actor)
    side = side_of(principal, offer.negotiation, offer.listing)
    if name == "make":
        return side == offer.side
    if name in ("accept", "reject"):
        return side is not None and side != offer.side
    if name == "withdraw":
        return side == offer.side
    if name == "supersede":  # a newer offer (or the acceptance of another) in the same negotiation
        return side is not None
    return False


def can_make_deal(actor: Any, deal: Deal) -> bool:
    """Who makes a deal: a negotiated one, the side accepting an offer; an auction's, its close (the job
    or the administrator who closed it)."""
    if deal.source == DealSource.AUCTION:
        return actor is None or trading_policies.is_trading_admin(_principal(actor))
    if actor is None or deal.negotiation is None:
        return False
    return side_of(_principal(actor), deal.negotiation, deal.listing) is not None


def is_deal_party(principal: Principal, deal: Deal) -> bool:
    """A user of the deal's seller, buyer or broker organisation."""
    return (
        principal.is_authenticated
        and principal.organisation_id is not None
        and (
            principal.organisation_id
            in {deal.seller_organisation_id, deal.buyer_organisation_id, deal.broker_organisation_id}
        )
    )


@policy
def can_view_deal(principal: Principal, deal: Deal) -> bool:
    """The deal page (terms, draft contract): its parties only."""
    return is_deal_party(principal, deal)


@policy
def can_download_certificate(principal: Principal, deal: Deal) -> bool:
    """交易鉴证书: the parties and trading administrators."""
    return is_deal_party(principal, deal) or trading_policies.is_trading_admin(principal)


@policy
def can_list_negotiations(principal: Principal) -> bool:
    """我的洽谈: everyone signed in with an organisation (it lists only their own)."""
    return principal.is_authenticated and principal.organisation_id is not None
