"""The trading floor end to end (issue 10's browser journey): a seller lists a published achievement; the
trading administrator (TOTP) approves it into its notice period; the notice passes under a controlled
clock; a buyer finds it in the hall, requests the confidential detail by accepting the NDA on screen, the
seller grants it, the buyer reads the detail; then the buyer negotiates from the listing's page to a deal,
whose 成交公告 the public reads. Each step is taken on the pages a new user would use."""

from __future__ import annotations

import datetime
import os

import pytest

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.core import clock
from techmarket.deals.models import Deal
from techmarket.trading import services
from techmarket.trading.choices import ListingState
from techmarket.trading.models import DisclosureRequest, Listing

from .signin import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ACHIEVEMENT = "低温等离子体废气净化装置"
SECRET = "放电间隙三毫米与脉冲频率的匹配参数"
NDA = "买方对本项目的工艺参数负有保密义务，三年内不得向第三方披露。"
SHOTS = os.environ.get("TECHMARKET_E2E_SHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"trading-{name}.png"), full_page=True)


def test_list_review_notice_disclosure_negotiation_and_deal(
    live_server, new_page, regions, reviewers, monkeypatch
):
    base = live_server.url
    university = OrganisationFactory(
        region=regions["county"], kind=OrganisationKind.UNIVERSITY, name="洞庭环境工程学院"
    )
    filer = user_with_role(
        Role.APPLICANT, organisation=university, username="seller_he", display_name="何老师"
    )
    achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=filer,
        region=regions["county"],
        reviewers=reviewers,
        name=ACHIEVEMENT,
    )
    user_with_role(Role.PLATFORM_ADMIN, username="trading_admin")
    company = OrganisationFactory(
        region=regions["city"], kind=OrganisationKind.ENTERPRISE, name="岳阳绿色化工公司"
    )
    user_with_role(Role.ENTERPRISE, organisation=company, username="buyer_lu", display_name="陆经理")

    # 1. The seller lists the achievement (transfer, negotiable) with its confidential detail.
    seller = new_page()
    log_in(seller, base, "seller_he")
    seller.goto(f"{base}/trading/")
    seller.click("text=我要挂牌")
    seller.click(f"#listable >> text={ACHIEVEMENT}")
    seller.select_option("#id_mode", "transfer")
    seller.select_option("#id_pricing", "negotiable")
    seller.fill("#id_price", "120")
    seller.fill("#id_confidential_detail", SECRET)
    seller.click("button[name=submit_now]")
    seller.wait_for_selector("#state >> text=待审核")
    listing = Listing.objects.get()
    shot(seller, "1-submitted")

    # 2. The administrator approves it into the notice period.
    admin = new_page()
    log_in(admin, base, "trading_admin")
    admin.goto(f"{base}/trading/listings/review/")
    admin.click("#review-queue >> text=审核通过并公示")
    admin.wait_for_selector("text=操作成功")
    listing.refresh_from_db()
    assert listing.state == ListingState.NOTICE

    # 3. The notice period passes on the server's clock; the periodic job opens the listing.
    later = listing.notice_ends_at + datetime.timedelta(minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert services.trading_tick()["opened"] == 1

    # 4. The seller writes the NDA terms.
    seller.goto(f"{base}/trading/{listing.pk}/disclosure/nda/")
    seller.fill("#id_text", NDA)
    seller.click("#save-nda")
    seller.wait_for_selector("text=已保存为第 1 版")

    # 5. The buyer finds it in the hall; the listing page shows the public part only.
    buyer = new_page()
    log_in(buyer, base, "buyer_lu")
    buyer.goto(f"{base}/trading/?state=open")
    buyer.click(f"text={ACHIEVEMENT}")
    buyer.wait_for_selector("#state >> text=挂牌中")
    assert SECRET not in buyer.content()
    shot(buyer, "2-listing-public")

    # 6. The buyer requests the confidential detail from the listing's panel and accepts the NDA on screen.
    buyer.click("#request-access")
    buyer.wait_for_selector("#nda-text")
    assert NDA in buyer.inner_text("#nda-text")
    buyer.check("#id_accept")
    buyer.click("#submit-request")
    buyer.wait_for_selector("#request-pending")
    request = DisclosureRequest.objects.get()
    assert request.nda.text == NDA
    shot(buyer, "3-request-pending")

    # 7. The seller grants it for 7 days; the buyer reads the detail on the listing's page.
    seller.goto(f"{base}/trading/{listing.pk}/disclosure/requests/")
    row = seller.locator(f"#request-{request.pk}")
    row.locator(".grant-form input[name=days]").fill("7")
    row.locator(".grant-form button").click()
    seller.wait_for_selector("text=已处理")
    buyer.goto(f"{base}/trading/listings/{listing.pk}/")
    buyer.wait_for_selector("#confidential-detail")
    assert SECRET in buyer.inner_text("#confidential-detail")
    shot(buyer, "4-detail-granted")

    # 8. The buyer negotiates from the listing's page: an offer of 90 万元.
    buyer.click("#negotiate-button")
    buyer.wait_for_selector("#offer-form")
    buyer.fill("#id_amount", "90")
    buyer.click("#offer-form button[type=submit]")
    buyer.wait_for_selector("#offers")
    assert "90.00" in buyer.inner_text("#offers")

    # 9. The seller counters with 105 万元 from 我的洽谈; the buyer accepts: a deal with its draft contract.
    seller.goto(f"{base}/deals/")
    seller.click("#negotiations a")
    seller.wait_for_selector("#offer-form")
    seller.fill("#id_amount", "105")
    seller.click("#offer-form button[type=submit]")
    seller.wait_for_selector("#offers")
    buyer.reload()
    buyer.locator("#offers tr[data-state=open]").get_by_role("button", name="接受").click()
    buyer.wait_for_selector("#draft-contract")
    assert "105.00" in buyer.inner_text("#deal-price")
    shot(buyer, "5-deal")
    deal = Deal.objects.get()
    listing.refresh_from_db()
    assert listing.state == ListingState.DEALT

    # 10. Anyone reads the 成交公告; the confidential detail is in none of the public pages.
    visitor = new_page(phone=True)
    visitor.goto(f"{base}/deals/notices/")
    visitor.click(f"text={deal.number}")
    assert "105.00" in visitor.inner_text("#notice-fields")
    visitor.goto(f"{base}/trading/listings/{listing.pk}/")
    visitor.wait_for_selector("#state >> text=已成交")
    assert SECRET not in visitor.content()
    shot(visitor, "6-public-notice")
