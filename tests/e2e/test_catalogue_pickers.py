"""The catalogue filtered through the pickers on a phone, by keyboard: province → city loads by htmx,
the results follow, a bad range is named next to its field, and the page fits 390 px."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from techmarket.accounts.tests.factories import OrganisationFactory
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state, applicant_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_visitor_filters_the_catalogue_with_the_pickers_on_a_phone(
    live_server, new_page, regions, reviewers
):
    here = applicant_of(organisation=OrganisationFactory(region=regions["county"]))
    achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=here,
        region=regions["county"],
        reviewers=reviewers,
        name="甲市导热膜",
    )
    achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=here,
        region=regions["county"],
        reviewers=reviewers,
        name="甲市锂电池正极",
        keywords="锂电池",
        abstract="高能量密度锂电池正极材料。",
    )

    page = new_page(phone=True)
    page.goto(f"{live_server.url}/achievements/")
    page.get_by_text("筛选条件").click()
    province = page.get_by_label("地区：省级")
    province.focus()
    province.select_option(regions["province"].code)
    city = page.get_by_label("地区：市级")
    city.wait_for()
    city.select_option(regions["city"].code)
    page.get_by_label("地区：县级").wait_for()
    page.wait_for_function("document.querySelector('#result-count') !== null")
    assert "共 2 项成果" in page.locator("#result-count").inner_text()
    # Keyboard: Tab from the city select reaches the county select.
    city.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "地区：县级"

    page.get_by_label("最低TRL").select_option("9")
    page.get_by_label("最高TRL").select_option("3")
    page.locator("#error-trl_max").filter(has_text="最高TRL不能低于最低TRL").wait_for()
    assert page.locator("#filter-errors").is_visible()

    shots = Path(os.environ["E2E_SCREENSHOTS"]) if os.environ.get("E2E_SCREENSHOTS") else None
    if shots:  # to look at: E2E_SCREENSHOTS=<directory>
        page.screenshot(path=str(shots / "catalogue-phone-pickers.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone: {width}px"
    page.goto(f"{live_server.url}/achievements/?q=锂+电池&region={regions['city'].code}")
    assert page.locator("mark.search-hit").first.inner_text() == "锂电池"
    if shots:
        page.screenshot(path=str(shots / "catalogue-phone-search.png"), full_page=True)
