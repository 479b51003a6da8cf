"""The character view: single characters bridge an enterprise's words to the records' (issue 9 §3)."""

from __future__ import annotations

import json
from unittest import mock

import pytest

from techmarket.matching.engine import MatchIndex, analysis

# Two records alike but for one term; a demand names the first in its own words (餐桌 for 桌子):
# no bigram or word tells them apart, the shared character 桌 does.
RECORDS = [
    {"id": "table", "title": "户外实木桌子的伸缩结构", "abstract": "桌子可以延长。", "keywords": []},
    {"id": "chair", "title": "户外实木椅子的伸缩结构", "abstract": "椅子可以折叠。", "keywords": []},
    {"id": "feed", "title": "银鱼养殖饲料", "abstract": "半浮性饲料的制备方法。", "keywords": ["饲料"]},
]
DEMAND = "我们想找户外实木餐桌的伸缩结构"


def test_characters_are_the_cjk_characters_of_the_normalised_text():
    assert analysis.characters("挂冰 5G 线路") == ["u挂", "u冰", "u线", "u路"]
    assert analysis.characters("PVDF 2024") == []


def test_records_carry_character_features_of_their_own_kind():
    counts = analysis.document_counts(RECORDS[0])
    assert counts["u桌"] == 2 * 1 + 1  # title × 2, abstract × 1
    index = MatchIndex.build(RECORDS)
    assert set(index._average_lengths) == {analysis.BIGRAM, analysis.WORD, analysis.CHARACTER}


def test_a_shared_character_ranks_the_record_the_demand_means_first():
    index = MatchIndex.build(RECORDS)
    assert [m.doc_id for m in index.match(DEMAND, k=2)] == ["table", "chair"]
    (best, other) = index.candidates(DEMAND, k=2)
    assert best.views["character"] > other.views["character"] >= 0.0
    assert sum(best.views.values()) == pytest.approx(best.score)
    with mock.patch.object(analysis, "CHARACTER_WEIGHT", 0.0):
        tied = index.candidates(DEMAND, k=2)
    assert tied[0].score == pytest.approx(tied[1].score)  # without the view the two are alike


def test_the_character_weight_scales_the_views_share():
    index = MatchIndex.build(RECORDS)
    (low,) = index.candidates(DEMAND, k=1)
    with mock.patch.object(analysis, "CHARACTER_WEIGHT", 2 * analysis.CHARACTER_WEIGHT):
        (high,) = index.candidates(DEMAND, k=1)
    assert high.views["character"] == pytest.approx(2 * low.views["character"], rel=1e-5)
    assert high.views["bigram"] == pytest.approx(low.views["bigram"], rel=1e-6)


def test_characters_refine_but_never_find():
    index = MatchIndex.build(RECORDS)
    # 桌 and 鱼 are in the records, but no bigram or word of these demands is.
    assert index.match("餐桌") == []
    assert index.match("餐桌和鱼塘") == []
    assert index.ceiling("餐桌") == 0.0
    assert index.ceiling(DEMAND) > 0.0


def test_a_fresh_record_gets_character_features_too():
    index = MatchIndex.build(RECORDS[1:])
    index.add(RECORDS[0])
    assert [m.doc_id for m in index.match(DEMAND, k=2)] == ["table", "chair"]


def test_the_view_survives_save_and_load(tmp_path):
    index = MatchIndex.build(RECORDS)
    index.save(tmp_path / "v3")
    loaded = MatchIndex.load(tmp_path / "v3")
    expected = [(m.doc_id, m.score) for m in index.match(DEMAND, k=3)]
    assert [(m.doc_id, m.score) for m in loaded.match(DEMAND, k=3)] == expected


def test_an_index_saved_before_the_view_still_loads_and_ranks_without_it(tmp_path):
    with mock.patch.object(analysis, "characters", return_value=[]):
        index = MatchIndex.build(RECORDS)
    index.save(tmp_path / "v2")
    meta = json.loads((tmp_path / "v2" / "meta.json").read_text())
    meta["format"] = 2
    del meta["average_lengths"][analysis.CHARACTER]
    (tmp_path / "v2" / "meta.json").write_text(json.dumps(meta))
    old = MatchIndex.load(tmp_path / "v2")
    old.add({"id": "fresh", "title": "实木桌子", "abstract": "", "keywords": []})
    for candidate in old.candidates(DEMAND, k=4):
        assert candidate.views["character"] == 0.0
    assert "fresh" in {m.doc_id for m in old.match("实木桌子", k=4)}
