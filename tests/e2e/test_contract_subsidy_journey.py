"""From the trading floor to the subsidy list (issue 11's browser journey): a deal between a university
of the test county and an enterprise becomes a draft technology contract; the seller completes the
登记表 and files it; the city's registry returns it once with a reason, the seller corrects and files
again, the registry registers it (a 16-digit number); the seller records the buyer's payment with its
bank slip, the registry confirms it (a receipt above the certified amount is refused first, changing
nothing); the city's subsidy bureau computes the year's run, the province's reviewer checks it, the
platform administrator approves and publishes it; an anonymous visitor reads the seller's award in
奖补公示 and never the contract's title; the public statistics dashboard shows the county's figures
change as the contract is registered and paid (two other contracts of the county, registered earlier,
lift it over the small-cell threshold). Each step is taken on the pages a new user would use."""

from __future__ import annotations

import json
import os
from decimal import Decimal

import pytest
from django.utils import timezone

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.contracts import signals
from techmarket.contracts.choices import ContractState, ReceiptState
from techmarket.contracts.models import Receipt, TechContract
from techmarket.contracts.tests.factories import registered_contract
from techmarket.contracts.tests.helpers import pdf_bytes
from techmarket.deals import services as deal_services
from techmarket.deals.models import Deal
from techmarket.subsidies import services as subsidy_services
from techmarket.subsidies.choices import RunState
from techmarket.subsidies.models import Award, SubsidyRun
from techmarket.subsidies.tests.factories import city_document
from techmarket.trading.choices import ListingState
from techmarket.trading.tests.factories import listing_in_state, published_achievement

from .signin import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SELLER = "洞庭湖工程技术学院"
BUYER = "乙市新材料股份有限公司"
ACHIEVEMENT = "高导热石墨烯散热膜连续化制备技术"
RETURN_REASON = "知识产权类型与合同标的不符：本合同转让的是发明专利，请改为“发明专利”。"
POLICY_ID = "journey-city-2026"
SHOTS = os.environ.get("TECHMARKET_E2E_SHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"contract-subsidy-{name}.png"), full_page=True)


def _deal(regions, reviewers) -> Deal:
    """A deal of 60 万元 on the trading floor, reached through the services: the university's transfer
    listing, the enterprise's offer, the seller's acceptance."""
    university = OrganisationFactory(region=regions["county"], kind=OrganisationKind.UNIVERSITY, name=SELLER)
    filer = user_with_role(
        Role.APPLICANT, organisation=university, username="seller_zhou", display_name="周老师"
    )
    achievement = published_achievement(
        applicant=filer, region=regions["county"], reviewers=reviewers, name=ACHIEVEMENT
    )
    company = OrganisationFactory(
        region=regions["other_county"], kind=OrganisationKind.ENTERPRISE, name=BUYER
    )
    buyer = user_with_role(Role.ENTERPRISE, organisation=company, username="buyer_qian")
    listing = listing_in_state(
        ListingState.OPEN,
        seller=filer,
        achievement=achievement,
        admin=user_with_role(Role.PLATFORM_ADMIN, username="floor_admin"),
        mode="transfer",
        price="60.00",
    )
    negotiation = deal_services.negotiation_open(actor=buyer, listing=listing)
    offer = deal_services.offer_make(actor=buyer, negotiation=negotiation, amount="60.00")
    return deal_services.offer_accept(actor=filer, offer=offer)


def _earlier_contracts_of_the_county(regions, year: int) -> None:
    """Two contracts of other sellers of the county registered earlier this year (500,000 yuan each, no
    receipts), counted by the statistics as the registry's signal would."""
    buyer = OrganisationFactory(region=regions["other_county"], name="乙市机械制造有限公司")
    for name in ("东县农业科学研究所", "东县智能装备有限公司"):
        seller = OrganisationFactory(region=regions["county"], name=name)
        item = registered_contract(seller=seller, buyer=buyer, year=year)
        signals.contract_registered.send(sender=TechContract, contract=item)


def county_output(page, base: str, county: str, year: int) -> str:
    """The public dashboard's 技术输出 card of the county for the year."""
    page.goto(f"{base}/statistics/?region={county}&year={year}")
    return page.locator("#node-totals .card").first.inner_text()


def test_deal_to_registered_contract_receipt_and_published_subsidy(
    live_server, new_page, regions, reviewers, tmp_path
):
    base = live_server.url
    deal = _deal(regions, reviewers)
    user_with_role(Role.REGISTRAR, region=regions["city"], username="registrar_wu")
    admin = user_with_role(Role.PLATFORM_ADMIN, username="bureau_admin")
    # The city's policy: the shipped 岳阳 rules for the test city, the seller's threshold lowered to
    # 100,000 yuan so that this one contract earns an award.
    document = city_document(regions["city"].code, policy_id=POLICY_ID)
    for rule in document["rules"]:
        if rule["id"] == "seller_dev_transfer":
            rule["threshold"] = "100000"
    subsidy_services.policy_create(actor=admin, document_text=json.dumps(document))
    contract_pdf = tmp_path / "技术转让合同.pdf"
    contract_pdf.write_bytes(pdf_bytes("contract"))
    slip_pdf = tmp_path / "银行回单.pdf"
    slip_pdf.write_bytes(pdf_bytes("bank slip"))
    today = timezone.localdate()
    county = regions["county"].code
    _earlier_contracts_of_the_county(regions, today.year)
    public = new_page()
    before = county_output(public, base, county, today.year)
    assert "<3 份" in before  # two contracts: a small cell, no amount shown
    assert "元" not in before

    # 1. The seller opens the deal and starts the registration: a draft prefilled from the deal.
    seller = new_page()
    log_in(seller, base, "seller_zhou")
    seller.goto(f"{base}/deals/{deal.pk}/")
    seller.click("#contract-from-deal")
    seller.wait_for_selector("#contract-form")
    contract = TechContract.objects.get(deal=deal)
    assert contract.state == ContractState.DRAFT
    assert contract.total_amount == Decimal("600000.00")
    assert seller.input_value("#id_buyer_name") == BUYER
    assert seller.input_value("#id_total_amount") == "600000.00"
    shot(seller, "1-form-from-deal")

    # 2. It completes what the deal could not tell (field, IP type — a wrong one —, plan, expectations,
    #    the signed PDF), saves and files it.
    seller.select_option("#id_technology_field", "03")
    seller.select_option("#id_ip_type", "01")
    seller.select_option("#id_plan_source", "4")
    seller.fill("#id_expected_investment", "2000000")
    seller.fill("#id_expected_output", "8000000")
    seller.set_input_files("#id_signed_pdf", str(contract_pdf))
    seller.click("#contract-form button[type=submit]")
    seller.wait_for_selector("text=合同登记信息已保存")
    # The uploaded text is there for the parties and the registry to read back.
    signed = seller.request.get(base + seller.get_attribute("#signed-pdf-link", "href"))
    assert signed.status == 200
    assert signed.body().startswith(b"%PDF")
    seller.click("#contract-actions >> text=提交登记")
    seller.wait_for_selector("#contract-fields")
    contract.refresh_from_db()
    assert contract.state == ContractState.SUBMITTED
    assert (contract.technology_field, contract.ip_type, contract.plan_source) == ("03", "01", "4")
    assert contract.expected_investment == Decimal("2000000.00")
    assert contract.signed_pdf

    # 3. The city's registrar starts the review from the queue and returns it with the reason.
    registrar = new_page()
    log_in(registrar, base, "registrar_wu")
    registrar.goto(f"{base}/contracts/queue/")
    row = registrar.locator("#registry-queue tr", has_text=SELLER)
    row.get_by_role("button", name="开始审查").click()
    registrar.wait_for_selector("text=操作成功")
    registrar.locator("#registry-queue tr", has_text=SELLER).get_by_role("link", name="审查").click()
    registrar.wait_for_selector("#contract-actions")
    shot(registrar, "2-under-review")
    registrar.fill("#contract-actions textarea[name=reason]", RETURN_REASON)
    registrar.click("#contract-actions >> text=退回补正")
    registrar.wait_for_selector("text=操作成功")
    contract.refresh_from_db()
    assert contract.state == ContractState.RETURNED
    assert contract.return_reason == RETURN_REASON

    # 4. The seller reads the reason, corrects the IP type and files again.
    seller.goto(f"{base}/contracts/{contract.pk}/")
    assert RETURN_REASON in seller.inner_text("main")
    seller.click("#contract-edit")
    seller.wait_for_selector("#return-reason")
    assert RETURN_REASON in seller.inner_text("#return-reason")
    shot(seller, "3-returned-form")
    seller.select_option("#id_ip_type", "02")
    seller.click("#contract-form button[type=submit]")
    seller.wait_for_selector("text=合同登记信息已保存")
    seller.click("#contract-actions >> text=提交登记")
    seller.wait_for_selector("text=操作成功")
    contract.refresh_from_db()
    assert contract.state == ContractState.SUBMITTED
    assert contract.ip_type == "02"

    # 5. The registrar reviews it again and registers it: the 16-digit registration number appears.
    registrar.goto(f"{base}/contracts/queue/")
    registrar.locator("#registry-queue tr", has_text=SELLER).get_by_role("button", name="开始审查").click()
    registrar.wait_for_selector("text=操作成功")
    registrar.goto(f"{base}/contracts/{contract.pk}/")
    registrar.click("#register-form button[type=submit]")
    registrar.wait_for_selector("#registration-number")
    contract.refresh_from_db()
    assert contract.state == ContractState.REGISTERED
    number = registrar.inner_text("#registration-number").strip()
    assert number == contract.registration_number
    assert len(number) == 16
    assert number.isdigit()
    assert number.startswith(regions["city"].code + str(timezone.localtime(contract.registered_at).year))
    assert contract.certified_amount == Decimal("600000.00")
    shot(registrar, "4-registered")
    registered = county_output(public, base, county, today.year)
    assert "3 份 · 1,600,000.00 元" in registered  # the third contract lifts the cell over the threshold
    assert "到账额 0.00" in registered

    # 6. The seller records a receipt: first one above the certified amount (refused in Chinese,
    #    nothing recorded), then the buyer's whole payment with its bank slip.
    seller.goto(f"{base}/contracts/{contract.pk}/")
    assert number in seller.inner_text("#registration-number")
    seller.click("#receipts-link")
    seller.wait_for_selector("#receipt-form")
    seller.fill("#id_received_on", today.isoformat())
    seller.fill("#id_amount", "600000.01")
    seller.fill("#id_bank_reference", "ICBC20261203000917")
    seller.set_input_files("#id_evidence", str(slip_pdf))
    seller.click("#record-receipt")
    seller.wait_for_selector("#receipt-error")
    assert "请更正下面标出的内容" in seller.inner_text("#receipt-error")  # said once, at the field
    feedback = seller.inner_text("#id_amount ~ .invalid-feedback")
    assert "到账金额超过核定技术交易额" in feedback
    assert "最多还可登记 600000.00 元" in feedback
    assert seller.content().count("到账金额超过核定技术交易额") == 1
    assert not Receipt.objects.exists()
    shot(seller, "5-receipt-refused")
    seller.fill("#id_amount", "600000")
    seller.set_input_files("#id_evidence", str(slip_pdf))
    seller.click("#record-receipt")
    seller.wait_for_selector("text=到账已登记，等待登记机构确认")
    receipt = Receipt.objects.get()
    assert receipt.state == ReceiptState.RECORDED
    assert receipt.amount == Decimal("600000.00")
    assert receipt.payer == BUYER
    assert receipt.evidence

    # 7. The registrar confirms it; the contract's page shows the confirmed total.
    registrar.goto(f"{base}/contracts/receipts/{receipt.pk}/")
    registrar.click("#confirm-receipt")
    registrar.wait_for_selector("text=到账已确认")
    receipt.refresh_from_db()
    assert receipt.state == ReceiptState.CONFIRMED
    seller.goto(f"{base}/contracts/{contract.pk}/")
    assert seller.inner_text("#received-confirmed").strip() == "600000.00"
    shot(seller, "6-receipt-confirmed")
    paid = county_output(public, base, county, today.year)
    assert "3 份 · 1,600,000.00 元" in paid
    assert "到账额 —" in paid  # paid on one contract: the public does not see it (dominance rule)
    assert not paid.rstrip().endswith("600,000.00")
    assert contract.title not in public.content()
    assert "到账额 600,000.00" in county_output(registrar, base, county, today.year)  # the registry's region
    shot(public, "6-dashboard")

    # 8. The city's reviewer computes the year's run (budget 1,000 万元: a pool of 100 万元).
    year = receipt.received_on.year
    city = new_page()
    log_in(city, base, "city_reviewer")
    city.goto(f"{base}/subsidies/runs/")
    city.select_option("#id_policy", POLICY_ID)
    city.fill("#id_year", str(year))
    city.fill("#id_budget", "10000000")
    city.click("#compute-form button[type=submit]")
    city.wait_for_selector("#run-state")
    run = SubsidyRun.objects.get()
    assert run.state == RunState.COMPUTED
    award = Award.objects.get(run=run)
    assert award.organisation_id == deal.seller_organisation_id
    assert award.rule == "seller_dev_transfer"
    assert award.final_award == Decimal("12000.00")  # 2 % of 600,000, under the cap and the pool
    assert SELLER in city.inner_text("#run-awards")
    assert "12000.00" in city.inner_text("#run-awards")
    shot(city, "7-run-computed")

    # 9. The province's reviewer checks it; the platform administrator approves and publishes it.
    province = new_page()
    log_in(province, base, "province_reviewer")
    province.goto(f"{base}/subsidies/runs/{run.pk}/")
    province.click("#run-actions >> text=复核通过")
    province.wait_for_selector("#run-state >> text=已复核")
    admin_page = new_page()
    log_in(admin_page, base, "bureau_admin")
    admin_page.goto(f"{base}/subsidies/runs/{run.pk}/")
    history = admin_page.inner_text("#run-history")
    assert "测算 → 已测算" in history
    assert "复核通过 已测算 → 已复核" in history
    assert "subsidies.run" not in history
    admin_page.click("#run-actions >> text=审定")
    admin_page.wait_for_selector("#run-actions >> text=公示")
    admin_page.click("#run-actions button:has-text('公示')")
    admin_page.wait_for_selector("text=公示页面")
    run.refresh_from_db()
    assert run.state == RunState.PUBLISHED
    assert run.checked_by.username == "province_reviewer"
    assert run.approved_by.username == "bureau_admin"

    # 10. Anyone reads the list: the seller and its award, never the contract's title or number.
    visitor = new_page(phone=True)
    visitor.goto(f"{base}/subsidies/")
    visitor.click(f"#public-runs >> text={run.title}")
    visitor.wait_for_selector("#public-awards")
    awards = visitor.inner_text("#public-awards")
    assert SELLER in awards
    assert "12000.00" in awards
    page_text = visitor.content()
    assert contract.title not in page_text
    assert number not in page_text
    shot(visitor, "8-public-list")
