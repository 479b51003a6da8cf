"""The trading floor's state machines, each whole graph in one table.

Listing (挂牌): draft → submitted → approved into its public notice (公示期, N working days of the
region's calendar; a trading administrator may instead return it with a reason, after which it is
resubmitted) → open once the notice ends (the periodic job) → under negotiation (a buyer's interest) or
in auction (an administrator schedules one) → dealt, or back to open when the auction fails or the
negotiation ends; the seller may withdraw it until an auction runs, the job expires it at the end of the
listing period, and an upheld objection suspends it (not while an auction runs: no objection can be
open then, since an open one blocks the start of an auction).

Objection (异议): filed by any signed-in user during the notice; an administrator upholds it (the
listing is suspended, in the same transaction) or dismisses it, with a reason. An open objection
blocks the deal and the start of an auction (the listing policy).

Auction: created active by an administrator (the listing goes into auction); closed exactly once by the
periodic job or an administrator after its end (sold or 流拍, the listing and the deposits follow in the
same transaction), or cancelled by an administrator with a reason.

Bidder registration: a buyer applies, an administrator approves (or rejects with a reason) and marks the
deposit received (the bidder may then bid); the close settles it: applied to the price for the winner,
to be refunded for the others. If the winner of a sold auction walks away, an administrator forfeits
(keeps) the applied deposit, with a reason, by the rules shown before bidding.

Disclosure request (staged disclosure): a buyer asks for a listing's confidential detail, accepting the
current NDA version on screen; the seller, its agency or a trading administrator grants it for N days,
or refuses with a reason; a seller's auto-grant rule grants it as it arrives (the system); a grant may be
revoked; it ends by itself at ``granted_until`` (no transition: the policies read the server's clock).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from techmarket.core.workflow import INITIAL, Transition, Workflow
from techmarket.trading import policies
from techmarket.trading.choices import AuctionState as A
from techmarket.trading.choices import DisclosureState as D
from techmarket.trading.choices import ListingState as S
from techmarket.trading.choices import ObjectionState as O
from techmarket.trading.choices import RegistrationState as R
from techmarket.trading.models import Auction, BidderRegistration, DisclosureRequest, Listing, Objection

EFFECTS = "techmarket.trading.services."
NOTICES = "techmarket.trading.notices."
AUCTION_NOTICES = "techmarket.trading.auction_notices."

LISTING_WORKFLOW: Workflow[Listing] = Workflow(
    model=Listing,
    event_prefix="trading.listing",
    state_field="state",
    permission=policies.can_transition,
    description=(
        "`open` and `expire` are the system's (`actor=None`): the periodic job after the notice period and "
        "the listing period. `auction_end` follows the auction's close or cancellation (dealt when sold, "
        "open again otherwise), by whoever closed it."
    ),
    transitions=[
        Transition(
            "submit",
            frozenset({S.DRAFT, S.RETURNED}),
            S.SUBMITTED,
            _("提交审核"),
            after_commit=(NOTICES + "submitted",),
        ),
        Transition(
            "approve",
            frozenset({S.SUBMITTED}),
            S.NOTICE,
            _("审核通过并公示"),
            after_commit=(NOTICES + "approved",),
        ),
        Transition(
            "return",
            frozenset({S.SUBMITTED}),
            S.RETURNED,
            _("退回修改"),
            requires_reason=True,
            after_commit=(NOTICES + "returned",),
        ),
        Transition(
            "open",
            frozenset({S.NOTICE}),
            S.OPEN,
            _("公示期满挂牌"),
            after_commit=("techmarket.trading.signals.send_listing_opened", NOTICES + "opened"),
        ),
        Transition("start_negotiation", frozenset({S.OPEN}), S.NEGOTIATING, _("开始洽谈")),
        Transition("resume", frozenset({S.NEGOTIATING}), S.OPEN, _("恢复挂牌")),
        Transition("start_auction", frozenset({S.OPEN}), S.IN_AUCTION, _("进入竞价")),
        Transition("auction_end", frozenset({S.IN_AUCTION}), frozenset({S.DEALT, S.OPEN}), _("竞价结束")),
        Transition("deal", frozenset({S.NEGOTIATING}), S.DEALT, _("确认成交")),
        Transition(
            "withdraw",
            frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED, S.NOTICE, S.OPEN, S.NEGOTIATING}),
            S.WITHDRAWN,
            _("撤牌"),
        ),
        Transition(
            "expire",
            frozenset({S.OPEN, S.NEGOTIATING}),
            S.EXPIRED,
            _("挂牌期满"),
            after_commit=(NOTICES + "expired",),
        ),
        Transition(
            "suspend",
            frozenset({S.NOTICE, S.OPEN, S.NEGOTIATING}),
            S.SUSPENDED,
            _("中止挂牌"),
            requires_reason=True,
            after_commit=(NOTICES + "suspended",),
        ),
    ],
)

OBJECTION_WORKFLOW: Workflow[Objection] = Workflow(
    model=Objection,
    event_prefix="trading.objection",
    state_field="state",
    permission=policies.can_transition_objection,
    transitions=[
        Transition(
            "file", frozenset({INITIAL}), O.OPEN, _("提出异议"), after_commit=(NOTICES + "objection_filed",)
        ),
        Transition(
            "uphold",
            frozenset({O.OPEN}),
            O.UPHELD,
            _("异议成立"),
            requires_reason=True,
            effects=(EFFECTS + "suspend_for_objection",),
            after_commit=(NOTICES + "objection_resolved",),
        ),
        Transition(
            "dismiss",
            frozenset({O.OPEN}),
            O.DISMISSED,
            _("异议不成立"),
            requires_reason=True,
            after_commit=(NOTICES + "objection_resolved",),
        ),
    ],
)

AUCTION_WORKFLOW: Workflow[Auction] = Workflow(
    model=Auction,
    event_prefix="trading.auction",
    state_field="state",
    permission=policies.can_transition_auction,
    description=(
        "`close` is fired once per auction, by the periodic job (`actor=None`) or an administrator, after "
        "its end (extensions included); the engine's row lock and source-state check make a second close a "
        "no-op. The listing and the deposits follow in the same transaction."
    ),
    transitions=[
        Transition(
            "create",
            frozenset({INITIAL}),
            A.ACTIVE,
            _("发起竞价"),
            effects=(EFFECTS + "listing_into_auction",),
        ),
        Transition(
            "close",
            frozenset({A.ACTIVE}),
            frozenset({A.SOLD, A.FAILED}),
            _("竞价结束"),
            effects=(EFFECTS + "settle_after_close",),
            after_commit=(AUCTION_NOTICES + "auction_ended",),
        ),
        Transition(
            "cancel",
            frozenset({A.ACTIVE}),
            A.CANCELLED,
            _("取消竞价"),
            requires_reason=True,
            effects=(EFFECTS + "settle_after_close",),
            after_commit=(AUCTION_NOTICES + "auction_ended",),
        ),
    ],
)

REGISTRATION_WORKFLOW: Workflow[BidderRegistration] = Workflow(
    model=BidderRegistration,
    event_prefix="trading.bidderregistration",
    state_field="state",
    permission=policies.can_transition_registration,
    description=(
        "`settle` is part of the auction's close or cancellation, by whoever closed it: the winner's "
        "deposit is applied to the price, the others' are to be refunded. `forfeit` is a trading "
        "administrator's, with a reason, only on the winner of a sold auction who walks away: the applied "
        "deposit is kept."
    ),
    transitions=[
        Transition("apply", frozenset({INITIAL}), R.PENDING, _("竞买登记")),
        Transition(
            "approve",
            frozenset({R.PENDING}),
            R.APPROVED,
            _("登记通过"),
            after_commit=(AUCTION_NOTICES + "registration_decided",),
        ),
        Transition(
            "reject",
            frozenset({R.PENDING}),
            R.REJECTED,
            _("登记不通过"),
            requires_reason=True,
            after_commit=(AUCTION_NOTICES + "registration_decided",),
        ),
        Transition(
            "receive_deposit",
            frozenset({R.APPROVED}),
            R.QUALIFIED,
            _("确认保证金到账"),
            after_commit=(AUCTION_NOTICES + "registration_decided",),
        ),
        Transition("settle", frozenset({R.QUALIFIED}), frozenset({R.APPLIED, R.REFUND_DUE}), _("保证金结算")),
        Transition(
            "forfeit",
            frozenset({R.APPLIED}),
            R.FORFEITED,
            _("没收保证金"),
            requires_reason=True,
            after_commit=(AUCTION_NOTICES + "deposit_forfeited",),
        ),
    ],
)

DISCLOSURE_NOTICES = "techmarket.trading.disclosure_notices."

DISCLOSURE_WORKFLOW: Workflow[DisclosureRequest] = Workflow(
    model=DisclosureRequest,
    event_prefix="trading.disclosure",
    state_field="state",
    permission=policies.can_transition_disclosure,
    description=(
        "`auto_grant` is the system's (`actor=None`), fired in the request's transaction when one of the "
        "seller's rules matches the requesting organisation. A grant ends by itself when `granted_until` "
        "passes (judged by `core.clock.now`); there is no transition for it."
    ),
    transitions=[
        Transition(
            "request",
            frozenset({INITIAL}),
            D.REQUESTED,
            _("申请查看保密信息"),
            after_commit=(DISCLOSURE_NOTICES + "requested",),
        ),
        Transition(
            "grant",
            frozenset({D.REQUESTED}),
            D.GRANTED,
            _("授权查看"),
            after_commit=(DISCLOSURE_NOTICES + "decided",),
        ),
        Transition(
            "auto_grant",
            frozenset({D.REQUESTED}),
            D.GRANTED,
            _("按规则自动授权"),
            after_commit=(DISCLOSURE_NOTICES + "decided",),
        ),
        Transition(
            "refuse",
            frozenset({D.REQUESTED}),
            D.REFUSED,
            _("拒绝申请"),
            requires_reason=True,
            after_commit=(DISCLOSURE_NOTICES + "decided",),
        ),
        Transition(
            "revoke",
            frozenset({D.GRANTED}),
            D.REVOKED,
            _("撤销授权"),
            requires_reason=True,
            after_commit=(DISCLOSURE_NOTICES + "decided",),
        ),
    ],
)
