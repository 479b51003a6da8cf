"""Policy documents: the shipped files load; a document with errors is refused with every problem listed."""

from __future__ import annotations

import copy
import json
from decimal import Decimal as D

import pytest
from django.utils import translation

from techmarket.subsidies import messages
from techmarket.subsidies.engine import PolicyError, load_policy, shipped_policy_ids
from techmarket.subsidies.policy_format import MESSAGES, Problem


def test_shipped_policies_load():
    assert shipped_policy_ids() == ["jilin-2016", "luoyang-2017", "yueyang-2017", "yueyang-2017-tax"]
    for policy_id in shipped_policy_ids():
        policy = load_policy(policy_id)
        assert policy.id == policy_id
        assert policy.title
        assert policy.title_en


def test_yueyang_rules_as_the_issue_says():
    policy = load_policy("yueyang-2017")
    assert policy.region == "430600"
    assert policy.spec["budget"] == {"method": "pool", "share": D("0.10")}
    rules = {rule["id"]: rule for rule in policy.rules}
    assert list(rules) == ["seller_dev_transfer", "buyer_dev_transfer", "seller_consult_service"]
    expected = {
        "seller_dev_transfer": (
            "seller",
            ["development", "transfer"],
            True,
            "500000.00",
            "0.02",
            "200000.00",
        ),
        "buyer_dev_transfer": ("buyer", ["development", "transfer"], True, "250000.00", "0.04", "100000.00"),
        "seller_consult_service": (
            "seller",
            ["consulting", "service"],
            None,
            "500000.00",
            "0.01",
            "100000.00",
        ),
    }
    for rule_id, (side, types, licence, threshold, rate, cap) in expected.items():
        rule = rules[rule_id]
        assert (rule["side"], rule["contract_types"], rule.get("license_as_transfer")) == (
            side,
            types,
            licence,
        )
        assert (rule["threshold"], rule["rate"], rule["cap"]) == (D(threshold), D(rate), D(cap))


def test_regions_of_the_shipped_policies():
    assert {pid: load_policy(pid).region for pid in shipped_policy_ids()} == {
        "jilin-2016": "220000",
        "luoyang-2017": "410300",
        "yueyang-2017": "430600",
        "yueyang-2017-tax": "430600",
    }


def broken_document() -> dict:
    document = copy.deepcopy(dict(load_policy("yueyang-2017").document))
    document["region"] = "43060"
    document["effective_from"] = "2017-13-01"
    document["budget"] = {"method": "percent"}
    rules = document["rules"]
    rules[0]["rate"] = "-0.02"
    rules[1]["rate"] = "1.5"
    rules[1]["threshold"] = "五十万"
    rules[2]["id"] = "seller_dev_transfer"
    del rules[2]["cap"]
    rules[2]["treshold"] = rules[2].pop("threshold")
    rules.append({"id": "bonus", "kind": "lottery"})
    rules.append({"id": "no_rate", "kind": "contract_threshold", "side": "both", "contract_types": ["sale"]})
    return document


def test_a_policy_with_errors_lists_every_problem():
    with pytest.raises(PolicyError) as error:
        load_policy(broken_document())
    codes = [problem.code for problem in error.value.details]
    assert sorted(codes) == sorted(
        [
            "bad_region",
            "bad_date",
            "bad_budget_method",
            "negative",
            "rate_above_one",
            "not_a_number",
            "duplicate_rule",
            "unknown_field",  # treshold
            "unknown_kind",
            "missing_field",  # no_rate has no rate
            "bad_side",
            "unknown_contract_type",
        ]
    )
    text = "\n".join(error.value.problems)
    assert "$.rules[0](seller_dev_transfer).rate 不能为负数：-0.02。" in text
    assert "$.rules[1](buyer_dev_transfer).rate 是比例，不能大于 1：1.5。" in text
    assert "$.rules[1](buyer_dev_transfer).threshold 不是数字：五十万。" in text
    assert "规则编号 seller_dev_transfer 重复。" in text
    assert "规则 bonus 的类型 lottery 未知" in text
    assert "$.region 不是有效的 6 位 GB/T 2260 行政区划代码：43060。" in text
    assert "$.effective_from 不是有效日期（YYYY-MM-DD）：2017-13-01。" in text
    assert "$.rules[2](seller_dev_transfer) 有未知字段 treshold。" in text
    assert "$.rules[4](no_rate) 缺少字段 rate。" in text


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: d.pop("rules"), "missing_field"),
        (lambda d: d.update(rules=[]), "empty_list"),
        (lambda d: d.update(id="Yueyang 2017"), "bad_policy_id"),
        (lambda d: d.update(effective_to="2016-12-31"), "dates_reversed"),
        (lambda d: d.update(format=2), "bad_format"),
        (lambda d: d.update(title={"en": "only English"}), "missing_field"),
        (lambda d: d["budget"].pop("share"), "missing_field"),
        (lambda d: d["rules"][0].update(cap="200000.001"), "too_precise"),
        (lambda d: d["rules"][0].update(threshold=True), "not_a_number"),
        (lambda d: d["rules"][2].update(license_as_transfer=True), "license_without_transfer"),
        (lambda d: d["rules"][0].update(id="Seller-Dev"), "bad_rule_id"),
        (lambda d: d.update(rules="seller"), "not_a_list"),
    ],
)
def test_single_problems(change, code):
    document = copy.deepcopy(dict(load_policy("yueyang-2017").document))
    change(document)
    with pytest.raises(PolicyError) as error:
        load_policy(document)
    assert [problem.code for problem in error.value.details] == [code]


def test_claim_rule_problems():
    document = copy.deepcopy(dict(load_policy("jilin-2016").document))
    document["rules"][2]["min"] = "6000"  # patent_domestic_invention: max 5000
    document["rules"][3]["levels"] = {"a": "1"}  # patent_foreign_invention: amount and levels
    document["rules"][1]["min_share"] = "70"
    with pytest.raises(PolicyError) as error:
        load_policy(document)
    assert sorted(p.code for p in error.value.details) == [
        "amount_or_levels",
        "min_above_max",
        "rate_above_one",
    ]


def test_policy_file_errors(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(broken_document(), ensure_ascii=False), encoding="utf-8")
    with pytest.raises(PolicyError) as error:
        load_policy(broken)
    assert len(error.value.problems) == 12
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{", encoding="utf-8")
    with pytest.raises(PolicyError) as error:
        load_policy(str(bad_json))
    assert error.value.details[0].code == "bad_json"
    with pytest.raises(PolicyError) as error:
        load_policy(tmp_path / "missing.json")
    assert error.value.details[0].code == "file_not_found"
    with pytest.raises(PolicyError) as error:
        load_policy("shenzhen-2030")
    assert error.value.details[0].code == "unknown_policy"
    assert "yueyang-2017" in error.value.problems[0]


def test_a_file_copy_of_a_shipped_policy_loads(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(load_policy("yueyang-2017").document, ensure_ascii=False), encoding="utf-8")
    policy = load_policy(str(path))
    assert policy.spec == load_policy("yueyang-2017").spec


def test_numbers_may_be_json_numbers():
    document = copy.deepcopy(dict(load_policy("yueyang-2017").document))
    document["rules"][0].update(threshold=500000, rate=0.02, cap=200000)
    rule = load_policy(document).rules[0]
    assert (rule["threshold"], rule["rate"], rule["cap"]) == (D("500000.00"), D("0.02"), D("200000.00"))


def test_django_side_catalogue_matches_the_engine():
    assert set(messages.MESSAGES) == set(MESSAGES)
    with translation.override("zh-hans"):
        for code, text in MESSAGES.items():
            assert str(messages.MESSAGES[code]) == text, code


def test_render_problems_in_the_active_language():
    with pytest.raises(PolicyError) as error:
        load_policy(broken_document())
    with translation.override("zh-hans"):
        rendered = messages.render_problems(error.value)
    assert rendered == error.value.problems
    assert messages.render("no_such_code", {}).startswith("未知问题")
    assert messages.render_problem(Problem("duplicate_rule", {"rule": "x"})) == "规则编号 x 重复。"
