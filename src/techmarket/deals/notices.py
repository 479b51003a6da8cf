"""Who hears about negotiation and deals, and what they read (after-commit hooks of the workflows).

A new offer: the other side of the negotiation. An answer (accepted or rejected): the person who made
the offer. A deal: both sides and the listing's agency. The notices name the listing only as far as its
reader may see it (``trading.policies.shown_fields``) and link to pages only the reader may open.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from techmarket.accounts import selectors as account_selectors
from techmarket.accounts.policies import principal_of
from techmarket.accounts.types import User
from techmarket.core.workflow import Fired
from techmarket.deals import policies
from techmarket.deals.choices import Side
from techmarket.deals.models import Deal, Negotiation, Offer
from techmarket.deals.selectors import seller_people
from techmarket.notifications.services import notice_hook, notify_each


def buyer_people(negotiation: Negotiation) -> list[User]:
    """The buyer side: whoever opened the negotiation or made an offer in it, and its organisation's
    administrators (while they are buyers of the listing)."""
    people = {user.pk: user for user in account_selectors.org_admins(negotiation.buyer_organisation_id)}
    people.setdefault(negotiation.opened_by.pk, negotiation.opened_by)
    for offer in Offer.objects.filter(negotiation=negotiation).select_related("made_by"):
        people.setdefault(offer.made_by.pk, offer.made_by)
    return list(people.values())


def _side_people(negotiation: Negotiation, side: str) -> list[User]:
    people = buyer_people(negotiation) if side == Side.BUYER else seller_people(negotiation.listing)
    return [user for user in people if policies.side_of(principal_of(user), negotiation) == side]


def _title(negotiation: Negotiation) -> str:
    return str(_("挂牌项目 %(id)s") % {"id": negotiation.listing_id})


@notice_hook
def offer_made(fired: Fired[Offer]) -> None:
    offer = fired.obj
    negotiation = offer.negotiation
    other = Side.SELLER if offer.side == Side.BUYER else Side.BUYER
    notify_each(
        _side_people(negotiation, other),
        actor=fired.actor,
        kind="deals.offer",
        title=_("洽谈有新报价：%(title)s") % {"title": _title(negotiation)},
        body=_("对方报价 %(amount)s 万元，有效期至 %(until)s。")
        % {"amount": offer.amount, "until": offer.expires_at.strftime("%Y-%m-%d %H:%M")},
        link=reverse("deals:negotiation", args=[negotiation.pk]),
        data={"negotiation": negotiation.pk, "offer": offer.pk},
    )


@notice_hook
def offer_answered(fired: Fired[Offer]) -> None:
    offer = fired.obj
    negotiation = offer.negotiation
    verb = _("接受") if fired.transition == "accept" else _("拒绝")
    notify_each(
        [offer.made_by],
        actor=fired.actor,
        may_see=lambda user: policies.can_view_negotiation(principal_of(user), negotiation),
        kind="deals.offer_answered",
        title=_("您的报价已被%(verb)s：%(title)s") % {"verb": verb, "title": _title(negotiation)},
        body=_("您 %(amount)s 万元的报价已被对方%(verb)s。") % {"amount": offer.amount, "verb": verb},
        link=reverse("deals:negotiation", args=[negotiation.pk]),
        data={"negotiation": negotiation.pk, "offer": offer.pk, "state": str(fired.to_state)},
    )


@notice_hook
def deal_made(deal: Deal, actor: Any) -> None:
    """After the commit that made the deal: both sides and the listing's agency."""
    people = [
        *seller_people(deal.listing),
        *account_selectors.org_admins(deal.buyer_organisation_id),
        *account_selectors.org_admins(deal.broker_organisation_id),
        *[
            user
            for user in account_selectors.brokers()
            if user.organisation_id == deal.broker_organisation_id
        ],
    ]
    if deal.negotiation is not None:
        people += buyer_people(deal.negotiation)
    elif deal.auction is not None and deal.auction.winner is not None:
        people.append(deal.auction.winner.user)
    notify_each(
        people,
        actor=actor,
        may_see=lambda user: policies.can_view_deal(principal_of(user), deal),
        kind="deals.deal",
        title=_("已成交：%(number)s") % {"number": deal.number},
        body=_("挂牌项目 %(id)s 已成交，成交价 %(price)s 万元。技术合同草稿与交易鉴证书见成交页面。")
        % {"id": deal.listing_id, "price": deal.price},
        link=reverse("deals:deal", args=[deal.pk]),
        data={"deal": deal.pk},
    )
