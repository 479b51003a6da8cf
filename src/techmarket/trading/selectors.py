"""Reads for the trading floor. Every query a page, the API or an export makes starts from what the
principal may see (``policies.visible_q``); the unscoped reads are named as system reads."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.policies import Principal
from techmarket.achievements import selectors as achievement_selectors
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.types import Achievement
from techmarket.core.errors import NotFound
from techmarket.core.models import CHAIN_LEVELS, CalendarDay, Region, chain_field
from techmarket.core.todo import TodoItem, TodoRow, count_and_first, latest_reasons
from techmarket.trading import policies
from techmarket.trading.choices import (
    PUBLIC_LISTING_STATES,
    AuctionKind,
    AuctionState,
    BidOutcome,
    ListingState,
    ObjectionState,
)
from techmarket.trading.models import (
    DEFAULT_NOTICE_WORKING_DAYS,
    Auction,
    BidLogEntry,
    Listing,
    ListingAuthorisation,
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


def _with_fields_text(queryset: QuerySet[Listing]) -> QuerySet[Listing]:
    """``policies.shown_q`` compares the public-field list as JSON text."""
    return queryset.annotate(public_fields_text=Cast("public_fields", TextField()))


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
    queryset = _with_fields_text(queryset)
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
    """The listing as the principal may read it: restricted fields left out, the confidential detail
    only for the parties. Pages and the API render this, never the row."""
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
    if policies.can_see_confidential(principal, listing):
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


# --- My work (the to-do page, core.todo) ------------------------------------------------------------------


def _day(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""


def _row(listing: Listing, note: Any = "") -> TodoRow:
    return TodoRow(label=listing.title, url=reverse("trading:listing_detail", args=[listing.pk]), note=note)


def todo_items(principal: Principal) -> list[TodoItem]:
    """Trading work: listings to review and open objections (administrators); returned listings
    (sellers and agencies)."""
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
