"""Hand-checked figures for the rules paid on claims: the tax reward, fixed and ranged awards, the 70 % check."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from techmarket.subsidies.engine import Claim, compute, load_policy


def claim(rule: str, region: str, claim_id: str = "k1", org: str = "o1", **facts) -> Claim:
    return Claim(claim_id, org, f"单位{org}", region, rule, facts)


def run(policy_id: str, *claims: Claim, year: int):
    return compute(load_policy(policy_id), year=year, budget=None, claims=claims)


def only_award(result):
    assert result.refusals == [], [r.text for r in result.refusals]
    assert len(result.awards) == 1
    return result.awards[0]


def only_refusal(result):
    assert result.awards == []
    assert len(result.refusals) == 1
    return result.refusals[0]


# ----------------------------------------------------------------------------------- yueyang-2017-tax

YUEYANG = "430602"
TAXES = {"2017": "1000000", "2018": "1600000", "2019": "2600000", "2020": "3600000", "2021": "4600000"}


def tax_claim(year_facts=None, **facts) -> Claim:
    base = {"investment": "3000000", "land": "500000", "completion_year": 2018, "taxes": TAXES}
    base.update(facts)
    return claim("tech_renovation_tax", YUEYANG, **base)


def test_tax_reward_half_of_the_increase():
    award = only_award(run("yueyang-2017-tax", tax_claim(), year=2018))
    # 1,600,000 − 1,000,000 = 600,000 increase; 50 % of it
    assert award.base == D("600000")
    assert award.rate == D("0.5")
    assert award.final_award == D("300000.00")
    assert award.trail["eligible_investment"] == "2500000.00"
    assert award.trail["total_cap"] == "1250000.00"  # 50 % of 2,500,000 (land excluded)


def test_tax_reward_capped_at_half_the_investment_over_the_years():
    # 2018: 300,000; 2019: 500,000 (800,000 paid); 2020: 500,000 raw but only 450,000 left of 1,250,000
    second = only_award(run("yueyang-2017-tax", tax_claim(), year=2019))
    assert second.final_award == D("500000.00")
    assert second.trail["previous_awards"] == "300000.00"
    third = only_award(run("yueyang-2017-tax", tax_claim(), year=2020))
    assert third.raw_award == D("500000.00")
    assert third.final_award == D("450000.00")
    assert third.trail["cap_applied"] is True
    assert [row["award"] for row in third.trail["schedule"]] == ["300000.00", "500000.00", "450000.00"]
    fourth = only_refusal(run("yueyang-2017-tax", tax_claim(), year=2021))
    assert fourth.code == "no_tax_award"


def test_tax_reward_capped_at_five_million():
    taxes = {"2019": "0", "2020": "8000000", "2021": "16000000"}
    facts = {"investment": "20000000", "completion_year": 2020, "taxes": taxes}
    first = only_award(run("yueyang-2017-tax", tax_claim(**facts), year=2020))
    assert first.final_award == D("4000000.00")
    assert first.trail["total_cap"] == "5000000.00"  # not 50 % of 20,000,000
    second = only_award(run("yueyang-2017-tax", tax_claim(**facts), year=2021))
    assert second.raw_award == D("4000000.00")
    assert second.final_award == D("1000000.00")


def test_tax_reward_previous_awards_stated_in_the_claim_count():
    award = only_award(run("yueyang-2017-tax", tax_claim(previous_awards="1000000"), year=2019))
    assert award.final_award == D("250000.00")  # 1,250,000 − 1,000,000 left
    assert award.trail["previous_awards_recomputed"] == "300000.00"


def test_tax_reward_stops_for_good_from_the_first_fall():
    taxes = {"2017": "1000000", "2018": "1200000", "2019": "1100000", "2020": "2000000"}
    assert only_award(run("yueyang-2017-tax", tax_claim(taxes=taxes), year=2018)).final_award == D(
        "100000.00"
    )
    fell = only_refusal(run("yueyang-2017-tax", tax_claim(taxes=taxes), year=2019))
    assert fell.code == "tax_fell"
    assert fell.params["year"] == 2019
    # the tax rises again in 2020, but the reward stopped for good in 2019
    later = only_refusal(run("yueyang-2017-tax", tax_claim(taxes=taxes), year=2020))
    assert later.code == "tax_fell"
    assert "2019" in later.text


def test_tax_flat_is_no_award_but_no_stop():
    taxes = {"2017": "1000000", "2018": "1000000", "2019": "1400000"}
    assert only_refusal(run("yueyang-2017-tax", tax_claim(taxes=taxes), year=2018)).code == "no_tax_award"
    assert only_award(run("yueyang-2017-tax", tax_claim(taxes=taxes), year=2019)).final_award == D(
        "200000.00"
    )


def test_tax_investment_threshold_excludes_land():
    exact = run("yueyang-2017-tax", tax_claim(investment="2400000", land="400000"), year=2018)
    assert only_award(exact).trail["eligible_investment"] == "2000000.00"
    below = only_refusal(
        run("yueyang-2017-tax", tax_claim(investment="2399999.99", land="400000"), year=2018)
    )
    assert below.code == "investment_too_small"


def test_tax_reward_only_in_the_five_years_from_completion():
    taxes = {str(y): str(1000000 + 100000 * (y - 2014)) for y in range(2014, 2021)}
    fifth = run("yueyang-2017-tax", tax_claim(completion_year=2015, taxes=taxes), year=2019)
    assert only_award(fifth).trail["reward_years"] == "2015–2019"
    sixth = only_refusal(run("yueyang-2017-tax", tax_claim(completion_year=2015, taxes=taxes), year=2020))
    assert sixth.code == "outside_reward_years"


def test_tax_missing_year_and_bad_facts_refused():
    taxes = {"2017": "1000000", "2019": "2000000"}
    assert only_refusal(run("yueyang-2017-tax", tax_claim(taxes=taxes), year=2019)).code == "tax_year_missing"
    assert only_refusal(run("yueyang-2017-tax", tax_claim(investment="abc"), year=2018)).code == (
        "fact_not_a_number"
    )
    assert only_refusal(run("yueyang-2017-tax", tax_claim(land="-1"), year=2018)).code == "fact_negative"


# --------------------------------------------------------------------------------------- luoyang-2017

LUOYANG = "410311"  # 洛龙区


@pytest.mark.parametrize(
    ("rule", "level", "amount"),
    [
        ("transfer_base", "national", "300000.00"),
        ("transfer_base", "provincial", "100000.00"),
        ("award_winning_conversion", "national", "1000000.00"),
        ("award_winning_conversion", "provincial_first_class", "500000.00"),
    ],
)
def test_luoyang_fixed_awards_by_level(rule, level, amount):
    award = only_award(run("luoyang-2017", claim(rule, LUOYANG, level=level), year=2018))
    assert award.final_award == D(amount)
    assert award.rate is None
    assert award.trail["level"] == level


def test_luoyang_unknown_level_refused():
    refusal = only_refusal(run("luoyang-2017", claim("transfer_base", LUOYANG, level="city"), year=2018))
    assert refusal.code == "unknown_level"


def test_luoyang_competition_project_up_to_one_million_with_its_investment():
    award = only_award(
        run(
            "luoyang-2017",
            claim("competition_project", LUOYANG, amount="800000", investment="5000000"),
            year=2018,
        )
    )
    assert award.final_award == D("800000.00")
    assert award.trail["investment"] == "5000000"
    over = run(
        "luoyang-2017", claim("competition_project", LUOYANG, amount="1000000.01", investment="1"), year=2018
    )
    assert only_refusal(over).code == "amount_out_of_range"
    missing = run("luoyang-2017", claim("competition_project", LUOYANG, amount="100"), year=2018)
    assert only_refusal(missing).code == "fact_missing"


def test_claims_outside_the_region_refused():
    refusal = only_refusal(run("luoyang-2017", claim("transfer_base", "410100", level="national"), year=2018))
    assert refusal.code == "outside_region"
    assert "410100" in refusal.text


# ----------------------------------------------------------------------------------------- jilin-2016

JILIN = "220102"  # 长春市南关区: below the province


def test_jilin_purchase_support_needs_a_university_or_institute_seller():
    ok = run(
        "jilin-2016",
        claim("achievement_purchase", JILIN, amount="500000", seller_kind="university"),
        year=2017,
    )
    assert only_award(ok).final_award == D("500000.00")
    other = run(
        "jilin-2016", claim("achievement_purchase", JILIN, amount="1000", seller_kind="enterprise"), year=2017
    )
    assert only_refusal(other).code == "condition_not_met"
    over = run(
        "jilin-2016",
        claim("achievement_purchase", JILIN, amount="500000.01", seller_kind="institute"),
        year=2017,
    )
    assert only_refusal(over).code == "amount_out_of_range"


def test_jilin_patent_awards():
    result = run(
        "jilin-2016",
        claim("patent_domestic_invention", JILIN, "k1", amount="5000", count=4),
        claim("patent_foreign_invention", JILIN, "k2", count=3),
        claim("patent_gold", JILIN, "k3", amount="300000"),
        claim("patent_excellence", JILIN, "k4", amount="100000", count=2),
        claim("provincial_patent_award", JILIN, "k5"),
        year=2017,
    )
    assert result.refusals == []
    assert {a.rule: a.final_award for a in result.awards} == {
        "patent_domestic_invention": D("20000.00"),  # 4 × 5,000
        "patent_foreign_invention": D("150000.00"),  # 3 × 50,000
        "patent_gold": D("300000.00"),
        "patent_excellence": D("200000.00"),  # 2 × 100,000
        "provincial_patent_award": D("50000.00"),
    }
    assert result.total == D("720000.00")
    assert result.pool is None
    assert result.scaling_factor == 1


def test_jilin_patent_amounts_above_the_maximum_refused():
    result = run(
        "jilin-2016",
        claim("patent_domestic_invention", JILIN, "k1", amount="5000.01", count=1),
        claim("patent_gold", JILIN, "k2", amount="300000.01"),
        claim("patent_excellence", JILIN, "k3", amount="0"),
        year=2017,
    )
    assert result.awards == []
    assert [r.code for r in result.refusals] == ["amount_out_of_range"] * 3


@pytest.mark.parametrize(
    ("rule", "low", "high"),
    [
        ("little_giant_product", "150000", "300000"),
        ("alliance_project", "500000", "1000000"),
        ("innovation_contest_winner", "300000", "400000"),
    ],
)
def test_jilin_ranged_awards_bounds(rule, low, high):
    for amount in (low, high):
        assert only_award(run("jilin-2016", claim(rule, JILIN, amount=amount), year=2018)).final_award == D(
            amount
        )
    for amount in (str(D(low) - D("0.01")), str(D(high) + D("0.01"))):
        refusal = only_refusal(run("jilin-2016", claim(rule, JILIN, amount=amount), year=2018))
        assert refusal.code == "amount_out_of_range"
        assert refusal.params == {"amount": amount, "min": f"{low}.00", "max": f"{high}.00"}


def test_jilin_inventors_reward_check_at_seventy_percent():
    result = run(
        "jilin-2016",
        claim("inventor_reward_share", JILIN, "pass", net_income="1000000", inventors_reward="700000"),
        claim("inventor_reward_share", JILIN, "fail", net_income="1000000", inventors_reward="699999.99"),
        year=2018,
    )
    assert result.awards == []
    assert result.total == 0
    checks = {c.claim_id: c for c in result.checks}
    assert checks["pass"].passed is True
    assert checks["pass"].trail["required"] == "700000.00"
    assert checks["fail"].passed is False
    assert checks["fail"].trail["share"] == "0.6999"
    assert result.stats["checks_failed"] == 1


def test_claim_bookkeeping_refusals():
    result = run(
        "jilin-2016",
        claim("patent_gold", JILIN, "same", amount="1000"),
        claim("patent_gold", JILIN, "same", amount="1000"),
        claim("no_such_rule", JILIN, "k2"),
        claim("patent_gold", JILIN, "k3", amount="1000", year=2016),
        claim("patent_foreign_invention", JILIN, "k4", count="two"),
        year=2017,
    )
    assert len(result.awards) == 1
    assert sorted(r.code for r in result.refusals) == [
        "claim_other_year",
        "duplicate_claim",
        "fact_not_an_integer",
        "unknown_rule",
    ]


def test_contract_rule_takes_no_claims():
    result = compute(
        load_policy("yueyang-2017"),
        year=2018,
        budget=D("1000000"),
        claims=[claim("seller_dev_transfer", YUEYANG, amount="1")],
    )
    assert only_refusal(result).code == "rule_not_for_claims"
