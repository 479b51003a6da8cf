"""Receipts (实际到账) and amendments through the services: the rules, every bad input changing nothing,
the certified-amount cap and how an amendment raises it, the signals, notices and the 技术性收入核定."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from techmarket.accounts.policies import principal_of
from techmarket.contracts import receipt_selectors, receipt_services, signals
from techmarket.contracts.choices import AmendmentState, ContractState, ReceiptState
from techmarket.contracts.models import Amendment, Receipt, TechContract
from techmarket.contracts.tests.factories import contract as make_contract
from techmarket.contracts.tests.factories import receipt as factory_receipt
from techmarket.contracts.tests.factories import registered_contract
from techmarket.contracts.tests.receipt_scene import pdf, record, scene, today
from techmarket.core.errors import DomainError, NotFound, NotPermitted
from techmarket.core.models import AuditEvent
from techmarket.core.testing.workflow_matrix import diff, snapshot
from techmarket.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(regions: Any) -> dict[str, Any]:
    return scene(regions)


def _record_kwargs(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "actor": world["cast"]["owner"],
        "contract": world["contract"],
        "received_on": (today() - datetime.timedelta(days=5)).isoformat(),
        "amount": "2000.00",
        "payer": "买方企业",
        "bank_reference": "BANK-0001",
        "evidence": pdf(),
    }
    values.update(overrides)
    return values


def _refused(code: str, call: Any) -> DomainError:
    before = snapshot()
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code, caught.value.as_dict()
    assert diff(before, snapshot()) == [], "a refused write changed something"
    return caught.value


# --- recording -----------------------------------------------------------------------------------------


def test_the_seller_records_a_receipt_and_the_chain_registrars_hear_of_it(
    world, django_capture_on_commit_callbacks
):
    cast = world["cast"]
    with django_capture_on_commit_callbacks(execute=True):
        receipt = receipt_services.receipt_record(**_record_kwargs(world))
    receipt.refresh_from_db()
    assert receipt.state == ReceiptState.RECORDED
    assert receipt.amount == Decimal("2000.00")
    assert receipt.evidence.name.endswith(".pdf")
    event = AuditEvent.objects.get(action="contracts.receipt.record", target_id=str(receipt.pk))
    assert event.actor_id == cast["owner"].pk
    told = set(Notification.objects.filter(kind="contracts.receipt").values_list("recipient_id", flat=True))
    assert told == {cast[f"{level}_registrar"].pk for level in ("county", "city", "province")}


def test_the_agency_records_for_the_seller(world):
    receipt = receipt_services.receipt_record(**_record_kwargs(world, actor=world["cast"]["broker"]))
    assert receipt.recorded_by == world["cast"]["broker"]


@pytest.mark.parametrize(
    "role", ["other_enterprise", "county_registrar", "platform_admin", "other_org_admin"]
)
def test_nobody_but_the_seller_side_records(world, role):
    before = snapshot()
    with pytest.raises(NotPermitted):
        receipt_services.receipt_record(**_record_kwargs(world, actor=world["cast"][role]))
    assert diff(before, snapshot()) == []


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("-100", "malformed_amount"),
        ("0", "malformed_amount"),
        ("0.00", "malformed_amount"),
        ("abc", "malformed_amount"),
        ("一千元", "malformed_amount"),
        ("12.345", "malformed_amount"),
        ("NaN", "malformed_amount"),
        ("Infinity", "malformed_amount"),
        ("", "malformed_amount"),
        ("1e20", "malformed_amount"),
    ],
)
def test_a_bad_amount_is_refused_and_changes_nothing(world, amount, code):
    error = _refused(code, lambda: receipt_services.receipt_record(**_record_kwargs(world, amount=amount)))
    assert "金额" in str(error.message)
    assert "amount" in error.fields


def test_amounts_are_kept_as_decimals_with_two_places(world):
    receipt = receipt_services.receipt_record(**_record_kwargs(world, amount="1,234.5"))
    assert receipt.amount == Decimal("1234.50")


@pytest.mark.parametrize(
    ("received_on", "code"),
    [
        (lambda: (today() + datetime.timedelta(days=1)).isoformat(), "future_date"),
        (lambda: (today() - datetime.timedelta(days=401)).isoformat(), "before_signing"),
        (lambda: "2026-13-01", "malformed_date"),
        (lambda: "昨天", "malformed_date"),
        (lambda: "", "malformed_date"),
    ],
)
def test_a_bad_date_is_refused_and_changes_nothing(world, received_on, code):
    error = _refused(
        code, lambda: receipt_services.receipt_record(**_record_kwargs(world, received_on=received_on()))
    )
    assert "received_on" in error.fields


def test_the_signing_day_and_today_are_accepted(world):
    signed = world["contract"].signed_on
    receipt_services.receipt_record(
        **_record_kwargs(world, received_on=signed.isoformat(), bank_reference="A")
    )
    receipt_services.receipt_record(
        **_record_kwargs(world, received_on=today().isoformat(), bank_reference="B")
    )
    assert Receipt.objects.count() == 2


def test_a_duplicate_bank_reference_is_refused_until_the_first_is_rejected(world):
    first = receipt_services.receipt_record(**_record_kwargs(world))
    error = _refused("duplicate_reference", lambda: receipt_services.receipt_record(**_record_kwargs(world)))
    assert "BANK-0001" in str(error.message)
    receipt_services.receipt_reject(
        actor=world["cast"]["county_registrar"], receipt=first, reason="回单不清晰"
    )
    again = receipt_services.receipt_record(**_record_kwargs(world))
    assert again.state == ReceiptState.RECORDED
    # The same reference on another contract is another payment.
    other = registered_contract(seller=world["seller"], signed_on=world["contract"].signed_on)
    assert receipt_services.receipt_record(**_record_kwargs(world, contract=other)).contract_id == other.pk


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (lambda: SimpleUploadedFile("回单.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20), "attachment_type"),
        (lambda: SimpleUploadedFile("回单.pdf", b"MZ\x90\x00 not a pdf"), "attachment_type"),
        (lambda: SimpleUploadedFile("回单.png", b"%PDF-1.4 named png"), "attachment_type"),
        (lambda: SimpleUploadedFile("回单.docx", b"PK\x03\x04 office"), "attachment_type"),
        (lambda: SimpleUploadedFile("回单.pdf", b""), "attachment_empty"),
        (lambda: None, "evidence_required"),
    ],
)
def test_evidence_must_be_a_pdf(world, upload, code):
    error = _refused(
        code, lambda: receipt_services.receipt_record(**_record_kwargs(world, evidence=upload()))
    )
    assert "evidence" in error.fields
    if code == "attachment_type":
        assert "PDF" in str(error.message)


@pytest.mark.parametrize("field", ["payer", "bank_reference"])
def test_payer_and_reference_are_required(world, field):
    _refused("required", lambda: receipt_services.receipt_record(**_record_kwargs(world, **{field: "  "})))


@pytest.mark.parametrize(
    "state",
    [ContractState.DRAFT, ContractState.SUBMITTED, ContractState.UNDER_REVIEW, ContractState.REFUSED],
)
def test_only_a_registered_contract_takes_receipts_or_amendments(world, state):
    unregistered = make_contract(
        seller=world["seller"],
        filed_by=world["cast"]["owner"],
        state=state,
        signed_on=world["contract"].signed_on,
    )
    error = _refused(
        "contract_not_registered",
        lambda: receipt_services.receipt_record(**_record_kwargs(world, contract=unregistered)),
    )
    assert "已登记" in str(error.message)
    _refused(
        "contract_not_registered",
        lambda: receipt_services.amendment_file(
            actor=world["cast"]["owner"],
            contract=unregistered,
            new_total_amount="1",
            new_certified_amount="1",
            reason="x",
        ),
    )


# --- the cap -------------------------------------------------------------------------------------------


def test_confirmed_and_pending_receipts_never_exceed_the_certified_amount(world):
    record(world, "60000.00")
    confirmed = record(world, "30000.00")
    receipt_services.receipt_confirm(actor=world["cast"]["city_registrar"], receipt=confirmed)
    error = _refused("over_certified_amount", lambda: record(world, "10000.01"))
    assert "核定技术交易额" in str(error.message)
    assert "10000.00" in str(error.message)  # what may still be recorded
    assert record(world, "10000.00").amount == Decimal("10000.00")  # exactly up to the cap


def test_a_rejected_receipt_frees_its_amount(world):
    big = record(world, "100000.00")
    _refused("over_certified_amount", lambda: record(world, "0.01"))
    receipt_services.receipt_reject(actor=world["cast"]["county_registrar"], receipt=big, reason="重复登记")
    assert record(world, "100000.00").state == ReceiptState.RECORDED


def test_confirmation_checks_the_cap_again(world):
    # Pending receipts written around the service (imported data) over the cap: only what fits confirms.
    contract = world["contract"]
    first = factory_receipt(contract, "70000.00", state=ReceiptState.RECORDED)
    second = factory_receipt(contract, "40000.00", state=ReceiptState.RECORDED)
    registrar = world["cast"]["county_registrar"]
    receipt_services.receipt_confirm(actor=registrar, receipt=first)
    _refused(
        "over_certified_amount", lambda: receipt_services.receipt_confirm(actor=registrar, receipt=second)
    )
    assert Receipt.objects.get(pk=second.pk).state == ReceiptState.RECORDED


# --- deciding ------------------------------------------------------------------------------------------


def test_confirming_sends_the_signal_inside_the_transaction(world, django_capture_on_commit_callbacks):
    receipt = record(world, "5000.00")
    heard: list[Any] = []

    def receiver(sender: Any, receipt: Receipt, **kwargs: Any) -> None:
        heard.append((sender, receipt.pk, receipt.state, transaction.get_connection().in_atomic_block))

    signals.receipt_confirmed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            done = receipt_services.receipt_confirm(
                actor=world["cast"]["province_registrar"], receipt=receipt
            )
    finally:
        signals.receipt_confirmed.disconnect(receiver)
    assert heard == [(Receipt, receipt.pk, ReceiptState.CONFIRMED, True)]
    assert done.state == ReceiptState.CONFIRMED
    assert done.decided_by == world["cast"]["province_registrar"]
    told = Notification.objects.filter(kind="contracts.receipt_decided").values_list(
        "recipient_id", flat=True
    )
    assert list(told) == [world["cast"]["owner"].pk]


def test_a_failing_subscriber_undoes_the_confirmation(world):
    receipt = record(world, "5000.00")

    def receiver(**kwargs: Any) -> None:
        raise RuntimeError("statistics down")

    signals.receipt_confirmed.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            receipt_services.receipt_confirm(actor=world["cast"]["county_registrar"], receipt=receipt)
    finally:
        signals.receipt_confirmed.disconnect(receiver)
    assert Receipt.objects.get(pk=receipt.pk).state == ReceiptState.RECORDED


def test_rejecting_needs_a_reason_which_the_seller_reads(world, django_capture_on_commit_callbacks):
    receipt = record(world, "5000.00")
    registrar = world["cast"]["county_registrar"]
    _refused(
        "required", lambda: receipt_services.receipt_reject(actor=registrar, receipt=receipt, reason=" ")
    )
    with django_capture_on_commit_callbacks(execute=True):
        receipt_services.receipt_reject(
            actor=registrar,
            receipt=receipt,
            reason="回单金额与登记金额不一致",
        )
    receipt.refresh_from_db()
    assert receipt.state == ReceiptState.REJECTED
    assert receipt.rejection_reason == "回单金额与登记金额不一致"
    notice = Notification.objects.get(kind="contracts.receipt_decided")
    assert "回单金额与登记金额不一致" in notice.body


def test_a_decided_receipt_is_not_decided_again(world):
    receipt = record(world, "5000.00")
    registrar = world["cast"]["county_registrar"]
    receipt_services.receipt_confirm(actor=registrar, receipt=receipt)
    _refused("already_decided", lambda: receipt_services.receipt_confirm(actor=registrar, receipt=receipt))
    _refused(
        "already_decided",
        lambda: receipt_services.receipt_reject(actor=registrar, receipt=receipt, reason="x"),
    )


# --- amendments ----------------------------------------------------------------------------------------


def _file(
    world: dict[str, Any], total: str = "150000.00", certified: str = "150000.00", **kw: Any
) -> Amendment:
    return receipt_services.amendment_file(
        actor=kw.pop("actor", world["cast"]["owner"]),
        contract=world["contract"],
        new_total_amount=total,
        new_certified_amount=certified,
        reason=kw.pop("reason", "补充协议增加开发内容"),
    )


def test_a_registered_amendment_raises_the_cap(world, django_capture_on_commit_callbacks):
    cast = world["cast"]
    record(world, "100000.00")
    _refused("over_certified_amount", lambda: record(world, "20000.00"))
    with django_capture_on_commit_callbacks(execute=True):
        amendment = _file(world, "130000.00", "120000.00")
    assert set(
        Notification.objects.filter(kind="contracts.amendment").values_list("recipient_id", flat=True)
    ) == {cast[f"{level}_registrar"].pk for level in ("county", "city", "province")}
    _refused("over_certified_amount", lambda: record(world, "20000.00"))  # filed is not registered
    heard: list[Any] = []

    def receiver(
        sender: Any, amendment: Amendment, previous_total: Decimal, previous_certified: Decimal, **kw: Any
    ) -> None:
        contract = TechContract.objects.get(pk=amendment.contract_id)
        heard.append(
            (
                sender,
                previous_total,
                previous_certified,
                contract.certified_amount,
                transaction.get_connection().in_atomic_block,
            )
        )

    signals.amendment_registered.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            receipt_services.amendment_register(
                actor=cast["city_registrar"], amendment=amendment, note="同意"
            )
    finally:
        signals.amendment_registered.disconnect(receiver)
    assert heard == [(Amendment, Decimal("100000.00"), Decimal("100000.00"), Decimal("120000.00"), True)]
    contract = TechContract.objects.get(pk=world["contract"].pk)
    assert (contract.total_amount, contract.certified_amount) == (Decimal("130000.00"), Decimal("120000.00"))
    history = AuditEvent.objects.get(action="contracts.contract.amend", target_id=str(contract.pk))
    assert history.data["previous_certified"] == "100000.00"
    assert history.data["certified"] == "120000.00"
    assert Notification.objects.filter(kind="contracts.amendment_decided", recipient=cast["owner"]).exists()
    world["contract"] = contract
    assert record(world, "20000.00").state == ReceiptState.RECORDED
    _refused("over_certified_amount", lambda: record(world, "0.01"))


@pytest.mark.parametrize(
    ("total", "certified", "code"),
    [
        ("abc", "100", "malformed_amount"),
        ("100", "-1", "malformed_amount"),
        ("100", "1.001", "malformed_amount"),
        ("100000.00", "120000.00", "certified_above_total"),
        ("100000.00", "100000.00", "unchanged"),
    ],
)
def test_bad_amendments_are_refused_and_change_nothing(world, total, certified, code):
    _refused(code, lambda: _file(world, total, certified))


def test_an_amendment_needs_a_reason_and_the_seller_side(world):
    _refused("required", lambda: _file(world, reason=""))
    for role in ("other_enterprise", "county_registrar", "platform_admin"):
        with pytest.raises(NotPermitted):
            _file(world, actor=world["cast"][role])


def test_an_amendment_never_goes_below_what_is_received(world):
    record(world, "80000.00")
    error = _refused("below_received", lambda: _file(world, "100000.00", "70000.00"))
    assert "80000.00" in str(error.message)
    amendment = _file(world, "100000.00", "90000.00")
    record(world, "15000.00")  # now 95000 pending: the filed 90000 would be below it
    _refused(
        "below_received",
        lambda: receipt_services.amendment_register(
            actor=world["cast"]["county_registrar"], amendment=amendment
        ),
    )
    assert Amendment.objects.get(pk=amendment.pk).state == AmendmentState.SUBMITTED


def test_one_pending_amendment_at_a_time_and_refusal_needs_a_reason(world):
    amendment = _file(world)
    _refused("amendment_pending", lambda: _file(world, "160000.00", "160000.00"))
    registrar = world["cast"]["county_registrar"]
    _refused(
        "required", lambda: receipt_services.amendment_refuse(actor=registrar, amendment=amendment, reason="")
    )
    receipt_services.amendment_refuse(actor=registrar, amendment=amendment, reason="补充协议未盖章")
    assert TechContract.objects.get(pk=world["contract"].pk).certified_amount == Decimal("100000.00")
    assert _file(world, "160000.00", "160000.00").state == AmendmentState.SUBMITTED


# --- 技术性收入核定 -------------------------------------------------------------------------------------------


def test_contract_income_per_year(world):
    contract = world["contract"]
    factory_receipt(contract, "10000.00", received_on=datetime.date(2025, 6, 1))
    factory_receipt(contract, "20000.00", received_on=datetime.date(2026, 2, 1))
    factory_receipt(contract, "5000.00", received_on=datetime.date(2026, 3, 1))
    factory_receipt(contract, "7000.00", state=ReceiptState.RECORDED)
    factory_receipt(contract, "9000.00", state=ReceiptState.REJECTED)
    income = receipt_selectors.contract_income(principal_of(world["cast"]["owner"]), contract)
    assert income.certified == Decimal("100000.00")
    assert income.confirmed == Decimal("35000.00")
    assert income.pending == Decimal("7000.00")
    assert income.outstanding == Decimal("65000.00")
    assert income.by_year == [(2025, Decimal("10000.00")), (2026, Decimal("25000.00"))]
    for role in ("platform_admin", "other_county_registrar", "county_reviewer", "anonymous"):
        with pytest.raises(NotFound):
            receipt_selectors.contract_income(principal_of(world["cast"][role]), contract)


def test_organisation_income_by_year_and_type(world):
    seller = world["seller"]
    transfer = world["contract"]
    service = registered_contract(seller=seller, contract_type="service", total="50000.00")
    foreign = registered_contract(contract_type="development")  # another seller
    factory_receipt(transfer, "10000.00", received_on=datetime.date(2025, 6, 1))
    factory_receipt(transfer, "20000.00", received_on=datetime.date(2026, 2, 1))
    factory_receipt(service, "3000.00", received_on=datetime.date(2026, 7, 1))
    factory_receipt(service, "4000.00", received_on=datetime.date(2026, 8, 1), state=ReceiptState.RECORDED)
    factory_receipt(foreign, "99999.00", received_on=datetime.date(2026, 8, 1))
    owner = principal_of(world["cast"]["owner"])
    report = receipt_selectors.organisation_income(owner)
    assert report.organisation_id == seller.pk
    assert [(y.year, y.total, y.by_type, y.receipts) for y in report.years] == [
        (2026, Decimal("23000.00"), {"transfer": Decimal("20000.00"), "service": Decimal("3000.00")}, 2),
        (2025, Decimal("10000.00"), {"transfer": Decimal("10000.00")}, 1),
    ]
    assert report.year == 2026
    assert {(row.contract_id, row.received) for row in report.contracts} == {
        (transfer.pk, Decimal("20000.00")),
        (service.pk, Decimal("3000.00")),
    }
    assert report.year_total == Decimal("23000.00")
    earlier = receipt_selectors.organisation_income(owner, year="2025")
    assert [row.received for row in earlier.contracts] == [Decimal("10000.00")]
    # The registry of the seller's chain reads it by organisation; nobody else does.
    registrar = principal_of(world["cast"]["city_registrar"])
    assert receipt_selectors.organisation_income(registrar, seller.pk).years[0].total == Decimal("23000.00")
    assert (seller.pk, seller.name) in receipt_selectors.income_organisations(registrar)
    for role in ("other_county_registrar", "platform_admin", "other_enterprise", "broker", "county_reviewer"):
        with pytest.raises(NotFound):
            receipt_selectors.organisation_income(principal_of(world["cast"][role]), seller.pk)
    with pytest.raises(NotFound):
        receipt_selectors.organisation_income(principal_of(world["cast"]["platform_admin"]))


def test_todo_items_for_the_registry(world):
    record(world, "1000.00")
    _file(world)
    items = {
        item.key: item for item in receipt_selectors.todo_items(principal_of(world["cast"]["city_registrar"]))
    }
    assert items["contracts.receipts"].count == 1
    assert items["contracts.amendments"].count == 1
    outside = receipt_selectors.todo_items(principal_of(world["cast"]["other_city_registrar"]))
    assert all(item.count == 0 for item in outside)
    assert receipt_selectors.todo_items(principal_of(world["cast"]["owner"])) == []
