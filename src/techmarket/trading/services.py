"""Writes for the trading floor. Every change goes through here, inside one transaction, with a policy
check and an audit event; states only through the workflows of :mod:`.workflow`.

Bids (:func:`place_bid`) are decided by :mod:`.auction_rules` with the server's clock alone
(:func:`core.clock.now`), under the auction's row lock (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
serialises writers), and every attempt — rejected ones with their reason — is appended to the hash-chained
bid log in the same transaction that moves the price (ADR 0010).
"""

from __future__ import annotations

import copy
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.policies import principal_of
from techmarket.accounts.types import Organisation, User
from techmarket.achievements import selectors as achievement_selectors
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.types import Achievement
from techmarket.core import calendar, clock
from techmarket.core.audit import record_event
from techmarket.core.errors import DomainError, InvalidTransition, NotPermitted
from techmarket.core.models import Region
from techmarket.core.workflow import Fired
from techmarket.trading import auction_rules as rules
from techmarket.trading import bid_batches, policies, selectors, signals
from techmarket.trading.choices import (
    AUCTION_PRICING,
    AuctionKind,
    AuctionState,
    AuthorisationScope,
    BidOutcome,
    LicenseKind,
    ListingMode,
    ListingState,
    Pricing,
    PublicField,
    RegistrationState,
)
from techmarket.trading.ledger import book_of, entry_content, params_of
from techmarket.trading.models import (
    MAX_NOTICE_WORKING_DAYS,
    Auction,
    BidderRegistration,
    BidLogEntry,
    Listing,
    ListingAuthorisation,
    Objection,
    TradingPolicy,
)
from techmarket.trading.workflow import (
    AUCTION_WORKFLOW,
    LISTING_WORKFLOW,
    OBJECTION_WORKFLOW,
    REGISTRATION_WORKFLOW,
)

LISTING_FIELDS = (
    "title",
    "mode",
    "license_kind",
    "license_territory",
    "license_term_months",
    "pricing",
    "price",
    "listing_days",
    "public_summary",
    "confidential_detail",
    "public_fields",
)
MAX_AMOUNT = Decimal("999999999999.99")
KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def _invalid(fields: dict[str, list[Any]]) -> DomainError:
    return DomainError("invalid", _("填写有误，请检查标出的字段。"), fields=fields)


def parse_money(
    value: Any, *, field_name: str, required: bool = True, positive: bool = True
) -> Decimal | None:
    """An amount in 万元 with at most two decimals; a clear error for anything else."""
    if value in (None, ""):
        if required:
            raise _invalid({field_name: [_("请填写金额。")]})
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise _invalid({field_name: [_("金额格式不正确。")]}) from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2 or amount > MAX_AMOUNT:  # type: ignore[operator]
        raise _invalid({field_name: [_("金额格式不正确：最多两位小数。")]})
    if amount < 0 or (positive and amount == 0):
        raise _invalid({field_name: [_("金额须大于零。")]})
    return amount.quantize(rules.CENT)


# --- notice-period policy and agency authorisations --------------------------------------------------


def notice_policy_set(*, actor: User, region: Region, working_days: int) -> TradingPolicy:
    """Set a region's notice period in working days (listings approved later take it); audited."""
    if not policies.can_set_notice_period(principal_of(actor)):
        raise NotPermitted()
    if not 1 <= working_days <= MAX_NOTICE_WORKING_DAYS:
        raise _invalid(
            {
                "notice_working_days": [
                    _("公示期须在1至%(max)d个工作日之间。") % {"max": MAX_NOTICE_WORKING_DAYS}
                ]
            }
        )
    with transaction.atomic():
        policy = TradingPolicy.objects.select_for_update().filter(region=region).first()
        before = policy.notice_working_days if policy else None
        policy = policy or TradingPolicy(region=region)
        policy.notice_working_days, policy.updated_by = working_days, actor
        policy.save()
        record_event(
            actor=actor,
            action="trading.tradingpolicy.set",
            target=policy,
            data={"region": region.code, "before": before, "notice_working_days": working_days},
        )
    return policy


def authorisation_grant(
    *,
    actor: User,
    achievement: Achievement,
    agency: Organisation,
    scope: str,
    ends_on: datetime.date,
) -> ListingAuthorisation:
    """The owner organisation's administrator authorises a transfer agency to list the achievement."""
    if not policies.can_authorise(principal_of(actor), achievement.owner_organisation_id):
        raise NotPermitted()
    errors: dict[str, list[Any]] = {}
    if scope not in AuthorisationScope.values:
        errors["scope"] = [_("授权范围无效。")]
    if ends_on < timezone.localdate():
        errors["ends_on"] = [_("授权截止日期不能早于今天。")]
    if agency.pk == achievement.owner_organisation_id:
        errors["agency"] = [_("不能授权本单位。")]
    if errors:
        raise _invalid(errors)
    with transaction.atomic():
        authorisation = ListingAuthorisation.objects.create(
            achievement=achievement,
            owner_organisation_id=achievement.owner_organisation_id,
            agency=agency,
            scope=scope,
            ends_on=ends_on,
            granted_by=actor,
        )
        record_event(
            actor=actor,
            action="trading.listingauthorisation.grant",
            target=authorisation,
            data={
                "achievement": achievement.pk,
                "agency": agency.pk,
                "scope": scope,
                "ends_on": str(ends_on),
            },
        )
    return authorisation


def authorisation_revoke(*, actor: User, authorisation: ListingAuthorisation, reason: str = "") -> None:
    """End an authorisation early: the agency no longer acts for the owner's listings."""
    if not policies.can_authorise(principal_of(actor), authorisation.owner_organisation_id):
        raise NotPermitted()
    with transaction.atomic():
        locked = ListingAuthorisation.objects.select_for_update().get(pk=authorisation.pk)
        if locked.revoked_at is not None:
            return
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at", "updated_at"])
        record_event(actor=actor, action="trading.listingauthorisation.revoke", target=locked, reason=reason)


# --- listings -----------------------------------------------------------------------------------------


def _clean_listing(data: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise a listing form; DomainError with field errors."""
    errors: dict[str, list[Any]] = {}
    clean = {name: data.get(name) for name in LISTING_FIELDS if name in data}
    if clean.get("mode") not in ListingMode.values:
        errors["mode"] = [_("请选择交易方式。")]
    if clean.get("pricing") not in Pricing.values:
        errors["pricing"] = [_("请选择定价方式。")]
    if clean.get("mode") == ListingMode.LICENSE:
        if clean.get("license_kind") not in LicenseKind.values:
            errors["license_kind"] = [_("许可须注明独占、排他或普通许可。")]
    else:
        clean.update(license_kind="", license_territory="", license_term_months=None)
    try:
        clean["price"] = parse_money(
            clean.get("price"), field_name="price", required=clean.get("pricing") == Pricing.FIXED
        )
    except DomainError as error:
        errors.update(error.fields)
    if not str(clean.get("public_summary") or "").strip():
        errors["public_summary"] = [_("请填写公开摘要。")]
    public_fields = list(clean.get("public_fields") or [])
    if set(public_fields) - set(PublicField.values):
        errors["public_fields"] = [_("公开字段无效。")]
    clean["public_fields"] = [name for name in PublicField.values if name in public_fields]
    days = clean.get("listing_days") or 90
    if not 1 <= int(days) <= 730:
        errors["listing_days"] = [_("挂牌期须在1至730天之间。")]
    clean["listing_days"] = int(days)
    if errors:
        raise _invalid(errors)
    clean["license_territory"] = clean.get("license_territory") or ""
    clean["confidential_detail"] = clean.get("confidential_detail") or ""
    return clean


def listing_create(
    *,
    actor: User,
    achievement: Achievement,
    data: dict[str, Any],
    authorisation: ListingAuthorisation | None = None,
) -> Listing:
    """挂牌 a published achievement: by its owner organisation, or by the agency it authorised."""
    principal = principal_of(actor)
    if authorisation is not None:
        authorisation = ListingAuthorisation.objects.get(pk=authorisation.pk)  # as it stands now
        if authorisation.achievement_id != achievement.pk:
            raise NotPermitted()
        acting_as_agent = (
            principal.organisation_id == authorisation.agency_id
            and bool(policies.AGENT_ROLES & principal.roles)
            and authorisation.revoked_at is None
            and authorisation.ends_on >= timezone.localdate()
        )
        if not acting_as_agent:
            raise NotPermitted(_("授权已失效或不属于本机构。"))
    else:
        visible = achievement_selectors.achievement_get(principal, achievement.pk)
        if principal.organisation_id != visible.owner_organisation_id or not (
            policies.SELLER_ROLES & principal.roles
        ):
            raise NotPermitted()
    if achievement.state != AchievementState.PUBLISHED:
        raise DomainError("not_published", _("只有已发布的科技成果可以挂牌。"))
    clean = _clean_listing({"title": achievement.name, **data})
    with transaction.atomic():
        listing = Listing.objects.create(
            achievement=achievement,
            owner_organisation_id=achievement.owner_organisation_id,
            authorisation=authorisation,
            region_id=achievement.region_id,
            created_by=actor,
            **clean,
        )
        record_event(actor=actor, action="trading.listing.create", target=listing)
    return listing


def listing_update(*, actor: User, listing: Listing, data: dict[str, Any]) -> Listing:
    """Change a draft or returned listing."""
    if not policies.can_edit(principal_of(actor), listing):
        raise NotPermitted()
    current = {name: getattr(listing, name) for name in LISTING_FIELDS}
    clean = _clean_listing({**current, **data})
    with transaction.atomic():
        locked = Listing.objects.select_for_update().get(pk=listing.pk)
        for name, value in clean.items():
            setattr(locked, name, value)
        locked.save()
        record_event(
            actor=actor, action="trading.listing.update", target=locked, data={"fields": sorted(data)}
        )
    return locked


def notice_end(start: datetime.datetime, region: Region) -> datetime.datetime:
    """The end of a notice period starting at ``start``: midnight after the N-th working day after it."""
    local = timezone.localtime(start).date()
    last = calendar.add_working_days(local, selectors.notice_days_for(region), region)
    midnight = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(midnight)


def listing_submit(*, actor: User, listing: Listing) -> Listing:
    """Put a draft (or a returned listing, after changes) before the trading administrators."""
    return LISTING_WORKFLOW.fire(listing, "submit", actor=actor, changes={"submitted_at": clock.now()})


def listing_approve(*, actor: User, listing: Listing, reason: str = "") -> Listing:
    """Approve: the public notice (公示期) starts now and ends after the region's N working days."""
    now = clock.now()
    return LISTING_WORKFLOW.fire(
        listing,
        "approve",
        actor=actor,
        reason=reason,
        changes={"notice_starts_at": now, "notice_ends_at": notice_end(now, listing.region)},
    )


def listing_return(*, actor: User, listing: Listing, reason: str) -> Listing:
    """Send the listing back to its seller with the reason."""
    return LISTING_WORKFLOW.fire(listing, "return", actor=actor, reason=reason)


def listing_withdraw(*, actor: User, listing: Listing, reason: str = "") -> Listing:
    """撤牌 by the seller or its agency (not while an auction runs)."""
    return LISTING_WORKFLOW.fire(
        listing, "withdraw", actor=actor, reason=reason, changes={"closed_at": clock.now()}
    )


def listing_suspend(*, actor: User, listing: Listing, reason: str) -> Listing:
    """An administrator suspends the listing (an upheld objection does it through its effect)."""
    return LISTING_WORKFLOW.fire(listing, "suspend", actor=actor, reason=reason)


def listing_start_negotiation(*, actor: User, listing: Listing) -> Listing:
    """A buyer's interest puts a fixed-price or negotiable listing under negotiation."""
    return LISTING_WORKFLOW.fire(listing, "start_negotiation", actor=actor)


def listing_resume(*, actor: User, listing: Listing, reason: str = "") -> Listing:
    """The negotiation ended without a deal: the listing is open again."""
    return LISTING_WORKFLOW.fire(listing, "resume", actor=actor, reason=reason)


def _refuse_open_objection(listing: Listing) -> None:
    if policies.has_open_objection(listing):
        raise DomainError("objection_open", _("该挂牌项目有未处理的异议，处理完毕前不能成交或竞价。"))


def listing_deal(*, actor: User, listing: Listing, reason: str = "") -> Listing:
    """An administrator records the deal of a negotiated listing (blocked by an open objection)."""
    _refuse_open_objection(listing)
    return LISTING_WORKFLOW.fire(
        listing, "deal", actor=actor, reason=reason, changes={"closed_at": clock.now()}
    )


def listing_open(
    *, listing_id: int, actor: Any = None, now: datetime.datetime | None = None
) -> Listing | None:
    """The periodic job opens a listing whose notice has ended (quietly nothing when already past it)."""
    now = now or clock.now()
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing_id)
        if actor is None and listing.state != ListingState.NOTICE:
            return None
        if actor is None and (listing.notice_ends_at is None or listing.notice_ends_at > now):
            raise DomainError("not_due", _("公示期尚未结束。"))
        return LISTING_WORKFLOW.fire(
            listing,
            "open",
            actor=actor,
            changes={"opened_at": now, "open_until": now + datetime.timedelta(days=listing.listing_days)},
        )


def listing_expire(
    *, listing_id: int, actor: Any = None, now: datetime.datetime | None = None
) -> Listing | None:
    """The periodic job ends a listing whose listing period has passed."""
    now = now or clock.now()
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing_id)
        if actor is None and listing.state not in (ListingState.OPEN, ListingState.NEGOTIATING):
            return None
        if actor is None and (listing.open_until is None or listing.open_until > now):
            raise DomainError("not_due", _("挂牌期尚未结束。"))
        return LISTING_WORKFLOW.fire(listing, "expire", actor=actor, changes={"closed_at": now})


def listing_transition(*, actor: User, listing: Listing, name: str, reason: str = "") -> Listing:
    """Dispatch a person's transition by name (pages and the API expose them uniformly)."""
    handlers = {
        "submit": lambda: listing_submit(actor=actor, listing=listing),
        "approve": lambda: listing_approve(actor=actor, listing=listing, reason=reason),
        "return": lambda: listing_return(actor=actor, listing=listing, reason=reason),
        "withdraw": lambda: listing_withdraw(actor=actor, listing=listing, reason=reason),
        "suspend": lambda: listing_suspend(actor=actor, listing=listing, reason=reason),
        "start_negotiation": lambda: listing_start_negotiation(actor=actor, listing=listing),
        "resume": lambda: listing_resume(actor=actor, listing=listing, reason=reason),
        "deal": lambda: listing_deal(actor=actor, listing=listing, reason=reason),
    }
    if name not in handlers:
        LISTING_WORKFLOW.get(name)  # unknown names raise InvalidTransition
        raise NotPermitted()
    return handlers[name]()


# --- objections ---------------------------------------------------------------------------------------


def objection_file(*, actor: User, listing: Listing, reason: str, evidence: str) -> Objection:
    """异议 during the notice period: a reason and the evidence, by any signed-in user."""
    errors: dict[str, list[Any]] = {}
    if not (reason or "").strip():
        errors["reason"] = [_("请填写异议理由。")]
    if not (evidence or "").strip():
        errors["evidence"] = [_("请说明证据。")]
    if errors:
        raise _invalid(errors)
    with transaction.atomic():
        locked = Listing.objects.select_for_update().get(pk=listing.pk)
        if locked.state != ListingState.NOTICE:
            raise InvalidTransition(_("只能在公示期内提出异议。"))
        objection = Objection(
            listing=locked, filed_by=actor, reason=reason.strip(), evidence=evidence.strip()
        )
        return OBJECTION_WORKFLOW.start(objection, "file", actor=actor, reason=reason.strip())


def objection_uphold(*, actor: User, objection: Objection, reason: str) -> Objection:
    """异议成立: the listing is suspended in the same transaction."""
    return OBJECTION_WORKFLOW.fire(
        objection, "uphold", actor=actor, reason=reason, changes={"resolved_at": clock.now()}
    )


def objection_dismiss(*, actor: User, objection: Objection, reason: str) -> Objection:
    """异议不成立: the listing continues."""
    return OBJECTION_WORKFLOW.fire(
        objection, "dismiss", actor=actor, reason=reason, changes={"resolved_at": clock.now()}
    )


def suspend_for_objection(fired: Fired[Objection]) -> None:
    """Effect of ``uphold``: suspend the listing (if it is still in a state that can be suspended)."""
    listing = Listing.objects.get(pk=fired.obj.listing_id)
    if listing.state in LISTING_WORKFLOW.get("suspend").sources:
        LISTING_WORKFLOW.fire(
            listing, "suspend", actor=fired.actor, reason=fired.reason, data={"objection": fired.obj.pk}
        )


# --- auctions -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuctionTerms:
    """What an administrator fixes when scheduling an auction (shown to bidders before they register)."""

    kind: str
    start_price: Any
    increment: Any
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    reserve_price: Any = None
    deposit: Any = 0
    extension_minutes: int = 5
    extra: dict[str, Any] = field(default_factory=dict)


def auction_create(*, actor: User, listing: Listing, terms: AuctionTerms) -> Auction:
    """Schedule an English auction or a sealed bid on an open listing; the listing goes into auction."""
    if not policies.can_manage_auctions(principal_of(actor)):
        raise NotPermitted()
    _refuse_open_objection(listing)
    errors: dict[str, list[Any]] = {}
    if terms.kind not in AuctionKind.values:
        errors["kind"] = [_("请选择竞价方式。")]
    amounts: dict[str, Decimal | None] = {}
    for name, value, required in (
        ("start_price", terms.start_price, True),
        ("increment", terms.increment, terms.kind == AuctionKind.ENGLISH),
        ("reserve_price", terms.reserve_price, False),
        ("deposit", terms.deposit, False),
    ):
        try:
            amounts[name] = parse_money(value, field_name=name, required=required, positive=name != "deposit")
        except DomainError as error:
            errors.update(error.fields)
    if terms.ends_at <= terms.starts_at:
        errors["ends_at"] = [_("结束时间须晚于开始时间。")]
    if not 0 <= terms.extension_minutes <= 120:
        errors["extension_minutes"] = [_("延时周期须在0至120分钟之间。")]
    if errors:
        raise _invalid(errors)
    kind_map = {Pricing.AUCTION: AuctionKind.ENGLISH, Pricing.SEALED: AuctionKind.SEALED}
    if listing.pricing in AUCTION_PRICING and kind_map[Pricing(listing.pricing)] != terms.kind:
        raise _invalid({"kind": [_("竞价方式须与挂牌的定价方式一致。")]})
    auction = Auction(
        listing=listing,
        kind=terms.kind,
        start_price=amounts["start_price"] or Decimal("0.00"),
        increment=amounts["increment"] or Decimal("0.00"),
        reserve_price=amounts["reserve_price"],
        deposit=amounts["deposit"] or Decimal("0.00"),
        starts_at=terms.starts_at,
        scheduled_end=terms.ends_at,
        ends_at=terms.ends_at,
        extension_minutes=terms.extension_minutes if terms.kind == AuctionKind.ENGLISH else 0,
        created_by=actor,
    )
    return AUCTION_WORKFLOW.start(auction, "create", actor=actor)


def listing_into_auction(fired: Fired[Auction]) -> None:
    """Effect of the auction's ``create``: the listing goes into auction (refused unless it is open)."""
    listing = Listing.objects.get(pk=fired.obj.listing_id)
    LISTING_WORKFLOW.fire(listing, "start_auction", actor=fired.actor, data={"auction": fired.obj.pk})


def registration_apply(
    *, actor: User, auction: Auction, rules_accepted: bool | None = None
) -> BidderRegistration:
    """竞买登记: a buyer registers; numbers (竞买人 01, 02 …) are given in order under the auction's lock.

    Pages and the API pass ``rules_accepted`` (the bidder ticked "I have read the rules": deposit,
    anti-sniping, hidden reserve, sealed-bid ties); ``False`` refuses the registration.
    """
    if rules_accepted is False:
        message = _("请先阅读并确认竞价规则。")
        raise DomainError("rules_not_accepted", message, fields={"accept_rules": [message]})
    principal = principal_of(actor)
    with transaction.atomic():
        locked = Auction.objects.select_for_update().get(pk=auction.pk)
        if BidderRegistration.objects.filter(auction=locked, user_id=principal.user_id or 0).exists():
            raise DomainError("already_registered", _("您已登记参加本场竞价。"))
        last = BidderRegistration.objects.filter(auction=locked).order_by("-number").first()
        registration = BidderRegistration(
            auction=locked,
            user=actor if principal.is_authenticated else None,
            organisation_id=principal.organisation_id or 0,
            number=(last.number if last else 0) + 1,
        )
        return REGISTRATION_WORKFLOW.start(
            registration, "apply", actor=actor, data={"rules_accepted": bool(rules_accepted)}
        )


def registration_transition(
    *, actor: User, registration: BidderRegistration, name: str, reason: str = ""
) -> BidderRegistration:
    """Dispatch an administrator's decision on a registration by name (pages and the API)."""
    handlers = {
        "approve": lambda: registration_approve(actor=actor, registration=registration),
        "reject": lambda: registration_reject(actor=actor, registration=registration, reason=reason),
        "receive_deposit": lambda: deposit_receive(actor=actor, registration=registration),
    }
    if name not in handlers:
        REGISTRATION_WORKFLOW.get(name)  # unknown names raise InvalidTransition
        raise NotPermitted()
    return handlers[name]()


def registration_approve(*, actor: User, registration: BidderRegistration) -> BidderRegistration:
    """An administrator admits the bidder (who must still pay the deposit)."""
    return REGISTRATION_WORKFLOW.fire(registration, "approve", actor=actor)


def registration_reject(*, actor: User, registration: BidderRegistration, reason: str) -> BidderRegistration:
    """An administrator refuses the registration, with the reason."""
    return REGISTRATION_WORKFLOW.fire(registration, "reject", actor=actor, reason=reason)


def deposit_receive(*, actor: User, registration: BidderRegistration) -> BidderRegistration:
    """An administrator marks the deposit (保证金) received: the bidder may bid from now on."""
    return REGISTRATION_WORKFLOW.fire(
        registration, "receive_deposit", actor=actor, changes={"deposit_received_at": clock.now()}
    )


def deposit_settle(*, actor: Any, registration: BidderRegistration, applied: bool) -> BidderRegistration:
    """After the close: the winner's deposit is applied to the price, the others' are to be refunded."""
    return REGISTRATION_WORKFLOW.fire(
        registration,
        "settle",
        actor=actor,
        to=RegistrationState.APPLIED if applied else RegistrationState.REFUND_DUE,
    )


REJECTION_MESSAGES: dict[str, Any] = {
    rules.NOT_STARTED: _("竞价尚未开始，出价无效。"),
    rules.CLOSED: _("竞价已结束，出价无效。"),
    rules.NOT_QUALIFIED: _("保证金尚未确认到账，暂不能出价。"),
    rules.BELOW_START: _("出价不得低于起拍价 %(minimum)s 万元。"),
    rules.BELOW_INCREMENT: _("出价须不低于当前价加一个加价幅度，即 %(minimum)s 万元。"),
    rules.ALREADY_LEADING: _("您已是当前最高出价人，无需再次出价。"),
    rules.ALREADY_BID: _("一次报价每位竞买人只能出价一次，您已出过价。"),
}


class BidRejected(DomainError):
    """A bid the rules refused: it is in the log with its reason; the auction did not change."""

    status = 409

    def __init__(self, entry: BidLogEntry, minimum: Decimal | None = None) -> None:
        message = REJECTION_MESSAGES[entry.reason]
        if entry.reason in (rules.BELOW_START, rules.BELOW_INCREMENT):
            message = message % {"minimum": rules.money(minimum)}
        super().__init__(entry.reason, message, fields={"amount": [message]})
        self.entry = entry


def parse_bid_amount(value: Any) -> Decimal:
    """A bid amount in 万元: a positive number with at most two decimals, else a clear error."""
    message = _("出价金额格式不正确：请填写大于零、最多两位小数的金额（万元）。")
    try:
        amount = parse_money(value, field_name="amount")
    except DomainError:
        amount = None
    if amount is None:
        raise DomainError("malformed_amount", message, fields={"amount": [message]})
    return amount


UNDECIDED_MESSAGE = _("出价仍在处理中，暂无结果：请用同一幂等键重新提交，同一出价不会重复计入。")


def place_bid(*, actor: User, auction: Auction, amount: Any, idempotency_key: str) -> BidLogEntry:
    """Bid ``amount`` on ``auction``; the server's clock alone decides whether it is in time.

    Under the auction's row lock: the bidder's earlier attempt with the same idempotency key is returned
    as it was (a retried submission counts once); otherwise the rules decide, the attempt is appended to
    the log (accepted or rejected, with the reason) and an accepted bid moves the price and, in the last
    minutes, the end. A rejected bid raises :class:`BidRejected` after its log entry is committed; a
    malformed amount or key raises before anything is written.

    On PostgreSQL, called outside any transaction (as pages, the API and the benchmark call it), the bid
    joins this process's queue for the auction and is decided together with the bids queued with it, in
    one transaction and one lock cycle (group commit: :mod:`.bid_batches`, :func:`_bid_batch`, ADR 0012);
    elsewhere (SQLite, or inside a caller's transaction) the same decision is made alone with plain ORM
    statements (:func:`_bid`).
    """
    value = parse_bid_amount(amount)
    key = (idempotency_key or "").strip()
    if not KEY_PATTERN.match(key):
        raise DomainError("invalid_key", _("请求缺少有效的幂等键（Idempotency-Key）。"))
    principal = principal_of(actor)
    entry: BidLogEntry
    minimum: Decimal | None
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        try:
            entry, minimum = bid_batches.submit(
                auction.pk, BidRequest(principal, auction.pk, value, key), _bid_batch
            )
        except bid_batches.FallBack:  # the batch failed as a whole, or it was never taken: decide alone
            entry, minimum = _bid(principal, auction.pk, value, key)
        except bid_batches.Undecided as undecided:
            raise DomainError("bid_undecided", UNDECIDED_MESSAGE) from undecided
    else:
        entry, minimum = _bid(principal, auction.pk, value, key)
    if entry.outcome != BidOutcome.ACCEPTED:
        raise BidRejected(entry, minimum)
    return entry


def _refuse_other_amount(earlier: Decimal | None, value: Decimal) -> None:
    if earlier != value:
        raise DomainError("idempotency_conflict", _("同一幂等键已用于另一金额的出价。"))


def _earlier_attempt(entry: BidLogEntry, value: Decimal) -> tuple[BidLogEntry, Decimal | None]:
    """A retry: the first attempt with the key, as it was (refused when the amount differs)."""
    _refuse_other_amount(entry.amount, value)
    return entry, None


def _bid(principal: Any, auction_id: int, value: Decimal, key: str) -> tuple[BidLogEntry, Decimal | None]:
    """The portable path: registration, lock, the bidder's state and earlier attempt, append, move."""
    registration = (
        BidderRegistration.objects.filter(auction_id=auction_id, user_id=principal.user_id or 0)
        .only("id", "auction_id", "user_id", "number")
        .first()
    )
    if registration is None or not policies.can_bid(principal, registration):
        raise NotPermitted(_("您尚未登记为本场竞价的竞买人。"))
    with transaction.atomic():
        locked = Auction.objects.select_for_update().get(pk=auction_id)
        state, earlier = _bidder_now(locked.pk, registration.pk, key)
        if earlier is not None:
            return _earlier_attempt(BidLogEntry.objects.get(pk=earlier), value)
        now = clock.now()
        _refuse_cancelled(locked, now)
        entry, moved, minimum = _decide(
            locked, registration, state == RegistrationState.QUALIFIED, value, now, key
        )
        entry.save(force_insert=True)
        Auction.objects.filter(pk=locked.pk).update(**moved)
    return entry, minimum


@dataclass(frozen=True)
class BidRequest:
    """One call of :func:`place_bid` queued for the auction's next batch (PostgreSQL hot path)."""

    principal: Any
    auction_id: int
    value: Decimal
    key: str


def _bid_batch(requests: list[BidRequest]) -> list[bid_batches.Answer]:
    """Decide a queue of bids on one auction in one transaction (the combiner's leader calls this on its
    own connection); one answer per request, in order. Should the transaction fail as a whole — another
    process logged a retry with the same key first (unique key), or the connection failed — nothing of
    it is stored and every request falls back to the per-request path (:func:`_bid`), where a retry is
    answered with its first attempt."""
    try:
        return _bid_batch_postgresql(requests)
    except DatabaseError:
        return [bid_batches.FALLBACK] * len(requests)


def _bid_batch_postgresql(requests: list[BidRequest]) -> list[bid_batches.Answer]:
    """The hot path on PostgreSQL (docs/benchmarks.md, "Auctions"; ADR 0012): one statement takes the
    auction's row lock and reads, for every queued request, the bidder's registration (its state: the
    deposit) and any earlier attempt with the key; the rules decide the requests in queue order, each
    with the server's clock at its decision and its hash chained to the previous entry; one message
    appends all entries (one multi-row ``INSERT``), moves the auction (one ``UPDATE``) and commits.
    The lock is thus held for a single client round trip whatever the batch's size.

    Per request, as :func:`_bid` answers one: not registered → :class:`NotPermitted`; a retry of a
    logged attempt → that entry (a different amount → ``idempotency_conflict``), also when both
    attempts are in this batch; a cancelled auction → ``closed``. Such answers write nothing; the
    others' entries are written as usual. Registration states and earlier attempts are read in the
    locking statement's snapshot, i.e. as they stood when the batch reached the server.
    """
    auction_id = requests[0].auction_id
    answers: list[bid_batches.Answer | None] = [None] * len(requests)
    retries: dict[int, int] = {}  # request index → id of the attempt logged before this batch
    logged: dict[tuple[int, str], BidLogEntry] = {}  # (registration, key) → entry decided in this batch
    decided: list[tuple[int, BidLogEntry, Decimal | None]] = []
    with transaction.atomic():
        found = _lock_with_bidders(auction_id, [(r.principal.user_id or 0, r.key) for r in requests])
        if found is None:
            return [bid_batches.Answer(error=Auction.DoesNotExist()) for _ in requests]
        locked, bidders = found
        columns: set[str] = set()
        for index, (request, bidder) in enumerate(zip(requests, bidders, strict=True)):
            registration, state, earlier, earlier_amount = bidder
            try:
                if registration is None or not policies.can_bid(request.principal, registration):
                    raise NotPermitted(_("您尚未登记为本场竞价的竞买人。"))
                if earlier is not None:
                    _refuse_other_amount(earlier_amount, request.value)
                    retries[index] = earlier
                    continue
                first = logged.get((registration.pk, request.key))
                if first is not None:
                    answers[index] = bid_batches.Answer(value=_earlier_attempt(first, request.value))
                    continue
                now = clock.now()
                _refuse_cancelled(locked, now)
            except DomainError as error:
                answers[index] = bid_batches.Answer(error=error)
                continue
            entry, moved, minimum = _decide(
                locked, registration, state == RegistrationState.QUALIFIED, request.value, now, request.key
            )
            entry.auction = copy.copy(locked)  # the auction as this entry left it
            columns.update(moved)
            logged[(registration.pk, request.key)] = entry
            decided.append((index, entry, minimum))
        if decided:
            ids = _append_batch_move_commit([entry for _, entry, _ in decided], locked, sorted(columns))
            for (index, entry, minimum), pk in zip(decided, ids, strict=True):
                entry.pk = pk
                entry._state.adding = False
                answers[index] = bid_batches.Answer(value=(entry, minimum))
    if retries:  # log entries never change: read after the commit, outside the lock
        earlier_entries = BidLogEntry.objects.select_related("registration").in_bulk(list(retries.values()))
        for index, pk in retries.items():
            answers[index] = bid_batches.Answer(value=(earlier_entries[pk], None))
    return [answer or bid_batches.FALLBACK for answer in answers]


def _refuse_cancelled(auction: Auction, now: datetime.datetime) -> None:
    if auction.state != AuctionState.ACTIVE and now < auction.ends_at:  # cancelled
        raise DomainError(rules.CLOSED, REJECTION_MESSAGES[rules.CLOSED])


def _bidder_now(auction_id: int, registration_id: int, key: str) -> tuple[str, int | None]:
    """Under the auction's lock, in one statement: the registration's state now and the id of the
    bidder's earlier attempt with ``key`` (None when it is new)."""
    registrations, log = BidderRegistration._meta.db_table, BidLogEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.state, e.id FROM {registrations} r LEFT JOIN {log} e "  # noqa: S608 (table names)
            "ON e.auction_id = %s AND e.registration_id = r.id AND e.idempotency_key = %s WHERE r.id = %s",
            [auction_id, key, registration_id],
        )
        state, earlier = cursor.fetchone()
    return str(state), earlier


AUCTION_COLUMNS = tuple(field.attname for field in Auction._meta.concrete_fields)

Bidder = tuple[BidderRegistration | None, str, int | None, Decimal | None]


def _lock_with_bidders(
    auction_id: int, bidders: list[tuple[int, str]]
) -> tuple[Auction, list[Bidder]] | None:
    """PostgreSQL, one statement: lock the auction row and read, for each (user, key) in order, the
    user's registration (id, number, state) and the id and amount of their earlier attempt with the key."""
    auctions, registrations = Auction._meta.db_table, BidderRegistration._meta.db_table
    log = BidLogEntry._meta.db_table
    columns = ", ".join(f"a.{name}" for name in AUCTION_COLUMNS)
    sql = (
        f"SELECT {columns}, q.user_id, r.id, r.number, r.state, e.id, e.amount "  # noqa: S608 (names)
        f"FROM {auctions} a CROSS JOIN unnest(%s::bigint[], %s::text[]) WITH ORDINALITY AS q(user_id, key, i) "
        f"LEFT JOIN {registrations} r ON r.auction_id = a.id AND r.user_id = q.user_id "
        f"LEFT JOIN {log} e ON e.auction_id = a.id AND e.registration_id = r.id AND e.idempotency_key = q.key "
        "WHERE a.id = %s ORDER BY q.i FOR UPDATE OF a"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [[user for user, _ in bidders], [key for _, key in bidders], auction_id])
        rows = cursor.fetchall()
    if not rows:
        return None
    count = len(AUCTION_COLUMNS)
    auction = Auction.from_db(connection.alias, list(AUCTION_COLUMNS), list(rows[0][:count]))
    found: list[Bidder] = []
    for row in rows:
        user_id, registration_id, number, state, earlier, earlier_amount = row[count:]
        registration = None
        if registration_id is not None:
            registration = BidderRegistration(
                pk=registration_id, auction_id=auction_id, user_id=user_id, number=number
            )
            registration._state.adding = False
        found.append((registration, str(state or ""), earlier, earlier_amount))
    return auction, found


def _decide(
    auction: Auction,
    registration: BidderRegistration,
    eligible: bool,
    amount: Decimal,
    now: datetime.datetime,
    key: str,
) -> tuple[BidLogEntry, dict[str, Any], Decimal | None]:
    """Decide one attempt (the caller holds the row lock): the chained log entry, the auction's columns
    to write, and for a rejected bid the minimum the next one must offer."""
    params, book = params_of(auction), book_of(auction)
    decision = rules.decide(params, book, rules.Attempt(registration.pk, amount, now, eligible))
    entry = BidLogEntry(
        auction=auction,
        seq=auction.last_seq + 1,
        registration=registration,
        amount=amount,
        received_at=now,
        eligible=eligible,
        idempotency_key=key,
        outcome=BidOutcome.ACCEPTED if decision.accepted else BidOutcome.REJECTED,
        reason=decision.reason,
        price_after=decision.book.price,
        ends_at_after=decision.book.ends_at,
        prev_hash=auction.last_hash,
    )
    entry.hash = rules.chain_hash(auction.last_hash, entry_content(entry))
    moved: dict[str, Any] = {"last_seq": entry.seq, "last_hash": entry.hash}
    if decision.accepted:
        moved.update(
            current_price=decision.book.price,
            leader_id=int(decision.book.leader),  # type: ignore[call-overload]
            ends_at=decision.book.ends_at,
            accepted_bids=decision.book.accepted,
        )
    for name, value in moved.items():
        setattr(auction, name, value)
    return entry, moved, None if decision.accepted else rules.minimum_bid(params, book)


LOG_COLUMNS = (
    "auction_id",
    "seq",
    "registration_id",
    "amount",
    "received_at",
    "eligible",
    "idempotency_key",
    "outcome",
    "reason",
    "price_after",
    "ends_at_after",
    "prev_hash",
    "hash",
)


def _append_batch_move_commit(entries: list[BidLogEntry], auction: Auction, columns: list[str]) -> list[int]:
    """PostgreSQL: insert the batch's log entries (one multi-row ``INSERT``), write the auction's moved
    ``columns`` as they stand on ``auction`` (one ``UPDATE``) and commit, in one message to the server;
    returns the entries' ids in order. The ``COMMIT`` ends the transaction :func:`_bid_batch_postgresql`
    opened as the outermost atomic block (psycopg then finds it idle and Django's own commit does
    nothing); should the insert fail, the server skips the ``COMMIT`` and the atomic block rolls back."""
    log, auctions = BidLogEntry._meta.db_table, Auction._meta.db_table
    row = "(" + ", ".join(["%s"] * len(LOG_COLUMNS)) + ")"
    assignments = ", ".join(f"{name} = %s" for name in columns)
    sql = (
        f"WITH entries AS (INSERT INTO {log} ({', '.join(LOG_COLUMNS)}) "  # noqa: S608 (names)
        f"VALUES {', '.join([row] * len(entries))} RETURNING id, seq), "
        f"moved AS (UPDATE {auctions} SET {assignments} WHERE id = %s) "
        "SELECT id, seq FROM entries; COMMIT"
    )
    values = [getattr(entry, name) for entry in entries for name in LOG_COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *(getattr(auction, name) for name in columns), auction.pk])
        ids = {seq: pk for pk, seq in cursor.fetchall()}
    return [int(ids[entry.seq]) for entry in entries]


def close_auction(*, auction_id: int, actor: Any = None, now: datetime.datetime | None = None) -> Auction:
    """End the auction once its end (extensions included) has passed: sold to the leader, or 流拍.

    Exactly once: under the row lock an auction no longer active is returned as it is, whoever calls
    (the periodic job on several workers, an administrator, a retry after a restart).
    """
    now = now or clock.now()
    with transaction.atomic():
        locked = Auction.objects.select_for_update().get(pk=auction_id)
        if locked.state != AuctionState.ACTIVE:
            return locked
        if not AUCTION_WORKFLOW.is_allowed(locked, "close", actor):
            raise NotPermitted()
        book = book_of(locked)
        if not rules.is_due(book, now):
            raise DomainError("not_due", _("竞价尚未结束，不能结束竞价。"))
        result = rules.outcome(params_of(locked), book)
        return AUCTION_WORKFLOW.fire(
            locked,
            "close",
            actor=actor,
            to=AuctionState.SOLD if result.sold else AuctionState.FAILED,
            changes={
                "winner_id": result.winner if result.sold else None,
                "final_price": result.price if result.sold else None,
                "result_reason": result.reason,
                "result_hash": locked.last_hash,
                "closed_at": now,
            },
            data={
                "winner": result.winner,
                "price": rules.money(result.price),
                "reason": result.reason,
                "log_hash": locked.last_hash,
                "bids": locked.last_seq,
            },
        )


def auction_cancel(*, actor: User, auction: Auction, reason: str) -> Auction:
    """An administrator cancels a running auction: deposits are to be refunded, the listing is open again."""
    return AUCTION_WORKFLOW.fire(
        auction,
        "cancel",
        actor=actor,
        reason=reason,
        changes={"result_hash": auction.last_hash, "closed_at": clock.now()},
    )


def settle_after_close(fired: Fired[Auction]) -> None:
    """Effect of the close and of a cancellation: settle the deposits, then end the listing's auction."""
    auction = fired.obj
    sold = fired.to_state == AuctionState.SOLD
    for registration in BidderRegistration.objects.filter(
        auction_id=auction.pk, state=RegistrationState.QUALIFIED
    ).order_by("number"):
        deposit_settle(
            actor=fired.actor,
            registration=registration,
            applied=sold and registration.pk == auction.winner_id,
        )
    listing = Listing.objects.get(pk=auction.listing_id)
    if sold:
        signals.auction_sold.send(sender=Auction, auction=auction, actor=fired.actor)
    LISTING_WORKFLOW.fire(
        listing,
        "auction_end",
        actor=fired.actor,
        to=ListingState.DEALT if sold else ListingState.OPEN,
        changes={"closed_at": auction.closed_at} if sold else None,
        data={"auction": auction.pk, "outcome": fired.to_state},
    )


# --- the periodic job ---------------------------------------------------------------------------------


def trading_tick(now: datetime.datetime | None = None) -> dict[str, int]:
    """Open listings whose notice ended, expire listings past their period, close due auctions.

    Each row in its own transaction; safe to repeat and to run on several workers at once (each step
    re-checks the row under its lock and leaves one already moved on as it is).
    """
    now = now or clock.now()
    done = {"opened": 0, "expired": 0, "closed": 0}
    for listing_id in list(selectors.due_for_opening(now).values_list("pk", flat=True)):
        if listing_open(listing_id=listing_id, now=now) is not None:
            done["opened"] += 1
    for listing_id in list(selectors.due_for_expiry(now).values_list("pk", flat=True)):
        if listing_expire(listing_id=listing_id, now=now) is not None:
            done["expired"] += 1
    for auction_id in list(selectors.auctions_due(now).values_list("pk", flat=True)):
        auction = close_auction(auction_id=auction_id, now=now)
        if auction.closed_at == now:
            done["closed"] += 1
    return done
