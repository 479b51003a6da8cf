"""Pages and API of negotiation and deals: the same rules, nothing seen outside the negotiation."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader
from rest_framework.test import APIClient

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.deals import services
from techmarket.deals.models import Deal, Offer
from techmarket.deals.tests.factories import buyer_offer, exclusive_listing, negotiation, open_listing
from techmarket.trading.tests.factories import buyer_user

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user: Any | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_negotiation_pages_by_role(world: dict[str, Any]) -> None:
    listing = exclusive_listing(world)
    offer = buyer_offer(listing, world["buyer"], "50")
    url = reverse("deals:negotiation", args=[offer.negotiation_id])
    assert _client(world["buyer"]).get(url).status_code == 200
    page = _client(world["seller"]).get(url)
    assert page.status_code == 200
    assert "50.00" in page.content.decode()
    for outsider in (buyer_user(), world["admin"], user_with_role(Role.EXPERT)):
        assert _client(outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page


def test_page_offer_counter_accept_and_bad_amount(world: dict[str, Any]) -> None:
    listing = exclusive_listing(world)
    buyer, seller = _client(world["buyer"]), _client(world["seller"])
    response = buyer.post(reverse("deals:negotiate", args=[listing.pk]))
    nego_url = response["Location"]
    pk = int(nego_url.rstrip("/").split("/")[-1])
    bad = buyer.post(reverse("deals:offer_make", args=[pk]), {"amount": "12,5", "valid_days": 7})
    assert bad.status_code == 200
    assert "金额格式不正确" in bad.content.decode()
    assert not Offer.objects.exists()
    buyer.post(
        reverse("deals:offer_make", args=[pk]), {"amount": "50", "valid_days": 7, "submission_key": "k-1"}
    )
    again = buyer.post(
        reverse("deals:offer_make", args=[pk]), {"amount": "50", "valid_days": 7, "submission_key": "k-1"}
    )
    assert again.status_code == 302
    assert Offer.objects.count() == 1
    seller.post(reverse("deals:offer_make", args=[pk]), {"amount": "65", "valid_days": 7})
    counter = Offer.objects.get(amount="65")
    own = seller.post(reverse("deals:offer_answer", args=[counter.pk, "accept"]), follow=True)
    assert "不能接受或拒绝本方提出的报价" in own.content.decode()
    accepted = buyer.post(reverse("deals:offer_answer", args=[counter.pk, "accept"]))
    deal = Deal.objects.get()
    assert accepted["Location"] == reverse("deals:deal", args=[deal.pk])
    page = buyer.get(accepted["Location"]).content.decode()
    assert "技术转让合同（草稿）" in page
    assert deal.number in page
    pdf = seller.get(reverse("deals:certificate", args=[deal.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    assert deal.number in text
    assert deal.evidence_hash[:16] in text.replace("\n", "")
    assert _client(world["admin"]).get(reverse("deals:certificate", args=[deal.pk])).status_code == 200
    assert _client(world["admin"]).get(reverse("deals:deal", args=[deal.pk])).status_code == 404
    assert _client(buyer_user()).get(reverse("deals:certificate", args=[deal.pk])).status_code == 404
    assert Client().get(reverse("deals:notices")).status_code == 200
    assert deal.number in Client().get(reverse("deals:notice", args=[deal.notice.pk])).content.decode()


def test_restricted_listing_notice_shows_only_public_fields(world: dict[str, Any], reviewers: Any) -> None:
    from techmarket.trading.tests.factories import published_achievement

    restricted = published_achievement(
        applicant=world["seller"],
        region=world["regions"]["county"],
        reviewers=reviewers,
        confidentiality="restricted",
    )
    listing = open_listing(
        {**world, "achievement": restricted}, mode="transfer", price="88.00", public_fields=["mode"]
    )
    deal = services.offer_accept(actor=world["seller"], offer=buyer_offer(listing, world["buyer"], "77"))
    public = Client().get(reverse("deals:notice", args=[deal.notice.pk])).content.decode()
    assert listing.title not in public
    assert "77.00" not in public
    assert "转让" in public
    data = _api(None).get(f"/api/v1/deal-notices/{deal.notice.pk}/").json()
    assert "title" not in data
    assert "price" not in data
    assert data["mode"] == "transfer"
    listed = _api(None).get("/api/v1/deal-notices/").json()
    assert listing.title not in str(listed)


def test_api_negotiation_flow_and_idempotency(world: dict[str, Any]) -> None:
    listing = exclusive_listing(world)
    buyer, seller = _api(world["buyer"]), _api(world["seller"])
    opened = buyer.post("/api/v1/negotiations/", {"listing": listing.pk}, format="json")
    assert opened.status_code == 200
    pk = opened.json()["id"]
    url = f"/api/v1/negotiations/{pk}/offers/"
    first = buyer.post(url, {"amount": "50"}, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    retry = buyer.post(url, {"amount": "51"}, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert first.status_code == retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json()["id"] == first.json()["id"]
    assert Offer.objects.count() == 1
    bad = buyer.post(url, {"amount": "1.234"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["code"] == "malformed_amount"
    own = buyer.post(f"/api/v1/offers/{first.json()['id']}/accept/")
    assert own.status_code == 400
    assert own.json()["code"] == "own_offer"
    for outsider in (_api(buyer_user()), _api(world["admin"])):
        assert outsider.get(f"/api/v1/negotiations/{pk}/").status_code == 404
        assert outsider.get(url).status_code == 404
        assert outsider.post(f"/api/v1/offers/{first.json()['id']}/accept/").status_code == 404
        assert outsider.get("/api/v1/negotiations/").json()["results"] == []
    assert _api(None).get(url).status_code in (401, 403)
    deal = seller.post(f"/api/v1/offers/{first.json()['id']}/accept/")
    assert deal.status_code == 201
    assert deal.json()["price"] == "50.00"
    deal_id = deal.json()["id"]
    assert buyer.get(f"/api/v1/deals/{deal_id}/").status_code == 200
    assert _api(buyer_user()).get(f"/api/v1/deals/{deal_id}/").status_code == 404
    cert = buyer.get(f"/api/v1/deals/{deal_id}/certificate/")
    assert cert.status_code == 200
    assert cert["Content-Type"] == "application/pdf"
    assert _api(world["admin"]).get(f"/api/v1/deals/{deal_id}/certificate/").status_code == 200
    assert _api(buyer_user()).get(f"/api/v1/deals/{deal_id}/certificate/").status_code == 404
    second = _api(buyer_user())
    other = second.post("/api/v1/negotiations/", {"listing": listing.pk}, format="json")
    assert other.status_code == 400
    assert other.json()["code"] == "listing_dealt"


def test_negotiation_panel(world: dict[str, Any]) -> None:
    from django.template import Context, Template
    from django.test import RequestFactory

    listing = open_listing(world)
    template = Template("{% load deals %}{% negotiation_panel listing %}")
    request = RequestFactory().get("/")
    request.user = world["buyer"]
    html = template.render(Context({"request": request, "listing": listing}))
    assert "我要洽谈" in html
    nego = negotiation(listing, world["buyer"])
    listing.refresh_from_db()
    html = template.render(Context({"request": request, "listing": listing}))
    assert reverse("deals:negotiation", args=[nego.pk]) in html
    assert "我要洽谈" not in html
    request.user = buyer_user()
    assert reverse("deals:negotiation", args=[nego.pk]) not in template.render(
        Context({"request": request, "listing": listing})
    )
    request.user = world["seller"]
    assert reverse("deals:negotiation", args=[nego.pk]) in template.render(
        Context({"request": request, "listing": listing})
    )


def test_nobody_outside_reads_the_thread_and_the_agency_broker_may_join(world: dict[str, Any]) -> None:
    import datetime

    from django.utils import timezone

    from techmarket.conversations.models import Participant
    from techmarket.trading import services as trading_services
    from techmarket.trading.choices import ListingState
    from techmarket.trading.tests.factories import agency_with_broker, listing_in_state

    agency, broker = agency_with_broker(world["regions"]["city"])
    admin = user_with_role(Role.ORG_ADMIN, organisation=world["university"])
    authorisation = trading_services.authorisation_grant(
        actor=admin,
        achievement=world["achievement"],
        agency=agency,
        scope="list_and_trade",
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    listing = listing_in_state(
        ListingState.OPEN,
        seller=broker,
        achievement=world["achievement"],
        admin=world["admin"],
        authorisation=authorisation,
    )
    nego = negotiation(listing, world["buyer"])
    colleague = user_with_role(Role.BROKER, organisation=agency)  # the filer is on the thread already
    thread_url = reverse("conversations:detail", args=[nego.thread_id])
    for outsider in (buyer_user(), world["admin"]):
        assert _client(outsider).get(thread_url).status_code == 404
        assert _api(outsider).get(f"/api/v1/conversations/threads/{nego.thread_id}/").status_code == 404
    page = _client(colleague).get(reverse("deals:negotiation", args=[nego.pk]))
    assert page.status_code == 200
    assert reverse("conversations:join", args=[nego.thread_id]) in page.content.decode()
    _client(colleague).post(reverse("conversations:join", args=[nego.thread_id]))
    assert Participant.objects.filter(thread_id=nego.thread_id, user=colleague).exists()
    assert _client(colleague).get(thread_url).status_code == 200
    # Another agency's broker may not.
    _other_agency, other_broker = agency_with_broker(world["regions"]["city"])
    _client(other_broker).post(reverse("conversations:join", args=[nego.thread_id]))
    assert not Participant.objects.filter(thread_id=nego.thread_id, user=other_broker).exists()
