"""Who hears about an auction, and what they read (after-commit hooks of the auction workflows).

- The bidder, when an administrator approves or rejects (with the reason) their registration and when
  the deposit (保证金) is marked received (they may bid from then on).
- The winner, when an administrator forfeits their deposit (they walked away from the sale), with the
  reason.
- At the close: each registered bidder — the winner that they won (the deposit is applied to the price),
  the others that they lost (the deposit is to be refunded) or, for 流拍, that nobody won; and the
  seller (the listing's filer and their organisation's administrators) the result. A cancellation tells
  the bidders and the seller with the reason.

Bidders are named by pseudonym only (竞买人 01, 02 …): nobody learns another bidder's identity. The
person who acted is not told about their own action. The text is written in the platform language.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from techmarket.accounts import selectors as account_selectors
from techmarket.accounts.types import User
from techmarket.core.workflow import Fired
from techmarket.notifications.services import notice_hook, notify_each
from techmarket.trading.choices import AuctionState, RegistrationState
from techmarket.trading.models import Auction, BidderRegistration


def _link(auction_id: int) -> str:
    return reverse("trading:auction_detail", args=[auction_id])


def _tell(users: list[User], actor: Any, auction: Auction, kind: str, title: str, body: str) -> None:
    notify_each(
        users,
        actor=actor,
        kind=kind,
        title=title,
        body=body,
        link=_link(auction.pk),
        data={"auction": auction.pk, "listing": auction.listing_id},
    )


def _names(auction: Auction, **more: Any) -> dict[str, Any]:
    return {"title": auction.listing.title, "kind": auction.get_kind_display(), **more}


@notice_hook
def registration_decided(fired: Fired[BidderRegistration]) -> None:
    """Approved, rejected (with the reason) or deposit received: the bidder."""
    registration = BidderRegistration.objects.select_related("auction__listing", "user").get(pk=fired.obj.pk)
    auction = registration.auction
    names = _names(auction, bidder=registration.pseudonym, deposit=auction.deposit, reason=fired.reason)
    if fired.transition == "approve":
        kind = "trading.auction.registration_approved"
        title = _("竞买登记已通过：%(title)s") % names
        body = (
            _(
                "您在“%(title)s”%(kind)s中的竞买登记已通过（%(bidder)s）。请缴纳保证金 %(deposit)s 万元，确认到账后即可出价。"
            )
            % names
        )
    elif fired.transition == "reject":
        kind = "trading.auction.registration_rejected"
        title = _("竞买登记未通过：%(title)s") % names
        body = _("您在“%(title)s”%(kind)s中的竞买登记未通过。\n理由：%(reason)s") % names
    else:
        kind = "trading.auction.deposit_received"
        title = _("保证金已确认到账：%(title)s") % names
        body = (
            _("您在“%(title)s”%(kind)s中的保证金 %(deposit)s 万元已确认到账，您（%(bidder)s）现在可以出价。")
            % names
        )
    _tell([registration.user], fired.actor, auction, kind, title, body)


@notice_hook
def deposit_forfeited(fired: Fired[BidderRegistration]) -> None:
    """The winner walked away: their deposit is kept (forfeited), with the reason."""
    registration = BidderRegistration.objects.select_related("auction__listing", "user").get(pk=fired.obj.pk)
    auction = registration.auction
    names = _names(auction, bidder=registration.pseudonym, deposit=auction.deposit, reason=fired.reason)
    title = _("保证金不予退还：%(title)s") % names
    body = (
        _(
            "您（%(bidder)s）竞得“%(title)s”%(kind)s后未按规则成交，保证金 %(deposit)s 万元依竞价规则不予退还。\n理由：%(reason)s"
        )
        % names
    )
    _tell([registration.user], fired.actor, auction, "trading.auction.deposit_forfeited", title, body)


def _sellers(auction: Auction) -> list[User]:
    listing = auction.listing
    return [listing.created_by, *account_selectors.org_admins(listing.owner_organisation_id)]


@notice_hook
def auction_ended(fired: Fired[Auction]) -> None:
    """Closed (sold or 流拍) or cancelled: each bidder their own result, and the seller."""
    auction = Auction.objects.select_related("listing", "listing__created_by", "winner").get(pk=fired.obj.pk)
    registrations = list(
        BidderRegistration.objects.filter(auction=auction)
        .exclude(state=RegistrationState.REJECTED)
        .select_related("user")
    )
    winner = auction.winner
    names = _names(
        auction,
        winner=winner.pseudonym if winner else "",
        price=auction.final_price,
        reason=fired.reason,
        failed=_("无人出价") if auction.result_reason == "no_bids" else _("最高出价未达到保留价"),
    )
    if auction.state == AuctionState.CANCELLED:
        title = _("竞价已取消：%(title)s") % names
        body = _("“%(title)s”%(kind)s已取消，保证金将退还。\n理由：%(reason)s") % names
        _tell([r.user for r in registrations], fired.actor, auction, "trading.auction.cancelled", title, body)
        _tell(_sellers(auction), fired.actor, auction, "trading.auction.cancelled", title, body)
        return
    if auction.state == AuctionState.SOLD:
        for registration in registrations:
            mine = _names(
                auction, bidder=registration.pseudonym, **{k: names[k] for k in ("winner", "price")}
            )
            if winner is not None and registration.pk == winner.pk:
                kind = "trading.auction.won"
                title = _("您已竞得：%(title)s") % mine
                body = (
                    _(
                        "您（%(bidder)s）以 %(price)s 万元竞得“%(title)s”。保证金抵作价款；请按规则签订合同，放弃成交的保证金不予退还。"
                    )
                    % mine
                )
            else:
                kind = "trading.auction.lost"
                title = _("竞价已结束：%(title)s") % mine
                body = (
                    _("“%(title)s”%(kind)s已结束，%(winner)s 以 %(price)s 万元竞得。您的保证金将予以退还。")
                    % mine
                )
            _tell([registration.user], fired.actor, auction, kind, title, body)
        title = _("竞价成交：%(title)s") % names
        body = _("您挂牌的“%(title)s”%(kind)s已成交：%(winner)s 以 %(price)s 万元竞得。") % names
        _tell(_sellers(auction), fired.actor, auction, "trading.auction.sold", title, body)
        return
    title = _("竞价流拍：%(title)s") % names
    body = _("“%(title)s”%(kind)s已结束，因%(failed)s流拍。保证金将予以退还。") % names
    _tell([r.user for r in registrations], fired.actor, auction, "trading.auction.failed", title, body)
    body = _("您挂牌的“%(title)s”%(kind)s因%(failed)s流拍，挂牌恢复为挂牌中。") % names
    _tell(_sellers(auction), fired.actor, auction, "trading.auction.failed", title, body)
