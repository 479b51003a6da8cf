"""The state machines of negotiation and deals, each whole graph in one table.

Offer: made open by either side of a negotiation; answered by the other side (accepted — the deal
follows in the same transaction — or rejected); withdrawn by the side that made it; superseded by a
newer offer in the same negotiation (or by the deal that accepted another offer of it); closed by the
system when the listing leaves trading (another buyer's deal on an exclusive listing, withdrawal, expiry,
suspension); expired by the system once its time has passed
(``core.clock.now`` decides; an expired offer can never be accepted, even before the job marks it).

A deal has no states: it is made once (``services``: by the side accepting an offer, or by the auction's
close), audited as ``deals.deal.make``, with its 成交公告 published in the same transaction.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from techmarket.core.workflow import INITIAL, Transition, Workflow
from techmarket.deals import policies
from techmarket.deals.choices import OfferState as O
from techmarket.deals.models import Offer

NOTICES = "techmarket.deals.notices."

OFFER_WORKFLOW: Workflow[Offer] = Workflow(
    model=Offer,
    event_prefix="deals.offer",
    state_field="state",
    permission=policies.can_transition_offer,
    description=(
        "`expire` and `close` are the system's (`actor=None`): an offer past its time; an open offer on a "
        "listing that left trading (dealt to another buyer, withdrawn, expired, suspended). `supersede` is "
        "part of a newer offer, or of the acceptance of another offer, in the same negotiation, by whoever "
        "made it."
    ),
    transitions=[
        Transition("make", frozenset({INITIAL}), O.OPEN, _("报价"), after_commit=(NOTICES + "offer_made",)),
        Transition(
            "accept",
            frozenset({O.OPEN}),
            O.ACCEPTED,
            _("接受报价"),
            after_commit=(NOTICES + "offer_answered",),
        ),
        Transition(
            "reject",
            frozenset({O.OPEN}),
            O.REJECTED,
            _("拒绝报价"),
            after_commit=(NOTICES + "offer_answered",),
        ),
        Transition("withdraw", frozenset({O.OPEN}), O.WITHDRAWN, _("撤回报价")),
        Transition("supersede", frozenset({O.OPEN}), O.SUPERSEDED, _("被新报价取代")),
        Transition("close", frozenset({O.OPEN}), O.CLOSED, _("挂牌项目结束交易，报价关闭")),
        Transition("expire", frozenset({O.OPEN}), O.EXPIRED, _("报价过期")),
    ],
)
