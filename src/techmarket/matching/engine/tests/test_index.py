import numpy as np
import pytest

from techmarket.matching.engine import Bitmap, Match, MatchIndex, Reason
from techmarket.matching.engine.index import MAX_QUERY_FEATURES, _top
from techmarket.matching.engine.lexicon import Lexicon

RECORDS = [
    {
        "id": "graphene",
        "title": "石墨烯导热膜的制备方法",
        "abstract": "一种高导热系数的石墨烯导热膜，用于手机散热。",
        "keywords": ["石墨烯", "导热膜"],
    },
    {
        "id": "port",
        "title": "水运工程项目全过程管理",
        "abstract": "探讨水运工程项目的质量管理、成本管理与进度管理。",
        "keywords": ["项目管理"],
    },
    {
        "id": "cable",
        "title": "一种5G通讯电缆故障监控系统",
        "abstract": "信号采样模块对5G通讯电缆的信号采样并补偿。",
        "keywords": [],
    },
    {
        "id": "mask",
        "title": "一次性护目口罩",
        "abstract": "口罩主体覆盖口鼻和眼睛，耳挂有弹性，佩戴舒适。",
        "keywords": [],
    },
    {
        "id": "weld",
        "title": "药芯焊条的制备装置",
        "abstract": "焊药注入壳体的空心部，连续制备药芯焊条。",
        "keywords": ["焊条"],
    },
    {
        "id": "sensor",
        "title": "无线传感器网络数据压缩",
        "abstract": "节点采集的数据经差分编码压缩，降低传输能耗。",
        "keywords": ["无线传感器网络"],
    },
]


@pytest.fixture
def index():
    return MatchIndex.build(RECORDS)


def ids(matches):
    return [match.doc_id for match in matches]


def test_the_record_that_solves_the_demand_ranks_first(index):
    matches = index.match("手机散热需要高导热的石墨烯材料")
    assert matches[0].doc_id == "graphene"
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_a_match_unpacks_as_id_score_reasons(index):
    doc_id, score, reasons = index.match("传感器网络节点能耗")[0]
    assert doc_id == "sensor"
    assert score > 0
    assert all(isinstance(reason, Reason) for reason in reasons)


def test_reasons_give_the_matched_phrases_of_the_demand_and_their_source(index):
    (match,) = index.match("水运工程项目管理制度不完善", k=1)
    values = {reason.value: reason for reason in match.reasons}
    assert "水运工程项目管理" in values
    assert values["水运工程项目管理"].source == "bigram+word"
    assert values["水运工程项目管理"].kind == "term"
    # The reasons are the score, less a shared character outside every matched phrase (度 of 制度 and
    # 进度): a character alone is no reason.
    total = sum(reason.weight for reason in match.reasons)
    assert 0.98 * match.score <= total <= match.score * (1 + 1e-3)


def test_explain_false_skips_the_reasons(index):
    assert index.match("石墨烯", explain=False)[0].reasons == ()


def test_nothing_in_common_gives_no_matches(index):
    assert index.match("量子隧穿") == []
    assert index.match("") == []
    assert index.match("石墨烯", k=0) == []


def test_k_limits_the_results(index):
    assert len(index.match("制备 管理 数据 口罩 电缆", k=2)) == 2


@pytest.mark.parametrize(
    "allowed",
    [
        {"port", "cable"},
        frozenset({"port", "cable"}),
        {"port": 1, "cable": 2}.keys(),
        lambda doc_id: doc_id in {"port", "cable"},
    ],
    ids=["set", "frozenset", "keys", "predicate"],
)
def test_a_record_outside_allowed_is_never_returned(index, allowed):
    matches = index.match("石墨烯导热膜 水运工程", k=10, allowed=allowed)
    assert ids(matches) == ["port"]


def test_a_small_allowed_set_among_many_matches_is_ranked_directly():
    corpus = [{**record, "id": f"{record['id']}-{i}"} for i in range(40) for record in RECORDS]
    index = MatchIndex.build(corpus)
    index.update({"id": "port-3", "title": "石墨烯散热片", "abstract": "", "keywords": []})
    allowed = {"graphene-7", "port-3", "cable-1", "missing"}
    assert ids(index.match("石墨烯导热膜", allowed=allowed)) == ["graphene-7", "port-3"]


def test_a_bitmap_is_reusable_and_denies_records_added_after_it(index):
    public = index.bitmap(["graphene", "port"])
    index.add({"id": "new", "title": "石墨烯导热膜", "abstract": "", "keywords": []})
    assert ids(index.match("石墨烯导热膜", allowed=public)) == ["graphene"]
    assert "new" in ids(index.match("石墨烯导热膜"))


def test_a_bitmap_of_another_index_is_refused(index):
    other = MatchIndex.build(RECORDS)
    with pytest.raises(ValueError, match="another index"):
        index.match("石墨烯", allowed=other.bitmap(["graphene"]))


def test_filtering_keeps_the_order_and_scores_of_the_visible_records(index):
    everything = index.match("制备方法 导热 焊条 数据", k=10)
    visible = {m.doc_id for m in everything[1:]}
    assert index.match("制备方法 导热 焊条 数据", k=10, allowed=visible) == everything[1:]


def test_an_added_record_is_matchable_at_once_and_counts(index):
    index.add(
        {
            "id": "drone",
            "title": "植保无人机喷洒系统",
            "abstract": "无人机精准喷洒农药。",
            "keywords": ["无人机"],
        }
    )
    assert index.match("无人机喷洒农药")[0].doc_id == "drone"
    assert "drone" in index
    assert len(index) == len(RECORDS) + 1
    assert index.pending == 1


def test_adding_an_indexed_id_is_refused(index):
    with pytest.raises(ValueError, match="already indexed"):
        index.add(RECORDS[0])


@pytest.mark.parametrize("bad", [None, "", 7, "two\nlines"])
def test_a_record_needs_a_one_line_string_id(bad):
    with pytest.raises(ValueError, match="one-line string id"):
        MatchIndex.build([{"id": bad, "title": "石墨烯"}])


def test_an_update_replaces_the_old_text(index):
    index.update(
        {
            "id": "mask",
            "title": "锂电池正极材料回收",
            "abstract": "回收废旧锂电池中的铝元素。",
            "keywords": [],
        }
    )
    assert "mask" not in ids(index.match("护目口罩 佩戴舒适"))
    assert index.match("废旧锂电池回收")[0].doc_id == "mask"
    assert len(index) == len(RECORDS)


def test_an_update_of_an_unknown_id_adds_it(index):
    index.update({"id": "fresh", "title": "稻田养蟹", "abstract": "", "keywords": []})
    assert index.match("稻田养蟹")[0].doc_id == "fresh"


def test_a_removed_record_is_never_returned(index):
    assert index.remove("graphene") is True
    assert "graphene" not in ids(index.match("石墨烯导热膜"))
    assert index.remove("graphene") is False
    assert "graphene" not in index


def test_a_fresh_record_scores_as_it_would_after_a_rebuild():
    """The side segment is weighted with the main statistics, so its scores are comparable."""
    corpus = [{**record, "id": f"{record['id']}-{i}"} for i in range(10) for record in RECORDS]
    index = MatchIndex.build(corpus)
    record = {
        "id": "cooling",
        "title": "导热膜散热结构",
        "abstract": "导热膜贴合在芯片上散热。",
        "keywords": [],
    }
    index.add(record)
    rebuilt = MatchIndex.build([*corpus, record])
    fresh, built = index.match("导热膜散热"), rebuilt.match("导热膜散热")
    assert fresh[0].doc_id == built[0].doc_id == "cooling"
    assert fresh[0].score == pytest.approx(built[0].score, rel=0.1)
    assert [m.doc_id for m in fresh] == [m.doc_id for m in built]


@pytest.mark.parametrize("mmap", [True, False])
def test_save_and_load_give_the_same_rankings(index, tmp_path, mmap):
    index.add({"id": "drone", "title": "植保无人机", "abstract": "无人机喷洒农药。", "keywords": []})
    index.update({"id": "port", "title": "港口航道疏浚", "abstract": "航道疏浚工程管理。", "keywords": []})
    index.remove("cable")
    index.save(tmp_path / "index")
    loaded = MatchIndex.load(tmp_path / "index", mmap=mmap)
    for query in ["无人机农药", "航道疏浚", "5G通讯电缆", "石墨烯导热", "水运工程项目"]:
        assert loaded.match(query) == index.match(query)
    assert len(loaded) == len(index)


def test_saving_over_an_existing_index_is_refused(index, tmp_path):
    index.save(tmp_path / "v1")
    with pytest.raises(FileExistsError, match="new directory"):
        index.save(tmp_path / "v1")


@pytest.mark.parametrize("allowed", ["graphene", ["graphene"]], ids=["one-id", "list"])
def test_allowed_must_be_a_set_a_bitmap_or_a_predicate(index, allowed):
    with pytest.raises(TypeError, match="set of ids"):
        index.match("石墨烯", allowed=allowed)


def test_loading_another_format_is_refused(index, tmp_path):
    index.save(tmp_path)
    (tmp_path / "meta.json").write_text('{"format": 99}', encoding="utf-8")
    with pytest.raises(ValueError, match="unsupported index format"):
        MatchIndex.load(tmp_path)


def test_a_very_long_demand_is_scored_on_its_most_informative_features(index):
    filler = "".join(chr(0x4E00 + i) for i in range(3 * MAX_QUERY_FEATURES))
    assert index.match(filler + "石墨烯导热膜")[0].doc_id == "graphene"


def test_an_empty_index_matches_nothing():
    assert MatchIndex.build([]).match("石墨烯") == []


def test_matches_are_plain_tuples():
    assert Match("a", 1.0, ()) == ("a", 1.0, ())
    assert Bitmap(1, np.ones(1, dtype=bool)).owner == 1


@pytest.mark.parametrize("size", [50, 200_000])
def test_top_k_is_exact_and_breaks_ties_by_position(size):
    rng = np.random.default_rng(size)
    scores = np.round(rng.random(size), 2) * (rng.random(size) > 0.3)
    expected = sorted(np.flatnonzero(scores > 0).tolist(), key=lambda p: (-scores[p], p))[:10]
    assert _top(scores, 10).tolist() == expected


def test_top_k_with_fewer_positive_scores_than_k():
    scores = np.zeros(100_000)
    scores[[5, 70_000]] = [1.0, 2.0]
    assert _top(scores, 10).tolist() == [70_000, 5]


@pytest.mark.parametrize(
    "demand", ["手机散热需要高导热的石墨烯材料", "5G电缆信号", "制备", "传感器网络节点能耗"]
)
def test_candidates_are_the_matches_with_their_view_subtotals(index, demand):
    index.add({"id": "fresh", "title": "石墨烯散热片", "abstract": "手机散热用石墨烯。", "keywords": []})
    matches = index.match(demand, k=5)
    candidates = index.candidates(demand, k=5)
    assert [c.doc_id for c in candidates] == ids(matches)
    for candidate, match in zip(candidates, matches, strict=True):
        assert round(candidate.score, 4) == match.score
        assert set(candidate.views) == {"bigram", "word", "character"}
        assert sum(candidate.views.values()) == pytest.approx(candidate.score, rel=1e-5)
        assert candidate.reasons() == match.reasons


def test_candidates_honour_allowed_and_k(index):
    allowed = {"graphene", "cable"}
    found = index.candidates("石墨烯导热 5G电缆 口罩", k=10, allowed=allowed)
    assert {c.doc_id for c in found} == allowed
    assert index.candidates("石墨烯", k=0) == []
    assert index.candidates("区块链", k=5) == []


ALIAS_RECORDS = [
    {"id": "pvdf", "title": "聚偏氟乙烯中空纤维膜", "abstract": "聚偏氟乙烯膜用于污水处理。", "keywords": []},
    {"id": "pvc", "title": "聚氯乙烯管材", "abstract": "聚氯乙烯管材的挤出工艺。", "keywords": []},
    {"id": "other", "title": "中空纤维膜组件", "abstract": "膜组件的清洗方法。", "keywords": []},
]


def _alias_index() -> MatchIndex:
    return MatchIndex.build(ALIAS_RECORDS, Lexicon([], {"pvdf": ("聚偏氟乙烯",), "聚偏氟乙烯": ("pvdf",)}))


def test_a_demand_finds_records_that_use_an_alias_of_its_words_and_says_so():
    assert [m.doc_id for m in MatchIndex.build(ALIAS_RECORDS).match("PVDF", 3)] == []
    (found,) = _alias_index().match("PVDF", 3)
    assert found.doc_id == "pvdf"
    assert found.reasons == (Reason("alias", "pvdf → 聚偏氟乙烯", found.score, "word"),)


def test_the_literal_term_outranks_its_alias():
    index = MatchIndex.build(
        [*ALIAS_RECORDS, {"id": "literal", "title": "PVDF中空纤维膜", "abstract": "", "keywords": []}],
        Lexicon([], {"pvdf": ("聚偏氟乙烯",)}),
    )
    literal, alias = index.match("PVDF", 4)
    assert (literal.doc_id, alias.doc_id) == ("literal", "pvdf")
    assert literal.score > alias.score


def test_the_lexicon_is_saved_with_the_index_and_used_by_fresh_records(tmp_path):
    _alias_index().save(tmp_path / "index")
    loaded = MatchIndex.load(tmp_path / "index")
    assert [m.doc_id for m in loaded.match("PVDF", 3)] == ["pvdf"]
    loaded.add({"id": "fresh", "title": "聚偏氟乙烯涂料", "abstract": "", "keywords": []})
    assert {m.doc_id for m in loaded.match("PVDF", 3)} == {"pvdf", "fresh"}
    assert all(m.reasons[0].kind == "alias" for m in loaded.match("PVDF", 3))


def test_an_index_saved_without_a_lexicon_still_loads(index, tmp_path):
    index.save(tmp_path / "index")
    (tmp_path / "index" / "lexicon.json").unlink()
    assert MatchIndex.load(tmp_path / "index").match("石墨烯导热膜", 1)[0].doc_id == "graphene"


def test_candidates_count_alias_features_in_the_word_view():
    (candidate,) = _alias_index().candidates("PVDF", 3)
    assert candidate.views["word"] == pytest.approx(candidate.score)
    assert candidate.reasons()[0].kind == "alias"
