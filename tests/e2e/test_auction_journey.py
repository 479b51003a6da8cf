"""An auction with two bidders in two browser contexts (issue 10 §4): both read the rules, bidder A bids
and bidder B's page shows the new price without a reload (htmx polls the live fragment); B outbids A and
A's page follows; the server's clock passes the end, the closing job runs, and both pages show the
published result (winner's pseudonym and price) without a reload."""

from __future__ import annotations

import datetime
import io
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.core import clock
from techmarket.trading import services
from techmarket.trading.choices import AuctionState, ListingState, Pricing
from techmarket.trading.models import Auction
from techmarket.trading.tests.factories import (
    admin_user,
    auction_for,
    listing_in_state,
    published_achievement,
    qualified_bidder,
)

from .signin import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("TECHMARKET_SHOTS", "var/shots"))


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"auction-{name}.png"), full_page=True)


def bid(page, amount: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#bid-form input[name=amount]", amount)
    page.click("#bid-submit")
    page.wait_for_selector("text=出价成功")


def test_two_bidders_watch_the_live_price_and_the_result(
    live_server, new_page, regions, reviewers, monkeypatch
) -> None:
    base = live_server.url
    university = OrganisationFactory(
        region=regions["county"], name="江城理工大学", kind=OrganisationKind.UNIVERSITY
    )
    seller = user_with_role(Role.APPLICANT, organisation=university, username="seller")
    achievement = published_achievement(applicant=seller, region=regions["county"], reviewers=reviewers)
    admin = admin_user()
    listing = listing_in_state(
        ListingState.OPEN, seller=seller, achievement=achievement, admin=admin, pricing=Pricing.AUCTION
    )
    start = timezone.now() - datetime.timedelta(minutes=1)
    auction = auction_for(listing, admin=admin, start=start, minutes=30)
    bidders = []
    for name in ("bidder_a", "bidder_b"):
        organisation = OrganisationFactory(region=regions["other_county"], kind=OrganisationKind.ENTERPRISE)
        bidders.append(user_with_role(Role.ENTERPRISE, organisation=organisation, username=name))
    for user in bidders:
        qualified_bidder(auction, admin=admin, user=user)

    url = f"{base}/trading/auctions/{auction.pk}/"
    pages = []
    for user in bidders:
        page = new_page()
        log_in(page, base, user.username)
        page.goto(url)
        page.wait_for_selector("#auction-rules >> text=保证金抵作价款")
        page.wait_for_selector("#minimum-bid >> text=100.00")
        pages.append(page)
    a, b = pages
    shot(b, "1-before")

    bid(a, "100")
    b.wait_for_selector("#current-price >> text=100.00", timeout=10_000)  # no reload: the poll
    b.wait_for_selector("#bid-history >> text=竞买人 01")
    b.wait_for_selector("#minimum-bid >> text=105.00")
    shot(b, "2-b-sees-a")

    b.fill("#bid-form input[name=amount]", "101")  # below the increment: refused, nothing changes
    b.click("#bid-submit")
    b.wait_for_selector("#bid-form .invalid-feedback >> text=即 105.00 万元")
    shot(b, "3-b-below-increment")
    assert Auction.objects.get(pk=auction.pk).current_price == Decimal("100.00")

    bid(b, "125")
    a.wait_for_selector("#current-price >> text=125.00", timeout=10_000)
    a.wait_for_selector("#bid-history >> text=竞买人 02")
    shot(a, "4-a-sees-b")

    # The server's clock passes the end; the closing job (trading_tick) closes the auction.
    after_end = Auction.objects.get(pk=auction.pk).ends_at + datetime.timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: after_end)
    assert services.trading_tick()["closed"] == 1
    assert Auction.objects.get(pk=auction.pk).state == AuctionState.SOLD
    for page, name in ((a, "5-a-result"), (b, "6-b-result")):
        page.wait_for_selector("#auction-result >> text=竞买人 02 以 125.00 万元竞得", timeout=10_000)
        page.wait_for_selector("#auction-certificate")
        page.wait_for_selector("#auction-state >> text=已成交")
        assert page.locator("#bid-form").count() == 0  # the form went with the close, no reload
        shot(page, name)

    # The winner downloads the 交易鉴证书 from the auction's page: it carries the bid log's final hash.
    b.reload()
    with b.expect_download() as caught:
        b.click("#auction-certificate-link")
    data = Path(caught.value.path()).read_bytes()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    flat = text.replace("\n", "").replace(" ", "")
    assert "交易鉴证书" in flat
    assert "125.00" in flat
    assert Auction.objects.get(pk=auction.pk).result_hash in flat
    a.reload()  # the other bidder is no party to the deal: no certificate for them
    a.wait_for_selector("#auction-certificate")
    assert a.locator("#auction-certificate-link").count() == 0
