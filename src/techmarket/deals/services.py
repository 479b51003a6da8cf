"""Writes of negotiation and deals. Every change goes through here, inside one transaction, with a
policy check and an audit event; states only through the workflows of :mod:`.workflow`.

Every offer and every acceptance on a listing first takes the listing's row lock
(``trading.services.listing_lock``, ``SELECT … FOR UPDATE``), then the offers' rows: all writers on one
listing queue behind it in the same order, so two buyers accepting different offers on an exclusive
listing at the same moment are decided one after the other — the first deals the listing (LISTING_WORKFLOW
``deal``), the second finds it dealt and its offer closed, and nothing of it is written.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import selectors as account_selectors
from techmarket.accounts.policies import principal_of
from techmarket.accounts.types import User
from techmarket.conversations import services as conversation_services
from techmarket.core import clock
from techmarket.core import services as core_services
from techmarket.core.audit import events_for, record_event
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.deals import notices, policies, selectors
from techmarket.deals.choices import ContractType, DealSource, OfferState, Side
from techmarket.deals.models import Deal, DealNotice, Negotiation, Offer
from techmarket.deals.workflow import OFFER_WORKFLOW
from techmarket.trading import policies as trading_policies
from techmarket.trading import services as trading_services
from techmarket.trading.choices import AUCTION_PRICING, ListingMode, ListingState
from techmarket.trading.types import Auction, Listing

SUBJECT_KIND = "trading.listing"
MAX_AMOUNT = Decimal("999999999999.99")
DEFAULT_VALID_DAYS = 7
MAX_VALID_DAYS = 90
MAX_TERMS_CHARS = 2000

CONTRACT_TYPE_OF_MODE = {
    ListingMode.TRANSFER: ContractType.TRANSFER,
    ListingMode.LICENSE: ContractType.LICENSE,
    ListingMode.EQUITY: ContractType.EQUITY,
}

OFFER_STATE_MESSAGES: dict[str, Any] = {
    OfferState.ACCEPTED: _("该报价已被接受。"),
    OfferState.REJECTED: _("该报价已被拒绝，不能再接受。"),
    OfferState.WITHDRAWN: _("该报价已撤回，不能再接受。"),
    OfferState.SUPERSEDED: _("该报价已被新的报价取代，不能接受。"),
    OfferState.EXPIRED: _("该报价已过期，不能接受。"),
    OfferState.CLOSED: _("该挂牌项目已与其他买方成交，报价已关闭。"),
}


# --- helpers ------------------------------------------------------------------------------------------


def parse_amount(value: Any, field_name: str = "amount", *, required: bool = True) -> Decimal | None:
    """An amount in 万元: positive, at most two decimals; a clear error for anything else."""
    message = _("金额格式不正确：请填写大于零、最多两位小数的金额（万元）。")
    if value in (None, ""):
        if not required:
            return None
        raise DomainError("malformed_amount", message, fields={field_name: [message]})
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError("malformed_amount", message, fields={field_name: [message]}) from None
    if (
        not amount.is_finite()
        or amount.as_tuple().exponent < -2  # type: ignore[operator]
        or amount <= 0
        or amount > MAX_AMOUNT
    ):
        raise DomainError("malformed_amount", message, fields={field_name: [message]})
    return amount.quantize(Decimal("0.01"))


def _valid_days(value: Any) -> int:
    message = _("有效期须为1至%(max)d天。") % {"max": MAX_VALID_DAYS}
    try:
        days = int(str(value).strip()) if value not in (None, "") else DEFAULT_VALID_DAYS
    except ValueError:
        raise DomainError("invalid_valid_days", message, fields={"valid_days": [message]}) from None
    if not 1 <= days <= MAX_VALID_DAYS:
        raise DomainError("invalid_valid_days", message, fields={"valid_days": [message]})
    return days


def _terms(value: Any, field_name: str) -> str:
    text = str(value or "").strip()
    if len(text) > MAX_TERMS_CHARS:
        message = _("最多%(count)d个字。") % {"count": MAX_TERMS_CHARS}
        raise DomainError("invalid", message, fields={field_name: [message]})
    return text


def _refuse_closed_listing(listing: Listing) -> None:
    if listing.state == ListingState.DEALT:
        raise DomainError("listing_dealt", _("该挂牌项目已成交，不能再报价或接受报价。"))
    if listing.state not in policies.NEGOTIABLE_STATES:
        raise DomainError("listing_closed", _("该挂牌项目已撤牌、中止或到期，不在交易中，不能洽谈或报价。"))
    if listing.pricing in AUCTION_PRICING:
        raise DomainError("auction_listing", _("竞价挂牌项目通过竞价成交，不能协议洽谈。"))


def _refuse_objection(listing: Listing) -> None:
    if trading_policies.has_open_objection(listing):
        raise DomainError("objection_open", _("该挂牌项目有未处理的异议，处理完毕前不能报价或成交。"))


def _thread_title(listing: Listing, buyer: User) -> str:
    shown = trading_policies.shown_fields(principal_of(buyer), listing)
    if "achievement_name" in shown:
        return str(_("洽谈：%(title)s") % {"title": listing.title})
    return str(_("洽谈：挂牌项目 %(id)s") % {"id": listing.pk})


# --- negotiation ---------------------------------------------------------------------------------------


def _open_thread(actor: User, listing: Listing) -> Any:
    """The buyer organisation's thread on the listing (opened once; the actor is added to it)."""
    thread, _created = conversation_services.thread_open(
        actor=actor,
        subject_kind=SUBJECT_KIND,
        subject_id=listing.pk,
        title=_thread_title(listing, actor),
        party_key=f"org:{actor.organisation_id}",
        enterprise=[actor, *account_selectors.org_admins(actor.organisation_id)],
        provider=selectors.seller_people(listing),
    )
    return thread


def negotiation_open(*, actor: User, listing: Listing) -> Negotiation:
    """我要洽谈: a buyer's interest. The first one puts the listing under negotiation; the buyer
    organisation's negotiation (and its thread with the seller) is opened once and returned again."""
    principal = principal_of(actor)
    if not trading_policies.is_buyer(principal, listing):
        raise NotPermitted(_("只有已认证单位（非卖方及其受托机构）的用户可以洽谈。"))
    with transaction.atomic():
        locked = trading_services.listing_lock(listing_id=listing.pk)
        existing = Negotiation.objects.filter(
            listing_id=locked.pk, buyer_organisation_id=principal.organisation_id
        ).first()
        if existing is not None:
            _open_thread(actor, locked)  # a colleague of the buyer joins its organisation's thread
            return existing
        _refuse_closed_listing(locked)
        if locked.state == ListingState.OPEN:
            locked = trading_services.listing_start_negotiation(actor=actor, listing=locked)
        negotiation = Negotiation.objects.create(
            listing=locked, buyer_organisation_id=principal.organisation_id or 0, opened_by=actor
        )
        thread = _open_thread(actor, locked)
        negotiation.thread_id = thread.pk
        negotiation.save(update_fields=["thread_id", "updated_at"])
        record_event(
            actor=actor,
            action="deals.negotiation.open",
            target=negotiation,
            data={"listing": locked.pk, "buyer_organisation": principal.organisation_id, "thread": thread.pk},
        )
    return negotiation


def _is_expired(offer: Offer, now: datetime.datetime | None = None) -> bool:
    return offer.expires_at <= (now or clock.now())


def offer_make(
    *,
    actor: User,
    negotiation: Negotiation,
    amount: Any,
    payment_terms: str = "",
    licence_terms: str = "",
    valid_days: Any = DEFAULT_VALID_DAYS,
    commission: Any = None,
    submission_key: str = "",
    counter_to: Offer | None = None,
) -> Offer:
    """An offer or counter-offer by either side: the negotiation's earlier open offers are superseded by
    it. Refused on a listing no longer in trading and while an objection is open; ``counter_to`` (the
    offer answered) must still be open."""
    principal = principal_of(actor)
    side = policies.side_of(principal, negotiation)
    if side is None:
        raise NotPermitted(_("只有洽谈双方可以报价。"))
    value = parse_amount(amount) or Decimal("0")  # required: never None
    fee = parse_amount(commission, "commission", required=False)
    days = _valid_days(valid_days)
    payment = _terms(payment_terms, "payment_terms")
    licence = _terms(licence_terms, "licence_terms")
    with transaction.atomic():
        listing = trading_services.listing_lock(listing_id=negotiation.listing_id)
        if counter_to is not None:
            current = Offer.objects.select_for_update().get(pk=counter_to.pk)
            if current.negotiation_id != negotiation.pk:
                raise NotPermitted()
            if current.state != OfferState.OPEN or _is_expired(current):
                raise DomainError("offer_not_open", _("该报价已不是待答复状态，请对最新报价还价。"))
        _refuse_closed_listing(listing)
        _refuse_objection(listing)
        if submission_key and not core_services.claim_submission(submission_key):
            raise DomainError("duplicate_submission", _("该报价已提交，请勿重复提交。"))
        if listing.state == ListingState.OPEN and side == Side.BUYER:  # resumed by its seller meanwhile
            listing = trading_services.listing_start_negotiation(actor=actor, listing=listing)
        now = clock.now()
        for earlier in Offer.objects.select_for_update().filter(
            negotiation=negotiation, state=OfferState.OPEN
        ):
            if _is_expired(earlier, now):
                OFFER_WORKFLOW.fire(earlier, "expire", actor=None)
            else:
                OFFER_WORKFLOW.fire(earlier, "supersede", actor=actor)
        offer = Offer(
            negotiation=negotiation,
            listing=listing,
            buyer_organisation_id=negotiation.buyer_organisation_id,
            side=side,
            made_by=actor,
            amount=value,
            payment_terms=payment,
            licence_terms=licence,
            commission=fee,
            expires_at=now + datetime.timedelta(days=days),
            created_at=now,
        )
        data: dict[str, Any] = {
            "amount": str(value),
            "side": side,
            "expires_at": offer.expires_at.isoformat(),
        }
        if submission_key:
            data["submission_key"] = submission_key
        OFFER_WORKFLOW.start(offer, "make", actor=actor, data=data)
        Negotiation.objects.filter(pk=negotiation.pk).update(updated_at=timezone.now())
    return offer


def _answer_checks(offer: Offer, actor: User, now: datetime.datetime) -> str:
    """Refuse an answer the rules do not allow; the answering side."""
    side = policies.side_of(principal_of(actor), offer.negotiation, offer.listing)
    if side is None:
        raise NotPermitted(_("只有洽谈双方可以答复报价。"))
    if side == offer.side:
        raise DomainError("own_offer", _("不能接受或拒绝本方提出的报价。"))
    if offer.state != OfferState.OPEN:
        raise DomainError(f"offer_{offer.state}", OFFER_STATE_MESSAGES[offer.state])
    if _is_expired(offer, now):
        raise DomainError("offer_expired", OFFER_STATE_MESSAGES[OfferState.EXPIRED])
    return side


def offer_accept(*, actor: User, offer: Offer) -> Deal:
    """Accept an open, unexpired offer of the other side: the deal is made in the same transaction.

    On an exclusive listing the listing is dealt and every other open offer on it closed (superseded in
    this negotiation); a 普通许可 listing stays in trading and only this negotiation's offers end.
    """
    with transaction.atomic():
        listing = trading_services.listing_lock(listing_id=offer.listing_id)
        locked = Offer.objects.select_for_update().select_related("negotiation").get(pk=offer.pk)
        locked.listing = listing
        now = clock.now()
        side = _answer_checks(locked, actor, now)
        _refuse_closed_listing(listing)
        _refuse_objection(listing)
        if policies.is_exclusive(listing) and listing.state == ListingState.OPEN:
            # The seller resumed the listing: a buyer's acceptance puts it under negotiation again; the
            # seller accepts an offer made before that only once the buyer renews it.
            if side != Side.BUYER:
                raise DomainError(
                    "listing_resumed", _("挂牌项目已恢复挂牌，该报价须由买方重新提出后才能接受。")
                )
            listing = trading_services.listing_start_negotiation(actor=actor, listing=listing)
        accepted = OFFER_WORKFLOW.fire(
            locked, "accept", actor=actor, changes={"decided_at": now, "decided_by": actor}
        )
        same = Offer.objects.select_for_update().filter(negotiation=locked.negotiation, state=OfferState.OPEN)
        for other in same.exclude(pk=locked.pk).order_by("pk"):
            OFFER_WORKFLOW.fire(other, "supersede", actor=actor, data={"accepted": locked.pk})
        if policies.is_exclusive(listing):
            listing = trading_services.listing_deal(actor=actor, listing=listing, data={"offer": locked.pk})
            _close_open_offers(listing, data={"accepted": locked.pk})
        accepted.negotiation = locked.negotiation
        return _deal_from_offer(actor, listing, accepted, now)


def offer_reject(*, actor: User, offer: Offer, reason: str = "") -> Offer:
    """The other side declines an open offer."""
    with transaction.atomic():
        trading_services.listing_lock(listing_id=offer.listing_id)
        locked = Offer.objects.select_for_update().select_related("negotiation", "listing").get(pk=offer.pk)
        now = clock.now()
        _answer_checks(locked, actor, now)
        _refuse_closed_listing(locked.listing)
        return OFFER_WORKFLOW.fire(
            locked, "reject", actor=actor, reason=reason, changes={"decided_at": now, "decided_by": actor}
        )


def offer_withdraw(*, actor: User, offer: Offer) -> Offer:
    """The side that made an open offer takes it back."""
    with transaction.atomic():
        trading_services.listing_lock(listing_id=offer.listing_id)
        locked = Offer.objects.select_for_update().select_related("negotiation", "listing").get(pk=offer.pk)
        side = policies.side_of(principal_of(actor), locked.negotiation, locked.listing)
        if side is None:
            raise NotPermitted(_("只有洽谈双方可以撤回报价。"))
        if side != locked.side:
            raise DomainError("not_own_offer", _("只能撤回本方提出的报价。"))
        if locked.state != OfferState.OPEN:
            raise DomainError(f"offer_{locked.state}", _("只能撤回待答复的报价。"))
        _refuse_closed_listing(locked.listing)
        return OFFER_WORKFLOW.fire(
            locked, "withdraw", actor=actor, changes={"decided_at": clock.now(), "decided_by": actor}
        )


def _close_open_offers(listing: Listing, data: dict[str, Any] | None = None) -> int:
    """Close every open offer on a listing that left trading (the caller holds the listing's lock)."""
    offers = Offer.objects.select_for_update().filter(listing_id=listing.pk, state=OfferState.OPEN)
    count = 0
    for offer in offers.order_by("pk"):
        offer.listing = listing
        OFFER_WORKFLOW.fire(offer, "close", actor=None, data=data)
        count += 1
    return count


def offer_close(*, offer_id: int, actor: Any = None) -> Offer:
    """The system closes an open offer whose listing left trading (refused while it is still traded)."""
    with transaction.atomic():
        listing = trading_services.listing_lock(listing_id=Offer.objects.get(pk=offer_id).listing_id)
        offer = Offer.objects.select_for_update().get(pk=offer_id)
        offer.listing = listing
        if actor is None and listing.state in policies.NEGOTIABLE_STATES:
            raise DomainError("listing_open", _("该挂牌项目仍在交易中。"))
        return OFFER_WORKFLOW.fire(offer, "close", actor=actor)


def offer_expire(*, offer_id: int, actor: Any = None, now: datetime.datetime | None = None) -> Offer:
    """The system marks an open offer past its time expired (it is refused before that too)."""
    now = now or clock.now()
    with transaction.atomic():
        offer = Offer.objects.select_for_update().get(pk=offer_id)
        if actor is None and offer.state == OfferState.OPEN and not _is_expired(offer, now):
            raise DomainError("not_due", _("报价尚未过期。"))
        return OFFER_WORKFLOW.fire(offer, "expire", actor=actor)


def deals_tick(now: datetime.datetime | None = None) -> dict[str, int]:
    """The periodic job: expire offers past their time; close open offers on listings that left trading
    (withdrawn, expired, suspended, or dealt by an administrator). Each offer in its own transaction."""
    now = now or clock.now()
    done = {"expired": 0, "closed": 0}
    due = Offer.objects.filter(state=OfferState.OPEN, expires_at__lte=now).values_list("pk", flat=True)
    for pk in list(due):
        try:
            offer_expire(offer_id=pk, now=now)
        except DomainError:  # answered or closed meanwhile
            continue
        done["expired"] += 1
    ended = (
        Offer.objects.filter(state=OfferState.OPEN)
        .exclude(listing__state__in=policies.NEGOTIABLE_STATES)
        .values_list("pk", flat=True)
    )
    for pk in list(ended):
        try:
            offer_close(offer_id=pk)
        except DomainError:
            continue
        done["closed"] += 1
    return done


def offers_expire_due(now: datetime.datetime | None = None) -> int:
    """Mark open offers past their time expired; how many."""
    return deals_tick(now)["expired"]


# --- deals ---------------------------------------------------------------------------------------------


def canonical_offers(negotiation: Negotiation) -> list[dict[str, Any]]:
    """The negotiation's offers in a canonical form (the certificate's hash covers exactly this)."""
    return [
        {
            "id": offer.pk,
            "side": offer.side,
            "amount": str(offer.amount),
            "payment_terms": offer.payment_terms,
            "licence_terms": offer.licence_terms,
            "commission": None if offer.commission is None else str(offer.commission),
            "made_at": offer.created_at.astimezone(datetime.UTC).isoformat(),
            "expires_at": offer.expires_at.astimezone(datetime.UTC).isoformat(),
            "state": offer.state,
        }
        for offer in Offer.objects.filter(negotiation=negotiation).order_by("pk")
    ]


def offers_hash(offers: list[dict[str, Any]]) -> str:
    """SHA-256 over the canonical JSON of the offer history (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(offers, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def listing_history(listing: Listing) -> list[dict[str, Any]]:
    """The listing's transitions from the audit log (no names of people)."""
    return [
        {
            "at": event.created_at.astimezone(datetime.UTC).isoformat(),
            "action": event.action,
            "from": event.from_state,
            "to": event.to_state,
        }
        for event in events_for(listing).order_by("id")
    ]


def _draft_contract(listing: Listing, deal: Deal, seller: Any, buyer: Any, broker: Any) -> dict[str, Any]:
    contract_type = ContractType(deal.contract_type)
    seller_role, buyer_role = (
        (_("许可方"), _("被许可方")) if contract_type == ContractType.LICENSE else (_("让与方"), _("受让方"))
    )
    return {
        "title": str(_("%(type)s（草稿）") % {"type": contract_type.label}),
        "type": deal.contract_type,
        "type_label": str(contract_type.label),
        "subject": listing.title,
        "parties": [
            {"role": str(seller_role), "organisation": seller.name, "id": seller.pk},
            {"role": str(buyer_role), "organisation": buyer.name, "id": buyer.pk},
            *(
                [{"role": str(_("技术经纪机构")), "organisation": broker.name, "id": broker.pk}]
                if broker
                else []
            ),
        ],
        "amount": str(deal.price),
        "currency": "CNY_10K",
        "payment_terms": deal.payment_terms,
        "licence_terms": deal.licence_terms,
        "license_kind": listing.license_kind,
        "license_territory": listing.license_territory,
        "license_term_months": listing.license_term_months,
        "registered": False,
    }


def _deal_create(
    *,
    actor: Any,
    listing: Listing,
    buyer_organisation: Any,
    price: Decimal,
    source: str,
    now: datetime.datetime,
    evidence_hash: str,
    offer: Offer | None = None,
    negotiation: Negotiation | None = None,
    auction: Auction | None = None,
    history: dict[str, Any] | None = None,
) -> Deal:
    authorisation = listing.authorisation
    broker = authorisation.agency if authorisation is not None else None
    reference = f"O{offer.pk}" if offer is not None else f"A{auction.pk}"  # type: ignore[union-attr]
    deal = Deal(
        number=f"CJ{timezone.localtime(now):%Y%m%d}-{listing.pk}-{reference}",
        listing=listing,
        seller_organisation_id=listing.owner_organisation_id,
        buyer_organisation=buyer_organisation,
        broker_organisation=broker,
        commission=offer.commission if offer is not None and broker is not None else None,
        price=price,
        mode=listing.mode,
        license_kind=listing.license_kind,
        payment_terms=offer.payment_terms if offer else "",
        licence_terms=offer.licence_terms if offer else "",
        source=source,
        negotiation=negotiation,
        offer=offer,
        auction=auction,
        evidence_hash=evidence_hash,
        history={"listing": listing_history(listing), **(history or {})},
        listed_at=listing.opened_at,
        dealt_at=now,
        contract_type=CONTRACT_TYPE_OF_MODE[ListingMode(listing.mode)],
    )
    deal.contract = _draft_contract(listing, deal, listing.owner_organisation, buyer_organisation, broker)
    if not policies.can_make_deal(actor, deal):
        raise NotPermitted()
    deal.save(force_insert=True)
    record_event(
        actor=actor,
        action="deals.deal.make",
        target=deal,
        data={"listing": listing.pk, "price": str(price), "source": source, "hash": evidence_hash},
    )
    transaction.on_commit(lambda: notices.deal_made(deal, actor))
    notice = DealNotice.objects.create(
        deal=deal, published_at=now, ends_at=trading_services.notice_end(now, listing.region)
    )
    record_event(
        actor=actor,
        action="deals.dealnotice.publish",
        target=notice,
        data={"deal": deal.pk, "ends_at": notice.ends_at.isoformat()},
    )
    return deal


def _deal_from_offer(actor: User, listing: Listing, offer: Offer, now: datetime.datetime) -> Deal:
    negotiation = offer.negotiation
    offers = canonical_offers(negotiation)
    return _deal_create(
        actor=actor,
        listing=listing,
        buyer_organisation=negotiation.buyer_organisation,
        price=offer.amount,
        source=DealSource.NEGOTIATION,
        now=now,
        evidence_hash=offers_hash(offers),
        offer=offer,
        negotiation=negotiation,
        history={"offers": offers},
    )


def deal_from_auction(*, auction: Auction, actor: Any) -> Deal:
    """The deal of a sold auction (receiver of ``trading.signals.auction_sold``, inside the close's
    transaction): the winner's organisation buys at the final price; the bid log's final hash is kept."""
    existing = Deal.objects.filter(auction_id=auction.pk).first()
    if existing is not None:
        return existing
    winner = auction.winner
    if winner is None or auction.final_price is None:  # a programming error: only sold auctions come here
        raise ValueError(f"auction {auction.pk} has no winner")
    return _deal_create(
        actor=actor,
        listing=auction.listing,
        buyer_organisation=winner.organisation,
        price=auction.final_price,
        source=DealSource.AUCTION,
        now=auction.closed_at or clock.now(),
        evidence_hash=auction.result_hash,
        auction=auction,
        history={"auction": {"id": auction.pk, "kind": auction.kind, "bids": auction.last_seq}},
    )


def on_auction_sold(sender: Any, *, auction: Auction, actor: Any, **kwargs: Any) -> None:
    """Receiver of ``trading.signals.auction_sold`` (connected in ``DealsConfig.ready``)."""
    deal_from_auction(auction=auction, actor=actor)
