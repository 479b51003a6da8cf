"""Receipts, amendments and the 技术性收入核定表 through the pages and the API, per role; and that none of
it (receipts, bank slips, income) reaches anyone outside the parties and the registry."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from python_calamine import CalamineWorkbook

from techmarket.contracts import receipt_services
from techmarket.contracts.choices import AmendmentState, ReceiptState
from techmarket.contracts.models import Amendment, Receipt, TechContract
from techmarket.contracts.tests.factories import receipt as factory_receipt
from techmarket.contracts.tests.receipt_scene import pdf, record, scene, today
from techmarket.core.testing.workflow_matrix import diff, snapshot

pytestmark = pytest.mark.django_db

SECRET_PAYER = "保密付款方某某投资有限公司"
SECRET_REFERENCE = "SECRET-REF-778899"
SECRET_SLIP = b"secret bank slip 778899"
# Who may read the contract's receipts, and who may not (the matrix of the pages and the API).
READERS = ("owner", "own_org_admin", "broker", "other_enterprise", "county_registrar", "province_registrar")
OUTSIDERS = (
    "no_role",
    "expert",
    "platform_admin",
    "superuser",
    "county_reviewer",
    "city_reviewer",
    "other_county_registrar",
    "far_registrar",
)


@pytest.fixture
def world(regions: Any) -> dict[str, Any]:
    world = scene(regions)
    receipt = receipt_services.receipt_record(
        actor=world["cast"]["owner"],
        contract=world["contract"],
        received_on=(today() - datetime.timedelta(days=3)).isoformat(),
        amount="12345.67",
        payer=SECRET_PAYER,
        bank_reference=SECRET_REFERENCE,
        evidence=pdf(text=SECRET_SLIP.decode()),
    )
    amendment = receipt_services.amendment_file(
        actor=world["cast"]["owner"],
        contract=world["contract"],
        new_total_amount="150000.00",
        new_certified_amount="140000.00",
        reason="补充协议：" + SECRET_PAYER,
    )
    factory_receipt(world["contract"], "5000.00", received_on=today() - datetime.timedelta(days=30))
    world.update(receipt=receipt, amendment=amendment)
    return world


def client_of(user: Any) -> Client:
    client = Client()
    if getattr(user, "is_authenticated", False):
        client.force_login(user)
    return client


def body(response: Any) -> str:
    return response.content.decode("utf-8", "replace")


# --- pages ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_readers_see_the_receipts_page_and_the_bank_slip(world, role):
    client = client_of(world["cast"][role])
    page = client.get(reverse("contracts:receipts", args=[world["contract"].pk]))
    assert page.status_code == 200
    assert SECRET_PAYER in body(page)
    assert "17345.67" not in body(page)  # confirmed 5000.00, pending 12345.67
    assert "12345.67" in body(page)
    detail = client.get(reverse("contracts:receipt_detail", args=[world["receipt"].pk]))
    assert detail.status_code == 200
    slip = client.get(reverse("contracts:receipt_evidence", args=[world["receipt"].pk]))
    assert slip.status_code == 200
    assert slip["Content-Type"] == "application/pdf"
    assert SECRET_SLIP in slip.content
    recording = 'id="receipt-form"' in body(page)
    assert recording == (role in ("owner", "own_org_admin", "broker"))
    # The income link is offered exactly when the income page opens.
    income = reverse("contracts:income") + f"?organisation={world['seller'].pk}"
    offered = f'href="{income}"' in body(page)
    assert offered == (client.get(income).status_code == 200), role


@pytest.mark.parametrize("role", [*OUTSIDERS, "anonymous"])
def test_outsiders_reach_nothing(world, role):
    client = client_of(world["cast"][role])
    urls = [
        reverse("contracts:receipts", args=[world["contract"].pk]),
        reverse("contracts:receipt_detail", args=[world["receipt"].pk]),
        reverse("contracts:receipt_evidence", args=[world["receipt"].pk]),
        reverse("api:receipt-detail", args=[world["receipt"].pk]),
        reverse("api:receipt-evidence", args=[world["receipt"].pk]),
        reverse("api:amendment-detail", args=[world["amendment"].pk]),
        reverse("api:contract-income-detail", args=[world["contract"].pk]),
        reverse("api:receipt-list") + f"?contract={world['contract'].pk}",
        reverse("api:amendment-list"),
        reverse("contracts:income") + f"?organisation={world['seller'].pk}",
        reverse("contracts:income_export") + f"?organisation={world['seller'].pk}",
        reverse("contracts:income_print") + f"?organisation={world['seller'].pk}",
        reverse("api:technology-income-list") + f"?organisation={world['seller'].pk}",
    ]
    for url in urls:
        response = client.get(url)
        text = body(response)
        assert response.status_code in (200, 302, 401, 403, 404), (url, response.status_code)
        assert SECRET_PAYER not in text, (role, url)
        assert SECRET_REFERENCE not in text, (role, url)
        assert SECRET_SLIP not in response.content, (role, url)
        assert "12345.67" not in text, (role, url)
        if response.status_code == 200:  # lists: empty for them
            assert url.startswith(reverse("api:receipt-list")) or url.startswith(
                reverse("api:amendment-list")
            ), url
            assert response.json()["results"] == []


def test_the_seller_records_through_the_page(world):
    client = client_of(world["cast"]["own_org_admin"])
    url = reverse("contracts:receipts", args=[world["contract"].pk])
    response = client.post(
        url,
        {
            "received_on": today().isoformat(),
            "amount": "1000.50",
            "payer": "买方企业",
            "bank_reference": "PAGE-1",
            "evidence": pdf(),
            "submission_key": "k1",
        },
    )
    assert response.status_code == 302
    receipt = Receipt.objects.get(bank_reference="PAGE-1")
    assert response["Location"] == reverse("contracts:receipt_detail", args=[receipt.pk])
    assert receipt.amount == Decimal("1000.50")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "-5", "金额格式不正确"),
        ("amount", "五千", "金额格式不正确"),
        ("amount", "90000.00", "超过核定技术交易额"),
        ("received_on", "2999-01-01", "不能晚于今天"),
        ("bank_reference", SECRET_REFERENCE, "已登记过银行流水号"),
        ("evidence", "not a file", "到账凭证"),
    ],
)
def test_a_bad_form_shows_a_clear_message_and_changes_nothing(world, field, value, message):
    client = client_of(world["cast"]["owner"])
    data: dict[str, Any] = {
        "received_on": today().isoformat(),
        "amount": "100.00",
        "payer": "买方企业",
        "bank_reference": "PAGE-2",
        "evidence": pdf(),
    }
    if field == "evidence":
        data.pop("evidence")
    else:
        data[field] = value
    before = snapshot()
    response = client.post(reverse("contracts:receipts", args=[world["contract"].pk]), data)
    assert response.status_code == 400
    assert message in body(response)
    assert diff(before, snapshot()) == []


def test_a_non_pdf_slip_is_refused_on_the_page(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_of(world["cast"]["owner"])
    before = snapshot()
    response = client.post(
        reverse("contracts:receipts", args=[world["contract"].pk]),
        {
            "received_on": today().isoformat(),
            "amount": "100.00",
            "payer": "买方企业",
            "bank_reference": "PAGE-3",
            "evidence": SimpleUploadedFile("slip.jpg", b"\xff\xd8\xff\xe0 jpeg"),
        },
    )
    assert response.status_code == 400
    assert "只能是 PDF" in body(response)
    assert diff(before, snapshot()) == []


def test_the_buyer_may_read_but_not_record(world):
    client = client_of(world["cast"]["other_enterprise"])
    before = snapshot()
    response = client.post(
        reverse("contracts:receipts", args=[world["contract"].pk]),
        {
            "received_on": today().isoformat(),
            "amount": "1",
            "payer": "x",
            "bank_reference": "B",
            "evidence": pdf(),
        },
    )
    assert response.status_code == 403
    response = client.post(
        reverse("contracts:receipt_decide", args=[world["receipt"].pk, "confirm"]),
    )
    assert response.status_code == 403
    assert diff(before, snapshot()) == []


def test_the_registry_decides_through_the_pages(world):
    client = client_of(world["cast"]["city_registrar"])
    queue = client.get(reverse("contracts:receipt_queue"))
    assert queue.status_code == 200
    assert "12345.67" in body(queue)
    detail = client.get(reverse("contracts:receipt_detail", args=[world["receipt"].pk]))
    assert 'id="confirm-receipt"' in body(detail)
    response = client.post(reverse("contracts:receipt_decide", args=[world["receipt"].pk, "confirm"]))
    assert response.status_code == 302
    assert Receipt.objects.get(pk=world["receipt"].pk).state == ReceiptState.CONFIRMED
    response = client.post(
        reverse("contracts:amendment_decide", args=[world["amendment"].pk, "register"]), {"reason": "同意"}
    )
    assert response.status_code == 302
    assert Amendment.objects.get(pk=world["amendment"].pk).state == AmendmentState.REGISTERED
    assert TechContract.objects.get(pk=world["contract"].pk).certified_amount == Decimal("140000.00")


def test_a_rejection_without_reason_is_refused_on_the_page(world):
    client = client_of(world["cast"]["county_registrar"])
    response = client.post(
        reverse("contracts:receipt_decide", args=[world["receipt"].pk, "reject"]), follow=True
    )
    assert "必须填写理由" in body(response) or "请填写不予确认的理由" in body(response)
    assert Receipt.objects.get(pk=world["receipt"].pk).state == ReceiptState.RECORDED


@pytest.mark.parametrize("role", ["owner", "broker", "other_enterprise", "platform_admin", "no_role"])
def test_only_registrars_open_the_queue(world, role):
    assert client_of(world["cast"][role]).get(reverse("contracts:receipt_queue")).status_code == 403


def test_the_seller_files_an_amendment_through_the_page(world):
    client = client_of(world["cast"]["owner"])
    receipt_services.amendment_refuse(
        actor=world["cast"]["county_registrar"], amendment=world["amendment"], reason="未盖章"
    )
    url = reverse("contracts:amendment_file", args=[world["contract"].pk])
    bad = client.post(url, {"new_total_amount": "1", "new_certified_amount": "2", "reason": "x"})
    assert bad.status_code == 400
    assert "不能高于合同总金额" in body(bad)
    good = client.post(
        url, {"new_total_amount": "200000", "new_certified_amount": "180000", "reason": "补充协议"}
    )
    assert good.status_code == 302
    assert Amendment.objects.filter(state=AmendmentState.SUBMITTED, new_certified_amount="180000.00").exists()


# --- the income table ----------------------------------------------------------------------------------


def test_the_income_table_for_the_seller_and_the_registry(world):
    receipt_services.receipt_confirm(actor=world["cast"]["county_registrar"], receipt=world["receipt"])
    year = today().year
    own = client_of(world["cast"]["own_applicant"]).get(reverse("contracts:income"))
    assert own.status_code == 200
    confirmed = Decimal("12345.67") + (
        Decimal("5000.00") if (today() - datetime.timedelta(days=30)).year == year else 0
    )
    assert str(confirmed) in body(own)
    registrar = client_of(world["cast"]["province_registrar"])
    page = registrar.get(reverse("contracts:income"), {"organisation": world["seller"].pk, "year": year})
    assert page.status_code == 200
    assert world["seller"].name in body(page)
    printed = registrar.get(reverse("contracts:income_print"), {"organisation": world["seller"].pk})
    assert printed.status_code == 200
    assert "技术性收入核定表" in body(printed)
    export = registrar.get(
        reverse("contracts:income_export"), {"organisation": world["seller"].pk, "year": year}
    )
    assert export.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(export.content))
    rows = book.get_sheet_by_index(1).to_python()
    assert any(row[0] == world["contract"].registration_number and float(row[5]) > 12345 for row in rows[3:])
    # A registrar (no organisation of its own) first chooses one of its region's sellers.
    chooser = registrar.get(reverse("contracts:income"))
    assert chooser.status_code == 200
    assert f'<option value="{world["seller"].pk}">' in body(chooser)
    assert "12345.67" not in body(chooser)
    far = client_of(world["cast"]["far_registrar"]).get(reverse("contracts:income"))
    assert far.status_code == 200
    assert world["seller"].name not in body(far)


def test_the_income_table_export_writes_names_as_text(world):
    seller = world["seller"]
    seller.name = '=HYPERLINK("http://evil")'
    seller.save(update_fields=["name"])
    export = client_of(world["cast"]["owner"]).get(reverse("contracts:income_export"))
    assert export.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(export.content))
    assert book.get_sheet_by_index(0).to_python()[1][1] == '=HYPERLINK("http://evil")'


@pytest.mark.parametrize(
    "query", [{"organisation": "abc"}, {"organisation": "999999"}, {"year": "x"}, {"year": "99999"}]
)
def test_odd_income_queries_never_fail(world, query):
    response = client_of(world["cast"]["owner"]).get(reverse("contracts:income"), query)
    assert response.status_code in (200, 404)


def test_the_receipts_panel_renders_for_readers_only(world):
    template = Template("{% load contract_receipts %}{% receipts_panel contract %}")
    factory = RequestFactory()
    for role, shown in (
        ("owner", True),
        ("county_registrar", True),
        ("platform_admin", False),
        ("anonymous", False),
    ):
        request = factory.get("/")
        request.user = world["cast"][role]
        html = template.render(Context({"request": request, "contract": world["contract"]}))
        assert ('id="receipts-panel"' in html) is shown, role
        assert ("5000.00" in html) is shown, role


# --- API -----------------------------------------------------------------------------------------------


def test_the_api_records_confirms_and_summarises(world):
    seller = client_of(world["cast"]["broker"])
    response = seller.post(
        reverse("api:receipt-list"),
        {
            "contract": world["contract"].pk,
            "received_on": today().isoformat(),
            "amount": "100.00",
            "payer": "买方企业",
            "bank_reference": "API-1",
            "evidence": pdf(),
        },
        HTTP_IDEMPOTENCY_KEY="once",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["state"] == "recorded"
    assert created["evidence"] == reverse("api:receipt-evidence", args=[created["id"]])
    registrar = client_of(world["cast"]["county_registrar"])
    confirmed = registrar.post(reverse("api:receipt-confirm", args=[created["id"]]))
    assert confirmed.status_code == 200
    assert confirmed.json()["state"] == "confirmed"
    rejected = registrar.post(
        reverse("api:receipt-reject", args=[world["receipt"].pk]),
        {"reason": ""},
        content_type="application/json",
    )
    assert rejected.status_code == 400
    assert set(rejected.json()) == {"code", "message", "fields"}
    income = seller.get(reverse("api:contract-income-detail", args=[world["contract"].pk])).json()
    assert income["confirmed"] == "5100.00"
    assert income["pending"] == "12345.67"
    listed = seller.get(reverse("api:receipt-list"), {"contract": world["contract"].pk}).json()
    assert listed["count"] == 3
    summary = client_of(world["cast"]["owner"]).get(reverse("api:technology-income-list")).json()
    assert summary["organisation_id"] == world["seller"].pk


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"amount": "-1"}, "malformed_amount"),
        ({"amount": "12.345"}, "malformed_amount"),
        ({"amount": "999999"}, "over_certified_amount"),
        ({"received_on": "2999-01-01"}, "future_date"),
        ({"bank_reference": SECRET_REFERENCE}, "duplicate_reference"),
    ],
)
def test_the_api_refuses_bad_receipts_and_changes_nothing(world, data, code):
    payload = {
        "contract": world["contract"].pk,
        "received_on": today().isoformat(),
        "amount": "100.00",
        "payer": "买方企业",
        "bank_reference": "API-2",
        "evidence": pdf(),
        **data,
    }
    client = client_of(world["cast"]["owner"])
    before = snapshot()
    response = client.post(reverse("api:receipt-list"), payload)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert diff(before, snapshot()) == []


def test_the_api_amendments(world):
    registrar = client_of(world["cast"]["city_registrar"])
    done = registrar.post(
        reverse("api:amendment-register", args=[world["amendment"].pk]), {}, content_type="application/json"
    )
    assert done.status_code == 200
    assert done.json()["state"] == "registered"
    again = client_of(world["cast"]["owner"]).post(
        reverse("api:amendment-list"),
        {
            "contract": world["contract"].pk,
            "new_total_amount": "1",
            "new_certified_amount": "1",
            "reason": "x",
        },
        content_type="application/json",
    )
    assert again.status_code == 400
    assert again.json()["code"] == "below_received"
    outsider = client_of(world["cast"]["other_county_registrar"]).post(
        reverse("api:amendment-list"),
        {
            "contract": world["contract"].pk,
            "new_total_amount": "1",
            "new_certified_amount": "1",
            "reason": "x",
        },
        content_type="application/json",
    )
    assert outsider.status_code == 404


def test_the_registry_lists_its_region_only(world):
    other = scene_elsewhere(world)
    mine = client_of(world["cast"]["county_registrar"]).get(reverse("api:receipt-list")).json()
    assert {row["id"] for row in mine["results"]} >= {world["receipt"].pk}
    assert other.pk not in {row["id"] for row in mine["results"]}


def scene_elsewhere(world: dict[str, Any]) -> Receipt:
    """A receipt of a contract of a seller in the other county (outside the county registrar's region)."""
    from techmarket.accounts.tests.factories import OrganisationFactory
    from techmarket.contracts.tests.factories import registered_contract

    seller = OrganisationFactory(region=world["buyer"].region)
    contract = registered_contract(seller=seller)
    return factory_receipt(contract, "10.00", state=ReceiptState.RECORDED)


def test_record_helper(world):
    assert record(world, "1.00").state == ReceiptState.RECORDED


def test_the_registrars_todo_page_lists_the_waiting_work(world):
    page = client_of(world["cast"]["county_registrar"]).get(reverse("core:todo"))
    assert page.status_code == 200
    assert "待确认的到账" in body(page)
    assert "待登记的合同变更" in body(page)
    assert reverse("contracts:receipt_detail", args=[world["receipt"].pk]) in body(page)
    outside = client_of(world["cast"]["other_county_registrar"]).get(reverse("core:todo"))
    assert reverse("contracts:receipt_detail", args=[world["receipt"].pk]) not in body(outside)
