"""The state machines of negotiation and deals, each whole graph in one table.

Offer: made open by either side of a negotiation; answered by the other side (accepted — the deal
follows in the same transaction — or rejected); withdrawn by the side that made it; superseded by a
newer offer in the same negotiation (or by the deal that accepted another offer of it); closed when
another buyer's deal ends an exclusive listing; expired by the system once its time has passed
(``core.clock.now`` decides; an expired offer can never be accepted, even before the job marks it).

Deal: made once, by the side accepting an offer, or by the auction's close (the job or the administrator
who closed it); its 成交公告 is published in the same transaction.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from techmarket.core.workflow import INITIAL, Transition, Workflow
from techmarket.deals import policies
from techmarket.deals.choices import DealState as D
from techmarket.deals.choices import OfferState as O
from techmarket.deals.models import Deal, Offer

NOTICES = "techmarket.deals.notices."

OFFER_WORKFLOW: Workflow[Offer] = Workflow(
    model=Offer,
    event_prefix="deals.offer",
    state_field="state",
    permission=policies.can_transition_offer,
    description=(
        "`expire` is the system's (`actor=None`). `supersede` and `close` are part of a newer offer or of a "
        "deal, by whoever made it."
    ),
    transitions=[
        Transition("make", frozenset({INITIAL}), O.OPEN, _("报价"), after_commit=(NOTICES + "offer_made",)),
        Transition(
            "accept", frozenset({O.OPEN}), O.ACCEPTED, _("接受报价"), after_commit=(NOTICES + "offer_answered",)
        ),
        Transition(
            "reject", frozenset({O.OPEN}), O.REJECTED, _("拒绝报价"), after_commit=(NOTICES + "offer_answered",)
        ),
        Transition("withdraw", frozenset({O.OPEN}), O.WITHDRAWN, _("撤回报价")),
        Transition("supersede", frozenset({O.OPEN}), O.SUPERSEDED, _("被新报价取代")),
        Transition("close", frozenset({O.OPEN}), O.CLOSED, _("挂牌已成交，报价关闭")),
        Transition("expire", frozenset({O.OPEN}), O.EXPIRED, _("报价过期")),
    ],
)

DEAL_WORKFLOW: Workflow[Deal] = Workflow(
    model=Deal,
    event_prefix="deals.deal",
    state_field="state",
    permission=policies.can_transition_deal,
    transitions=[
        Transition("make", frozenset({INITIAL}), D.MADE, _("成交"), after_commit=(NOTICES + "deal_made",)),
    ],
)
