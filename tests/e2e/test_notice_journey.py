"""An achievement from submission to publication with each party notified (issue 9 §1): the filer
submits; each reviewer finds the record through the notice in their messages and approves it; the filer
and the organisation's administrator read the publication; the filer turns e-mail off in 通知设置."""

from __future__ import annotations

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import draft
from techmarket.notifications import selectors as notification_selectors
from techmarket.notifications.models import Notification

from .signin import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "钠离子电池层状氧化物正极材料"


def open_notice(page, base: str, title: str) -> None:
    """From the bell in the navbar to the notice, and through it to the record."""
    page.goto(base)
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():  # a phone: the menu is folded
        toggler.click()
    page.click("nav >> text=消息")
    page.wait_for_selector(f"text={title}")
    page.click(f"button:has-text('{title}')")
    page.wait_for_selector(f"h1 >> text={TITLE}")


def test_each_party_hears_about_each_step(live_server, new_page, regions, reviewers):
    base = live_server.url
    university = OrganisationFactory(region=regions["county"], name="江城理工大学")
    filer = user_with_role(Role.APPLICANT, organisation=university, username="filer")
    admin = user_with_role(Role.ORG_ADMIN, organisation=university, username="univ_admin")
    record = draft(applicant=filer, region=regions["county"], name=TITLE)

    researcher = new_page()
    log_in(researcher, base, filer.username)
    researcher.goto(f"{base}/achievements/{record.pk}/")
    researcher.click("button[value=submit]")
    researcher.wait_for_selector("#state >> text=县级审核中")

    for level, next_state in (("county", "市级审核中"), ("city", "已发布")):
        page = new_page(phone=level == "city")
        log_in(page, base, reviewers[level].username)
        open_notice(page, base, f"待审核科技成果：{TITLE}")
        page.click(f"button[value={level}_approve]")
        page.wait_for_selector(f"#state >> text={next_state}")
    record.refresh_from_db()
    assert record.state == AchievementState.PUBLISHED

    open_notice(researcher, base, f"科技成果已发布：{TITLE}")
    assert record.registration_number in researcher.content()
    colleague = new_page()
    log_in(colleague, base, admin.username)
    open_notice(colleague, base, f"科技成果已发布：{TITLE}")
    assert not Notification.objects.filter(recipient=reviewers["other_city"]).exists()
    assert not Notification.objects.filter(recipient=reviewers["province"]).exists()

    researcher.goto(f"{base}/notifications/")
    researcher.click("text=通知设置")
    researcher.uncheck("#id_achievement__email")
    researcher.click("main button[type=submit]")
    researcher.wait_for_selector("text=通知设置已保存")
    (achievements,) = [row for row in notification_selectors.preferences(filer) if row.group == "achievement"]
    assert (achievements.email, achievements.sms) == (False, False)
