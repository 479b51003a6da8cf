"""Hand-checked figures for the contract-threshold rules (``yueyang-2017``) and the pool scaling."""

from __future__ import annotations

import random
import tracemalloc
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest

from techmarket.subsidies.engine import (
    ContractFact,
    PolicyError,
    compute,
    ids_checksum,
    in_region,
    load_policy,
)

BIG_BUDGET = D("100000000")  # pool 10,000,000: no scaling unless a test wants it


def fact(
    contract_id: str,
    *,
    seller: str = "s1",
    seller_region: str = "430602",  # 岳阳楼区
    buyer: str = "b1",
    buyer_region: str = "430621",  # 岳阳县
    type: str = "development",
    received: str = "0",
    year: int = 2018,
) -> ContractFact:
    return ContractFact(
        contract_id,
        seller,
        f"卖方{seller}",
        seller_region,
        buyer,
        f"买方{buyer}",
        buyer_region,
        type,
        D(received),
        year,
    )


def run(*facts: ContractFact, budget: D | None = BIG_BUDGET, policy=None, year: int = 2018, **kw):
    return compute(policy or load_policy("yueyang-2017"), year=year, budget=budget, contracts=facts, **kw)


def by_key(result):
    return {(a.org_id, a.rule): a for a in result.awards}


# ------------------------------------------------------------------------------------------ thresholds


def test_seller_threshold_reached_exactly_pays_two_percent():
    result = run(
        fact("c1", received="300000"),
        fact("c2", type="transfer", received="200000"),
    )
    award = by_key(result)[("s1", "seller_dev_transfer")]
    assert award.base == D("500000.00")
    assert award.rate == D("0.02")
    assert award.raw_award == D("10000.00")  # 2 % of 500,000
    assert award.capped_award == award.final_award == D("10000.00")
    assert sorted(award.trail["contract_ids"]) == ["c1", "c2"]
    assert award.trail["threshold"] == "500000.00"
    assert award.trail["cap_applied"] is False


def test_seller_one_fen_below_threshold_earns_nothing():
    result = run(fact("c1", received="499999.99"))
    assert ("s1", "seller_dev_transfer") not in by_key(result)
    assert result.stats["organisations_below_threshold_by_rule"]["seller_dev_transfer"] == 1


def test_seller_cap_200000():
    award = by_key(run(fact("c1", received="12000000")))[("s1", "seller_dev_transfer")]
    assert award.raw_award == D("240000.00")  # 2 % of 12,000,000
    assert award.capped_award == award.final_award == D("200000.00")
    assert award.trail["cap_applied"] is True


def test_buyer_side_threshold_rate_and_cap():
    exact = by_key(run(fact("c1", received="250000")))[("b1", "buyer_dev_transfer")]
    assert exact.base == D("250000.00")
    assert exact.final_award == D("10000.00")  # 4 % of 250,000
    assert exact.trail["side"] == "buyer"
    below = by_key(run(fact("c1", received="249999.99")))
    assert ("b1", "buyer_dev_transfer") not in below
    capped = by_key(run(fact("c1", received="3000000")))[("b1", "buyer_dev_transfer")]
    assert capped.raw_award == D("120000.00")
    assert capped.final_award == D("100000.00")


def test_buyer_totals_across_sellers():
    result = run(
        fact("c1", seller="s1", buyer="b9", received="100000"),
        fact("c2", seller="s2", buyer="b9", type="transfer", received="150000"),
    )
    award = by_key(result)[("b9", "buyer_dev_transfer")]
    assert award.base == D("250000.00")
    assert award.final_award == D("10000.00")
    # neither seller reaches 500,000 on its own
    assert [a.rule for a in result.awards] == ["buyer_dev_transfer"]


def test_licence_counts_as_transfer_where_the_policy_says():
    result = run(fact("c1", type="license", received="500000"))
    awards = by_key(result)
    assert awards[("s1", "seller_dev_transfer")].final_award == D("10000.00")
    assert awards[("b1", "buyer_dev_transfer")].final_award == D("20000.00")
    assert awards[("s1", "seller_dev_transfer")].trail["base_by_type"] == {"license": "500000.00"}


def test_licence_not_counted_without_the_flag():
    document = dict(load_policy("yueyang-2017").document)
    document["rules"] = [
        {**rule, "license_as_transfer": False} if rule["id"] != "seller_consult_service" else rule
        for rule in document["rules"]
    ]
    result = run(fact("c1", type="license", received="500000"), policy=load_policy(document))
    assert result.awards == []
    assert result.stats["contracts_type_not_in_policy"] == 1


def test_consulting_and_service_add_up_one_percent_capped():
    result = run(
        fact("c1", type="consulting", received="300000"),
        fact("c2", type="service", received="200000"),
    )
    award = by_key(result)[("s1", "seller_consult_service")]
    assert award.base == D("500000.00")
    assert award.final_award == D("5000.00")
    # consulting and service do not count for the development/transfer rules
    assert ("s1", "seller_dev_transfer") not in by_key(result)
    assert ("b1", "buyer_dev_transfer") not in by_key(result)
    capped = by_key(run(fact("c1", type="service", received="20000000")))
    assert capped[("s1", "seller_consult_service")].final_award == D("100000.00")


def test_raw_award_rounded_down_to_the_fen():
    award = by_key(run(fact("c1", received="500000.49")))[("s1", "seller_dev_transfer")]
    # 2 % of 500,000.49 = 10,000.0098
    assert award.raw_award == D("10000.00")


# ---------------------------------------------------------------------------------------------- region


def test_organisations_outside_the_region_are_excluded_and_counted():
    result = run(
        # a Changsha seller selling to a Yueyang buyer: only the buyer is in the region
        fact("c1", seller="cs", seller_region="430102", buyer="yy", received="1000000"),
        # a Yueyang seller selling to a Beijing buyer: only the seller is in the region
        fact("c2", seller="yy2", buyer="bj", buyer_region="110105", received="1000000"),
    )
    awards = by_key(result)
    assert set(awards) == {("yy", "buyer_dev_transfer"), ("yy2", "seller_dev_transfer")}
    outside = result.stats["contracts_outside_region_by_rule"]
    assert outside == {"seller_dev_transfer": 1, "buyer_dev_transfer": 1, "seller_consult_service": 0}


def test_foreign_party_is_outside_every_region():
    result = run(fact("c1", buyer="us", buyer_region="US", received="1000000"))
    assert set(by_key(result)) == {("s1", "seller_dev_transfer")}


def test_region_prefix_levels():
    assert in_region("430600", "430600")  # the city itself
    assert in_region("430600", "430621")  # a county of it
    assert not in_region("430600", "430100")  # another city of the province
    assert not in_region("430600", "430000")  # the province above it
    assert in_region("220000", "220102")  # province → a district
    assert in_region("430621", "430621")
    assert not in_region("430621", "430602")
    assert not in_region("430600", "US")


def test_rows_of_other_years_are_ignored_and_counted():
    result = run(
        fact("c1", received="500000", year=2017),
        fact("c2", received="500000", year=2019),
        fact("c3", received="100", year=2018),
    )
    assert result.awards == []
    assert result.stats["contracts_other_year"] == 2
    assert result.stats["contracts_read"] == 3


# -------------------------------------------------------------------------------------------- scaling


def test_no_scaling_when_the_pool_suffices():
    result = run(fact("c1", received="500000"), budget=D("300000"))  # pool 30,000.00
    assert result.pool == D("30000.00")
    assert result.scaling_factor == 1
    assert result.total == result.total_before_scaling == D("30000.00")  # 10,000 + 20,000
    assert result.awards[0].final_award == result.awards[0].capped_award
    assert result.scaling["applied"] is False
    assert result.scaling["unallocated"] == "0.00"


def test_scaling_rounds_down_where_naive_rounding_would_exceed_the_pool():
    # three sellers earn 10,000.00 each (30,000.00); the pool is 10 % of 200,000 = 20,000.00
    facts = [
        fact(f"c{i}", seller=f"s{i}", buyer=f"x{i}", buyer_region="110105", received="500000")
        for i in (1, 2, 3)
    ]
    result = run(*facts, budget=D("200000"))
    assert result.pool == D("20000.00")
    assert result.total_before_scaling == D("30000.00")
    exact = D("10000") * D("20000") / D("30000")  # 6,666.666…
    naive = exact.quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert naive * 3 == D("20000.01")  # rounding half-up would pay one fen more than the pool
    assert [a.final_award for a in result.awards] == [D("6666.66")] * 3
    assert result.total == D("19999.98") <= result.pool
    assert result.scaling_factor == D("0.6666666666")
    assert result.scaling["unallocated"] == "0.02"
    trail = result.awards[0].trail["scaling"]
    assert trail["pool"] == "20000.00"
    assert trail["total_before_scaling"] == "30000.00"
    assert trail["formula"].startswith("floor_fen")


def test_scaling_keeps_the_proportions_and_never_exceeds_the_pool():
    rng = random.Random(11)
    facts = [
        fact(f"c{i}", seller=f"s{i % 37}", buyer=f"b{i % 23}", received=str(rng.randint(1, 900000)))
        for i in range(600)
    ]
    for budget in (D("1"), D("12345.67"), D("999999.99"), D("3000000")):
        result = run(*facts, budget=budget)
        assert result.total <= result.pool
        assert result.pool - result.total < D("0.01") * len(result.awards) + D("0.01")
        for award in result.awards:
            assert award.final_award <= award.capped_award


def test_pool_needs_a_budget():
    with pytest.raises(PolicyError) as error:
        run(fact("c1", received="500000"), budget=None)
    assert error.value.details[0].code == "budget_required"


def test_year_outside_the_effective_dates_is_refused():
    with pytest.raises(PolicyError) as error:
        run(fact("c1", received="500000", year=2016), year=2016)
    assert error.value.details[0].code == "year_not_effective"
    assert "2016" in error.value.problems[0]


# ---------------------------------------------------------------------------------------------- trail


def test_awards_are_ordered_by_organisation_then_rule_whatever_the_input_order():
    facts = [
        fact("c1", seller="z", buyer="a", received="600000"),
        fact("c2", seller="a", buyer="m", type="service", received="700000"),
        fact("c3", seller="a", buyer="z", received="800000"),
    ]
    first = run(*facts)
    shuffled = facts[:]
    random.Random(3).shuffle(shuffled)
    second = run(*reversed(shuffled))
    keys = [(a.org_id, a.rule) for a in first.awards]
    assert keys == [
        ("a", "seller_dev_transfer"),
        ("a", "buyer_dev_transfer"),
        ("a", "seller_consult_service"),
        ("z", "seller_dev_transfer"),
        ("z", "buyer_dev_transfer"),
    ]
    assert [(a.org_id, a.rule, a.final_award) for a in second.awards] == [
        (a.org_id, a.rule, a.final_award) for a in first.awards
    ]


def test_trail_caps_the_listed_ids_but_keeps_count_sum_and_digest():
    facts = [fact(f"c{i}", received="100000") for i in range(5)]
    award = by_key(run(*facts, ids_limit=2))[("s1", "seller_dev_transfer")]
    assert award.trail["contracts"] == 5
    assert award.trail["contract_ids"] == ["c0", "c1"]
    assert award.trail["contract_ids_complete"] is False
    assert award.trail["contract_ids_checksum"] == ids_checksum(f"c{i}" for i in range(5))
    # a checker re-filtering the facts reproduces the base
    assert sum(f.received for f in facts) == award.base


def test_contracts_stream_once_with_memory_bounded_by_organisations():
    consumed = []

    def facts(n):
        for i in range(n):
            consumed.append(1)
            yield fact(f"c{i}", seller=f"s{i % 50}", buyer=f"b{i % 50}", received="2000")

    policy = load_policy("yueyang-2017")
    tracemalloc.start()
    result = compute(policy, year=2018, budget=BIG_BUDGET, contracts=facts(20000), ids_limit=10)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(consumed) == 20000
    assert result.stats["contracts_read"] == 20000
    # 100 organisation tallies with at most 10 ids each: far below the ~5 MB 20,000 facts would take
    assert peak < 2 * 1024 * 1024
    assert by_key(result)[("s0", "seller_dev_transfer")].base == D("800000.00")


def test_without_trail_the_figures_are_the_same():
    facts = [fact(f"c{i}", seller=f"s{i % 7}", buyer=f"b{i % 5}", received="123456.78") for i in range(60)]
    full = run(*facts, budget=D("300000"))
    lean = run(*facts, budget=D("300000"), trail=False)
    assert full.scaling_factor < 1
    figures = [(a.org_id, a.rule, a.base, a.raw_award, a.capped_award, a.final_award) for a in full.awards]
    assert figures == [
        (a.org_id, a.rule, a.base, a.raw_award, a.capped_award, a.final_award) for a in lean.awards
    ]
    assert all(a.trail == {} for a in lean.awards)
    assert full.total == lean.total
    assert full.awards[0].trail["scaling"]["final"] == str(full.awards[0].final_award)
