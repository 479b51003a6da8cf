import json

import pytest

from techmarket.matching import ranking
from techmarket.matching.engine import MatchIndex, Reason
from techmarket.matching.ranking import (
    DEFAULT_WEIGHTS,
    FIT_KINDS,
    Decision,
    Need,
    Profile,
    Ranked,
    Weights,
    fit_features,
    fit_reasons,
    learn,
    rank,
)

RECORDS = [
    {
        "id": "graphene",
        "title": "石墨烯导热膜的制备方法",
        "abstract": "高导热系数的石墨烯导热膜，用于手机散热。",
    },
    {"id": "film", "title": "导热膜", "abstract": "一种导热膜及其在电子器件散热中的应用。"},
    {"id": "paste", "title": "导热硅脂", "abstract": "用于芯片散热的导热硅脂，导热系数高。"},
    {"id": "fan", "title": "手机散热风扇", "abstract": "微型风扇为手机散热。"},
    {"id": "port", "title": "水运工程项目全过程管理", "abstract": "探讨水运工程项目的质量管理与进度管理。"},
    {"id": "weld", "title": "药芯焊条的制备装置", "abstract": "焊药注入壳体的空心部，连续制备药芯焊条。"},
]
DEMANDS = ["手机散热用的高导热膜", "导热材料", "水运工程进度管理", "焊条制备", "散热"]


@pytest.fixture(scope="module")
def index():
    return MatchIndex.build(RECORDS)


def fits(need, profile):
    return {kind: value for kind, value in fit_features(need, profile).items() if value}


# --------------------------------------------------------------------------- fit features and reasons


def test_unknown_sides_give_zero_features_and_no_reasons():
    full = Profile("C3985", "520.1010", "420111", 6, 80.0, frozenset({"license"}))
    assert fit_features(Need("x"), full) == dict.fromkeys(FIT_KINDS, 0.0)
    assert fit_features(Need("x", industry="C3985", trl=5, budget_max=100), None) == dict.fromkeys(
        FIT_KINDS, 0.0
    )
    assert fit_features(Need("x", industry="C3985", trl=5, budget_max=100), Profile()) == dict.fromkeys(
        FIT_KINDS, 0.0
    )
    assert fit_reasons(Need("x"), full) == []
    assert fit_reasons(Need("x", region="420100"), None) == []


@pytest.mark.parametrize(
    ("wanted", "have", "expected"),
    [
        ("C3985", "C3985", 1.0),  # same class
        ("C3985", "C3981", 0.75),  # same group
        ("C3985", "C3911", 0.5),  # same division
        ("C3985", "C2611", 0.25),  # same section
        ("C3985", "I6510", -0.25),  # another section
        ("C39", "C3985", 1.0),  # inside what is asked for
        ("3985", "C3985", 1.0),  # the section follows from the division
        ("C3985", "c3985", 1.0),
    ],
)
def test_industry_is_compared_by_its_gbt4754_levels(wanted, have, expected):
    assert fit_features(Need("x", industry=wanted), Profile(industry=have))["industry"] == expected


@pytest.mark.parametrize(
    ("wanted", "have", "expected"),
    [
        ("520.1010", "520.1010", 1.0),
        ("520.1010", "520.1020", 0.6),
        ("520.1010", "520.2010", 0.3),
        ("520.1010", "460.1010", -0.25),
        ("520", "520.1010", 1.0),
        ("工程热物理", "工程热物理", 1.0),  # names rather than codes: equal or unknown
        ("工程热物理", "材料科学", 0.0),
    ],
)
def test_discipline_is_compared_by_its_gbt13745_levels(wanted, have, expected):
    assert fit_features(Need("x", discipline=wanted), Profile(discipline=have))["discipline"] == expected


@pytest.mark.parametrize(
    ("wanted", "have", "expected"),
    [
        ("420111", "420111", 1.0),  # same county
        ("420111", "420102", 0.6),  # same city
        ("420111", "420500", 0.3),  # same province
        ("420111", "110105", -0.25),
        ("420000", "420111", 1.0),  # anywhere in the province asked for
        ("420100", "420111", 1.0),
    ],
)
def test_region_is_compared_by_county_city_province(wanted, have, expected):
    assert fit_features(Need("x", region=wanted), Profile(region=have))["region"] == expected


@pytest.mark.parametrize(("have", "expected"), [(7, 1.0), (6, 1.0), (5, -0.3333), (4, -0.6667), (1, -1.0)])
def test_trl_below_the_expected_maturity_counts_against(have, expected):
    assert fit_features(Need("x", trl=6), Profile(trl=have))["trl"] == expected


@pytest.mark.parametrize(
    ("price", "low", "high", "expected"),
    [
        (80.0, None, 100.0, 1.0),
        (80.0, 50.0, 100.0, 1.0),
        (110.0, None, 100.0, -0.2),
        (200.0, None, 100.0, -1.0),
        (20.0, 50.0, 100.0, 0.5),
        (20.0, 50.0, None, 0.5),
        (60.0, 50.0, None, 1.0),
    ],
)
def test_price_is_compared_with_the_budget(price, low, high, expected):
    need = Need("x", budget_min=low, budget_max=high)
    assert fit_features(need, Profile(price=price))["price"] == pytest.approx(expected)


def test_unknown_price_or_budget_is_no_evidence():
    assert fit_features(Need("x", budget_max=100), Profile(price=None))["price"] == 0.0
    assert fit_features(Need("x"), Profile(price=10.0))["price"] == 0.0


@pytest.mark.parametrize(
    ("cooperation", "modes", "expected"),
    [
        ({"license"}, {"license", "transfer"}, 1.0),
        ({"purchase"}, {"transfer"}, 1.0),
        ({"commission"}, {"service"}, 1.0),
        ({"consulting"}, {"equity"}, -0.5),
        ({"transfer"}, {"purchase"}, 1.0),  # reverse matching: the achievement's modes as the need
    ],
)
def test_cooperation_is_compared_with_the_transfer_modes(cooperation, modes, expected):
    need = Need("x", cooperation=frozenset(cooperation))
    assert fit_features(need, Profile(modes=frozenset(modes)))["mode"] == expected


def test_fit_reasons_carry_a_short_machine_value_and_the_signed_fit():
    need = Need(
        "x",
        industry="C3985",
        region="420111",
        trl=5,
        budget_max=100,
        cooperation=frozenset({"license"}),
    )
    profile = Profile("C3981", "520", "110105", 6, 80.0, frozenset({"license", "transfer"}))
    assert fit_reasons(need, profile) == [
        Reason("industry", "C3981", 0.75, "fit"),
        Reason("region", "110105", -0.25, "fit"),
        Reason("trl", "6/5", 1.0, "fit"),
        Reason("price", "80/100", 1.0, "fit"),
        Reason("mode", "license", 1.0, "fit"),
    ]
    assert (
        fit_reasons(Need("x", budget_min=50, budget_max=100), Profile(price=120.5))[0].value == "120.5/50-100"
    )
    assert fit_reasons(
        Need("x", cooperation=frozenset({"consulting"})), Profile(modes=frozenset({"equity"}))
    )[0] == Reason("mode", "equity", -0.5, "fit")


# --------------------------------------------------------------------------- rank


@pytest.mark.parametrize("demand", DEMANDS)
def test_default_weights_without_structured_fields_keep_the_engine_order(index, demand):
    expected = index.match(demand, k=4)
    ranked = rank(index, Need(demand), k=4)
    assert [(r.doc_id, r.score, r.reasons) for r in ranked] == [tuple(m) for m in expected]
    for result in ranked:
        assert isinstance(result, Ranked)
        views = ("text_bigram", "text_word", "text_character")
        assert sum(result.features[view] for view in views) == pytest.approx(result.score, abs=1e-4)
        assert all(result.features[kind] == 0.0 for kind in FIT_KINDS)


def test_default_order_is_the_engine_order_on_a_larger_index():
    records = [
        {
            "id": f"r{i}",
            "title": RECORDS[i % len(RECORDS)]["title"],
            "abstract": RECORDS[(i * 7) % 6]["abstract"],
        }
        for i in range(60)
    ]
    big = MatchIndex.build(records)
    for demand in DEMANDS:
        assert [r.doc_id for r in rank(big, Need(demand), k=20)] == [
            m.doc_id for m in big.match(demand, k=20)
        ]


def test_a_good_fit_lifts_a_record_and_says_why(index):
    text_order = [r.doc_id for r in rank(index, Need("导热膜"), k=3)]
    assert text_order[0] != "paste"
    profiles = {"paste": Profile(industry="C3985", trl=7), "graphene": Profile(industry="A0111", trl=2)}
    need = Need("导热膜", industry="C3985", trl=6)
    ranked = rank(
        index, need, k=3, profile_of=profiles.get, weights=Weights({}, dict.fromkeys(FIT_KINDS, 1.0))
    )
    assert ranked[0].doc_id == "paste"
    reasons = {reason.kind: reason for reason in ranked[0].reasons}
    assert reasons["industry"].value == "C3985"
    assert reasons["industry"].weight > 0
    assert reasons["trl"].value == "7/6"
    assert ranked[0].features["industry"] == 1.0
    graphene = next(r for r in ranked if r.doc_id == "graphene")
    assert {r.kind: r.weight < 0 for r in graphene.reasons if r.source == "fit"} == {
        "industry": True,
        "trl": True,
    }


def test_a_bad_fit_never_makes_a_score_negative(index):
    heavy = Weights({}, dict.fromkeys(FIT_KINDS, 1.0))
    need = Need("导热膜", trl=9, budget_max=1, cooperation=frozenset({"consulting"}))
    profile = Profile(trl=1, price=500.0, modes=frozenset({"equity"}))
    ranked = rank(index, need, profile_of=lambda _: profile, weights=heavy)
    assert ranked
    assert all(r.score > 0 for r in ranked)
    assert [r.doc_id for r in ranked] == [m.doc_id for m in index.match("导热膜")]


def test_view_weights_shift_the_order_between_bigrams_and_words(index):
    bigrams = rank(index, Need("手机散热"), weights=Weights({"bigram": 4.0, "word": 0.25}, {}))
    words = rank(index, Need("手机散热"), weights=Weights({"bigram": 0.25, "word": 4.0}, {}))
    for ranked, view in ((bigrams, "text_bigram"), (words, "text_word")):
        assert all(r.features[view] > 0 for r in ranked)
    assert {r.doc_id for r in bigrams} == {r.doc_id for r in words}


@pytest.mark.parametrize(
    "allowed",
    [{"film", "paste", "port"}, lambda doc_id: doc_id in {"film", "paste", "port"}],
    ids=["set", "predicate"],
)
def test_a_record_outside_allowed_is_never_returned_nor_changes_the_others(index, allowed):
    everything = {r.doc_id: r for r in rank(index, Need("手机散热用的高导热膜"), k=10)}
    visible = rank(index, Need("手机散热用的高导热膜"), k=10, allowed=allowed)
    assert {r.doc_id for r in visible} <= {"film", "paste", "port"}
    assert visible
    for result in visible:
        assert result.score == everything[result.doc_id].score
        assert result.features == everything[result.doc_id].features


def test_a_bitmap_is_honoured_and_profiles_of_hidden_records_are_not_asked_for(index):
    asked = []
    bitmap = index.bitmap(["paste"])

    def profile_of(doc_id):
        asked.append(doc_id)
        return Profile(industry="C3985")

    ranked = rank(index, Need("导热膜", industry="C3985"), allowed=bitmap, profile_of=profile_of)
    assert [r.doc_id for r in ranked] == ["paste"]
    assert asked == ["paste"]


def test_k_and_depth(index):
    assert rank(index, Need("导热"), k=0) == []
    assert len(rank(index, Need("导热"), k=2)) == 2
    assert len(rank(index, Need("导热"), k=3, depth=1)) == 3  # depth never cuts below k
    assert rank(index, Need("区块链"), k=5) == []


# --------------------------------------------------------------------------- weights


def test_weights_round_trip_through_json():
    weights = Weights(
        {"bigram": 1.5, "word": 0.7}, {**dict.fromkeys(FIT_KINDS, 0.1), "trl": -0.3}, trained_on=42
    )
    again = Weights.from_dict(json.loads(json.dumps(weights.to_dict())))
    assert again == weights
    assert again.to_dict() == weights.to_dict()
    assert Weights.from_dict(DEFAULT_WEIGHTS.to_dict()) == DEFAULT_WEIGHTS


def test_missing_weights_take_the_defaults_and_unknown_ones_are_refused():
    assert Weights.from_dict({}) == DEFAULT_WEIGHTS
    assert Weights.from_dict({"fits": {"trl": 0.5}}).fits["industry"] == DEFAULT_WEIGHTS.fits["industry"]
    for bad in ({"views": {"semantic": 1}}, {"colour": 1}, {"fits": {"trl": "much"}}, {"views": [1]}, []):
        with pytest.raises(ValueError):
            Weights.from_dict(bad)
    with pytest.raises(ValueError):
        Weights({"bigram": float("nan")}, {})


def test_weights_cannot_be_changed_in_place():
    with pytest.raises(TypeError):
        DEFAULT_WEIGHTS.fits["trl"] = 1.0  # type: ignore[index]


# --------------------------------------------------------------------------- learn


def features(bigram=1.0, word=1.0, **fits):
    return {"text_bigram": bigram, "text_word": word, **dict.fromkeys(FIT_KINDS, 0.0), **fits}


def decisions_where(accepted_features, rejected_features, demands=50, reason="not_relevant"):
    result = []
    for i in range(demands):
        result.append(Decision(f"D{i}", "good", True, features=accepted_features))
        result.extend(
            Decision(f"D{i}", f"bad{j}", False, reason, features=rejected)
            for j, rejected in enumerate(rejected_features)
        )
    return result


def test_learning_without_decisions_changes_nothing():
    assert learn([]) is DEFAULT_WEIGHTS
    base = Weights({"bigram": 2.0}, {"trl": 0.5}, trained_on=7)
    assert learn([], base) is base
    only_known = [Decision("D", "x", False, "already_known", features(region=-0.25))]
    assert learn(only_known, base) is base
    no_features = [Decision("D", "a", True), Decision("D", "b", False, "not_relevant")]
    assert learn(no_features, base) is base


def test_accepted_records_that_fit_raise_that_fit_weight():
    learned = learn(
        decisions_where(features(industry=1.0), [features(industry=-0.25), features(industry=0.25)])
    )
    assert learned.fits["industry"] > DEFAULT_WEIGHTS.fits["industry"] + 0.1
    assert learned.trained_on == 150
    for kind in FIT_KINDS:
        if kind != "industry":
            assert learned.fits[kind] == pytest.approx(DEFAULT_WEIGHTS.fits[kind], abs=1e-3)


def test_a_fit_that_misleads_is_turned_down():
    learned = learn(decisions_where(features(region=-0.25), [features(region=1.0)]))
    assert learned.fits["region"] < DEFAULT_WEIGHTS.fits["region"] - 0.1


def test_accepted_records_that_match_by_words_raise_the_word_view():
    learned = learn(decisions_where(features(bigram=4.0, word=6.0), [features(bigram=6.0, word=4.0)]))
    assert learned.views["word"] > learned.views["bigram"]
    assert (
        ranking.VIEW_BOUNDS[0]
        <= learned.views["bigram"]
        < 1.0
        < learned.views["word"]
        <= ranking.VIEW_BOUNDS[1]
    )


def test_weights_stay_within_their_bounds():
    learned = learn(
        decisions_where(
            features(bigram=0.1, word=10.0, trl=1.0), [features(bigram=10.0, word=0.1, trl=-1.0)], 2000
        )
    )
    assert learned.views["bigram"] >= 0.25
    assert learned.views["word"] <= 4.0
    assert -1.0 <= learned.fits["trl"] <= 1.0


def test_a_few_decisions_move_the_weights_only_a_little():
    learned = learn(decisions_where(features(industry=1.0), [features(industry=-0.25)] * 9, demands=1))
    moved = [abs(learned.fits[k] - DEFAULT_WEIGHTS.fits[k]) for k in FIT_KINDS] + [
        abs(learned.views[v] - 1.0) for v in learned.views
    ]
    assert 0 < max(moved) < 0.1


def test_structured_rejection_reasons_are_evidence_on_their_fit():
    too_early = [Decision(f"D{i}", "x", False, "too_early", features(trl=-0.6667)) for i in range(40)]
    assert learn(too_early).fits["trl"] > DEFAULT_WEIGHTS.fits["trl"] + 0.05
    over_budget = [Decision(f"D{i}", "x", False, "price", features(price=-1.0)) for i in range(40)]
    assert learn(over_budget).fits["price"] > DEFAULT_WEIGHTS.fits["price"] + 0.05
    far = [Decision(f"D{i}", "x", False, "region", features(region=-0.25)) for i in range(40)]
    assert learn(far).fits["region"] > DEFAULT_WEIGHTS.fits["region"]
    # "not relevant" without an accepted suggestion to compare with says nothing about any weight
    assert learn([Decision("D", "x", False, "not_relevant", features(trl=-1.0))]) is DEFAULT_WEIGHTS


def test_already_known_rejections_are_not_relevance_evidence():
    relevant = decisions_where(features(industry=1.0), [features(industry=-0.25)], demands=20)
    known = [Decision(f"D{i}", "known", False, "already_known", features(industry=1.0)) for i in range(20)]
    assert learn(relevant + known) == learn(relevant)


def test_learning_is_deterministic_and_ignores_the_order_of_decisions():
    decisions = decisions_where(features(industry=1.0, trl=1.0), [features(industry=0.25, trl=-0.3333)], 30)
    assert learn(decisions) == learn(list(reversed(decisions)))


def test_learned_weights_rank_the_accepted_record_first(index):
    profiles = {"paste": Profile(industry="C3985"), "film": Profile(industry="A0111")}
    need = Need("散热", industry="C3985")
    before = rank(index, need, profile_of=profiles.get, weights=Weights({}, {}))
    assert before[0].doc_id != "paste"
    decisions = [
        Decision(
            f"D{i}", r.doc_id, r.doc_id == "paste", "" if r.doc_id == "paste" else "not_relevant", r.features
        )
        for i in range(100)
        for r in before
    ]
    learned = learn(decisions, Weights({}, {}))
    assert rank(index, need, profile_of=profiles.get, weights=learned)[0].doc_id == "paste"
