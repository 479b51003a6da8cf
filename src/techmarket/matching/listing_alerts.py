"""新挂牌匹配提醒: when a listing opens on the trading floor (``trading.signals.listing_opened``, sent after
the commit that opened it), the enterprises whose open demands match its achievement are told (ADR 0011).

A saved interest is a published demand with its switch on (``ListingAlert``; on by default). Each of
its enterprise's users (the filer and the organisation's administrators) gets one notice per listing —
in their ``listing`` notice group's channels — and only if they may open the achievement: a 受限
achievement is never announced to someone outside its audience. The notice names the achievement (which
the recipient may see) and links the listing; it states no price or other listing field.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from techmarket.accounts import selectors as account_selectors
from techmarket.accounts.policies import principal_of
from techmarket.demands.types import Demand
from techmarket.matching import policies, selectors
from techmarket.notifications.services import notice_hook, notify_each
from techmarket.trading import signals as trading_signals
from techmarket.trading.market import listing_url
from techmarket.trading.types import Listing

KIND = "matching.listing_match"


def _enterprise(demand: Demand) -> list[Any]:
    return [demand.created_by, *account_selectors.org_admins(demand.owner_organisation_id)]


def announce_listing(listing: Listing) -> list[Any]:
    """Tell the enterprises whose open demands match the newly opened listing; returns who was told."""
    achievement = listing.achievement
    link = listing_url(listing.pk) or reverse("achievements:detail", args=[achievement.pk])
    told: list[Any] = []
    seen: set[int] = set()
    for demand, level in selectors.demands_for_new_listing(achievement):
        users = [user for user in _enterprise(demand) if user.pk not in seen]
        sent = notify_each(
            users,
            may_see=lambda user: policies.may_be_told_of_listing(principal_of(user), achievement),
            kind=KIND,
            title=_("新挂牌成果与您的需求匹配：%(name)s") % {"name": achievement.name},
            body=_(
                "您发布的技术需求“%(demand)s”与新挂牌的科技成果“%(name)s”匹配（匹配度 %(level)d）。"
                "可在需求页面关闭“新挂牌匹配提醒”。"
            )
            % {"demand": demand.title, "name": achievement.name, "level": level},
            link=link,
            data={"listing": listing.pk, "achievement": achievement.pk, "demand": demand.pk, "level": level},
        )
        seen.update(user.pk for user in sent)
        told.extend(sent)
    return told


@notice_hook
def on_listing_opened(sender: Any, listing: Listing, **kwargs: Any) -> None:
    """Receiver of ``trading.signals.listing_opened`` (connected in ``MatchingConfig.ready``)."""
    announce_listing(listing)


def connect() -> None:
    trading_signals.listing_opened.connect(on_listing_opened, dispatch_uid="matching.listing_alerts")
