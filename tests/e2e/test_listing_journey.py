"""The listing journey of issue 10: a seller lists a published achievement; the trading administrator
(signed in with TOTP) approves it into its public notice; another user files an objection that the
administrator dismisses; the notice period passes under a controlled clock and the periodic job opens
the listing, which the public then sees 挂牌中 in the hall (on a phone)."""

from __future__ import annotations

import datetime
import os

import pytest

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.core import clock
from techmarket.notifications.models import Notification
from techmarket.trading import services
from techmarket.trading.choices import ListingState, ObjectionState
from techmarket.trading.models import Listing, Objection

from .signin import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ACHIEVEMENT = "高导热石墨烯复合薄膜的制备技术"
# Set TECHMARKET_E2E_SHOTS to a directory to keep screenshots of the journey's pages.
SHOTS = os.environ.get("TECHMARKET_E2E_SHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_listing_passes_review_an_objection_and_its_notice_period(
    live_server, new_page, regions, reviewers, monkeypatch
):
    base = live_server.url
    university = OrganisationFactory(
        region=regions["county"], kind=OrganisationKind.UNIVERSITY, name="江城理工大学"
    )
    seller = user_with_role(Role.APPLICANT, organisation=university, username="seller_zhao")
    achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=seller,
        region=regions["county"],
        reviewers=reviewers,
        name=ACHIEVEMENT,
    )
    user_with_role(Role.PLATFORM_ADMIN, username="trading_admin")
    company = OrganisationFactory(
        region=regions["city"], kind=OrganisationKind.ENTERPRISE, name="光谷新材料公司"
    )
    user_with_role(Role.ENTERPRISE, organisation=company, username="ent_qian")

    # 1. The seller lists the achievement: licence, negotiable price, and submits it for review.
    page = new_page()
    log_in(page, base, "seller_zhao")
    page.goto(f"{base}/trading/")
    page.click("text=我要挂牌")
    page.click(f"#listable >> text={ACHIEVEMENT}")
    page.select_option("#id_mode", "license")
    page.select_option("#id_license_kind", "ordinary")
    page.fill("#id_license_territory", "中国大陆")
    page.fill("#id_license_term_months", "60")
    page.select_option("#id_pricing", "negotiable")
    page.fill("#id_price", "abc")  # a malformed price first: a clear message, nothing created
    page.fill("#id_confidential_detail", "工艺窗口：还原温度与辊压压力（保密）")
    page.click("button[name=submit_now]")
    page.wait_for_selector("text=金额格式不正确")
    assert not Listing.objects.exists()
    shot(page, "listing-form-error")
    page.fill("#id_price", "80")
    page.click("button[name=submit_now]")
    page.wait_for_selector("#state >> text=待审核")
    listing = Listing.objects.get()
    assert listing.state == ListingState.SUBMITTED
    shot(page, "listing-submitted")

    # 2. The trading administrator approves it from the review queue: the notice period starts.
    admin = new_page()
    log_in(admin, base, "trading_admin")
    admin.goto(f"{base}/trading/listings/review/")
    shot(admin, "review-queue")
    admin.click("#review-queue >> text=审核通过并公示")
    admin.wait_for_selector("text=操作成功")
    listing.refresh_from_db()
    assert listing.state == ListingState.NOTICE
    assert listing.notice_ends_at is not None

    # 3. Another user files an objection during the notice.
    objector = new_page()
    log_in(objector, base, "ent_qian")
    objector.goto(f"{base}/trading/listings/{listing.pk}/")
    assert "工艺窗口" not in objector.content()  # the confidential detail is the parties' only
    objector.fill("#objection-form #id_reason", "该技术与我公司专利存在权属争议")
    objector.fill("#objection-form #id_evidence", "专利号 ZL2021XXXXXXXX.X")
    objector.click("#objection-form button[type=submit]")
    objector.wait_for_selector("text=异议已提交")
    objection = Objection.objects.get()
    assert objection.state == ObjectionState.OPEN
    shot(objector, "objection-filed")

    # 4. The administrator dismisses it with a reason.
    admin.goto(f"{base}/trading/listings/{listing.pk}/")
    shot(admin, "objection-open")
    dismiss = admin.locator(f"#objection-{objection.pk} form").first
    dismiss.locator("input[name=reason]").fill("经核查，专利权利要求不覆盖该技术")
    dismiss.locator("button[type=submit]").click()
    admin.wait_for_selector("text=操作成功")
    objection.refresh_from_db()
    assert objection.state == ObjectionState.DISMISSED
    shot(admin, "objection-dismissed")
    assert Notification.objects.filter(
        recipient__username="ent_qian", kind="listing.objection_resolved"
    ).exists()

    # 5. The notice period passes on the server's clock; the periodic job opens the listing.
    later = listing.notice_ends_at + datetime.timedelta(minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert services.trading_tick()["opened"] == 1
    listing.refresh_from_db()
    assert listing.state == ListingState.OPEN

    # 6. The public sees it 挂牌中 in the hall, on a phone.
    visitor = new_page(phone=True)
    visitor.goto(f"{base}/trading/?state=open")
    card = visitor.locator(".listing-card", has_text=ACHIEVEMENT)
    card.locator(".listing-state", has_text="挂牌中").wait_for()
    shot(visitor, "hall-phone")
    visitor.click(f"text={ACHIEVEMENT}")
    visitor.wait_for_selector("#state >> text=挂牌中")
    assert "工艺窗口" not in visitor.content()
    shot(visitor, "listing-phone")
