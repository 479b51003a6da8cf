"""Staged disclosure (issue 10 §2): who sees the confidential detail and documents, in every channel
(the page, the panel tag, the API, downloads); NDA versions, grants that end by themselves, auto-grant
rules, the access log, watermarks, notices and bad input."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from techmarket.accounts.choices import OrganisationKind, OrganisationStatus, Role
from techmarket.accounts.models import User
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.core.audit import events_for
from techmarket.core.errors import DomainError, InvalidTransition, NotFound, NotPermitted
from techmarket.notifications.models import Notification
from techmarket.trading import policies, selectors, services
from techmarket.trading.choices import DisclosureState, ListingState
from techmarket.trading.models import (
    AutoGrantRule,
    DisclosureAccess,
    DisclosureRequest,
    ListingDocument,
    NdaTerms,
)
from techmarket.trading.tests.disclosure_scene import (
    NDA_TEXT,
    OUTSIDERS,
    PUBLIC_PDF_TEXT,
    READERS,
    SECRET,
    SECRET_PDF_TEXT,
    disclosure_scene,
    pdf_bytes,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world: dict[str, Any], regions: dict[str, Any], tmp_path: Any, settings: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    return disclosure_scene(world, regions)


def client_of(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def content(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# --- who sees what, in every channel ------------------------------------------------------------------


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_see_nothing_confidential_anywhere(scene: dict[str, Any], who: str) -> None:
    listing, secret_doc = scene["listing"], scene["secret_doc"]
    client = client_of(scene["people"][who])
    before = DisclosureAccess.objects.count()
    page = client.get(reverse("trading:disclosure", args=[listing.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert SECRET not in text
    assert "工艺配方" not in text  # not even the confidential document's title
    assert "项目介绍" in text  # the public document is for everyone who may see the listing
    download = client.get(reverse("trading:document_download", args=[listing.pk, secret_doc.pk]))
    assert download.status_code == 404
    assert SECRET_PDF_TEXT.encode() not in content(download)
    api = client.get(f"/api/v1/listings/{listing.pk}/confidential/")
    assert api.status_code == 404
    assert SECRET not in api.content.decode()
    documents = client.get(f"/api/v1/listings/{listing.pk}/documents/")
    assert documents.status_code == 200
    assert [d["title"] for d in documents.json()] == ["项目介绍"]
    api_download = client.get(f"/api/v1/listings/{listing.pk}/documents/{secret_doc.pk}/download/")
    assert api_download.status_code == 404
    # Nothing confidential was served, so nothing confidential is in the log.
    assert not DisclosureAccess.objects.filter(confidential=True).exclude(pk__lte=before).exists()


@pytest.mark.parametrize("who", READERS)
def test_readers_see_the_detail_and_documents_and_each_access_is_logged(
    scene: dict[str, Any], who: str
) -> None:
    listing, secret_doc = scene["listing"], scene["secret_doc"]
    user = scene["people"][who]
    client = client_of(user)
    page = client.get(reverse("trading:disclosure", args=[listing.pk]))
    assert SECRET in page.content.decode()
    assert "工艺配方" in page.content.decode()
    api = client.get(f"/api/v1/listings/{listing.pk}/confidential/")
    assert api.status_code == 200
    assert api.json()["confidential_detail"] == SECRET
    assert {d["title"] for d in api.json()["documents"]} == {"项目介绍", "工艺配方"}
    download = client.get(reverse("trading:document_download", args=[listing.pk, secret_doc.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    log = list(DisclosureAccess.objects.filter(listing=listing, user=user).order_by("id"))
    assert [(entry.kind, entry.channel) for entry in log] == [
        ("detail", "web"),
        ("detail", "api"),
        ("document", "web"),
    ]
    assert log[-1].document_id == secret_doc.pk
    assert log[-1].organisation_id == user.organisation_id


def test_the_panel_tag_shows_each_role_its_part(scene: dict[str, Any]) -> None:
    template = Template("{% load trading_disclosure %}{% disclosure_panel listing %}")
    factory = RequestFactory()

    def render(user: Any) -> str:
        request = factory.get("/")
        from django.contrib.auth.models import AnonymousUser

        request.user = user or AnonymousUser()
        return template.render(Context({"request": request, "listing": scene["listing"]}))

    people = scene["people"]
    assert SECRET in render(people["buyer"])
    for who in OUTSIDERS:
        html = render(people[who])
        assert SECRET not in html, who
        assert "工艺配方" not in html, who
    assert "申请查看保密信息" in render(people["buyer_without_grant"])
    assert "申请待审批" in render(people["pending_buyer"])
    assert "授权已到期" in render(people["expired_buyer"])
    assert "授权已撤销" in render(people["revoked_buyer"])
    assert "登录后申请查看" in render(None)
    seller_html = render(people["seller"])
    assert reverse("trading:disclosure_log", args=[scene["listing"].pk]) in seller_html
    assert reverse("trading:disclosure_log", args=[scene["listing"].pk]) not in render(people["buyer"])


def test_the_listing_view_leaves_the_detail_to_the_logged_channels(scene: dict[str, Any]) -> None:
    """A grantee sees every field of the listing but reads the confidential detail only where the read
    is logged (the panel, the API's confidential/); the parties see it everywhere."""
    listing = scene["listing"]
    grantee = policies.principal_of(scene["people"]["buyer"])
    assert "confidential_detail" not in selectors.listing_public_view(grantee, listing)
    assert policies.shown_fields(grantee, listing) == policies.ALL_FIELDS
    seller = policies.principal_of(scene["seller"])
    assert selectors.listing_public_view(seller, listing)["confidential_detail"] == SECRET
    outsider = policies.principal_of(scene["people"]["buyer_without_grant"])
    assert "confidential_detail" not in selectors.listing_public_view(outsider, listing)


def test_a_listing_outside_the_disclosable_states_shows_nothing_to_a_grantee(scene: dict[str, Any]) -> None:
    listing = services.listing_suspend(actor=scene["admin"], listing=scene["listing"], reason="权属争议")
    buyer = scene["people"]["buyer"]
    assert not policies.can_see_confidential(policies.principal_of(buyer), listing)
    assert client_of(buyer).get(f"/api/v1/listings/{listing.pk}/confidential/").status_code == 404
    assert policies.can_see_confidential(policies.principal_of(scene["seller"]), listing)


def test_the_grant_ends_by_itself_on_the_servers_clock(scene: dict[str, Any], frozen: Any) -> None:
    clock = frozen(timezone.now())
    listing = scene["listing"]
    buyer = scene["people"]["buyer"]
    principal = policies.principal_of(buyer)
    assert policies.can_see_confidential(principal, listing)
    clock.advance(days=29, hours=23)
    assert policies.can_see_confidential(principal, listing)
    clock.advance(hours=2)
    assert not policies.can_see_confidential(principal, listing)
    assert client_of(buyer).get(f"/api/v1/listings/{listing.pk}/confidential/").status_code == 404
    # The state stays "granted": nothing ran; the time alone ended it.
    assert DisclosureRequest.objects.get(pk=scene["buyer_request"].pk).state == DisclosureState.GRANTED
    # An expired grantee may ask again.
    again = services.disclosure_request(actor=buyer, listing=listing, nda_id=scene["nda"].pk, accepted=True)
    assert again.state == DisclosureState.REQUESTED


def test_a_grantee_who_leaves_the_organisation_or_loses_verification_loses_access(
    scene: dict[str, Any],
) -> None:
    buyer = scene["people"]["buyer"]
    listing = scene["listing"]
    organisation = buyer.organisation
    organisation.status = OrganisationStatus.REJECTED
    organisation.save(update_fields=["status"])
    fresh = User.objects.get(pk=buyer.pk)
    assert not policies.can_see_confidential(policies.principal_of(fresh), listing)
    organisation.status = OrganisationStatus.VERIFIED
    organisation.save(update_fields=["status"])
    assert policies.can_see_confidential(policies.principal_of(User.objects.get(pk=buyer.pk)), listing)
    other = OrganisationFactory(kind=OrganisationKind.ENTERPRISE, name="新东家公司")
    User.objects.filter(pk=buyer.pk).update(organisation=other)
    fresh = User.objects.get(pk=buyer.pk)
    assert not policies.can_see_confidential(policies.principal_of(fresh), listing)


# --- downloads and the watermark ----------------------------------------------------------------------


def test_a_downloaded_confidential_pdf_carries_the_viewers_watermark_and_the_stored_file_is_unchanged(
    scene: dict[str, Any],
) -> None:
    listing, secret_doc = scene["listing"], scene["secret_doc"]
    with secret_doc.file.open("rb") as stored:
        original = stored.read()
    buyer = scene["people"]["buyer"]
    response = client_of(buyer).get(reverse("trading:document_download", args=[listing.pk, secret_doc.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = content(response)
    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) == 2
    for page in pages:
        text = page.extract_text()
        assert SECRET_PDF_TEXT in text
        assert buyer.organisation.name in text
        assert "买方张三" in text
        assert timezone.localtime().strftime("%Y-%m-%d") in text
    with secret_doc.file.open("rb") as stored:
        assert stored.read() == original
    assert data != original
    api = client_of(buyer).get(f"/api/v1/listings/{listing.pk}/documents/{secret_doc.pk}/download/")
    assert buyer.organisation.name in pdf_text(content(api))


def test_public_documents_are_served_as_stored_and_logged(scene: dict[str, Any]) -> None:
    listing, public_doc = scene["listing"], scene["public_doc"]
    with public_doc.file.open("rb") as stored:
        original = stored.read()
    response = Client().get(reverse("trading:document_download", args=[listing.pk, public_doc.pk]))
    assert response.status_code == 200
    assert content(response) == original
    assert PUBLIC_PDF_TEXT in pdf_text(original)
    entry = DisclosureAccess.objects.filter(document=public_doc).get()
    assert entry.user is None
    assert not entry.confidential


def test_a_document_of_another_listing_is_not_found(scene: dict[str, Any], world: dict[str, Any]) -> None:
    secret_doc = scene["secret_doc"]
    response = client_of(scene["seller"]).get(
        reverse("trading:document_download", args=[secret_doc.listing_id + 999, secret_doc.pk])
    )
    assert response.status_code == 404


# --- requests, NDA versions, decisions ----------------------------------------------------------------


def test_a_request_stores_the_nda_version_time_and_user(scene: dict[str, Any]) -> None:
    request = scene["pending_buyer_request"]
    assert request.nda_id == scene["nda"].pk
    assert request.nda.text == NDA_TEXT
    assert request.nda_accepted_at is not None
    assert request.user == scene["people"]["pending_buyer"]
    assert request.organisation_id == scene["people"]["pending_buyer"].organisation_id
    event = events_for(request).get(action="trading.disclosure.request")
    assert event.data == {"nda_version": 1}


def test_editing_the_nda_makes_a_new_version_and_an_old_acceptance_is_refused(scene: dict[str, Any]) -> None:
    listing = scene["listing"]
    old = scene["nda"]
    same = services.nda_set(actor=scene["seller"], listing=listing, text=NDA_TEXT)
    assert same.pk == old.pk
    new = services.nda_set(actor=scene["seller"], listing=listing, text=NDA_TEXT + "\n第二条 期限五年。")
    assert new.version == 2
    assert NdaTerms.objects.get(pk=old.pk).text == NDA_TEXT  # the accepted version is kept
    with pytest.raises(TypeError):
        old.save()
    with pytest.raises(TypeError):
        NdaTerms.objects.filter(pk=old.pk).update(text="x")
    user = scene["people"]["buyer_without_grant"]
    with pytest.raises(DomainError) as caught:
        services.disclosure_request(actor=user, listing=listing, nda_id=old.pk, accepted=True)
    assert caught.value.code == "nda_outdated"
    assert not DisclosureRequest.objects.filter(user=user).exists()
    # On the page: a clear message, nothing stored.
    page = client_of(user).post(
        reverse("trading:disclosure_request", args=[listing.pk]), {"nda": old.pk, "accept": "on"}
    )
    assert page.status_code == 400
    assert "保密协议已更新" in page.content.decode()
    assert not DisclosureRequest.objects.filter(user=user).exists()


def test_the_nda_must_be_accepted(scene: dict[str, Any]) -> None:
    user = scene["people"]["buyer_without_grant"]
    page = client_of(user).post(
        reverse("trading:disclosure_request", args=[scene["listing"].pk]), {"nda": scene["nda"].pk}
    )
    assert page.status_code == 400
    assert "请阅读并勾选同意保密协议" in page.content.decode()
    assert not DisclosureRequest.objects.filter(user=user).exists()
    api = client_of(user).post(
        "/api/v1/disclosure-requests/",
        {"listing": scene["listing"].pk, "nda": scene["nda"].pk, "accept": False},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert api.json()["code"] == "nda_not_accepted"


@pytest.mark.parametrize(
    ("who", "words"),
    [
        ("unverified", "尚未通过认证"),
        ("no_organisation", "尚未加入单位"),
        ("seller", "无需申请"),
        ("anonymous", "请先登录"),
    ],
)
def test_who_may_not_ask_gets_a_clear_explanation(scene: dict[str, Any], who: str, words: str) -> None:
    user = scene["people"][who]
    url = reverse("trading:disclosure_request", args=[scene["listing"].pk])
    page = client_of(user).get(url)
    assert page.status_code == 200
    assert words in page.content.decode()
    assert 'id="request-form"' not in page.content.decode()
    if user is not None:
        before = DisclosureRequest.objects.count()
        posted = client_of(user).post(url, {"nda": scene["nda"].pk, "accept": "on"}, follow=True)
        assert posted.redirect_chain == [(url, 302)]
        assert words in posted.content.decode()
        assert DisclosureRequest.objects.count() == before


def test_the_request_page_shows_the_nda_on_screen_and_a_request_notifies_the_seller(
    scene: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    user = scene["people"]["buyer_without_grant"]
    client = client_of(user)
    url = reverse("trading:disclosure_request", args=[scene["listing"].pk])
    page = client.get(url)
    assert NDA_TEXT in page.content.decode()
    assert 'name="accept"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"nda": scene["nda"].pk, "accept": "on"})
    assert response.status_code == 302
    request = DisclosureRequest.objects.get(user=user)
    assert request.state == DisclosureState.REQUESTED
    told = set(
        Notification.objects.filter(kind="trading.disclosure_requested").values_list("recipient", flat=True)
    )
    assert scene["seller"].pk in told
    assert scene["people"]["org_admin"].pk in told
    assert user.pk not in told
    assert SECRET not in "".join(Notification.objects.values_list("body", flat=True))
    # Asking twice while the first waits: a clear message, one request.
    again = client.post(url, {"nda": scene["nda"].pk, "accept": "on"})
    assert again.status_code == 400
    assert "等待挂牌方处理" in again.content.decode()
    assert DisclosureRequest.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("decider", ["seller", "broker", "admin"])
def test_the_parties_grant_refuse_and_revoke_and_the_requester_is_told(
    scene: dict[str, Any], decider: str, django_capture_on_commit_callbacks: Any
) -> None:
    user = scene["people"]["buyer_without_grant"]
    listing = scene["listing"]
    actor = scene["people"][decider]
    request = services.disclosure_request(actor=user, listing=listing, nda_id=scene["nda"].pk, accepted=True)
    client = client_of(actor)
    url = reverse("trading:disclosure_decide", args=[listing.pk, request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "grant", "days": "7"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == DisclosureState.GRANTED
    assert request.decided_by == actor
    assert abs((request.granted_until - timezone.now()) - datetime.timedelta(days=7)) < datetime.timedelta(
        minutes=1
    )
    assert Notification.objects.filter(recipient=user, kind="trading.disclosure_decided").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "revoke", "reason": "意向终止"})
    request.refresh_from_db()
    assert request.state == DisclosureState.REVOKED
    assert request.reason == "意向终止"
    assert Notification.objects.filter(recipient=user, kind="trading.disclosure_decided").count() == 2
    assert not policies.can_see_confidential(policies.principal_of(user), listing)


def test_refusing_needs_a_reason_and_bad_days_are_refused_clearly(scene: dict[str, Any]) -> None:
    request = scene["pending_buyer_request"]
    client = client_of(scene["seller"])
    url = reverse("trading:disclosure_decide", args=[scene["listing"].pk, request.pk])
    for days in ("-3", "0", "366", "abc", ""):
        response = client.post(url, {"decision": "grant", "days": days}, follow=True)
        assert "须在1至365之间" in response.content.decode() or "请填写整数" in response.content.decode()
        request.refresh_from_db()
        assert request.state == DisclosureState.REQUESTED
    response = client.post(url, {"decision": "refuse", "reason": "  "}, follow=True)
    assert "必须填写理由" in response.content.decode()
    request.refresh_from_db()
    assert request.state == DisclosureState.REQUESTED
    api = client.post(
        f"/api/v1/disclosure-requests/{request.pk}/decide/",
        {"decision": "grant", "days": "-1"},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert "days" in api.json()["fields"]
    with pytest.raises(InvalidTransition):
        services.disclosure_revoke(actor=scene["seller"], request=request, reason="x")


@pytest.mark.parametrize("who", ["buyer", "pending_buyer", "buyer_without_grant", "colleague", "unverified"])
def test_buyers_cannot_decide_requests(scene: dict[str, Any], who: str) -> None:
    request = scene["pending_buyer_request"]
    user = scene["people"][who]
    with pytest.raises(NotPermitted):
        services.disclosure_grant(actor=user, request=request, days=30)
    response = client_of(user).post(
        reverse("trading:disclosure_decide", args=[scene["listing"].pk, request.pk]),
        {"decision": "grant", "days": "30"},
    )
    assert response.status_code == 404
    api = client_of(user).post(
        f"/api/v1/disclosure-requests/{request.pk}/decide/",
        {"decision": "grant", "days": "30"},
        content_type="application/json",
    )
    assert api.status_code == 404
    request.refresh_from_db()
    assert request.state == DisclosureState.REQUESTED


# --- auto-grant rules ---------------------------------------------------------------------------------


def test_an_auto_grant_rule_grants_verified_enterprises_of_a_region_and_its_sub_regions(
    scene: dict[str, Any], regions: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    listing = scene["listing"]
    rule = services.auto_grant_rule_add(
        actor=scene["seller"],
        listing=listing,
        region_code=regions["other_city"].code,
        organisation_kind=OrganisationKind.ENTERPRISE,
        days=5,
    )
    inside = scene["people"]["buyer_without_grant"]  # an enterprise in the other city's county
    with django_capture_on_commit_callbacks(execute=True):
        request = services.disclosure_request(
            actor=inside, listing=listing, nda_id=scene["nda"].pk, accepted=True
        )
    assert request.state == DisclosureState.GRANTED
    assert request.auto_rule_id == rule.pk
    assert request.decided_by is None
    assert policies.can_see_confidential(policies.principal_of(inside), listing)
    assert [e.action for e in events_for(request)] == [
        "trading.disclosure.request",
        "trading.disclosure.auto_grant",
    ]
    # The requester is told of the grant; the seller is not asked to decide it.
    assert Notification.objects.filter(recipient=inside, kind="trading.disclosure_decided").exists()
    assert not Notification.objects.filter(
        kind="trading.disclosure_requested", data__request=request.pk
    ).exists()
    # An enterprise elsewhere, and a university inside the region, wait for the seller.
    elsewhere = user_with_role(
        Role.ENTERPRISE,
        organisation=OrganisationFactory(kind=OrganisationKind.ENTERPRISE, region=regions["county"]),
    )
    university = user_with_role(
        Role.APPLICANT,
        organisation=OrganisationFactory(kind=OrganisationKind.UNIVERSITY, region=regions["other_county"]),
    )
    for user in (elsewhere, university):
        waiting = services.disclosure_request(
            actor=user, listing=listing, nda_id=scene["nda"].pk, accepted=True
        )
        assert waiting.state == DisclosureState.REQUESTED


def test_auto_grant_rules_are_the_sellers_and_bad_input_changes_nothing(scene: dict[str, Any]) -> None:
    listing = scene["listing"]
    with pytest.raises(NotPermitted):
        services.auto_grant_rule_add(
            actor=scene["people"]["buyer"], listing=listing, region_code="", organisation_kind="", days=5
        )
    client = client_of(scene["seller"])
    url = reverse("trading:disclosure_rules", args=[listing.pk])
    for data, words in (
        ({"days": "-1"}, "须在1至365之间"),
        ({"days": "10", "region": "999999"}, "地区代码无效"),
        ({"days": "10", "organisation_kind": "pirate"}, "单位类型无效"),
    ):
        response = client.post(url, data)
        assert response.status_code == 400
        assert words in response.content.decode()
    assert not AutoGrantRule.objects.exists()
    assert client.post(url, {"days": "10"}).status_code == 302
    rule = AutoGrantRule.objects.get()
    assert (
        client_of(scene["people"]["buyer"])
        .post(reverse("trading:disclosure_rule_remove", args=[listing.pk, rule.pk]))
        .status_code
        == 404
    )
    assert AutoGrantRule.objects.exists()
    client.post(reverse("trading:disclosure_rule_remove", args=[listing.pk, rule.pk]))
    assert not AutoGrantRule.objects.exists()


# --- uploads ------------------------------------------------------------------------------------------


def test_a_confidential_upload_must_be_a_pdf(scene: dict[str, Any]) -> None:
    listing = scene["listing"]
    client = client_of(scene["seller"])
    url = reverse("trading:disclosure_upload", args=[listing.pk])
    before = ListingDocument.objects.count()
    docx = SimpleUploadedFile("方案.docx", b"PK\x03\x04 not really", content_type="application/octet-stream")
    response = client.post(url, {"title": "方案", "file": docx, "confidential": "on"})
    assert response.status_code == 400
    assert "保密文件只能是 PDF" in response.content.decode()
    fake = SimpleUploadedFile("假的.pdf", b"MZ\x90\x00 an executable", content_type="application/pdf")
    response = client.post(url, {"title": "假", "file": fake, "confidential": "on"})
    assert response.status_code == 400
    broken = SimpleUploadedFile("坏的.pdf", b"%PDF-1.4 broken", content_type="application/pdf")
    response = client.post(url, {"title": "坏", "file": broken, "confidential": "on"})
    assert response.status_code == 400
    assert "无法读取" in response.content.decode()
    response = client.post(url, {"title": "", "file": pdf_upload("a.pdf", "x"), "confidential": "on"})
    assert response.status_code == 400
    assert ListingDocument.objects.count() == before
    # A public document may be an office file.
    response = client.post(url, {"title": "方案", "file": SimpleUploadedFile("方案.docx", b"PK\x03\x04 zip")})
    assert response.status_code == 302
    assert ListingDocument.objects.count() == before + 1


@pytest.mark.parametrize("who", ["buyer", "admin", "buyer_without_grant", "anonymous"])
def test_only_the_seller_and_agency_upload(scene: dict[str, Any], who: str) -> None:
    listing = scene["listing"]
    before = ListingDocument.objects.count()
    response = client_of(scene["people"][who]).post(
        reverse("trading:disclosure_upload", args=[listing.pk]),
        {"title": "夹带", "file": pdf_upload("x.pdf", "x"), "confidential": "on"},
    )
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"]
    api = client_of(scene["people"][who]).post(
        f"/api/v1/listings/{listing.pk}/documents/",
        {"title": "夹带", "file": pdf_upload("x.pdf", "x"), "confidential": "true"},
    )
    assert api.status_code in (401, 403, 404)
    assert ListingDocument.objects.count() == before


def test_the_api_uploads_for_the_agency(scene: dict[str, Any]) -> None:
    client = client_of(scene["people"]["broker"])
    response = client.post(
        f"/api/v1/listings/{scene['listing'].pk}/documents/",
        {"title": "检测报告", "file": pdf_upload("检测.pdf", "检测数据"), "confidential": "true"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["confidential"] is True


# --- the seller's pages and the access log ------------------------------------------------------------


@pytest.mark.parametrize("who", ["seller", "org_admin", "broker", "admin"])
def test_the_parties_read_requests_and_the_access_log(scene: dict[str, Any], who: str) -> None:
    listing = scene["listing"]
    client_of(scene["people"]["buyer"]).get(
        reverse("trading:document_download", args=[listing.pk, scene["secret_doc"].pk])
    )
    client = client_of(scene["people"][who])
    requests_page = client.get(reverse("trading:disclosure_requests", args=[listing.pk]))
    assert requests_page.status_code == 200
    assert "pending公司" in requests_page.content.decode()
    log = client.get(reverse("trading:disclosure_log", args=[listing.pk]))
    assert log.status_code == 200
    text = log.content.decode()
    assert "买方张三" in text
    assert "工艺配方" in text
    api = client.get("/api/v1/disclosure-requests/?side=seller")
    assert api.status_code == 200
    assert api.json()["count"] == 5


@pytest.mark.parametrize("who", [*OUTSIDERS, "buyer"])
def test_nobody_else_reads_the_requests_or_the_log(scene: dict[str, Any], who: str) -> None:
    listing = scene["listing"]
    client = client_of(scene["people"][who])
    for name in (
        "disclosure_requests",
        "disclosure_log",
        "disclosure_nda",
        "disclosure_rules",
        "disclosure_upload",
    ):
        response = client.get(reverse(f"trading:{name}", args=[listing.pk]))
        assert response.status_code in (302, 404), name
        assert "pending公司" not in response.content.decode()
    api = client.get("/api/v1/disclosure-requests/?side=seller")
    if api.status_code == 200:
        ids = {row["id"] for row in api.json()["results"]}
        own = set(DisclosureRequest.objects.filter(user=scene["people"][who]).values_list("pk", flat=True))
        assert ids <= own
        assert not ids - own
    other = scene["pending_buyer_request"]
    if who != "pending_buyer":
        assert client.get(f"/api/v1/disclosure-requests/{other.pk}/").status_code in (401, 403, 404)


def test_the_access_log_is_append_only(scene: dict[str, Any]) -> None:
    services.confidential_view(actor=scene["seller"], listing=scene["listing"], channel="web")
    entry = DisclosureAccess.objects.first()
    assert entry is not None
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        DisclosureAccess.objects.all().delete()
    with pytest.raises(TypeError):
        DisclosureAccess.objects.update(kind="x")


# --- the API ------------------------------------------------------------------------------------------


def test_the_api_journey_request_grant_read(scene: dict[str, Any]) -> None:
    listing = scene["listing"]
    buyer = client_of(scene["people"]["buyer_without_grant"])
    nda = buyer.get(f"/api/v1/listings/{listing.pk}/nda/")
    assert nda.status_code == 200
    assert nda.json()["text"] == NDA_TEXT
    created = buyer.post(
        "/api/v1/disclosure-requests/",
        {"listing": listing.pk, "nda": nda.json()["id"], "accept": True},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["state"] == "requested"
    assert created.json()["nda_version"] == 1
    assert buyer.get(f"/api/v1/listings/{listing.pk}/confidential/").status_code == 404
    seller = client_of(scene["seller"])
    decided = seller.post(
        f"/api/v1/disclosure-requests/{created.json()['id']}/decide/",
        {"decision": "grant", "days": 10},
        content_type="application/json",
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["active"] is True
    mine = buyer.get("/api/v1/disclosure-requests/")
    assert [row["id"] for row in mine.json()["results"]] == [created.json()["id"]]
    confidential = buyer.get(f"/api/v1/listings/{listing.pk}/confidential/")
    assert confidential.json()["confidential_detail"] == SECRET


def test_the_api_refuses_bad_requests_clearly(scene: dict[str, Any]) -> None:
    listing = scene["listing"]
    buyer = client_of(scene["people"]["buyer_without_grant"])
    for body in ({"listing": "abc", "nda": 1, "accept": True}, {"listing": listing.pk}, {}):
        response = buyer.post("/api/v1/disclosure-requests/", body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["message"]
    hidden = buyer.post(
        "/api/v1/disclosure-requests/",
        {"listing": 999999, "nda": scene["nda"].pk, "accept": True},
        content_type="application/json",
    )
    assert hidden.status_code == 404
    assert Client().post("/api/v1/disclosure-requests/", {}, content_type="application/json").status_code in (
        401,
        403,
    )
    nda_write = buyer.post(
        f"/api/v1/listings/{listing.pk}/nda/", {"text": "改掉"}, content_type="application/json"
    )
    assert nda_write.status_code == 404
    assert NdaTerms.objects.count() == 1


def test_a_draft_listings_disclosure_routes_are_not_found_for_buyers(
    world: dict[str, Any], tmp_path: Any, settings: Any
) -> None:
    from techmarket.trading.tests.factories import listing_in_state

    settings.MEDIA_ROOT = tmp_path
    listing = listing_in_state(
        ListingState.DRAFT, seller=world["seller"], achievement=world["achievement"], admin=world["admin"]
    )
    services.nda_set(actor=world["seller"], listing=listing, text="草稿协议")
    buyer = client_of(world["buyer"])
    for url in (
        reverse("trading:disclosure", args=[listing.pk]),
        reverse("trading:disclosure_request", args=[listing.pk]),
        f"/api/v1/listings/{listing.pk}/nda/",
        f"/api/v1/listings/{listing.pk}/documents/",
        f"/api/v1/listings/{listing.pk}/confidential/",
    ):
        assert buyer.get(url).status_code == 404, url
    with pytest.raises(DomainError):
        services.disclosure_request(actor=world["buyer"], listing=listing, nda_id=1, accepted=True)


def test_selectors_refuse_strangers(scene: dict[str, Any]) -> None:
    principal = policies.principal_of(scene["people"]["buyer_without_grant"])
    with pytest.raises(NotFound):
        selectors.request_get(principal, scene["pending_buyer_request"].pk)
    with pytest.raises(NotFound):
        selectors.document_get(principal, scene["listing"].pk, scene["secret_doc"].pk)
    assert not selectors.access_log(principal, scene["listing"]).exists()
    assert pdf_bytes("x")  # the helper renders


def test_a_grantee_sees_the_fields_a_restricted_listing_keeps_back(
    world: dict[str, Any], regions: dict[str, Any], reviewers: dict[str, Any]
) -> None:
    from techmarket.trading.tests.factories import listing_in_state, published_achievement

    achievement = published_achievement(
        applicant=world["seller"],
        region=regions["county"],
        reviewers=reviewers,
        name="受限的卷对卷工艺",
        confidentiality="restricted",
    )
    listing = listing_in_state(
        ListingState.OPEN,
        seller=world["seller"],
        achievement=achievement,
        admin=world["admin"],
        public_fields=["summary"],
    )
    buyer = world["buyer"]
    principal = policies.principal_of(buyer)
    assert policies.shown_fields(principal, listing) == frozenset({"summary"})
    assert "title" not in selectors.listing_public_view(principal, listing)
    nda = services.nda_set(actor=world["seller"], listing=listing, text="保密。")
    request = services.disclosure_request(actor=buyer, listing=listing, nda_id=nda.pk, accepted=True)
    services.disclosure_grant(actor=world["seller"], request=request, days=3)
    assert policies.shown_fields(principal, listing) == policies.ALL_FIELDS
    assert selectors.listing_public_view(principal, listing)["title"] == listing.title


def test_a_waiting_request_is_on_the_sellers_to_do_list_until_decided(scene: dict[str, Any]) -> None:
    user = scene["people"]["buyer_without_grant"]
    listing = scene["listing"]
    request = services.disclosure_request(actor=user, listing=listing, nda_id=scene["nda"].pk, accepted=True)
    seller = client_of(scene["seller"])
    page = seller.get(reverse("core:todo")).content.decode()
    assert "待审批的查阅申请" in page
    assert reverse("trading:disclosure_requests", args=[listing.pk]) in page
    assert request.organisation.name in page
    mine = client_of(user).get(reverse("core:todo")).content.decode()
    assert reverse("trading:disclosure_requests", args=[listing.pk]) not in mine
    services.disclosure_refuse(actor=scene["seller"], request=request, reason="暂不公开")
    # Decided: gone from the list (the scene's other waiting request stays).
    assert request.organisation.name not in seller.get(reverse("core:todo")).content.decode()
