"""A platform administrator publishes this quarter's catalogue from the web; a visitor downloads it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.utils import timezone

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.models import PublishedCatalogue
from techmarket.achievements.tests.factories import achievement_in_state

from .signin import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_administrator_publishes_the_quarter_and_a_visitor_downloads_it(
    live_server, new_page, regions, reviewers, applicant, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    achievement_in_state(
        AchievementState.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    admin = user_with_role(Role.PLATFORM_ADMIN, username="platform_admin")
    today = timezone.localdate()
    quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"

    page = new_page()
    log_in(page, live_server.url, admin.username)  # with its second factor
    page.goto(f"{live_server.url}/achievements/catalogues/")
    page.click("text=发布季度目录")
    page.click("text=预览")
    page.wait_for_selector("#catalogue-preview-result >> text=将收录 1 项公开科技成果")
    shots = Path(os.environ["E2E_SCREENSHOTS"]) if os.environ.get("E2E_SCREENSHOTS") else None
    if shots:
        page.screenshot(path=str(shots / "catalogue-publish.png"), full_page=True)
    page.click("#catalogue-preview-result button[type=submit]")
    page.wait_for_selector(f"text={quarter}")
    assert "发布人" in page.content()
    assert PublishedCatalogue.objects.get(quarter=quarter).published_by == admin

    visitor = new_page(phone=True)
    visitor.goto(f"{live_server.url}/achievements/catalogues/")
    assert visitor.query_selector("text=发布季度目录") is None
    link = visitor.get_attribute("a:text('Excel')", "href")
    assert link is not None
    response = visitor.request.get(f"{live_server.url}{link}")
    assert response.status == 200
    assert f"{quarter}.xlsx" in response.headers["content-disposition"]
    if shots:
        visitor.screenshot(path=str(shots / "catalogues-phone.png"), full_page=True)
