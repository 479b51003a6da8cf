"""Issue 10 §2, staged disclosure: the seller writes the NDA terms and uploads a confidential PDF; a buyer
asks for access and accepts the NDA on screen; the seller grants it; the buyer reads the confidential
detail and downloads the PDF with their watermark; the seller reads the access log."""

from __future__ import annotations

import datetime
import io
import os

import pytest
import weasyprint
from django.utils import timezone
from pypdf import PdfReader

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.trading import services
from techmarket.trading.choices import ListingState
from techmarket.trading.models import DisclosureAccess, DisclosureRequest
from techmarket.trading.tests.factories import listing_in_state, published_achievement

from .test_registration_journey import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SECRET = "还原温度九百五十度，辊压压力十二兆帕"
NDA = "第一条 买方对本项目的保密信息负有保密义务，未经挂牌方书面同意不得向任何第三方披露。"
SHOTS = os.environ.get("TECHMARKET_E2E_SHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"disclosure-{name}.png"), full_page=True)


def test_a_buyer_accepts_the_nda_is_granted_and_downloads_a_watermarked_pdf(
    live_server, new_page, regions, reviewers, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    university = OrganisationFactory(region=regions["county"], name="江城理工大学")
    seller = user_with_role(
        Role.APPLICANT, organisation=university, username="seller_zhao", display_name="赵老师"
    )
    achievement = published_achievement(applicant=seller, region=regions["county"], reviewers=reviewers)
    listing = listing_in_state(
        ListingState.OPEN,
        seller=seller,
        achievement=achievement,
        admin=user_with_role(Role.PLATFORM_ADMIN),
        confidential_detail=SECRET,
    )
    company = OrganisationFactory(
        region=regions["other_county"], kind=OrganisationKind.ENTERPRISE, name="江城新材料"
    )
    buyer = user_with_role(Role.ENTERPRISE, organisation=company, username="buyer_wu", display_name="吴经理")
    pdf = tmp_path / "工艺配方.pdf"
    pdf.write_bytes(weasyprint.HTML(string="<p>工艺配方正文</p>").write_pdf())

    # 1. The seller writes the NDA terms and uploads a confidential PDF.
    seller_page = new_page()
    log_in(seller_page, base, "seller_zhao")
    seller_page.goto(f"{base}/trading/{listing.pk}/disclosure/nda/")
    seller_page.fill("#id_text", NDA)
    seller_page.click("#save-nda")
    seller_page.wait_for_selector("text=已保存为第 1 版")
    shot(seller_page, "0-seller-nda")
    seller_page.goto(f"{base}/trading/{listing.pk}/documents/upload/")
    seller_page.fill("#id_title", "工艺配方")
    seller_page.set_input_files("#id_file", str(pdf))
    seller_page.check("#id_confidential")
    seller_page.click("#upload-document")
    seller_page.wait_for_selector("text=文件已上传")
    shot(seller_page, "1-seller-upload")

    # 2. The buyer sees the public part only, asks, reads the NDA on screen and accepts it.
    buyer_page = new_page()
    log_in(buyer_page, base, "buyer_wu")
    buyer_page.goto(f"{base}/trading/{listing.pk}/disclosure/")
    assert SECRET not in buyer_page.content()
    assert "工艺配方" not in buyer_page.content()
    shot(buyer_page, "2-buyer-before")
    buyer_page.click("#request-access")
    buyer_page.wait_for_selector("#nda-text")
    assert NDA in buyer_page.inner_text("#nda-text")
    shot(buyer_page, "3-buyer-nda")
    buyer_page.check("#id_accept")
    buyer_page.click("#submit-request")
    buyer_page.wait_for_selector("#request-pending")
    request = DisclosureRequest.objects.get(user=buyer)
    assert request.nda.text == NDA
    assert request.nda.version == 1

    # 3. The seller grants it for 7 days.
    seller_page.goto(f"{base}/trading/{listing.pk}/disclosure/requests/")
    row = seller_page.locator(f"#request-{request.pk}")
    assert "江城新材料" in row.inner_text()
    row.locator(".grant-form input[name=days]").fill("7")
    shot(seller_page, "4-seller-requests")
    row.locator(".grant-form button").click()
    seller_page.wait_for_selector("text=已处理")
    request.refresh_from_db()
    assert request.granted_until is not None
    assert request.granted_until - timezone.now() > datetime.timedelta(days=6)

    # 4. The buyer reads the confidential detail and downloads the PDF with their watermark.
    buyer_page.goto(f"{base}/trading/{listing.pk}/disclosure/")
    buyer_page.wait_for_selector("#confidential-detail")
    assert SECRET in buyer_page.inner_text("#confidential-detail")
    shot(buyer_page, "5-buyer-granted")
    with buyer_page.expect_download() as caught:
        buyer_page.click(".confidential-document")
    with open(caught.value.path(), "rb") as downloaded:
        data = downloaded.read()
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "工艺配方正文" in text
    assert "江城新材料" in text
    assert "吴经理" in text
    assert timezone.localtime().strftime("%Y-%m-%d") in text
    (tmp_path / "downloaded.pdf").write_bytes(data)
    if SHOTS:
        (tmp_path / "downloaded.pdf").rename(os.path.join(SHOTS, "disclosure-downloaded.pdf"))

    # 5. The seller reads the access log: the view and the download, by whom and for which organisation.
    seller_page.goto(f"{base}/trading/{listing.pk}/disclosure/log/")
    log = seller_page.inner_text("#access-log")
    assert "吴经理" in log
    assert "江城新材料" in log
    assert "工艺配方" in log
    shot(seller_page, "6-seller-log")

    # 6. The seller adds an auto-grant rule (bad input is refused by the server too: the unit tests).
    seller_page.goto(f"{base}/trading/{listing.pk}/disclosure/rules/")
    seller_page.fill("#id_region", regions["province"].code)
    seller_page.select_option("#id_kind", "enterprise")
    seller_page.fill("#id_days", "14")
    seller_page.click("#rule-form button[type=submit]")
    seller_page.wait_for_selector("text=规则已添加")
    shot(seller_page, "7-seller-rules")
    assert DisclosureAccess.objects.filter(user=buyer, kind="document").count() == 1
    assert DisclosureAccess.objects.filter(user=buyer, kind="detail").count() >= 1
    assert services  # the journey used the pages only after the setup
