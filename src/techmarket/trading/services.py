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

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.choices import OrganisationKind
from techmarket.accounts.policies import principal_of
from techmarket.accounts.types import Organisation, User
from techmarket.achievements import selectors as achievement_selectors
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.types import Achievement
from techmarket.core import calendar, clock
from techmarket.core import services as core_services
from techmarket.core.audit import record_event
from techmarket.core.errors import DomainError, InvalidTransition, NotFound, NotPermitted
from techmarket.core.files import DOCUMENTS, PDF, check_upload, safe_name
from techmarket.core.models import Region
from techmarket.core.workflow import Fired
from techmarket.trading import auction_rules as rules
from techmarket.trading import bid_batches, policies, selectors, signals
from techmarket.trading.choices import (
    AUCTION_PRICING,
    AccessChannel,
    AccessKind,
    AuctionKind,
    AuctionState,
    AuthorisationScope,
    BidOutcome,
    DisclosureState,
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
    AutoGrantRule,
    BidderRegistration,
    BidLogEntry,
    DisclosureAccess,
    DisclosureRequest,
    Listing,
    ListingAuthorisation,
    ListingDocument,
    NdaTerms,
    Objection,
    TradingPolicy,
)
from techmarket.trading.workflow import (
    AUCTION_WORKFLOW,
    DISCLOSURE_WORKFLOW,
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
DUPLICATE_SUBMISSION = _("该表单已经提交过，未重复创建。请在“我的挂牌”或挂牌项目页面中查看。")
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
    submission_key: str = "",
) -> Listing:
    """挂牌 a published achievement: by its owner organisation, or by the agency it authorised.

    ``submission_key`` (the web form's one-time key, or the API's Idempotency-Key) makes a second
    submission fail with ``duplicate_submission`` instead of creating a second listing; the audit event
    records it, so the API can answer a retry with the first result."""
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
        if submission_key and not core_services.claim_submission(submission_key):
            raise DomainError("duplicate_submission", DUPLICATE_SUBMISSION)
        listing = Listing.objects.create(
            achievement=achievement,
            owner_organisation_id=achievement.owner_organisation_id,
            authorisation=authorisation,
            region_id=achievement.region_id,
            created_by=actor,
            **clean,
        )
        record_event(
            actor=actor,
            action="trading.listing.create",
            target=listing,
            to_state=listing.state,
            data={"submission_key": submission_key} if submission_key else None,
        )
    return listing


def listing_update(*, actor: User, listing: Listing, data: dict[str, Any]) -> Listing:
    """Change a draft or returned listing."""
    principal = principal_of(actor)
    if not policies.can_edit(principal, listing):
        if policies.manages(principal, listing):
            raise DomainError(
                "not_editable", _("只有草稿或已退回的挂牌可以修改；已提交的挂牌请等待审核结果。")
            )
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


def listing_deal(
    *, actor: User, listing: Listing, reason: str = "", data: dict[str, Any] | None = None
) -> Listing:
    """The deal of a negotiated listing, recorded by an administrator or by the side accepting an offer
    (the deals app, with the offer in ``data``); blocked by an open objection."""
    _refuse_open_objection(listing)
    return LISTING_WORKFLOW.fire(
        listing, "deal", actor=actor, reason=reason, data=data, changes={"closed_at": clock.now()}
    )


def listing_lock(*, listing_id: int) -> Listing:
    """The listing's row, locked until the caller's transaction ends (``SELECT … FOR UPDATE``): the deals
    app serialises every offer and acceptance on one listing behind it."""
    return Listing.objects.select_for_update().get(pk=listing_id)


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
    """Dispatch a person's transition by name (pages and the API expose them uniformly). Negotiation and
    the deal are not among them: the deals app fires them with the negotiation and the accepted offer."""
    handlers = {
        "submit": lambda: listing_submit(actor=actor, listing=listing),
        "approve": lambda: listing_approve(actor=actor, listing=listing, reason=reason),
        "return": lambda: listing_return(actor=actor, listing=listing, reason=reason),
        "withdraw": lambda: listing_withdraw(actor=actor, listing=listing, reason=reason),
        "suspend": lambda: listing_suspend(actor=actor, listing=listing, reason=reason),
        "resume": lambda: listing_resume(actor=actor, listing=listing, reason=reason),
    }
    if name not in handlers:
        LISTING_WORKFLOW.get(name)  # unknown names raise InvalidTransition
        raise NotPermitted()
    return handlers[name]()


# --- objections ---------------------------------------------------------------------------------------


def objection_file(
    *, actor: User, listing: Listing, reason: str, evidence: str, submission_key: str = ""
) -> Objection:
    """异议 during the notice period: a reason and the evidence, by any signed-in user (``submission_key``
    as for :func:`listing_create`)."""
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
        if submission_key and not core_services.claim_submission(submission_key):
            raise DomainError("duplicate_submission", DUPLICATE_SUBMISSION)
        objection = Objection(
            listing=locked, filed_by=actor, reason=reason.strip(), evidence=evidence.strip()
        )
        return OBJECTION_WORKFLOW.start(
            objection,
            "file",
            actor=actor,
            reason=reason.strip(),
            data={"submission_key": submission_key} if submission_key else None,
        )


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


def objection_transition(*, actor: User, objection: Objection, name: str, reason: str) -> Objection:
    """Dispatch an administrator's decision on an objection by name (pages and the API)."""
    if name == "uphold":
        return objection_uphold(actor=actor, objection=objection, reason=reason)
    if name == "dismiss":
        return objection_dismiss(actor=actor, objection=objection, reason=reason)
    OBJECTION_WORKFLOW.get(name)  # unknown names raise InvalidTransition
    raise NotPermitted()


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
        "forfeit": lambda: deposit_forfeit(actor=actor, registration=registration, reason=reason),
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


def deposit_forfeit(*, actor: User, registration: BidderRegistration, reason: str) -> BidderRegistration:
    """The winner of a sold auction walked away: an administrator keeps (forfeits) the deposit that was
    applied to the price, by the rules shown before bidding, with the reason the winner reads."""
    principal = principal_of(actor)
    if not policies.is_trading_admin(principal):
        raise NotPermitted()
    registration = BidderRegistration.objects.select_related("auction").get(pk=registration.pk)
    if registration.auction.state != AuctionState.SOLD:
        raise InvalidTransition(_("只有已成交竞价的竞得人的保证金可以没收。"))
    if registration.auction.winner_id != registration.pk:
        raise InvalidTransition(_("该竞买人不是本场竞价的竞得人，其保证金不能没收。"))
    reason = _reason_text(reason)
    return REGISTRATION_WORKFLOW.fire(
        registration,
        "forfeit",
        actor=actor,
        reason=reason,
        changes={"forfeited_at": clock.now(), "forfeit_reason": reason},
        data={"auction": registration.auction_id, "deposit": str(registration.auction.deposit)},
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


# --- staged disclosure (issue 10 §2) ------------------------------------------------------------------

MAX_NDA_CHARS = 20000
MAX_GRANT_DAYS = 365
MAX_REASON_CHARS = 500


def _int_in_range(value: Any, *, field_name: str, low: int, high: int) -> int:
    """An integer between ``low`` and ``high``; a clear error (on ``field_name``) for anything else."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise _invalid({field_name: [_("请填写整数。")]}) from None
    if not low <= number <= high:
        raise _invalid({field_name: [_("须在%(low)d至%(high)d之间。") % {"low": low, "high": high}]})
    return number


def nda_set(*, actor: User, listing: Listing, text: str) -> NdaTerms:
    """Write the listing's NDA terms: a new immutable version (the same text again changes nothing)."""
    if not policies.can_edit_disclosure(principal_of(actor), listing):
        raise NotPermitted()
    text = (text or "").strip()
    if not text:
        raise _invalid({"text": [_("请填写保密协议条款。")]})
    if len(text) > MAX_NDA_CHARS:
        raise _invalid({"text": [_("最多%(count)d个字。") % {"count": MAX_NDA_CHARS}]})
    with transaction.atomic():
        Listing.objects.select_for_update().get(pk=listing.pk)  # versions are numbered one at a time
        current = selectors.nda_current(listing)
        if current is not None and current.text == text:
            return current
        terms = NdaTerms.objects.create(
            listing=listing,
            version=(current.version if current else 0) + 1,
            text=text,
            created_by=actor,
            created_at=clock.now(),
        )
        record_event(actor=actor, action="trading.nda.set", target=listing, data={"version": terms.version})
    return terms


def disclosure_refusal(principal: Any, listing: Listing) -> DomainError:
    """Why the principal may not ask for the confidential detail, in words a person understands."""
    if not principal.is_authenticated:
        return DomainError("login_required", _("请先登录后再申请查看保密信息。"))
    if policies.is_party_organisation(principal, listing):
        return DomainError("party", _("您所在单位是本项目的挂牌方或受托机构，无需申请。"))
    if principal.organisation_id is None:
        return DomainError(
            "no_organisation", _("只有已认证单位的用户才能申请查看保密信息：您的账号尚未加入单位。")
        )
    if not principal.organisation_verified:
        return DomainError(
            "organisation_unverified",
            _("只有已认证单位的用户才能申请查看保密信息：您所在的单位尚未通过认证。"),
        )
    return DomainError("not_disclosable", _("该挂牌项目当前不接受保密信息查看申请。"))


def disclosure_request(*, actor: User, listing: Listing, nda_id: Any, accepted: bool) -> DisclosureRequest:
    """A buyer asks for the confidential detail, accepting the NDA version shown (``nda_id``); it must be
    the current one. A matching auto-grant rule grants it at once (the system, audited)."""
    principal = principal_of(actor)
    if not policies.can_request_disclosure(principal, listing):
        raise disclosure_refusal(principal, listing)
    current = selectors.nda_current(listing)
    if current is None:
        raise DomainError("no_nda", _("挂牌方尚未设置保密协议，暂不能申请查看保密信息。"))
    if str(nda_id or "").strip() != str(current.pk):
        raise DomainError(
            "nda_outdated",
            _("保密协议已更新，请阅读最新版本后重新确认。"),
            fields={"nda": [_("保密协议版本不是最新版本。")]},
        )
    if accepted is not True:
        raise DomainError(
            "nda_not_accepted",
            _("请阅读并勾选同意保密协议。"),
            fields={"accept": [_("须同意保密协议。")]},
        )
    organisation_id = principal.organisation_id
    if organisation_id is None:  # a buyer has one (policies.is_buyer)
        raise disclosure_refusal(principal, listing)
    if policies.holds_grant(principal, listing):
        raise DomainError("already_granted", _("您已获授权查看该项目的保密信息。"))
    with transaction.atomic():
        Listing.objects.select_for_update().get(pk=listing.pk)
        if DisclosureRequest.objects.filter(
            listing=listing, user=actor, state=DisclosureState.REQUESTED
        ).exists():
            raise DomainError("already_requested", _("您的申请正在等待挂牌方处理。"))
        now = clock.now()
        request = DISCLOSURE_WORKFLOW.start(
            DisclosureRequest(
                listing=listing,
                user=actor,
                organisation_id=organisation_id,
                nda=current,
                nda_accepted_at=now,
            ),
            "request",
            actor=actor,
            data={"nda_version": current.version},
        )
        if selectors.auto_grant_rule_for(listing, organisation_id=organisation_id) is not None:
            request = disclosure_auto_grant(request=request)
    return request


def disclosure_auto_grant(*, request: DisclosureRequest, actor: Any = None) -> DisclosureRequest:
    """The system grants a waiting request under the first of the seller's rules its organisation meets
    (``actor`` None: no person fires this)."""
    if not policies.can_transition_disclosure(actor, "auto_grant", request):
        raise NotPermitted()
    rule = selectors.auto_grant_rule_for(request.listing, organisation_id=request.organisation_id)
    if rule is None:
        raise DomainError("no_rule", _("没有适用于该申请单位的自动授权规则。"))
    now = clock.now()
    return DISCLOSURE_WORKFLOW.fire(
        request,
        "auto_grant",
        actor=None,
        changes={
            "granted_until": now + datetime.timedelta(days=rule.days),
            "decided_at": now,
            "auto_rule": rule,
        },
        data={"rule": rule.pk, "days": rule.days},
    )


def disclosure_grant(*, actor: User, request: DisclosureRequest, days: Any) -> DisclosureRequest:
    """Grant the request for ``days`` days (1–365) from now."""
    number = _int_in_range(days, field_name="days", low=1, high=MAX_GRANT_DAYS)
    now = clock.now()
    return DISCLOSURE_WORKFLOW.fire(
        request,
        "grant",
        actor=actor,
        changes={
            "granted_until": now + datetime.timedelta(days=number),
            "decided_by": actor,
            "decided_at": now,
        },
        data={"days": number},
    )


def _reason_text(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_CHARS:
        raise _invalid({"reason": [_("最多%(count)d个字。") % {"count": MAX_REASON_CHARS}]})
    return reason


def disclosure_refuse(*, actor: User, request: DisclosureRequest, reason: str) -> DisclosureRequest:
    """Refuse the request, with a reason the requester reads."""
    reason = _reason_text(reason)
    return DISCLOSURE_WORKFLOW.fire(
        request,
        "refuse",
        actor=actor,
        reason=reason,
        changes={"reason": reason, "decided_by": actor, "decided_at": clock.now()},
    )


def disclosure_revoke(*, actor: User, request: DisclosureRequest, reason: str) -> DisclosureRequest:
    """End a grant now (also one that has already run out: it stays revoked)."""
    reason = _reason_text(reason)
    return DISCLOSURE_WORKFLOW.fire(
        request,
        "revoke",
        actor=actor,
        reason=reason,
        changes={"reason": reason, "decided_by": actor, "decided_at": clock.now()},
    )


def disclosure_decide(
    *, actor: User, request: DisclosureRequest, decision: str, days: Any = None, reason: str = ""
) -> DisclosureRequest:
    """One entry for pages and the API: ``grant`` (days), ``refuse`` or ``revoke`` (reason)."""
    if decision == "grant":
        return disclosure_grant(actor=actor, request=request, days=days)
    if decision == "refuse":
        return disclosure_refuse(actor=actor, request=request, reason=reason)
    if decision == "revoke":
        return disclosure_revoke(actor=actor, request=request, reason=reason)
    raise InvalidTransition(_("未知的操作：%(name)s") % {"name": str(decision)[:40]})


def auto_grant_rule_add(
    *, actor: User, listing: Listing, region_code: str, organisation_kind: str, days: Any
) -> AutoGrantRule:
    """The seller's standing grant for verified organisations of a kind (blank: any) in a region and
    below it (blank code: anywhere), for ``days`` days."""
    if not policies.can_edit_disclosure(principal_of(actor), listing):
        raise NotPermitted()
    number = _int_in_range(days, field_name="days", low=1, high=MAX_GRANT_DAYS)
    code = (region_code or "").strip()
    region = Region.objects.filter(code=code[:12]).first() if code else None
    if code and region is None:
        raise _invalid({"region": [_("地区代码无效：请填写六位行政区划代码，如 110000。")]})
    kind = (organisation_kind or "").strip()
    if kind and kind not in OrganisationKind.values:
        raise _invalid({"organisation_kind": [_("单位类型无效。")]})
    with transaction.atomic():
        rule = AutoGrantRule.objects.create(
            listing=listing, region=region, organisation_kind=kind, days=number, created_by=actor
        )
        record_event(
            actor=actor,
            action="trading.autogrant.add",
            target=listing,
            data={"rule": rule.pk, "region": region.code if region else "", "kind": kind, "days": number},
        )
    return rule


def auto_grant_rule_remove(*, actor: User, rule: AutoGrantRule) -> None:
    """Remove a rule; grants it gave stay as they are (revoke them one by one)."""
    if not policies.can_edit_disclosure(principal_of(actor), rule.listing):
        raise NotPermitted()
    with transaction.atomic():
        record_event(
            actor=actor,
            action="trading.autogrant.remove",
            target=rule.listing,
            data={
                "rule": rule.pk,
                "region": rule.region_id or "",
                "kind": rule.organisation_kind,
                "days": rule.days,
            },
        )
        rule.delete()


def document_upload(
    *, actor: User, listing: Listing, title: str, upload: Any, confidential: bool
) -> ListingDocument:
    """The seller or agency adds a document, checked by its content (``core.files``); a confidential
    one must be a PDF so that each download can carry the viewer's watermark."""
    if not policies.can_edit_disclosure(principal_of(actor), listing):
        raise NotPermitted()
    title = (title or "").strip()
    if not title:
        raise _invalid({"title": [_("请填写文件标题。")]})
    if len(title) > 200:
        raise _invalid({"title": [_("最多%(count)d个字。") % {"count": 200}]})
    if upload is None:
        raise _invalid({"file": [_("请选择文件。")]})
    max_bytes = settings.TECHMARKET["MAX_ATTACHMENT_BYTES"]
    if confidential:
        try:
            kind = check_upload(upload, kinds=(PDF,), max_bytes=max_bytes)
        except DomainError as error:
            if error.code != "attachment_type":
                raise
            raise DomainError(
                "confidential_not_pdf",
                _("保密文件只能是 PDF（下载时加注查看人水印）。"),
                fields={"file": [_("保密文件须为 PDF。")]},
            ) from None
        _check_pdf_readable(upload)
    else:
        kind = check_upload(upload, kinds=DOCUMENTS, max_bytes=max_bytes)
    name = safe_name(upload.name, default="document")
    with transaction.atomic():
        document = ListingDocument(
            listing=listing,
            title=title,
            confidential=bool(confidential),
            original_name=name,
            content_type=kind.content_type,
            size=upload.size or 0,
            uploaded_by=actor,
        )
        document.file.save(name, upload, save=False)
        document.save()
        record_event(
            actor=actor,
            action="trading.document.upload",
            target=listing,
            data={"document": document.pk, "name": name, "confidential": document.confidential},
        )
    return document


def _check_pdf_readable(upload: Any) -> None:
    """A confidential PDF must open (it is watermarked page by page on every download)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    upload.seek(0)
    try:
        pages = len(PdfReader(upload).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        pages = 0
    finally:
        upload.seek(0)
    if pages == 0:
        raise DomainError(
            "pdf_unreadable",
            _("PDF 文件无法读取（可能已损坏或加密），无法加注水印。"),
            fields={"file": [_("PDF 无法读取。")]},
        )


def _log_access(
    *, actor: Any, listing: Listing, kind: str, channel: str, document: ListingDocument | None = None
) -> DisclosureAccess:
    principal = principal_of(actor)
    return DisclosureAccess.objects.create(
        listing=listing,
        user_id=principal.user_id,
        organisation_id=principal.organisation_id,
        at=clock.now(),
        kind=kind,
        document=document,
        confidential=document.confidential if document is not None else True,
        channel=channel if channel in AccessChannel.values else AccessChannel.WEB,
    )


def confidential_view(*, actor: Any, listing: Listing, channel: str) -> dict[str, Any]:
    """The confidential detail and the documents for someone who may see them; the view is logged.
    NotFound (as if there were nothing) for anyone else."""
    principal = principal_of(actor)
    if not policies.can_view(principal, listing) or not policies.can_see_confidential(principal, listing):
        raise NotFound()
    with transaction.atomic():
        _log_access(actor=actor, listing=listing, kind=AccessKind.DETAIL, channel=channel)
    return {
        "listing": listing.pk,
        "confidential_detail": listing.confidential_detail,
        "documents": list(selectors.documents_for(principal, listing)),
    }


@dataclass
class Download:
    """What a download view sends: the bytes (watermarked for a confidential PDF), name and type."""

    content: bytes
    filename: str
    content_type: str
    watermarked: bool = False


def document_download(*, actor: Any, document: ListingDocument, channel: str) -> Download:
    """A document for someone who may have it (NotFound otherwise), logged; a confidential PDF is
    watermarked with the viewer's organisation, name and the time (the stored file is not changed)."""
    from techmarket.trading import watermark

    principal = principal_of(actor)
    if not policies.can_download(principal, document):
        raise NotFound()
    with document.file.open("rb") as stored:
        data = stored.read()
    watermarked = False
    if document.confidential:
        user = actor if getattr(actor, "is_authenticated", False) else None
        organisation = user.organisation.name if user is not None and user.organisation else ""
        name = (user.display_name or user.username) if user is not None else ""
        at = timezone.localtime(clock.now()).strftime("%Y-%m-%d %H:%M:%S %Z")
        data = watermark.watermark_pdf(
            data,
            lines=watermark.watermark_lines(organisation=organisation, name=name, at=at),
            footer=str(
                _("保密资料 仅限 %(organisation)s %(name)s 查阅 · 下载时间 %(at)s · 不得外传")
                % {"organisation": organisation, "name": name, "at": at}
            ),
        )
        watermarked = True
    with transaction.atomic():
        _log_access(
            actor=actor,
            listing=document.listing,
            kind=AccessKind.DOCUMENT,
            channel=channel,
            document=document,
        )
    return Download(
        content=data,
        filename=document.original_name,
        content_type=document.content_type,
        watermarked=watermarked,
    )
