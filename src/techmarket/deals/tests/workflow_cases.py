"""The deals workflows' cases for the generated role × transition matrix (core.testing).

The listing is the trading cases' one (the cast's ``broker`` lists it for the owning university under
an authorisation), under negotiation by the other organisation (``other_enterprise`` opened it); the
offer is the buyer's unless the state needs otherwise. The seller side is the owner's filers and
administrators and the agency's broker; the buyer side is the other organisation's users.
"""

from __future__ import annotations

from typing import Any

from techmarket.core.testing.workflow_matrix import Rule, WorkflowCase
from techmarket.deals import services
from techmarket.deals.choices import OfferState as O
from techmarket.deals.models import Offer
from techmarket.deals.workflow import OFFER_WORKFLOW
from techmarket.trading import services as trading_services
from techmarket.trading.choices import ListingState as S
from techmarket.trading.tests.workflow_cases import make_listing, setup

SELLER_SIDE = {"owner", "own_applicant", "own_org_admin", "broker"}
BUYER_SIDE = {"other_applicant", "other_org_admin", "other_enterprise"}
NOBODY = {"anonymous", "no_role", "own_enterprise", "expert", "platform_admin", "superuser"}


def _offer(world: dict[str, Any], amount: str = "60") -> Offer:
    cast = world["cast"]
    listing = make_listing(world, S.OPEN)
    negotiation = services.negotiation_open(actor=cast["other_enterprise"], listing=listing)
    return services.offer_make(actor=cast["other_enterprise"], negotiation=negotiation, amount=amount)


def make_offer(world: dict[str, Any], state: str) -> Offer:
    cast = world["cast"]
    offer = _offer(world)
    if state == O.OPEN:
        return offer
    if state == O.ACCEPTED:
        services.offer_accept(actor=cast["owner"], offer=offer)
    elif state == O.REJECTED:
        services.offer_reject(actor=cast["owner"], offer=offer)
    elif state == O.WITHDRAWN:
        services.offer_withdraw(actor=cast["other_enterprise"], offer=offer)
    elif state == O.SUPERSEDED:
        services.offer_make(actor=cast["owner"], negotiation=offer.negotiation, amount="70")
    elif state == O.EXPIRED:
        services.offer_expire(offer_id=offer.pk, now=offer.expires_at)
    elif state == O.CLOSED:
        trading_services.listing_withdraw(actor=cast["broker"], listing=offer.listing)
        services.offer_close(offer_id=offer.pk)
    return Offer.objects.get(pk=offer.pk)


def make_closable(world: dict[str, Any], state: str) -> Offer:
    """An offer on a listing its seller has withdrawn (only the system closes it)."""
    offer = make_offer(world, state)
    listing = type(offer.listing).objects.get(pk=offer.listing_id)
    if listing.state in (S.OPEN, S.NEGOTIATING):
        trading_services.listing_withdraw(actor=world["cast"]["broker"], listing=listing)
    return Offer.objects.get(pk=offer.pk)


FIRE = {
    "accept": lambda actor, offer, reason: services.offer_accept(actor=actor, offer=offer),
    "reject": lambda actor, offer, reason: services.offer_reject(actor=actor, offer=offer, reason=reason),
    "withdraw": lambda actor, offer, reason: services.offer_withdraw(actor=actor, offer=offer),
    "supersede": lambda actor, offer, reason: services.offer_make(
        actor=actor, negotiation=offer.negotiation, amount="75", counter_to=offer
    ),
    "close": lambda actor, offer, reason: services.offer_close(offer_id=offer.pk, actor=actor),
    "expire": lambda actor, offer, reason: services.offer_expire(
        offer_id=offer.pk, actor=actor, now=offer.expires_at
    ),
}

CASES = [
    WorkflowCase(
        workflow=OFFER_WORKFLOW,
        setup=setup,
        make=make_offer,
        actors=lambda world: world["cast"],
        fire=FIRE,
        rules=[
            Rule("the seller side answers the buyer's offer", SELLER_SIDE, {"accept", "reject"}, True),
            Rule("the buyer never answers its own offer", BUYER_SIDE, {"accept", "reject"}, False),
            Rule("the buyer side withdraws its offer", BUYER_SIDE, {"withdraw"}, True),
            Rule("the seller never withdraws the buyer's offer", SELLER_SIDE, {"withdraw"}, False),
            Rule("either side counters", SELLER_SIDE | BUYER_SIDE, {"supersede"}, True),
            Rule(
                "nobody outside the negotiation acts on it",
                NOBODY | {"system"},
                {"accept", "reject", "withdraw", "supersede"},
                False,
            ),
            Rule("only the system expires", {"system"}, {"expire"}, True),
            Rule("no person expires", NOBODY | SELLER_SIDE | BUYER_SIDE, {"expire", "close"}, False),
            Rule("nothing closes an offer on a listing still in trading", {"system"}, {"close"}, False),
        ],
    ),
    # The listing left trading: only the system closes its open offers; nobody answers them.
    WorkflowCase(
        workflow=OFFER_WORKFLOW,
        variant="withdrawn_listing",
        setup=setup,
        make=make_closable,
        actors=lambda world: world["cast"],
        fire=FIRE,
        states=[O.OPEN],
        rules=[
            Rule("the system closes it", {"system"}, {"close"}, True),
            Rule("no person closes it", NOBODY | SELLER_SIDE | BUYER_SIDE, {"close"}, False),
        ],
    ),
]
