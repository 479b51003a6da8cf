"""The catalogue's trading filters in the browser (ADR 0011): 可交易 narrows the results by htmx to the
records open for trading, each card says how it is listed, and a bad price range is named next to its
field."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from techmarket.accounts.tests.factories import OrganisationFactory
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state, applicant_of
from techmarket.trading.choices import ListingState, Pricing
from techmarket.trading.tests.factories import admin_user, listing_in_state

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_visitor_finds_the_tradable_records(live_server, new_page, regions, reviewers):
    seller = applicant_of(organisation=OrganisationFactory(region=regions["county"]))

    def record(name: str) -> object:
        return achievement_in_state(
            AchievementState.PUBLISHED,
            applicant=seller,
            region=regions["county"],
            reviewers=reviewers,
            name=name,
        )

    listed = record("可交易的导热膜工艺")
    record("未挂牌的锂电池正极")
    listing_in_state(
        ListingState.OPEN,
        seller=seller,
        achievement=listed,
        admin=admin_user(),
        mode="transfer",
        pricing=Pricing.FIXED,
        price="120.00",
    )

    page = new_page()
    page.goto(f"{live_server.url}/achievements/")
    page.wait_for_function("document.querySelector('#result-count') !== null")
    assert "共 2 项成果" in page.locator("#result-count").inner_text()
    page.get_by_text("筛选条件").click()
    page.get_by_label("可交易").select_option("1")
    page.wait_for_function("document.querySelector('#result-count').innerText.includes('共 1 项成果')")
    card = page.locator(".achievement-card")
    assert card.count() == 1
    assert "可交易的导热膜工艺" in card.inner_text()
    assert "已挂牌 · 一口价 · 转让 · 120.00 万元" in " ".join(
        card.locator(".trade-line").inner_text().split()
    )
    assert "可交易" in card.locator(".trade-badge").inner_text()

    page.get_by_label("挂牌最低价（万元）").fill("200")
    page.get_by_label("挂牌最高价（万元）").fill("100")
    page.get_by_label("挂牌最高价（万元）").press("Enter")
    page.locator("#filter-errors").filter(has_text="挂牌最高价不能低于挂牌最低价").wait_for()
    shots = os.environ.get("E2E_SCREENSHOTS")
    if shots:
        page.screenshot(path=str(Path(shots) / "catalogue-trading.png"), full_page=True)
