"""Contracts made through the services for the contracts tests (the shared ``factories`` write rows
straight to the database; these go through filing and review, so the audit log and signals are real)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.tests.factories import OrganisationFactory, UserFactory, user_with_role
from techmarket.contracts import services
from techmarket.contracts.choices import ContractState as S
from techmarket.contracts.models import TechContract


def build_people(regions: dict[str, Any], organisation: Any, applicant: Any) -> dict[str, Any]:
    """The seller (``organisation``, its filer ``applicant``), a buyer, an agency, outsiders, registrars."""
    buyer = OrganisationFactory(
        region=regions["other_county"], name="买方科技有限公司", kind=OrganisationKind.ENTERPRISE
    )
    agency = OrganisationFactory(region=regions["city"], name="某技术转移中心", kind=OrganisationKind.AGENCY)
    other_agency = OrganisationFactory(
        region=regions["city"], name="另一转移机构", kind=OrganisationKind.AGENCY
    )
    outsider = OrganisationFactory(region=regions["county"], name="无关单位")
    return {
        "regions": regions,
        "seller": organisation,
        "buyer": buyer,
        "agency": agency,
        "filer": applicant,
        "seller_admin": user_with_role(Role.ORG_ADMIN, organisation=organisation, username="seller_admin"),
        "seller_enterprise": user_with_role(
            Role.ENTERPRISE, organisation=organisation, username="seller_ent"
        ),
        "seller_expert": user_with_role(Role.EXPERT, organisation=organisation, username="seller_expert"),
        "buyer_user": user_with_role(Role.ENTERPRISE, organisation=buyer, username="buyer_user"),
        "buyer_admin": user_with_role(Role.ORG_ADMIN, organisation=buyer, username="buyer_admin"),
        "broker": user_with_role(Role.BROKER, organisation=agency, username="broker"),
        "other_broker": user_with_role(Role.BROKER, organisation=other_agency, username="other_broker"),
        "outsider": user_with_role(Role.ENTERPRISE, organisation=outsider, username="outsider"),
        "registrar": user_with_role(Role.REGISTRAR, region=regions["city"], username="registrar"),
        "province_registrar": user_with_role(
            Role.REGISTRAR, region=regions["province"], username="province_registrar"
        ),
        "other_registrar": user_with_role(
            Role.REGISTRAR, region=regions["other_city"], username="other_registrar"
        ),
        "reviewer": user_with_role(Role.REVIEWER, region=regions["county"], username="reviewer"),
        "platform_admin": user_with_role(Role.PLATFORM_ADMIN, username="padmin"),
        "superuser": UserFactory(organisation=None, is_superuser=True, is_staff=True, username="root"),
        "anonymous": AnonymousUser(),
    }


SECRET_TITLE = "只给合同双方看的超导量子芯片转让合同"


def pdf_bytes(text: str = "contract") -> bytes:
    """A small valid one-page PDF."""
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    )
    xref_at = len(body)
    offsets = [body.index(f"{n} 0 obj".encode()) for n in (1, 2, 3)]
    xref = b"xref\n0 4\n0000000000 65535 f \n" + b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    trailer = f"trailer<</Size 4/Root 1 0 R>>\nstartxref\n{xref_at}\n%%EOF\n".encode()
    return body + xref + trailer


def signed_pdf(name: str = "合同.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def form_data(buyer: Any = None, **overrides: Any) -> dict[str, Any]:
    """A complete, valid 技术合同登记表 (a patent transfer of 500,000 yuan with 20,000 of equipment)."""
    data: dict[str, Any] = {
        "title": SECRET_TITLE,
        "subtype": "transfer_patent",
        "seller_entity_type": "22",
        "buyer_name": buyer.name if buyer is not None else "买方科技有限公司",
        "buyer_credit_code": buyer.credit_code if buyer is not None else "",
        "buyer_entity_type": "41",
        "buyer_country_code": "156",
        "buyer_region_code": buyer.region_id if buyer is not None else "990202",
        "signed_on": "2026-03-01",
        "term_start": "2026-03-01",
        "term_end": "2027-02-28",
        "total_amount": "500000.00",
        "technology_field": "01",
        "ip_type": "02",
        "plan_source": "5",
        "expected_investment": "1000000",
        "expected_output": "3000000",
        "parts": [{"kind": "equipment", "amount": "20000", "note": "测试设备"}],
        "payment_plan": [
            {"due_on": "2026-04-01", "amount": "200000"},
            {"due_on": "2026-10-01", "amount": "300000"},
        ],
    }
    if buyer is not None:
        data["buyer_organisation"] = buyer.pk
    data.update(overrides)
    return data


def draft(people: dict[str, Any], *, pdf: bool = True, **overrides: Any) -> TechContract:
    return services.contract_create(
        actor=people["filer"],
        data=form_data(people["buyer"], **overrides),
        signed_pdf=signed_pdf() if pdf else None,
    )


def in_state(people: dict[str, Any], state: str, **overrides: Any) -> TechContract:
    """A contract of the seller in ``state``, reached through the services."""
    filer, registrar = people["filer"], people["registrar"]
    contract = draft(people, **overrides)
    if state == S.DRAFT:
        return contract
    if state == S.WITHDRAWN:
        return services.contract_withdraw(actor=filer, contract=contract)
    contract = services.contract_submit(actor=filer, contract=contract)
    if state == S.SUBMITTED:
        return contract
    contract = services.contract_start_review(actor=registrar, contract=contract)
    if state == S.UNDER_REVIEW:
        return contract
    if state == S.RETURNED:
        return services.contract_return(actor=registrar, contract=contract, reason="请补充专利证书")
    if state == S.REGISTERED:
        return services.contract_register(actor=registrar, contract=contract)
    if state == S.REFUSED:
        return services.contract_refuse(actor=registrar, contract=contract, reason="非技术合同")
    raise ValueError(state)
