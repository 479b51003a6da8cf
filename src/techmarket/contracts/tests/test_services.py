"""Filing and review through the services: every rule, every bad input refused with nothing changed."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from techmarket.contracts import services, signals
from techmarket.contracts.choices import ContractState as S
from techmarket.contracts.models import ContractPart, RegistrationSerial, TechContract
from techmarket.contracts.tests.helpers import draft, form_data, in_state, signed_pdf
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[Any, ...]:
    return (
        list(TechContract.objects.order_by("pk").values()),
        list(ContractPart.objects.order_by("pk").values()),
        list(RegistrationSerial.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    )


def test_a_draft_is_filed_with_its_parts_and_certified_amount(people):
    contract = draft(people)
    assert contract.state == S.DRAFT
    assert contract.contract_type == "transfer"
    assert contract.seller_organisation == people["seller"]
    assert contract.seller_city_code == people["regions"]["city"].code
    assert contract.buyer_county_code == people["regions"]["other_county"].code
    assert contract.total_amount == Decimal("500000.00")
    assert contract.certified_amount == Decimal("480000.00")
    assert [(p.kind, p.amount) for p in contract.parts.all()] == [("equipment", Decimal("20000.00"))]
    assert contract.payment_plan[0] == {"due_on": "2026-04-01", "amount": "200000.00"}
    assert contract.signed_pdf.name.endswith(".pdf")
    assert AuditEvent.objects.filter(
        action="contracts.techcontract.create", target_id=str(contract.pk)
    ).exists()


BAD_INPUTS = [
    ({"total_amount": "-1"}, "total_amount"),
    ({"total_amount": "abc"}, "total_amount"),
    ({"total_amount": "1.234"}, "total_amount"),
    ({"total_amount": "NaN"}, "total_amount"),
    ({"total_amount": ""}, "total_amount"),
    ({"subtype": "painting"}, "subtype"),
    ({"technology_field": "99"}, "technology_field"),
    ({"ip_type": "XX"}, "ip_type"),
    ({"plan_source": "9"}, "plan_source"),
    ({"seller_entity_type": "77"}, "seller_entity_type"),
    ({"buyer_region_code": "12345"}, "buyer_region_code"),
    ({"buyer_region_code": "abcdef"}, "buyer_region_code"),
    ({"buyer_region_code": "990999"}, "buyer_region_code"),
    ({"buyer_country_code": "999"}, "buyer_country_code"),
    ({"buyer_country_code": "840", "buyer_region_code": "990202"}, "buyer_region_code"),
    ({"buyer_credit_code": "123"}, "buyer_credit_code"),
    ({"signed_on": "2026-13-01"}, "signed_on"),
    ({"term_start": "2026-05-01", "term_end": "2026-04-01"}, "term_end"),
    ({"parts": [{"kind": "equipment", "amount": "-5"}]}, "parts"),
    ({"parts": [{"kind": "gold", "amount": "5"}]}, "parts"),
    ({"parts": [{"kind": "equipment", "amount": "600000"}]}, "parts"),
    ({"payment_plan": [{"due_on": "2026-04-01", "amount": "600000"}]}, "payment_plan"),
    ({"payment_plan": [{"due_on": "x", "amount": "1"}]}, "payment_plan"),
    ({"payment_plan": [{"due_on": "2026-04-01", "amount": "0"}]}, "payment_plan"),
    ({"payment_plan": "not a list"}, "payment_plan"),
    ({"expected_investment": ""}, "expected_investment"),
    ({"expected_output": "-3"}, "expected_output"),
    ({"title": ""}, "title"),
    ({"title": "长" * 201}, "title"),
    ({"brokered_contract": 1}, "brokered_contract"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_INPUTS)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_changes(people, overrides, field):
    before = snapshot()
    with pytest.raises(DomainError) as caught:
        services.contract_create(actor=people["filer"], data=form_data(people["buyer"], **overrides))
    assert field in caught.value.fields, caught.value.fields
    assert re.search(r"[\u4e00-\u9fff]", str(caught.value.message))
    assert snapshot() == before


def test_a_foreign_buyer_has_a_country_code_and_no_region(people):
    contract = draft(people, buyer_country_code="840", buyer_region_code="", buyer_credit_code="")
    assert contract.buyer_country_code == "840"
    assert contract.buyer_region_code == ""
    assert contract.buyer_province_code == ""


def test_consulting_contracts_need_no_expected_investment(people):
    contract = draft(people, subtype="consulting", expected_investment="", expected_output="")
    assert contract.contract_type == "consulting"
    assert contract.expected_investment is None


def test_bad_pdf_is_refused(people):
    before = snapshot()
    for upload in (
        SimpleUploadedFile("合同.pdf", b"not a pdf at all"),
        SimpleUploadedFile("合同.exe", b"%PDF-1.4 x"),
        SimpleUploadedFile("合同.pdf", b"%PDF-1.4 garbage"),
    ):
        with pytest.raises(DomainError) as caught:
            services.contract_create(
                actor=people["filer"], data=form_data(people["buyer"]), signed_pdf=upload
            )
        assert "signed_pdf" in caught.value.fields
    assert snapshot() == before


def test_only_the_seller_side_files(people):
    # People of no organisation never file; anyone else files only as the seller (their own organisation).
    for who in ("registrar", "reviewer", "platform_admin"):
        with pytest.raises(NotPermitted):
            services.contract_create(actor=people[who], data=form_data(people["buyer"]))
    contract = draft(people)
    for who in ("buyer_user", "outsider", "broker", "registrar"):
        with pytest.raises(NotPermitted):
            services.contract_update(actor=people[who], contract=contract, data={"title": "改"})
        with pytest.raises(DomainError):
            services.contract_submit(actor=people[who], contract=contract)
    # An agency may not name a seller that does not authorise it.
    with pytest.raises(NotPermitted):
        services.contract_create(
            actor=people["broker"], data=form_data(people["buyer"], seller_organisation=people["seller"].pk)
        )


def test_an_authorised_agency_files_for_the_seller(people, reviewers):
    import datetime

    from django.utils import timezone

    from techmarket.trading import services as trading_services
    from techmarket.trading.tests.factories import published_achievement

    achievement = published_achievement(
        applicant=people["filer"], region=people["regions"]["county"], reviewers=reviewers
    )
    trading_services.authorisation_grant(
        actor=people["seller_admin"],
        achievement=achievement,
        agency=people["agency"],
        scope="list",
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    contract = services.contract_create(
        actor=people["broker"],
        data=form_data(people["buyer"], seller_organisation=people["seller"].pk),
        signed_pdf=signed_pdf(),
    )
    assert contract.seller_organisation == people["seller"]
    assert contract.agency_organisation == people["agency"]
    services.contract_submit(actor=people["broker"], contract=contract)


def test_the_whole_way_with_a_return_and_registration(people):
    received = []

    def receiver(sender, contract, **kwargs):
        received.append((sender, contract.registration_number))

    signals.contract_registered.connect(receiver)
    try:
        contract = in_state(people, S.RETURNED)
        assert contract.return_reason == "请补充专利证书"
        contract = services.contract_update(
            actor=people["filer"], contract=contract, data={"title": "修改后的合同"}
        )
        contract = services.contract_submit(actor=people["filer"], contract=contract)
        contract = services.contract_start_review(actor=people["registrar"], contract=contract)
        contract = services.contract_register(actor=people["registrar"], contract=contract)
    finally:
        signals.contract_registered.disconnect(receiver)
    assert contract.state == S.REGISTERED
    assert received == [(TechContract, contract.registration_number)]
    number = contract.registration_number
    assert re.fullmatch(r"\d{16}", number)
    assert number.startswith(people["regions"]["city"].code + str(contract.registered_at.year) + "2")
    assert number.endswith("00001")
    assert contract.certified_amount == Decimal("480000.00")
    assert len(contract.verification_code) == 16
    assert contract.registered_by == people["registrar"]
    actions = list(
        AuditEvent.objects.filter(target_id=str(contract.pk), target_type="contracts.techcontract")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "contracts.techcontract.create",
        "contracts.techcontract.submit",
        "contracts.techcontract.start_review",
        "contracts.techcontract.return",
        "contracts.techcontract.update",
        "contracts.techcontract.submit",
        "contracts.techcontract.start_review",
        "contracts.techcontract.register",
    ]


def test_numbers_are_unique_and_serials_never_reused(people):
    first = in_state(people, S.REGISTERED)
    second = in_state(people, S.REGISTERED, signed_on="2026-03-02")
    licence = in_state(people, S.REGISTERED, signed_on="2026-03-03", subtype="license_patent")
    assert first.registration_number[-5:] == "00001"
    assert second.registration_number[-5:] == "00002"
    assert licence.registration_number[10] == "5"
    assert licence.registration_number[-5:] == "00001"
    # A refused or withdrawn contract takes no number; the next one continues the serial.
    in_state(people, S.REFUSED, signed_on="2026-03-04")
    third = in_state(people, S.REGISTERED, signed_on="2026-03-05")
    assert third.registration_number[-5:] == "00003"
    assert len({first.verification_code, second.verification_code, third.verification_code}) == 3


def test_the_registrar_corrects_the_certified_amount_with_a_reason_never_above_the_total(people):
    contract = in_state(people, S.UNDER_REVIEW)
    before = snapshot()
    for amount, reason in (("600000", "多算"), ("-1", "x"), ("abc", "x"), ("400000", "")):
        with pytest.raises(DomainError):
            services.contract_register(
                actor=people["registrar"],
                contract=contract,
                certified_amount=amount,
                correction_reason=reason,
            )
    assert snapshot() == before
    done = services.contract_register(
        actor=people["registrar"], contract=contract, certified_amount="400000", correction_reason="含培训费"
    )
    assert done.certified_amount == Decimal("400000.00")
    event = AuditEvent.objects.get(action="contracts.techcontract.register", target_id=str(contract.pk))
    assert event.reason == "含培训费"
    assert event.data["computed_amount"] == "480000.00"


def test_a_second_filing_of_the_same_contract_is_refused(people):
    registered = in_state(people, S.REGISTERED)
    before = snapshot()
    with pytest.raises(DomainError) as caught:
        draft(people)
    assert caught.value.code == "duplicate_contract"
    assert registered.registration_number in str(caught.value.message)
    assert snapshot() == before


def test_a_refused_contract_may_be_filed_again(people):
    in_state(people, S.REFUSED)
    assert draft(people).state == S.DRAFT


def test_submit_needs_a_complete_form_and_the_signed_pdf(people):
    contract = draft(people, pdf=False)
    before = snapshot()
    with pytest.raises(DomainError) as caught:
        services.contract_submit(actor=people["filer"], contract=contract)
    assert caught.value.code == "signed_pdf_missing"
    assert snapshot() == before


def test_registrars_outside_the_seller_chain_and_others_cannot_review(people):
    contract = in_state(people, S.SUBMITTED)
    before = snapshot()
    for who in ("other_registrar", "reviewer", "platform_admin", "buyer_user", "filer", "outsider"):
        with pytest.raises(DomainError):
            services.contract_start_review(actor=people[who], contract=contract)
    assert snapshot() == before


def test_a_registered_contract_cannot_be_changed_or_withdrawn(people):
    contract = in_state(people, S.REGISTERED)
    before = snapshot()
    with pytest.raises(DomainError):
        services.contract_update(actor=people["filer"], contract=contract, data={"title": "改"})
    with pytest.raises(DomainError):
        services.contract_withdraw(actor=people["filer"], contract=contract)
    with pytest.raises(DomainError):
        services.contract_register(actor=people["registrar"], contract=contract)
    assert snapshot() == before


def test_an_intermediary_contract_links_the_contract_it_brokered(people):
    brokered = in_state(people, S.REGISTERED)
    contract = draft(
        people,
        subtype="service_intermediary",
        brokered_contract=brokered.pk,
        signed_on="2026-05-01",
        total_amount="30000",
        parts=[],
        payment_plan=[],
    )
    assert contract.brokered_contract == brokered
    # Not a contract the filer cannot see.
    hidden = in_state(people, S.DRAFT, signed_on="2026-05-02")
    TechContract.objects.filter(pk=hidden.pk).update(
        seller_organisation=people["buyer"], agency_organisation=None
    )
    TechContract.objects.filter(pk=hidden.pk).update(buyer_organisation=None)
    with pytest.raises(DomainError):
        draft(
            people,
            subtype="service_intermediary",
            brokered_contract=hidden.pk,
            signed_on="2026-05-03",
            parts=[],
            payment_plan=[],
        )


def test_the_buyer_is_linked_by_its_credit_code_when_not_named(people):
    from techmarket.accounts.tests.factories import OrganisationFactory, make_uscc

    data = form_data(people["buyer"])
    del data["buyer_organisation"]  # as the web form sends it: a name and a credit code
    contract = services.contract_create(actor=people["filer"], data=data)
    assert contract.buyer_organisation == people["buyer"]
    other = OrganisationFactory(name="另一家买方")
    contract = services.contract_update(
        actor=people["filer"], contract=contract, data={"buyer_credit_code": other.credit_code}
    )
    assert contract.buyer_organisation == other
    contract = services.contract_update(actor=people["filer"], contract=contract, data={"title": "只改名称"})
    assert contract.buyer_organisation == other  # the code did not change: the link stays
    contract = services.contract_update(
        actor=people["filer"], contract=contract, data={"buyer_credit_code": make_uscc(987654)}
    )
    assert contract.buyer_organisation is None  # no organisation on the platform holds that code
