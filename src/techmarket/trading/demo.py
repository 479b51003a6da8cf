"""Demo data of the trading floor for ``techmarket demo``: listings in every state, objections, two demo
buyers, an English auction running when the demo starts (it ends about ten minutes later and the
worker's periodic job closes it), one auction closed and sold, and one 流拍.

Everything is made through the services, so the audit log and the bid log's hash chain are what real use
would leave. Past events happen at past times by moving the server's clock (:func:`core.clock.now`, which
the services ask) for the duration of each step; the running auction's bids are placed a few minutes
before the demo's start.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from techmarket.accounts import services as account_services
from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.demo import DemoPeople
from techmarket.accounts.types import Organisation, User
from techmarket.achievements.choices import AchievementState, Confidentiality
from techmarket.achievements.types import Achievement
from techmarket.core import clock
from techmarket.core.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, person_name
from techmarket.trading import services
from techmarket.trading.choices import AuctionKind, Pricing
from techmarket.trading.types import Auction, Listing

# The demo's buyers: enterprise users of two verified enterprises (not the sellers'), each registered and
# qualified (deposit received) for the running auction.
BUYERS = ("demo-buyer1", "demo-buyer2")
AUCTION_MINUTES = 10  # the running auction ends this long after the demo data is made
PUBLIC_RECORDS_NEEDED = 16  # published 公开 records of sellers the listings below take, one each

SUMMARIES = {
    "transfer": "该成果整体转让，含专利权及配套技术资料，受让方可独立实施。",
    "license": "普通许可实施，许可地域中国大陆，许可期限五年，提供技术指导。",
    "equity": "以技术作价入股合作成立项目公司，成果单位提供持续研发支持。",
}


@dataclass
class DemoTrading:
    """What the trading demo made, for the summary and the README's "watch the auction" steps."""

    states: Counter[str] = field(default_factory=Counter)
    running_auction: int | None = None
    running_ends_at: datetime.datetime | None = None
    closed_auctions: dict[str, int] = field(default_factory=dict)


@contextmanager
def at(moment: datetime.datetime) -> Iterator[None]:
    """Run the services as if the server's clock read ``moment``."""
    original = clock.now
    setattr(clock, "now", lambda: moment)  # noqa: B010 (patched for the services, restored below)
    try:
        yield
    finally:
        setattr(clock, "now", original)  # noqa: B010


def _buyer(people: DemoPeople, organisation: Organisation, username: str, rng: random.Random) -> User:
    return account_services.member_create(
        actor=people.org_admins[organisation.pk],
        organisation=organisation,
        username=username,
        password=DEMO_PASSWORD,
        display_name=person_name(rng),
        email=f"{username}@{DEMO_EMAIL_DOMAIN}",
        roles=[Role.ENTERPRISE],
    )


def _buyer_organisations(people: DemoPeople) -> list[Organisation]:
    """Two verified enterprises, demo-enterprise's company first (its demands meet the listings)."""
    enterprise = people.accounts.get("demo-enterprise")
    first = enterprise.organisation_id if enterprise is not None else None
    enterprises = sorted(
        (
            org
            for org in people.organisations_of({OrganisationKind.ENTERPRISE})
            if org.is_verified and org.pk in people.org_admins
        ),
        key=lambda org: (org.pk != first, org.pk),
    )
    return enterprises[: len(BUYERS)]


def _due(moment: datetime.datetime | None) -> datetime.datetime:
    if moment is None:
        raise RuntimeError("a demo listing has no period end")
    return moment


class _Floor:
    def __init__(
        self, rng: random.Random, people: DemoPeople, records: list[Achievement], buying: set[int]
    ) -> None:
        self.rng = rng
        self.people = people
        self.admin = people.admin
        self.now = timezone.now()
        applicant = people.accounts.get("demo-applicant")
        university = applicant.organisation_id if applicant is not None else None
        published = [
            record
            for record in records
            if record.state == AchievementState.PUBLISHED
            and record.owner_organisation_id in people.org_admins
            and record.owner_organisation_id not in buying
        ]
        # The demo applicant's own records first: signed in as demo-applicant, one sees them as seller.
        published.sort(key=lambda r: (r.owner_organisation_id != university, r.pk))
        self.public = [r for r in published if r.confidentiality == Confidentiality.PUBLIC]
        self.restricted = [r for r in published if r.confidentiality == Confidentiality.RESTRICTED]
        self.applicant = applicant
        self.university = university
        self.made = DemoTrading()

    def seller_of(self, achievement: Achievement) -> User:
        if self.applicant is not None and achievement.owner_organisation_id == self.university:
            return self.applicant
        return self.people.org_admins[achievement.owner_organisation_id]

    def take(self, *, restricted: bool = False) -> Achievement:
        pool = self.restricted if restricted else self.public
        if not pool:
            raise RuntimeError("the trading demo needs more published achievements")
        return pool.pop(0)

    def days_ago(self, days: float) -> datetime.datetime:
        return self.now - datetime.timedelta(days=days)

    def create(self, *, pricing: str, mode: str = "", restricted: bool = False, **data: Any) -> Listing:
        achievement = self.take(restricted=restricted)
        mode = mode or self.rng.choice(["transfer", "license", "equity"])
        price = data.pop("price", None)
        if price is None and pricing == Pricing.FIXED:
            price = Decimal(self.rng.randrange(30, 400))
        values: dict[str, Any] = {
            "mode": mode,
            "pricing": pricing,
            "price": str(price) if price is not None else "",
            "public_summary": f"{achievement.name}：{SUMMARIES[mode]}",
            "confidential_detail": "关键工艺参数、配方与中试数据（签署保密协议后可查看）。",
            "public_fields": ["achievement_name", "mode", "summary"],
            **data,
        }
        if mode == "license":
            values.update(license_kind="ordinary", license_territory="中国大陆", license_term_months=60)
        return services.listing_create(
            actor=self.seller_of(achievement), achievement=achievement, data=values
        )

    def approved(self, listing: Listing, days_ago: float) -> Listing:
        seller = self.seller_of(listing.achievement)
        with at(self.days_ago(days_ago)):
            listing = services.listing_submit(actor=seller, listing=listing)
        with at(self.days_ago(days_ago - 0.5)):
            return services.listing_approve(
                actor=self.admin, listing=listing, reason="材料齐全，同意挂牌公示"
            )

    def opened(self, listing: Listing, days_ago: float) -> Listing:
        listing = self.approved(listing, days_ago)
        moment = _due(listing.notice_ends_at)
        with at(moment):
            opened = services.listing_open(listing_id=listing.pk, now=moment)
        if opened is None:
            raise RuntimeError(f"demo listing {listing.pk} did not open")
        return opened

    def count(self, listing: Listing) -> Listing:
        self.made.states[listing.state] += 1
        return listing

    # --- listings in every state ------------------------------------------------------------------

    def listings(self, buyers: list[User]) -> None:
        self.count(self.create(pricing=Pricing.NEGOTIABLE))  # 草稿
        submitted = self.create(pricing=Pricing.FIXED)
        with at(self.days_ago(1)):
            self.count(
                services.listing_submit(actor=self.seller_of(submitted.achievement), listing=submitted)
            )
        returned = self.create(pricing=Pricing.FIXED)
        with at(self.days_ago(3)):
            returned = services.listing_submit(actor=self.seller_of(returned.achievement), listing=returned)
        with at(self.days_ago(2)):
            self.count(
                services.listing_return(
                    actor=self.admin, listing=returned, reason="请补充专利权属证明和许可条件说明。"
                )
            )
        # In notice, with an objection still open (it blocks the deal until an administrator decides).
        notice = self.approved(self.create(pricing=Pricing.NEGOTIABLE), days_ago=2)
        with at(self.days_ago(1)):
            services.objection_file(
                actor=buyers[1],
                listing=notice,
                reason="该技术的部分专利与本单位在先申请的专利存在权属争议。",
                evidence="本单位专利申请号及申请日期，见附件说明。",
            )
        self.count(notice)
        self.count(self.approved(self.create(pricing=Pricing.FIXED, listing_days=180), days_ago=1))
        # Suspended: an objection upheld during the notice.
        suspended = self.approved(self.create(pricing=Pricing.FIXED), days_ago=6)
        with at(self.days_ago(5)):
            objection = services.objection_file(
                actor=buyers[0],
                listing=suspended,
                reason="挂牌成果与已转让给本公司的技术相同。",
                evidence="2024年签订的技术转让合同编号及登记证明。",
            )
        with at(self.days_ago(4)):
            services.objection_uphold(
                actor=self.admin, objection=objection, reason="经核实，异议成立，中止挂牌。"
            )
        self.count(Listing.objects.get(pk=suspended.pk))
        # A dismissed objection: the listing went on and is open.
        dismissed = self.approved(self.create(pricing=Pricing.NEGOTIABLE, listing_days=180), days_ago=40)
        with at(self.days_ago(39)):
            objection = services.objection_file(
                actor=buyers[1], listing=dismissed, reason="价格明显偏高。", evidence="同类技术的市场成交价。"
            )
        with at(self.days_ago(38)):
            services.objection_dismiss(
                actor=self.admin, objection=objection, reason="价格由交易双方协商确定，不属于异议事由。"
            )
        with at(_due(dismissed.notice_ends_at)):
            self.count(
                services.listing_open(listing_id=dismissed.pk, now=_due(dismissed.notice_ends_at))
                or dismissed
            )
        # Open: fixed price, negotiable, and a 受限 achievement's listing whose price stays unpublished.
        self.count(self.opened(self.create(pricing=Pricing.FIXED, mode="transfer", listing_days=180), 30))
        self.count(self.opened(self.create(pricing=Pricing.NEGOTIABLE, mode="license", listing_days=180), 25))
        if self.restricted:
            restricted = self.create(
                pricing=Pricing.NEGOTIABLE, restricted=True, price=Decimal("260"), listing_days=180
            )
            self.count(self.opened(restricted, 28))
        # Under negotiation, and one negotiated to a deal.
        negotiating = self.opened(self.create(pricing=Pricing.NEGOTIABLE, listing_days=180), 35)
        with at(self.days_ago(8)):
            self.count(services.listing_start_negotiation(actor=buyers[0], listing=negotiating))
        dealt = self.opened(self.create(pricing=Pricing.FIXED, mode="transfer", listing_days=180), 60)
        with at(self.days_ago(40)):
            dealt = services.listing_start_negotiation(actor=buyers[1], listing=dealt)
        with at(self.days_ago(30)):
            self.count(services.listing_deal(actor=self.admin, listing=dealt, reason="双方签订技术转让合同"))
        # Withdrawn by its seller; expired at the end of a short listing period.
        withdrawn = self.opened(self.create(pricing=Pricing.FIXED), 50)
        with at(self.days_ago(20)):
            self.count(
                services.listing_withdraw(
                    actor=self.seller_of(withdrawn.achievement),
                    listing=withdrawn,
                    reason="已与合作方达成意向",
                )
            )
        expired = self.opened(self.create(pricing=Pricing.NEGOTIABLE, listing_days=30), 120)
        with at(_due(expired.open_until)):
            self.count(
                services.listing_expire(listing_id=expired.pk, now=_due(expired.open_until)) or expired
            )

    # --- auctions ---------------------------------------------------------------------------------

    def auction(
        self, listing: Listing, *, starts: datetime.datetime, minutes: float, reserve: str, buyers: list[User]
    ) -> tuple[Auction, list[Any]]:
        terms = services.AuctionTerms(
            kind=AuctionKind.ENGLISH,
            start_price=Decimal("100.00"),
            increment=Decimal("5.00"),
            reserve_price=Decimal(reserve),
            deposit=Decimal("10.00"),
            starts_at=starts,
            ends_at=starts + datetime.timedelta(minutes=minutes),
            extension_minutes=5,
        )
        with at(starts - datetime.timedelta(hours=2)):
            auction = services.auction_create(actor=self.admin, listing=listing, terms=terms)
            registrations = []
            for buyer in buyers:
                registration = services.registration_apply(actor=buyer, auction=auction)
                registration = services.registration_approve(actor=self.admin, registration=registration)
                registrations.append(services.deposit_receive(actor=self.admin, registration=registration))
        return auction, registrations

    def bids(
        self, auction: Auction, buyers: list[User], amounts: list[str], start: datetime.datetime
    ) -> None:
        for index, amount in enumerate(amounts):
            with at(start + datetime.timedelta(minutes=index + 1)):
                services.place_bid(
                    actor=buyers[index % len(buyers)],
                    auction=auction,
                    amount=amount,
                    idempotency_key=f"demo-{auction.pk}-{index + 1}",
                )

    def close(self, auction: Auction) -> Auction:
        auction.refresh_from_db()
        moment = auction.ends_at + datetime.timedelta(minutes=1)
        with at(moment):
            return services.close_auction(auction_id=auction.pk, now=moment)

    def auctions(self, buyers: list[User]) -> None:
        # Sold three weeks ago: the reserve was met.
        sold = self.opened(self.create(pricing=Pricing.AUCTION, mode="transfer", listing_days=180), 45)
        start = self.days_ago(21)
        auction, _registrations = self.auction(sold, starts=start, minutes=60, reserve="115", buyers=buyers)
        self.bids(auction, buyers, ["100", "105", "115", "125"], start)
        self.made.closed_auctions["sold"] = self.close(auction).pk
        self.count(Listing.objects.get(pk=sold.pk))
        # 流拍 ten days ago: bids stayed below the reserve; the listing is open again.
        failed = self.opened(self.create(pricing=Pricing.AUCTION, mode="license", listing_days=180), 30)
        start = self.days_ago(10)
        auction, _registrations = self.auction(failed, starts=start, minutes=60, reserve="200", buyers=buyers)
        self.bids(auction, buyers, ["100", "110"], start)
        self.made.closed_auctions["failed"] = self.close(auction).pk
        self.count(Listing.objects.get(pk=failed.pk))
        # Running now: began a few minutes ago, ends AUCTION_MINUTES after the demo data is made.
        running = self.opened(self.create(pricing=Pricing.AUCTION, mode="transfer", listing_days=180), 20)
        start = self.now - datetime.timedelta(minutes=6)
        minutes = 6 + AUCTION_MINUTES
        auction, _registrations = self.auction(
            running, starts=start, minutes=minutes, reserve="120", buyers=buyers
        )
        self.bids(auction, buyers, ["100", "105", "115", "125"], start)
        self.made.running_auction = auction.pk
        self.made.running_ends_at = start + datetime.timedelta(minutes=minutes)
        self.count(Listing.objects.get(pk=running.pk))


def seed(rng: random.Random, people: DemoPeople, records: list[Achievement]) -> DemoTrading:
    """Create the trading floor's demo records (inside the demo's transaction)."""
    organisations = _buyer_organisations(people)
    floor = _Floor(rng, people, records, {org.pk for org in organisations})
    if len(organisations) < len(BUYERS) or len(floor.public) < PUBLIC_RECORDS_NEEDED:
        return floor.made  # a small demo (a few dozen records): no trading floor
    buyers = [_buyer(people, org, name, rng) for org, name in zip(organisations, BUYERS, strict=True)]
    floor.listings(buyers)
    floor.auctions(buyers)
    return floor.made
