"""Reads for the trading floor. Every query a page, the API or an export makes starts from what the
principal may see (``policies.visible_q``); the unscoped reads are named as system reads."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import selectors as account_selectors
from techmarket.accounts.policies import Principal
from techmarket.achievements import selectors as achievement_selectors
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.types import Achievement
from techmarket.core import calendar, clock
from techmarket.core.errors import NotFound
from techmarket.core.models import CHAIN_LEVELS, CalendarDay, Region, chain_field
from techmarket.core.todo import TodoItem, TodoRow, count_and_first, latest_reasons
from techmarket.trading import policies
from techmarket.trading.choices import (
    PUBLIC_LISTING_STATES,
    AuctionKind,
    AuctionState,
    BidOutcome,
    DisclosureState,
    ListingState,
    ObjectionState,
    RegistrationState,
)
from techmarket.trading.models import (
    DEFAULT_NOTICE_WORKING_DAYS,
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


def notice_days_for(region: Region) -> int:
    """The notice period (working days) of the nearest policy on the region chain, else the default."""
    chain = region.chain()
    found = dict(
        TradingPolicy.objects.filter(region_id__in=[node.code for node in chain]).values_list(
            "region_id", "notice_working_days"
        )
    )
    for node in chain:
        if node.code in found:
            return int(found[node.code])
    return DEFAULT_NOTICE_WORKING_DAYS


def listing_visible(principal: Principal) -> QuerySet[Listing]:
    """Every listing the principal may see, in any state."""
    return Listing.objects.filter(policies.visible_q(principal))


def listing_get(principal: Principal, pk: Any) -> Listing:
    """One listing; NotFound (not a refusal) when the principal may not see it."""
    try:
        listing = Listing.objects.select_related("achievement", "authorisation", "owner_organisation").get(
            pk=pk
        )
    except (Listing.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not policies.can_view(principal, listing):
        raise NotFound()
    return listing


@dataclass(frozen=True)
class ListingFilters:
    """The hall's screening (validated by ``forms.ListingFilterForm``)."""

    q: str = ""
    mode: str = ""
    pricing: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    region: str = ""
    state: str = ""


def listing_hall(principal: Principal) -> QuerySet[Listing]:
    """技术交易大厅: listings before the public (in notice or later), newest first."""
    return (
        listing_visible(principal)
        .filter(state__in=PUBLIC_LISTING_STATES)
        .select_related("achievement", "region", "owner_organisation", "authorisation")
        .order_by("-notice_starts_at", "-id")
    )


def listing_filter(
    principal: Principal, queryset: QuerySet[Listing], filters: ListingFilters
) -> QuerySet[Listing]:
    """Screen listings; a condition on a field matches only where the principal may read that field
    (a 受限 achievement's hidden price or name is neither shown nor searchable)."""
    if filters.mode:
        queryset = queryset.filter(policies.shown_q(principal, "mode"), mode=filters.mode)
    if filters.pricing:
        queryset = queryset.filter(pricing=filters.pricing)
    if filters.price_min is not None:
        queryset = queryset.filter(policies.shown_q(principal, "price"), price__gte=filters.price_min)
    if filters.price_max is not None:
        queryset = queryset.filter(policies.shown_q(principal, "price"), price__lte=filters.price_max)
    if filters.region:
        # The listing's region is its achievement's: filter on the achievement's denormalised chain.
        within = Q(pk__in=[])
        for level in CHAIN_LEVELS:
            within |= Q(**{f"achievement__{chain_field(level)}": filters.region})
        queryset = queryset.filter(within)
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    for word in filters.q.split()[:8]:
        queryset = queryset.filter(
            (policies.shown_q(principal, "achievement_name") & Q(title__icontains=word))
            | (policies.shown_q(principal, "summary") & Q(public_summary__icontains=word))
        )
    return queryset


def own_listings(principal: Principal) -> QuerySet[Listing]:
    """我的挂牌: the organisation's listings as seller, and those it lists as an authorised agency."""
    if principal.organisation_id is None:
        return Listing.objects.none()
    q = Q(owner_organisation_id=principal.organisation_id)
    if policies.AGENT_ROLES & principal.roles:
        q |= Q(authorisation__agency_id=principal.organisation_id)
    return (
        Listing.objects.filter(q)
        .select_related("achievement", "region", "authorisation")
        .order_by("-updated_at", "-id")
    )


def review_queue(principal: Principal) -> QuerySet[Listing]:
    """Listings waiting for review (trading administrators), oldest submission first."""
    if not policies.is_trading_admin(principal):
        return Listing.objects.none()
    return (
        Listing.objects.filter(state=ListingState.SUBMITTED)
        .select_related("achievement", "region", "owner_organisation")
        .order_by("submitted_at", "id")
    )


def open_objections(principal: Principal) -> QuerySet[Objection]:
    """Objections waiting for a decision (trading administrators)."""
    if not policies.is_trading_admin(principal):
        return Objection.objects.none()
    return (
        Objection.objects.filter(state=ObjectionState.OPEN)
        .select_related("listing", "filed_by")
        .order_by("created_at", "id")
    )


def objections_of(principal: Principal, listing: Listing) -> QuerySet[Objection]:
    """The listing's objections the principal may read (administrators, the parties, the filer)."""
    return (
        Objection.objects.filter(listing=listing)
        .filter(policies.objections_q(principal, listing))
        .select_related("filed_by")
        .order_by("created_at", "id")
    )


def objection_get(principal: Principal, pk: Any) -> Objection:
    """One objection; NotFound when the principal may not read it."""
    try:
        objection = Objection.objects.select_related(
            "listing", "listing__achievement", "listing__authorisation", "filed_by"
        ).get(pk=pk)
    except (Objection.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not policies.can_see_objection(principal, objection):
        raise NotFound()
    return objection


def objection_reasons(objections: list[Objection]) -> dict[str, str]:
    """The decision reason of each resolved objection (from the audit log)."""
    reasons = latest_reasons(Objection, [o.pk for o in objections], "upheld")
    reasons.update(latest_reasons(Objection, [o.pk for o in objections], "dismissed"))
    return reasons


def listable_achievements(principal: Principal) -> list[tuple[Achievement, ListingAuthorisation | None]]:
    """What the principal may put on the floor: its organisation's published achievements (sellers) and
    those an owner authorised its agency for, while the authorisation runs (brokers)."""
    rows: list[tuple[Achievement, ListingAuthorisation | None]] = []
    if principal.organisation_id is None:
        return rows
    if policies.SELLER_ROLES & principal.roles:
        own = achievement_selectors.own_organisation_records(principal).filter(
            state=AchievementState.PUBLISHED
        )
        rows += [(achievement, None) for achievement in own.order_by("-published_at", "-id")[:200]]
    if policies.AGENT_ROLES & principal.roles:
        rows += [
            (authorisation.achievement, authorisation)
            for authorisation in active_authorisations_for_agency(principal).select_related("achievement")
            if authorisation.achievement.state == AchievementState.PUBLISHED
        ]
    return rows


def active_authorisations_for_agency(principal: Principal) -> QuerySet[ListingAuthorisation]:
    """The authorisations the principal's organisation holds as an agency, still running."""
    if principal.organisation_id is None:
        return ListingAuthorisation.objects.none()
    return ListingAuthorisation.objects.filter(
        agency_id=principal.organisation_id, revoked_at__isnull=True, ends_on__gte=timezone.localdate()
    ).order_by("-created_at", "-id")


def authorisations_granted(principal: Principal) -> QuerySet[ListingAuthorisation]:
    """The authorisations the principal's organisation granted (its administrators' page)."""
    if principal.organisation_id is None or not policies.can_manage_authorisations(principal):
        return ListingAuthorisation.objects.none()
    return (
        ListingAuthorisation.objects.filter(owner_organisation_id=principal.organisation_id)
        .select_related("achievement", "agency", "granted_by")
        .order_by("-created_at", "-id")
    )


def authorisation_get(principal: Principal, pk: Any) -> ListingAuthorisation:
    """One authorisation its owner organisation's administrators manage; NotFound for anyone else."""
    try:
        return authorisations_granted(principal).get(pk=pk)
    except (ListingAuthorisation.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def notice_policies() -> QuerySet[TradingPolicy]:
    """Every region's notice-period setting (the trading settings page)."""
    return TradingPolicy.objects.select_related("region").order_by("region_id")


def calendar_days(year: int) -> QuerySet[CalendarDay]:
    """The working-day calendar's exceptions of one year (holidays and 调休 days)."""
    return CalendarDay.objects.filter(date__year=year).select_related("region").order_by("date", "region_id")


def calendar_day_get(pk: Any) -> CalendarDay:
    """One calendar exception (the settings page deletes it); NotFound when there is none."""
    try:
        return CalendarDay.objects.get(pk=pk)
    except (CalendarDay.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def listing_public_view(principal: Principal, listing: Listing) -> dict[str, Any]:
    """The listing as the principal may read it: restricted fields left out (a disclosure grantee sees
    them), the confidential detail only for the parties. Pages and the API render this, never the row."""
    shown = policies.shown_fields(principal, listing)
    view: dict[str, Any] = {"id": listing.pk, "state": listing.state, "pricing": listing.pricing}
    if "achievement_name" in shown:
        view["title"] = listing.title
    if "mode" in shown:
        view["mode"] = listing.mode
    if "license_terms" in shown:
        view.update(
            license_kind=listing.license_kind,
            license_territory=listing.license_territory,
            license_term_months=listing.license_term_months,
        )
    if "price" in shown:
        view["price"] = listing.price
    if "summary" in shown:
        view["public_summary"] = listing.public_summary
    # The parties only: a grantee reads the confidential detail through the disclosure panel or the
    # API's ``listings/{id}/confidential/``, which log each view (issue 10 §2).
    if policies.has_full_view(principal, listing):
        view["confidential_detail"] = listing.confidential_detail
    return view


def due_for_opening(now: Any) -> QuerySet[Listing]:
    """System read: listings whose notice period has ended."""
    return Listing.objects.filter(state=ListingState.NOTICE, notice_ends_at__lte=now)


def due_for_expiry(now: Any) -> QuerySet[Listing]:
    """System read: open listings past their listing period."""
    return Listing.objects.filter(
        state__in=(ListingState.OPEN, ListingState.NEGOTIATING), open_until__lte=now
    )


def auctions_due(now: Any) -> QuerySet[Auction]:
    """System read: running auctions past their end (extensions included)."""
    return Auction.objects.filter(state=AuctionState.ACTIVE, ends_at__lte=now)


def bid_history(auction: Auction) -> list[dict[str, Any]]:
    """The public bid history: accepted bids, bidders pseudonymised (竞买人 01, 02 …); a sealed bid's
    amounts stay hidden until it closes."""
    hidden = auction.kind == AuctionKind.SEALED and auction.state == AuctionState.ACTIVE
    entries = (
        BidLogEntry.objects.filter(auction=auction, outcome=BidOutcome.ACCEPTED)
        .select_related("registration")
        .order_by("-seq")
    )
    return [
        {
            "seq": entry.seq,
            "bidder": entry.registration.pseudonym,
            "amount": None if hidden else entry.amount,
            "at": entry.received_at,
        }
        for entry in entries
    ]


# --- staged disclosure (issue 10 §2) ------------------------------------------------------------------


def nda_current(listing: Listing) -> NdaTerms | None:
    """The listing's current NDA version (the highest), or None when the seller has written none."""
    return NdaTerms.objects.filter(listing_id=listing.pk).order_by("-version").first()


def nda_versions(listing: Listing) -> QuerySet[NdaTerms]:
    """Every NDA version of the listing, the newest first (the editor's history)."""
    return NdaTerms.objects.filter(listing_id=listing.pk).select_related("created_by").order_by("-version")


def auto_grant_rules(listing: Listing) -> QuerySet[AutoGrantRule]:
    """The seller's auto-grant rules of the listing, in the order they are tried."""
    return AutoGrantRule.objects.filter(listing_id=listing.pk).select_related("region").order_by("id")


def auto_grant_rule_get(principal: Principal, listing: Listing, pk: Any) -> AutoGrantRule:
    """One rule of the listing, for those who edit the listing's disclosure."""
    if not policies.can_edit_disclosure(principal, listing):
        raise NotFound()
    try:
        return AutoGrantRule.objects.select_related("listing").get(pk=int(pk), listing_id=listing.pk)
    except (AutoGrantRule.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def auto_grant_rule_for(listing: Listing, *, organisation_id: int | None) -> AutoGrantRule | None:
    """System read: the first of the listing's rules the (verified) organisation meets, if any — its kind,
    and its region within the rule's region."""
    if organisation_id is None:
        return None
    organisation = account_selectors.organisations_by_id([organisation_id]).select_related("region").first()
    if organisation is None or not organisation.is_verified:
        return None
    chain = {region.code for region in organisation.region.chain()}
    for rule in auto_grant_rules(listing):
        if rule.organisation_kind and rule.organisation_kind != organisation.kind:
            continue
        if rule.region_id and rule.region_id not in chain:
            continue
        return rule
    return None


def documents_for(principal: Principal, listing: Listing) -> QuerySet[ListingDocument]:
    """The listing's documents the principal may download: the public ones for whoever may see the
    listing, the confidential ones too for :func:`policies.can_see_confidential`."""
    if not policies.can_view(principal, listing):
        return ListingDocument.objects.none()
    documents = ListingDocument.objects.filter(listing_id=listing.pk)
    if not policies.can_see_confidential(principal, listing):
        documents = documents.filter(confidential=False)
    return documents.order_by("confidential", "id")


def public_documents(principal: Principal, listing: Listing) -> QuerySet[ListingDocument]:
    """The listing's public documents, for whoever may see the listing."""
    if not policies.can_view(principal, listing):
        return ListingDocument.objects.none()
    return ListingDocument.objects.filter(listing_id=listing.pk, confidential=False).order_by("id")


def document_get(principal: Principal, listing_pk: Any, pk: Any) -> ListingDocument:
    """One document the principal may download; NotFound for anything else."""
    listing = listing_get(principal, listing_pk)
    try:
        document = ListingDocument.objects.get(pk=int(pk), listing_id=listing.pk)
    except (ListingDocument.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    document.listing = listing
    if not policies.can_download(principal, document):
        raise NotFound()
    return document


def disclosure_listing(principal: Principal, pk: Any) -> Listing:
    """A listing whose disclosure the principal manages (requests, log); NotFound for anyone else."""
    listing = listing_get(principal, pk)
    if not policies.can_manage_disclosure(principal, listing):
        raise NotFound()
    return listing


def requests_for_listing(principal: Principal, listing: Listing) -> QuerySet[DisclosureRequest]:
    """The listing's disclosure requests, for those who decide them (none for anyone else)."""
    if not policies.can_manage_disclosure(principal, listing):
        return DisclosureRequest.objects.none()
    return (
        DisclosureRequest.objects.filter(listing_id=listing.pk)
        .select_related("user", "organisation", "nda", "decided_by", "listing")
        .order_by("-created_at", "-id")
    )


def requests_of(principal: Principal) -> QuerySet[DisclosureRequest]:
    """The principal's own requests (any listing), the latest first."""
    if principal.user_id is None:
        return DisclosureRequest.objects.none()
    return (
        DisclosureRequest.objects.filter(user_id=principal.user_id)
        .select_related("listing", "organisation", "nda")
        .order_by("-created_at", "-id")
    )


def requests_to_decide(principal: Principal) -> QuerySet[DisclosureRequest]:
    """Requests on listings the principal manages (seller, agency) or on any listing (trading
    administrators), the latest first."""
    requests = DisclosureRequest.objects.select_related("listing", "user", "organisation", "nda")
    if policies.is_trading_admin(principal):
        return requests.order_by("-created_at", "-id")
    if principal.organisation_id is None:
        return DisclosureRequest.objects.none()
    ids = [
        listing.pk
        for listing in Listing.objects.filter(
            Q(owner_organisation_id=principal.organisation_id)
            | Q(authorisation__agency_id=principal.organisation_id)
        ).select_related("authorisation")
        if policies.manages(principal, listing)
    ]
    return requests.filter(listing_id__in=ids).order_by("-created_at", "-id")


def request_get(principal: Principal, pk: Any) -> DisclosureRequest:
    """One request: for its requester and for those who decide it; NotFound for anyone else."""
    try:
        request = DisclosureRequest.objects.select_related(
            "listing", "listing__authorisation", "listing__achievement", "user", "organisation", "nda"
        ).get(pk=int(pk))
    except (DisclosureRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if request.user_id == principal.user_id and principal.user_id is not None:
        return request
    if policies.can_view(principal, request.listing) and policies.can_manage_disclosure(
        principal, request.listing
    ):
        return request
    raise NotFound()


def latest_request(principal: Principal, listing: Listing) -> DisclosureRequest | None:
    """The principal's latest request on the listing (for the request button's state)."""
    if principal.user_id is None:
        return None
    return (
        DisclosureRequest.objects.filter(listing_id=listing.pk, user_id=principal.user_id)
        .order_by("-created_at", "-id")
        .first()
    )


def grant_is_current(request: DisclosureRequest | None) -> bool:
    """Whether a request is granted and its time has not run out (the server's clock)."""
    return (
        request is not None
        and request.state == DisclosureState.GRANTED
        and request.granted_until is not None
        and request.granted_until > clock.now()
    )


def access_log(principal: Principal, listing: Listing) -> QuerySet[DisclosureAccess]:
    """The listing's access log, for the seller, its agency and trading administrators."""
    if not policies.can_manage_disclosure(principal, listing):
        return DisclosureAccess.objects.none()
    return (
        DisclosureAccess.objects.filter(listing_id=listing.pk)
        .select_related("user", "organisation", "document")
        .order_by("-at", "-id")
    )


# --- My work (the to-do page, core.todo) ------------------------------------------------------------------


def _day(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""


def _row(listing: Listing, note: Any = "") -> TodoRow:
    return TodoRow(label=listing.title, url=reverse("trading:listing_detail", args=[listing.pk]), note=note)


def todo_items(principal: Principal) -> list[TodoItem]:
    """Trading work: listings to review and open objections (administrators); disclosure requests waiting
    for a decision and returned listings (sellers and agencies)."""
    if not principal.is_authenticated:
        return []
    items: list[TodoItem] = []
    if policies.is_trading_admin(principal):
        count, first = count_and_first(review_queue(principal))
        items.append(
            TodoItem(
                key="trading.review",
                title=_("待审核的挂牌项目"),
                count=count,
                url=reverse("trading:review_queue"),
                rows=tuple(_row(x, _("%(day)s 提交") % {"day": _day(x.submitted_at)}) for x in first),
            )
        )
        count, objections = count_and_first(open_objections(principal))
        items.append(
            TodoItem(
                key="trading.objections",
                title=_("待处理的挂牌异议"),
                count=count,
                url=reverse("trading:review_queue") + "#objections",
                urgent=count > 0,
                rows=tuple(
                    _row(o.listing, _("%(day)s 提出异议") % {"day": _day(o.created_at)}) for o in objections
                ),
            )
        )
    if policies.can_list(principal) and not policies.is_trading_admin(principal):
        waiting = (
            requests_to_decide(principal).filter(state=DisclosureState.REQUESTED).order_by("created_at", "pk")
        )
        count, requests = count_and_first(waiting)
        items.append(
            TodoItem(
                key="trading.disclosure",
                title=_("待审批的查阅申请"),
                count=count,
                url=reverse("trading:disclosure_mine"),
                urgent=count > 0,
                rows=tuple(
                    TodoRow(
                        label=r.listing.title,
                        url=reverse("trading:disclosure_requests", args=[r.listing_id]),
                        note=_("%(organisation)s %(day)s 申请")
                        % {"organisation": r.organisation.name, "day": _day(r.created_at)},
                    )
                    for r in requests
                ),
            )
        )
    if policies.can_list(principal):
        returned = own_listings(principal).filter(state=ListingState.RETURNED).order_by("updated_at", "pk")
        count, first = count_and_first(returned)
        reasons = latest_reasons(Listing, [x.pk for x in first], "returned")
        items.append(
            TodoItem(
                key="trading.returned",
                title=_("被退回待修改的挂牌"),
                count=count,
                url=reverse("trading:mine"),
                urgent=count > 0,
                rows=tuple(
                    _row(x, _("退回理由：%(reason)s") % {"reason": reasons.get(str(x.pk)) or "—"})
                    for x in first
                ),
            )
        )
    return items


# --- auctions -----------------------------------------------------------------------------------------

# The result (成交/流拍) is published for the region's notice period (公示期, working days) after the close.


def auction_visible(principal: Principal) -> QuerySet[Auction]:
    """The auctions whose listing the principal may see (newest first)."""
    return (
        Auction.objects.filter(listing__in=Listing.objects.filter(policies.visible_q(principal)))
        .select_related("listing")
        .order_by("-starts_at", "-id")
    )


def auction_get(principal: Principal, pk: Any) -> Auction:
    """One auction; NotFound when the principal may not see its listing."""
    try:
        auction = Auction.objects.select_related(
            "listing", "listing__achievement", "listing__authorisation", "listing__region", "winner"
        ).get(pk=pk)
    except (Auction.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not policies.can_view_auction(principal, auction):
        raise NotFound()
    return auction


def auction_of_listing(listing: Listing) -> Auction | None:
    """The listing's latest auction (a running one first), if any."""
    return (
        Auction.objects.filter(listing=listing)
        .order_by(Case(When(state=AuctionState.ACTIVE, then=Value(0)), default=Value(1)), "-starts_at", "-id")
        .first()
    )


def registration_of(principal: Principal, auction: Auction) -> BidderRegistration | None:
    """The principal's own registration for the auction."""
    if not principal.is_authenticated:
        return None
    return BidderRegistration.objects.filter(auction=auction, user_id=principal.user_id or 0).first()


def registrations_for_admin(auction: Auction) -> QuerySet[BidderRegistration]:
    """Every registration with its bidder and organisation (the administrators' page)."""
    return BidderRegistration.objects.filter(auction=auction).select_related("user", "organisation")


def forfeiture_shown(principal: Principal, auction: Auction) -> BidderRegistration | None:
    """The winner's forfeited registration, for the winner and the administrators (else ``None``)."""
    if auction.state != AuctionState.SOLD or auction.winner_id is None:
        return None
    registration = BidderRegistration.objects.filter(
        pk=auction.winner_id, state=RegistrationState.FORFEITED
    ).first()
    if registration is None or not policies.can_see_forfeiture(principal, registration):
        return None
    return registration


def own_bids(registration: BidderRegistration | None) -> list[BidLogEntry]:
    """A bidder's own attempts, accepted and rejected (newest first)."""
    if registration is None:
        return []
    return list(BidLogEntry.objects.filter(registration=registration).order_by("-seq"))


def result_published_until(auction: Auction) -> datetime.datetime | None:
    """The end of the result's notice period: midnight after the N-th working day after the close."""
    if auction.closed_at is None:
        return None
    region = auction.listing.region
    local = timezone.localtime(auction.closed_at).date()
    last = calendar.add_working_days(local, notice_days_for(region), region)
    return timezone.make_aware(datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time()))


def minimum_next_bid(auction: Auction) -> Decimal:
    """The lowest amount the next bid may offer (the start price for a sealed bid)."""
    if auction.kind == AuctionKind.SEALED or auction.current_price is None:
        return auction.start_price
    return auction.current_price + auction.increment


def clock_text(seconds: int) -> str:
    """Time left as H:MM:SS (what the countdown script keeps counting down from)."""
    hours, rest = divmod(max(0, seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def auction_view(principal: Principal, auction: Auction, now: datetime.datetime) -> dict[str, Any]:
    """The auction as the principal may read it (pages and the API render this, never the row): the
    reserve only for administrators, a sealed bid's best offer never before the close, the result only
    while published (or to the parties)."""
    live = policies.sees_live_price(auction)
    view: dict[str, Any] = {
        "id": auction.pk,
        "listing": auction.listing_id,
        "kind": auction.kind,
        "state": auction.state,
        "start_price": auction.start_price,
        "increment": auction.increment if auction.kind == AuctionKind.ENGLISH else None,
        "deposit": auction.deposit,
        "starts_at": auction.starts_at,
        "scheduled_end": auction.scheduled_end,
        "ends_at": auction.ends_at,
        "extension_minutes": auction.extension_minutes,
        "accepted_bids": auction.accepted_bids,
        "current_price": auction.current_price if live else None,
        "minimum_bid": minimum_next_bid(auction) if auction.state == AuctionState.ACTIVE else None,
        "started": now >= auction.starts_at,
        "running": auction.state == AuctionState.ACTIVE and auction.starts_at <= now < auction.ends_at,
        "seconds_left": max(0, int((auction.ends_at - now).total_seconds()))
        if auction.state == AuctionState.ACTIVE
        else 0,
        "result": None,
    }
    view["time_left"] = clock_text(view["seconds_left"])
    if policies.can_see_reserve(principal, auction):
        view["reserve_price"] = auction.reserve_price
    until = result_published_until(auction)
    published = until is not None and now < until
    if policies.can_see_result(principal, auction, published=published):
        view["result"] = {
            "state": auction.state,
            "winner": auction.winner.pseudonym if auction.winner_id and auction.winner else None,
            "price": auction.final_price,
            "reason": auction.result_reason,
            "closed_at": auction.closed_at,
            "published_until": until,
            "log_hash": auction.result_hash,
        }
    return view


def authorising_organisation_ids(agency_id: int | None) -> set[int]:
    """The owner organisations that authorise ``agency_id`` now (a running listing authorisation): the
    sellers an agency may file technology contracts for (``contracts.services``)."""
    if agency_id is None:
        return set()
    return set(
        ListingAuthorisation.objects.filter(
            agency_id=agency_id, revoked_at__isnull=True, ends_on__gte=timezone.localdate()
        ).values_list("owner_organisation_id", flat=True)
    )
