"""Runs: computed from registered contracts' confirmed receipts, stored with the trail, approved with
separation of duties, published for objections, recomputed, paid. Figures are hand-checked."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import UserFactory, user_with_role
from techmarket.contracts import subsidy_facts
from techmarket.contracts.choices import ContractState, ReceiptState
from techmarket.contracts.tests.factories import contract, receipt, registered_contract
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.core.models import AuditEvent
from techmarket.subsidies import engine, services
from techmarket.subsidies.choices import ObjectionState, RunState
from techmarket.subsidies.models import Award, Claim, SubsidyRun
from techmarket.subsidies.tests.factories import POLICY_ID, YEAR, city_document, make_policy, paid_contract

pytestmark = pytest.mark.django_db


def compute(bureau, budget="10000000", **kwargs):
    return services.run_compute(
        actor=bureau["computer"], policy_id=POLICY_ID, year=YEAR, budget=budget, **kwargs
    )


def awards(run):
    return {(a.org_name, a.rule): a for a in Award.objects.filter(run=run, round=run.round)}


def test_compute_stores_each_award_with_its_trail(bureau, orgs):
    item = paid_contract(orgs["seller"], orgs["buyer"], "600000.00")
    run = compute(bureau)
    got = awards(run)
    seller = got[("甲大学", "seller_dev_transfer")]
    # 600,000 ≥ 500,000: 2 % = 12,000 (cap 200,000); the buyer: ≥ 250,000, 4 % = 24,000 (cap 100,000).
    assert seller.final_award == Decimal("12000.00")
    assert seller.base == Decimal("600000.00")
    assert seller.organisation_id == orgs["seller"].pk
    assert seller.trail["contract_ids"] == [item.registration_number]
    assert seller.trail["threshold"] == "500000.00" or Decimal(seller.trail["threshold"]) == Decimal("500000")
    assert seller.rule_title == "技术开发和转让输出方补助"
    buyer = got[("甲企业", "buyer_dev_transfer")]
    assert buyer.final_award == Decimal("24000.00")
    assert buyer.organisation_id == orgs["buyer"].pk
    assert run.state == RunState.COMPUTED
    assert run.pool == Decimal("1000000.00")
    assert run.total == Decimal("36000.00")
    assert run.contract_count == 1
    assert run.policy_version.policy_id == POLICY_ID
    assert AuditEvent.objects.filter(action="subsidies.run.compute", target_id=str(run.pk)).count() == 1


def test_only_registered_contracts_confirmed_receipts_of_the_year_count(bureau, orgs):
    item = registered_contract(seller=orgs["seller"], buyer=orgs["buyer"], total="2000000.00")
    receipt(item, "500000.00")  # counts
    receipt(item, "300000.00", state=ReceiptState.RECORDED)  # not confirmed
    receipt(item, "200000.00", state=ReceiptState.REJECTED, bank_reference="X1")
    receipt(item, "400000.00", received_on=datetime.date(2025, 12, 31))  # another year
    draft = contract(seller=orgs["seller"], buyer=orgs["buyer"], state=ContractState.UNDER_REVIEW)
    receipt(draft, "900000.00")
    facts = list(subsidy_facts.contract_facts(YEAR, "990100", make=engine.ContractFact))
    assert [(f.contract_id, f.received) for f in facts] == [(item.registration_number, Decimal("500000.00"))]
    assert facts[0].seller_id == orgs["seller"].credit_code
    assert facts[0].seller_region == orgs["seller"].region_id
    run = compute(bureau)
    # Exactly the threshold reaches it: 500,000 × 2 % = 10,000.
    assert awards(run)[("甲大学", "seller_dev_transfer")].final_award == Decimal("10000.00")


def test_one_fen_below_the_threshold_earns_nothing_and_outsiders_nothing(bureau, orgs):
    paid_contract(orgs["seller"], orgs["outside"], "499999.99")
    paid_contract(orgs["outside"], orgs["buyer"], "800000.00")
    run = compute(bureau)
    got = awards(run)
    assert ("甲大学", "seller_dev_transfer") not in got
    assert ("乙市企业", "seller_dev_transfer") not in got  # the seller is outside the city
    assert got[("甲企业", "buyer_dev_transfer")].final_award == Decimal("32000.00")


def test_scaled_awards_are_rounded_down_and_never_exceed_the_pool(bureau, orgs):
    paid_contract(orgs["seller"], orgs["outside"], "3333333.33")
    paid_contract(orgs["seller2"], orgs["outside"], "1000000.01")
    paid_contract(orgs["outside"], orgs["buyer"], "777777.77")
    # Pool = 10 % of 777,777.77 = 77,777.77; capped total = 66,666.66 + 20,000.00 + 31,111.11 = 117,777.77.
    run = compute(bureau, budget="777777.77")
    assert run.pool == Decimal("77777.77")
    assert run.total_before_scaling == Decimal("117777.77")
    finals = [a.final_award for a in Award.objects.filter(run=run)]
    assert sum(finals) == run.total <= run.pool
    assert run.scaling_factor < 1
    assert all(a.final_award <= a.capped_award for a in Award.objects.filter(run=run))
    scaled = Award.objects.get(run=run, org_name="甲大学")
    assert scaled.trail["scaling"]["pool"] == "77777.77"
    # floor(6,666,666 fen × 7,777,777 / 11,777,777) fen = 44,025.15 yuan (the three sum to 77,777.76).
    assert scaled.final_award == Decimal("44025.15")


def test_a_second_live_run_is_refused_until_the_first_is_cancelled(bureau, orgs):
    run = compute(bureau)
    with pytest.raises(DomainError) as refused:
        compute(bureau)
    assert refused.value.code == "run_exists"
    services.run_cancel(actor=bureau["checker"], run=run, reason="预算数有误")
    assert compute(bureau).pk != run.pk


@pytest.mark.parametrize(
    ("year", "budget", "days", "code"),
    [
        ("二〇二六", "100", 7, "bad_year"),
        (1999, "100", 7, "bad_year"),
        (YEAR, "-1", 7, "bad_budget"),
        (YEAR, "abc", 7, "bad_budget"),
        (YEAR, "1.001", 7, "bad_budget"),
        (YEAR, "NaN", 7, "bad_budget"),
        (YEAR, "", 7, "compute_refused"),  # the policy's pool needs the budget
        (YEAR, "100", 0, "bad_days"),
        (2016, "100", 7, "compute_refused"),  # before the policy took effect
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(bureau, year, budget, days, code):
    with pytest.raises(DomainError) as refused:
        services.run_compute(
            actor=bureau["computer"], policy_id=POLICY_ID, year=year, budget=budget, objection_days=days
        )
    assert refused.value.code == code
    assert str(refused.value.message)
    assert not SubsidyRun.objects.exists()


def test_separation_of_duties(bureau, orgs, regions):
    run = compute(bureau)
    with pytest.raises(NotPermitted):
        services.run_check(actor=bureau["computer"], run=run)
    run = services.run_check(actor=bureau["checker"], run=run)
    assert run.checked_by == bureau["checker"]
    with pytest.raises(NotPermitted):  # a reviewer never approves
        services.run_approve(actor=bureau["checker"], run=run)
    run = services.run_approve(actor=bureau["approver"], run=run)
    assert run.state == RunState.APPROVED


def test_an_administrator_who_checked_does_not_approve(bureau, orgs):
    run = compute(bureau)
    run = services.run_check(actor=bureau["approver"], run=run)
    with pytest.raises(NotPermitted):
        services.run_approve(actor=bureau["approver"], run=run)
    assert services.run_approve(actor=bureau["computer"], run=run).state == RunState.APPROVED


def test_a_county_reviewer_and_other_cities_reviewers_are_outside_the_citys_bureau(bureau, reviewers, orgs):
    for outsider in (reviewers["county"], reviewers["other_city"], UserFactory()):
        with pytest.raises(NotPermitted):
            services.run_compute(actor=outsider, policy_id=POLICY_ID, year=YEAR, budget="100")
    assert services.run_compute(actor=reviewers["province"], policy_id=POLICY_ID, year=YEAR, budget="100")


def test_recompute_keeps_the_earlier_round_and_takes_new_receipts_and_the_latest_version(bureau, orgs):
    item = paid_contract(orgs["seller"], orgs["buyer"], "600000.00")
    run = compute(bureau)
    run = services.run_return(actor=bureau["checker"], run=run, reason="漏录到账")
    receipt(item, "400000.00", received_on=datetime.date(2026, 9, 1))
    document = city_document()
    document["rules"][0]["rate"] = "0.03"
    services.policy_save(
        actor=bureau["approver"], policy_id=POLICY_ID, document_text=__import__("json").dumps(document)
    )
    run = services.run_recompute(actor=bureau["checker"], run=run)
    assert run.round == 2
    assert run.state == RunState.COMPUTED
    assert run.policy_version.number == 2
    assert run.computed_by == bureau["checker"]
    first = Award.objects.get(run=run, round=1, rule="seller_dev_transfer")
    second = Award.objects.get(run=run, round=2, rule="seller_dev_transfer")
    assert first.final_award == Decimal("12000.00")
    assert second.final_award == Decimal("30000.00")  # 1,000,000 × 3 %
    # The person who recomputed does not check the new round; the first computer now may.
    with pytest.raises(NotPermitted):
        services.run_check(actor=bureau["checker"], run=run)
    assert services.run_check(actor=bureau["computer"], run=run).state == RunState.CHECKED


def published(bureau):
    run = compute(bureau)
    run = services.run_check(actor=bureau["checker"], run=run)
    run = services.run_approve(actor=bureau["approver"], run=run)
    return services.run_publish(actor=bureau["approver"], run=run, objection_days=5)


def test_objection_flow_upheld_returns_the_run(bureau, orgs):
    paid_contract(orgs["seller"], orgs["buyer"], "600000.00")
    run = published(bureau)
    assert run.objection_deadline - run.published_at == datetime.timedelta(days=5)
    with pytest.raises(NotPermitted):
        services.objection_file(actor=None, run=run, text="匿名异议")
    with pytest.raises(DomainError):
        services.objection_file(actor=UserFactory(), run=run, text="   ")
    citizen = UserFactory()
    award = Award.objects.filter(run=run).first()
    objection = services.objection_file(actor=citizen, run=run, text="到账额有误", award_id=award.pk)
    assert objection.state == ObjectionState.OPEN
    assert objection.round == 1
    with pytest.raises(DomainError):
        services.objection_uphold(actor=bureau["checker"], objection=objection, reply="")  # reply required
    services.objection_uphold(actor=bureau["checker"], objection=objection, reply="经核实，到账额有误")
    run.refresh_from_db()
    assert run.state == RunState.RETURNED
    assert AuditEvent.objects.filter(action="subsidies.run.reopen", target_id=str(run.pk)).exists()
    with pytest.raises(DomainError):  # no longer in 公示
        services.objection_file(actor=citizen, run=run, text="再提异议")


def test_payment_waits_for_the_period_and_every_answer(bureau, orgs):
    paid_contract(orgs["seller"], orgs["buyer"], "600000.00")
    run = published(bureau)
    objection = services.objection_file(actor=UserFactory(), run=run, text="请核实")
    with pytest.raises(DomainError) as early:
        services.run_pay(actor=bureau["approver"], run=run)
    assert early.value.code == "objection_period"
    SubsidyRun.objects.filter(pk=run.pk).update(
        objection_deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    run.refresh_from_db()
    with pytest.raises(DomainError) as waiting:
        services.run_pay(actor=bureau["approver"], run=run)
    assert waiting.value.code == "objections_open"
    with pytest.raises(NotPermitted):
        services.run_pay(actor=bureau["checker"], run=run)
    services.objection_dismiss(actor=bureau["checker"], objection=objection, reply="核实无误")
    run = services.run_pay(actor=bureau["approver"], run=run)
    assert run.state == RunState.PAID
    assert run.paid_at
    assert all(a.paid_amount == a.final_award and a.paid_at for a in Award.objects.filter(run=run))


def test_claims_are_checked_by_the_engine_and_computed(bureau, regions):
    document = city_document(
        rules=[
            *city_document()["rules"],
            {
                "id": "transfer_base",
                "kind": "fixed",
                "title": {"zh": "转移示范基地奖励", "en": "Transfer base"},
                "levels": {"national": "300000", "provincial": "100000"},
            },
        ]
    )
    services.policy_save(
        actor=bureau["approver"], policy_id=POLICY_ID, document_text=__import__("json").dumps(document)
    )
    add = {
        "actor": bureau["checker"],
        "policy_id": POLICY_ID,
        "year": YEAR,
        "org_name": "甲基地",
        "org_id": "",
    }
    with pytest.raises(DomainError) as refused:
        services.claim_add(**add, org_region="990102", rule="transfer_base", facts='{"level": "city"}')
    assert "city" in str(refused.value.message)
    with pytest.raises(DomainError):
        services.claim_add(**add, org_region="990202", rule="transfer_base", facts='{"level": "national"}')
    with pytest.raises(DomainError):
        services.claim_add(**add, org_region="990102", rule="transfer_base", facts="{not json")
    with pytest.raises(NotPermitted):
        services.claim_add(
            **{**add, "actor": UserFactory()}, org_region="990102", rule="transfer_base", facts="{}"
        )
    assert not Claim.objects.exists()
    claim = services.claim_add(
        **add, org_region="990102", rule="transfer_base", facts='{"level": "national"}'
    )
    run = compute(bureau, budget="10000000")
    award = Award.objects.get(run=run, rule="transfer_base")
    assert award.final_award == Decimal("300000.00")
    assert award.trail["claim_id"] == str(claim.pk)
    services.claim_withdraw(actor=bureau["checker"], claim=claim)
    assert Claim.objects.get(pk=claim.pk).withdrawn


def test_reviewer_without_region_cannot_see_others_runs(bureau, orgs, reviewers):
    from techmarket.accounts.policies import principal_of
    from techmarket.subsidies import selectors

    run = compute(bureau)
    assert list(selectors.bureau_runs(principal_of(reviewers["province"]))) == [run]
    assert list(selectors.bureau_runs(principal_of(reviewers["other_city"]))) == []
    assert list(selectors.bureau_runs(principal_of(user_with_role(Role.APPLICANT)))) == []


def test_the_make_policy_factory_is_version_one(bureau):
    assert bureau["policy"].number == 1
    assert make_policy
