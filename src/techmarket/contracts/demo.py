"""Demo data of technology contract registration for ``techmarket demo``: the Wuhan registry's registrar
``demo-registrar`` (420100) and contracts of the demo university (江城理工大学, demo-applicant) in every
state — draft, submitted, under review, returned, registered (one with a corrected certified amount),
refused and withdrawn — and a draft made from the demo's sold auction deal.

Everything goes through the services (filing, review, registration), so the audit log, the numbers and
the ``contract_registered`` signal are what real use would leave. It takes well under a second.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from techmarket.accounts import services as account_services
from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.demo import DemoPeople
from techmarket.accounts.types import User
from techmarket.contracts import receipt_demo, receipt_services, services
from techmarket.contracts.choices import ContractState as S
from techmarket.contracts.choices import ContractSubtype
from techmarket.contracts.models import TechContract
from techmarket.core import clock
from techmarket.core.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, person_name
from techmarket.core.errors import DomainError
from techmarket.core.models import Region
from techmarket.deals import selectors as deal_selectors

REGISTRAR = "demo-registrar"
REGISTRY_CODE = "420100"  # 武汉市

# (state, title, subtype, total yuan, non-technical parts, signing day)
PLAN: tuple[tuple[str, str, str, str, list[dict[str, str]], str], ...] = (
    ("draft", "高镍正极材料中试工艺技术开发合同", "dev_commissioned", "800000", [], "2026-01-12"),
    ("submitted", "工业机器人视觉定位专利实施许可合同", "license_patent", "450000", [], "2026-01-20"),
    (
        "under_review",
        "污水处理膜组件技术秘密转让合同",
        "transfer_secret",
        "1200000",
        [{"kind": "equipment", "amount": "200000", "note": "膜组件样机"}],
        "2026-02-03",
    ),
    ("returned", "光纤传感监测系统技术服务合同", "service", "260000", [], "2026-02-10"),
    (
        "registered",
        "锂电池热失控预警专利权转让合同",
        "transfer_patent",
        "1500000",
        [{"kind": "travel", "amount": "30000", "note": "现场指导差旅"}],
        "2025-12-18",
    ),
    ("registered_corrected", "智能电网调度算法技术咨询合同", "consulting", "180000", [], "2026-01-05"),
    ("refused", "办公设备采购合同", "service", "90000", [], "2026-02-14"),
    ("withdrawn", "桥梁健康监测软件技术开发合同", "dev_cooperative", "600000", [], "2026-02-20"),
)


@dataclass
class DemoContracts:
    """What the contracts demo made, for the summary."""

    states: Counter[str] = field(default_factory=Counter)
    from_deal: int | None = None
    registrar: str = REGISTRAR
    receipts: dict[str, Any] = field(default_factory=dict)
    history: int = 0


def minimal_pdf() -> bytes:
    """A one-page blank PDF standing for the signed contract."""
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    )
    offsets = [body.index(f"{n} 0 obj".encode()) for n in (1, 2, 3)]
    xref = b"xref\n0 4\n0000000000 65535 f \n" + b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    return body + xref + f"trailer<</Size 4/Root 1 0 R>>\nstartxref\n{len(body)}\n%%EOF\n".encode()


def _registrar(rng: random.Random, people: DemoPeople, region: Region) -> User:
    bureau = people.accounts["demo-city"].organisation
    if bureau is None:  # pragma: no cover - the demo's reviewers belong to their bureaus
        bureau = people.admin.organisation or people.organisations[0]
    user = account_services.member_create(
        actor=people.admin,
        organisation=bureau,
        username=REGISTRAR,
        password=DEMO_PASSWORD,
        display_name=person_name(rng),
        email=f"{REGISTRAR}@{DEMO_EMAIL_DOMAIN}",
        roles=[],
    )
    account_services.role_grant(actor=people.admin, user=user, role=Role.REGISTRAR, region=region)
    people.accounts[REGISTRAR] = user
    return user


def _form(
    buyer: Any, title: str, subtype: str, total: str, parts: list[dict[str, str]], day: str
) -> dict[str, Any]:
    return {
        "title": title,
        "subtype": subtype,
        "seller_entity_type": "22",
        "buyer_organisation": buyer.pk,
        "buyer_name": buyer.name,
        "buyer_credit_code": buyer.credit_code or "",
        "buyer_entity_type": "41",
        "buyer_country_code": "156",
        "buyer_region_code": buyer.region_id,
        "signed_on": day,
        "total_amount": total,
        "technology_field": "03",
        "ip_type": "02" if "专利" in title else "01",
        "plan_source": "5",
        "expected_investment": "2000000",
        "expected_output": "8000000",
        "parts": parts,
        "payment_plan": [{"due_on": "2026-06-30", "amount": str(int(total) // 2)}],
    }


def seed(rng: random.Random, people: DemoPeople, sold_auction: int | None = None) -> DemoContracts:
    """Create the registry's demo records (inside the demo's transaction)."""
    made = DemoContracts()
    if "demo-city" not in people.accounts or "demo-applicant" not in people.accounts:
        return made
    filer = people.accounts["demo-applicant"]
    enterprise = people.accounts.get("demo-enterprise")
    buyer = enterprise.organisation if enterprise is not None else None
    seller = filer.organisation
    wuhan = Region.objects.filter(code=REGISTRY_CODE).first()
    if seller is None or buyer is None or wuhan is None:
        return made
    if REGISTRY_CODE not in seller.region.chain_codes().values():  # a university outside Wuhan: no work
        return made
    registrar = _registrar(rng, people, wuhan)
    registered: list[TechContract] = []
    for state, title, subtype, total, parts, day in PLAN:
        contract = services.contract_create(
            actor=filer,
            data=_form(buyer, title, subtype, total, parts, day),
            signed_pdf=SimpleUploadedFile("signed.pdf", minimal_pdf(), content_type="application/pdf"),
        )
        contract = _drive(contract, state, filer, registrar)
        made.states[contract.state] += 1
        if contract.state == S.REGISTERED:
            registered.append(contract)
    # Receipts on the registered contracts: confirmed, pending, rejected, and an amendment.
    made.receipts = receipt_demo.demo_receipts(registered)
    made.history = seed_history(rng, people)
    deal = deal_selectors.deal_of_auction(sold_auction) if sold_auction else None
    if deal is not None:
        seller_side = people.org_admins.get(deal.seller_organisation_id)
        if seller_side is not None:
            try:
                made.from_deal = services.draft_from_deal(actor=seller_side, deal=deal).pk
                made.states[S.DRAFT] += 1
            except DomainError:  # pragma: no cover - a demo deal always has its seller's administrator
                pass
    return made


def _drive(contract: TechContract, state: str, filer: User, registrar: User) -> TechContract:
    if state == "draft":
        return contract
    if state == "withdrawn":
        return services.contract_withdraw(actor=filer, contract=contract, reason="双方协商另行签订")
    contract = services.contract_submit(actor=filer, contract=contract)
    if state == "submitted":
        return contract
    contract = services.contract_start_review(actor=registrar, contract=contract)
    if state == "under_review":
        return contract
    if state == "returned":
        return services.contract_return(
            actor=registrar, contract=contract, reason="请补充服务内容的技术指标及验收标准。"
        )
    if state == "refused":
        return services.contract_refuse(
            actor=registrar, contract=contract, reason="合同标的为设备采购，不属于技术合同。"
        )
    if state == "registered_corrected":
        return services.contract_register(
            actor=registrar,
            contract=contract,
            certified_amount="150000",
            correction_reason="其中 30000 元为会务费，不计入技术交易额。",
        )
    return services.contract_register(actor=registrar, contract=contract)


CENT = Decimal("0.01")
HISTORY_CONTRACTS = 48
PROVINCE_REGISTRAR = "reg-420000"
HISTORY_SUBJECTS = (
    "高效光伏组件封装",
    "磷石膏综合利用",
    "智能网联汽车测试",
    "中药材种植溯源",
    "锂电池梯次利用",
    "水体富营养化治理",
    "工业互联网平台",
    "高性能复合材料",
    "农产品冷链物流",
    "桥梁结构健康监测",
)
HISTORY_SUBTYPES = (
    "transfer_patent",
    "license_patent",
    "dev_commissioned",
    "dev_cooperative",
    "consulting",
    "service",
    "service_training",
    "transfer_secret",
)
SELLER_KINDS = (OrganisationKind.UNIVERSITY, OrganisationKind.INSTITUTE, OrganisationKind.ENTERPRISE)


def seed_history(rng: random.Random, people: DemoPeople) -> int:
    """Contracts registered and paid over the last two years across the province's organisations, so the
    statistics have figures worth drilling into: filed, reviewed and registered by the province's
    registry through the services, each on its own past day (``clock.pinned_at``)."""
    province = Region.objects.filter(code="420000").first()
    bureau = people.accounts.get("demo-province")
    sellers = [
        (org, people.org_admins[org.pk])
        for org in people.organisations_of(SELLER_KINDS)
        if org.pk in people.org_admins and org.region.chain_codes()["province_code"] == "420000"
    ]
    buyers = people.organisations_of((OrganisationKind.ENTERPRISE,))
    if province is None or bureau is None or not sellers or not buyers:
        return 0
    registrar = account_services.member_create(
        actor=people.admin,
        organisation=bureau.organisation or people.organisations[0],
        username=PROVINCE_REGISTRAR,
        password=DEMO_PASSWORD,
        display_name=person_name(rng),
        email=f"{PROVINCE_REGISTRAR}@{DEMO_EMAIL_DOMAIN}",
        roles=[],
    )
    account_services.role_grant(actor=people.admin, user=registrar, role=Role.REGISTRAR, region=province)
    today = timezone.localtime(clock.now())
    made = 0
    for index in range(HISTORY_CONTRACTS):
        seller, filer = sellers[index % len(sellers)]
        buyer = rng.choice([org for org in buyers if org.pk != seller.pk] or buyers)
        moment = today - datetime.timedelta(days=rng.randint(40, 700), hours=rng.randint(0, 8))
        subtype = HISTORY_SUBTYPES[index % len(HISTORY_SUBTYPES)]
        title = f"{rng.choice(HISTORY_SUBJECTS)}{ContractSubtype(subtype).label}合同"
        total = str(rng.randrange(8, 300) * 10000)
        data = _form(
            buyer, title, subtype, total, [], (moment - datetime.timedelta(days=20)).date().isoformat()
        )
        data["seller_entity_type"] = services.ENTITY_OF_KIND.get(OrganisationKind(seller.kind), "90")
        data["payment_plan"] = []
        data["technology_field"] = rng.choice(("01", "03", "04", "05", "06", "07", "09"))
        data["ip_type"] = rng.choice(("01", "02", "03", "05", "10"))
        with clock.pinned_at(moment):
            contract = services.contract_create(actor=filer, data=data, signed_pdf=_signed())
            contract = services.contract_submit(actor=filer, contract=contract)
            contract = services.contract_start_review(actor=registrar, contract=contract)
            contract = services.contract_register(actor=registrar, contract=contract)
        paid_on = moment + datetime.timedelta(days=rng.randint(10, 120))
        if paid_on < today:
            with clock.pinned_at(paid_on):
                receipt = receipt_services.receipt_record(
                    actor=filer,
                    contract=contract,
                    received_on=timezone.localtime(paid_on).date().isoformat(),
                    amount=str(
                        (receipt_services.cap_of(contract) * rng.choice((40, 60, 100)) / 100).quantize(CENT)
                    ),
                    payer=contract.buyer_name,
                    bank_reference=f"HIST{contract.pk:06d}",
                    evidence=SimpleUploadedFile(f"slip-{contract.pk}.pdf", receipt_demo.BANK_SLIP),
                )
                receipt_services.receipt_confirm(actor=registrar, receipt=receipt)
        made += 1
    return made


def _signed() -> SimpleUploadedFile:
    return SimpleUploadedFile("signed.pdf", minimal_pdf(), content_type="application/pdf")
