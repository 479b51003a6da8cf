"""Pages, API, certificate, public verification, notices and to-do, per role; and what never leaks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from techmarket.accounts.policies import principal_of
from techmarket.contracts.choices import ContractState as S
from techmarket.contracts.models import TechContract
from techmarket.contracts.tests.helpers import SECRET_TITLE, form_data, in_state, signed_pdf
from techmarket.notifications.models import Notification
from techmarket.portal.todo import todo_items

pytestmark = pytest.mark.django_db

PARTY_ROLES = ("filer", "seller_admin", "buyer_user", "registrar", "province_registrar")
OUTSIDERS = ("outsider", "other_registrar", "reviewer", "platform_admin", "superuser", "other_broker")


def client_of(user: Any) -> Client:
    client = Client()
    if getattr(user, "is_authenticated", False):
        client.force_login(user)
    return client


def body(response: Any) -> str:
    return response.content.decode("utf-8", "replace")


def _post_form(people: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = form_data(people["buyer"], **overrides)
    post: dict[str, Any] = {
        k: v for k, v in data.items() if k not in ("parts", "payment_plan", "buyer_organisation")
    }
    for index, part in enumerate(data["parts"]):
        for key, value in part.items():
            post[f"parts-{index}-{key}"] = value
    for index, row in enumerate(data["payment_plan"]):
        for key, value in row.items():
            post[f"plan-{index}-{key}"] = value
    post["signed_pdf"] = signed_pdf()
    return post


def test_filing_through_the_pages(people):
    client = client_of(people["filer"])
    assert client.get(reverse("contracts:create")).status_code == 200
    bad = _post_form(people, total_amount="-5")
    response = client.post(reverse("contracts:create"), bad)
    assert response.status_code == 400
    assert "金额格式不正确" in body(response)
    assert not TechContract.objects.exists()
    response = client.post(reverse("contracts:create"), _post_form(people))
    contract = TechContract.objects.get()
    assert response.status_code == 302
    assert contract.certified_amount == 480000
    # The web form names the buyer by name and credit code: the verified organisation holding it is linked.
    assert contract.buyer_organisation == people["buyer"]
    detail = body(client.get(reverse("contracts:detail", args=[contract.pk])))
    assert SECRET_TITLE in detail
    assert reverse("contracts:transition", args=[contract.pk, "submit"]) in detail
    assert client.get(reverse("contracts:edit", args=[contract.pk])).status_code == 200
    response = client.post(reverse("contracts:transition", args=[contract.pk, "submit"]))
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.state == S.SUBMITTED
    registrar = client_of(people["registrar"])
    queue = body(registrar.get(reverse("contracts:queue")))
    assert SECRET_TITLE in queue
    registrar.post(reverse("contracts:transition", args=[contract.pk, "start_review"]))
    page = body(registrar.get(reverse("contracts:detail", args=[contract.pk])))
    assert 'id="register-form"' in page
    assert f'<a href="{reverse("contracts:queue")}">' in page  # the registry's way back: its queue
    assert f'<a href="{reverse("contracts:mine")}">' in detail  # the filer's: its list
    registrar.post(reverse("contracts:transition", args=[contract.pk, "return"]), {"reason": ""})
    contract.refresh_from_db()
    assert contract.state == S.UNDER_REVIEW  # a return needs its reasons
    registrar.post(reverse("contracts:transition", args=[contract.pk, "register"]))
    contract.refresh_from_db()
    assert contract.state == S.REGISTERED
    pdf = client.get(reverse("contracts:certificate", args=[contract.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_queue_and_the_form_refuse_others(people):
    for who in ("filer", "outsider", "platform_admin", "reviewer"):
        assert client_of(people[who]).get(reverse("contracts:queue")).status_code == 403
    for who in ("registrar", "reviewer", "platform_admin"):
        assert client_of(people[who]).get(reverse("contracts:create")).status_code == 403
    assert client_of(people["anonymous"]).get(reverse("contracts:mine")).status_code == 302


def test_only_parties_and_the_registry_see_a_contract_anywhere(people):
    contract = in_state(people, S.REGISTERED)
    for role in PARTY_ROLES:
        client = client_of(people[role])
        assert client.get(reverse("contracts:detail", args=[contract.pk])).status_code == 200, role
        assert client.get(reverse("api:contract-detail", args=[contract.pk])).status_code == 200, role
    for role in (*OUTSIDERS, "anonymous"):
        client = client_of(people[role])
        for url in (
            reverse("contracts:detail", args=[contract.pk]),
            reverse("contracts:edit", args=[contract.pk]),
            reverse("contracts:certificate", args=[contract.pk]),
            reverse("api:contract-detail", args=[contract.pk]),
            reverse("api:contract-certificate", args=[contract.pk]),
        ):
            response = client.get(url)
            assert response.status_code in (302, 401, 403, 404), (role, url, response.status_code)
            assert SECRET_TITLE not in body(response)
        for url in (
            reverse("contracts:mine"),
            reverse("api:contract-list"),
            reverse("api:contract-list") + "?scope=registry",
            reverse("core:todo"),
            reverse("notifications:inbox"),
            reverse("core:home"),
        ):
            response = client.get(url)
            text = body(response)
            assert SECRET_TITLE not in text, (role, url)
            assert "500000" not in text.replace(",", ""), (role, url)
            assert "买方科技有限公司" not in text, (role, url)


def test_the_public_verification_shows_only_public_facts(people):
    contract = in_state(people, S.REGISTERED)
    anonymous = Client()
    page = body(anonymous.get(reverse("verify:check", args=[contract.verification_code])))
    assert "核验通过" in page
    assert contract.registration_number in page
    assert "480000.00" in page
    assert SECRET_TITLE not in page
    assert "买方科技有限公司" not in page
    assert people["seller"].name not in page
    assert "买方＊＊＊＊＊司" in page
    unknown = anonymous.get(reverse("verify:check", args=["NOSUCHCODE123456"]))
    lowered = anonymous.get(reverse("verify:check", args=[contract.verification_code.lower()]))
    assert unknown.status_code == 200
    assert "核验未通过" in body(unknown)
    assert "核验通过" in body(lowered)
    # A contract that is not registered (or a draft's missing code) answers like an unknown code.
    pending = in_state(people, S.UNDER_REVIEW, signed_on="2026-04-01")
    assert pending.verification_code is None
    assert "核验未通过" in body(anonymous.get(reverse("verify:check", args=["-"])))


def test_api_filing_and_review(people):
    filer = client_of(people["filer"])
    data = form_data(people["buyer"])
    response = filer.post(reverse("api:contract-list"), json.dumps(data), content_type="application/json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["certified_amount"] == "480000.00"
    bad = filer.patch(
        reverse("api:contract-detail", args=[pk]),
        json.dumps({"total_amount": "abc"}),
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert set(bad.json()) == {"code", "message", "fields"}
    assert "total_amount" in bad.json()["fields"]
    upload = filer.post(reverse("api:contract-signed-pdf", args=[pk]), {"file": signed_pdf()})
    assert upload.status_code == 200, upload.content
    assert upload.json()["has_signed_pdf"] is True
    submitted = filer.post(
        reverse("api:contract-transition", args=[pk, "submit"]), {}, content_type="application/json"
    )
    assert submitted.json()["state"] == "submitted"
    registrar = client_of(people["registrar"])
    listed = registrar.get(reverse("api:contract-list") + "?scope=registry").json()
    assert [row["id"] for row in listed["results"]] == [pk]
    registrar.post(
        reverse("api:contract-transition", args=[pk, "start_review"]), {}, content_type="application/json"
    )
    refused = registrar.post(
        reverse("api:contract-transition", args=[pk, "register"]),
        json.dumps({"certified_amount": "900000", "reason": "x"}),
        content_type="application/json",
    )
    assert refused.status_code == 400
    done = registrar.post(
        reverse("api:contract-transition", args=[pk, "register"]), {}, content_type="application/json"
    )
    assert done.json()["state"] == "registered"
    assert len(done.json()["registration_number"]) == 16
    pdf = filer.get(reverse("api:contract-certificate", args=[pk]))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    outsider = client_of(people["outsider"])
    assert outsider.get(reverse("api:contract-list")).json()["results"] == []
    assert (
        outsider.post(
            reverse("api:contract-transition", args=[pk, "withdraw"]), {}, content_type="application/json"
        ).status_code
        == 404
    )


def test_notices_go_to_the_registry_on_submit_and_to_the_filer_on_decisions(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        contract = in_state(people, S.SUBMITTED)
    assert Notification.objects.filter(recipient=people["registrar"], kind="contracts.submitted").exists()
    assert Notification.objects.filter(recipient=people["province_registrar"]).exists()
    assert not Notification.objects.filter(recipient=people["other_registrar"]).exists()
    from techmarket.contracts import services

    with django_capture_on_commit_callbacks(execute=True):
        contract = services.contract_start_review(actor=people["registrar"], contract=contract)
        contract = services.contract_return(actor=people["registrar"], contract=contract, reason="缺少附件")
    notice = Notification.objects.get(recipient=people["filer"], kind="contracts.return")
    assert "缺少附件" in notice.body
    for role in OUTSIDERS:
        assert not Notification.objects.filter(recipient=people[role], title__contains=SECRET_TITLE).exists()
    assert all(
        SECRET_TITLE not in message.body for message in mail.outbox if people["outsider"].email in message.to
    )


def test_to_do_items(people):
    in_state(people, S.SUBMITTED)
    in_state(people, S.RETURNED, signed_on="2026-03-09")
    registrar_items = {item.key: item for item in todo_items(principal_of(people["registrar"]))}
    assert registrar_items["contracts.registry"].count == 1
    filer_items = {item.key: item for item in todo_items(principal_of(people["filer"]))}
    assert filer_items["contracts.returned"].count == 1
    assert "请补充专利证书" in str(filer_items["contracts.returned"].rows[0].note)
    for role in ("outsider", "other_registrar", "buyer_user"):
        items = {item.key: item for item in todo_items(principal_of(people[role]))}
        assert items.get("contracts.registry") is None or items["contracts.registry"].count == 0
        assert items.get("contracts.returned") is None or items["contracts.returned"].count == 0


def test_a_deal_becomes_a_draft_contract(world):
    from techmarket.contracts import services
    from techmarket.deals import services as deal_services
    from techmarket.deals.tests.factories import buyer_offer, open_listing

    listing = open_listing(world, mode="license", license_kind="exclusive")
    listing.achievement.ip_rights.create(number="ZL202610000001.0", ip_type="utility", status="granted")
    listing.achievement.ip_rights.create(number="ZL202610000002.0", ip_type="invention", status="filed")
    offer = buyer_offer(listing, world["buyer"], amount="50.00")
    deal = deal_services.offer_accept(actor=world["seller"], offer=offer)
    buyer_page = body(client_of(world["buyer"]).get(reverse("deals:deal", args=[deal.pk])))
    assert 'id="contract-from-deal"' not in buyer_page
    seller = client_of(world["seller"])
    page = body(seller.get(reverse("deals:deal", args=[deal.pk])))
    assert 'id="contract-from-deal"' in page
    assert client_of(world["buyer"]).post(reverse("contracts:from_deal", args=[deal.pk])).status_code == 302
    assert not TechContract.objects.exists()
    response = seller.post(reverse("contracts:from_deal", args=[deal.pk]))
    contract = TechContract.objects.get()
    assert response.status_code == 302
    assert contract.total_amount == 500000
    assert contract.contract_type == "license"
    assert contract.seller_organisation == world["university"]
    assert contract.buyer_organisation_id == world["buyer"].organisation_id
    assert contract.deal_id == deal.pk
    assert contract.ip_type == "02"  # the listed achievement's strongest right: an invention patent
    page = body(seller.get(reverse("deals:deal", args=[deal.pk])))
    assert 'id="contract-from-deal"' not in page
    assert "草稿" in page
    from techmarket.core.errors import DomainError

    with pytest.raises(DomainError) as caught:
        services.draft_from_deal(actor=world["seller"], deal=deal)
    assert caught.value.code == "deal_has_contract"
    services.contract_withdraw(actor=world["seller"], contract=contract)
    again = services.draft_from_deal(actor=world["seller"], deal=deal)
    assert again.pk != contract.pk


def test_the_signed_contract_text_downloads_for_the_parties_and_the_registry_only(people):
    """The registry reviews the signed text; outsiders get a 404, never the file."""
    from django.urls import reverse

    from techmarket.accounts.choices import Role
    from techmarket.accounts.tests.factories import user_with_role
    from techmarket.contracts.tests import helpers
    from techmarket.core.testing.views import client_for

    contract = helpers.in_state(people, "submitted")
    url = reverse("contracts:signed_pdf", args=[contract.pk])
    for user in (people["filer"], people["registrar"], people["buyer_user"]):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response).startswith(b"%PDF")
    for outsider in (user_with_role(Role.PLATFORM_ADMIN), people["outsider"]):
        assert client_for(outsider).get(url).status_code == 404
