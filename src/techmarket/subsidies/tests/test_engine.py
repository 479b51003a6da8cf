"""Hand-checked figures for the contract rules of ``yueyang-2017`` and the pool scaling."""

from __future__ import annotations

from decimal import Decimal as D

from techmarket.subsidies.engine import ContractFact, compute, load_policy

YUEYANG = "430600"


def fact(
    contract_id: str,
    *,
    seller: str = "s1",
    seller_region: str = "430602",
    buyer: str = "b1",
    buyer_region: str = "430602",
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


def awards_by_key(result):
    return {(a.org_id, a.rule): a for a in result.awards}


def test_seller_threshold_reached_exactly_pays_two_percent():
    policy = load_policy("yueyang-2017")
    result = compute(
        policy,
        year=2018,
        budget=D("100000000"),
        contracts=[fact("c1", received="300000"), fact("c2", type="transfer", received="200000")],
    )
    award = awards_by_key(result)[("s1", "seller_dev_transfer")]
    assert award.base == D("500000.00")
    assert award.raw_award == D("10000.00")  # 2 % of 500,000
    assert award.final_award == D("10000.00")
    assert sorted(award.trail["contract_ids"]) == ["c1", "c2"]
