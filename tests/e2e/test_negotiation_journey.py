"""Issue 10 §3, negotiation and deals: a buyer opens a negotiation on an open listing (set up through the
services), offers; the seller counters; the buyer accepts → the deal page with the draft contract, the
public 成交公告, and the 交易鉴证书 both parties download (its text checked with pypdf)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.deals.models import Deal
from techmarket.trading.choices import ListingState
from techmarket.trading.tests.factories import listing_in_state, published_achievement

from .signin import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ACHIEVEMENT = "高导热石墨烯薄膜卷对卷制备技术"
PAYMENT = "合同生效后30日内支付50%，验收后支付余款"
SHOTS = os.environ.get("TECHMARKET_E2E_SHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_buyer_and_seller_negotiate_to_a_deal(live_server, new_page, regions, reviewers) -> None:
    base = live_server.url
    university = OrganisationFactory(region=regions["county"], name="江城理工大学")
    seller = user_with_role(
        Role.APPLICANT, organisation=university, username="seller_li", display_name="李老师"
    )
    achievement = published_achievement(
        applicant=seller, region=regions["county"], reviewers=reviewers, name=ACHIEVEMENT
    )
    listing = listing_in_state(
        ListingState.OPEN,
        seller=seller,
        achievement=achievement,
        admin=user_with_role(Role.PLATFORM_ADMIN),
        mode="transfer",
        price="80.00",
    )
    company = OrganisationFactory(
        region=regions["other_county"], kind=OrganisationKind.ENTERPRISE, name="江城新材料"
    )
    user_with_role(Role.ENTERPRISE, organisation=company, username="buyer_wu", display_name="吴经理")

    # 1. The buyer opens the negotiation from the listing's panel and offers 50 万元.
    buyer = new_page()
    log_in(buyer, base, "buyer_wu")
    buyer.goto(f"{base}/deals/listings/{listing.pk}/negotiate/")
    shot(buyer, "01-listing-panel")
    buyer.click("#negotiate-button")
    buyer.wait_for_selector("#offer-form")
    buyer.fill("#id_amount", "50")
    buyer.fill("#id_payment_terms", PAYMENT)
    buyer.click("#offer-form button[type=submit]")
    buyer.wait_for_selector("#offers")
    assert "50.00" in buyer.inner_text("#offers")
    shot(buyer, "02-buyer-offered")
    # A malformed amount gets a clear message and changes nothing.
    buyer.fill("#id_amount", "五十万")
    buyer.click("#offer-form button[type=submit]")
    assert "金额格式不正确" in buyer.inner_text("#offer-form")
    shot(buyer, "03-malformed-amount")

    # 2. The seller finds it under 我的洽谈 and counters with 65 万元.
    seller_page = new_page()
    log_in(seller_page, base, "seller_li")
    seller_page.goto(f"{base}/deals/")
    seller_page.click("#negotiations a")
    seller_page.wait_for_selector("#offer-form")
    seller_page.fill("#id_amount", "65")
    seller_page.click("#offer-form button[type=submit]")
    seller_page.wait_for_selector("#offers")
    rows = seller_page.inner_text("#offers")
    assert "65.00" in rows
    assert "已被新报价取代" in rows
    shot(seller_page, "04-seller-countered")

    # 3. The buyer accepts the counter-offer: the deal page with the draft contract.
    buyer.reload()
    buyer.locator("#offers tr[data-state=open]").get_by_role("button", name="接受").click()
    buyer.wait_for_selector("#draft-contract")
    assert "技术转让合同（草稿）" in buyer.inner_text("#draft-contract")
    assert "65.00" in buyer.inner_text("#deal-price")
    shot(buyer, "05-deal-page")
    deal = Deal.objects.get()

    # 4. Both parties download the 交易鉴证书.
    for page in (buyer, seller_page):
        page.goto(f"{base}/deals/{deal.pk}/")
        with page.expect_download() as download:
            page.click("#certificate-link")
        path = download.value.path()
        text = _pdf_text(Path(path).read_bytes()).replace("\n", "")
        assert "交易鉴证书" in text
        assert deal.number in text
        assert "江城新材料" in text
        assert "江城理工大学" in text
        assert "65.00" in text
        assert deal.evidence_hash in text.replace(" ", "")

    # 5. Anyone reads the 成交公告.
    visitor = new_page()
    visitor.goto(f"{base}/deals/notices/")
    assert deal.number in visitor.inner_text("#notices")
    visitor.click(f"text={deal.number}")
    assert "65.00" in visitor.inner_text("#notice-fields")
    shot(visitor, "06-public-notice")
