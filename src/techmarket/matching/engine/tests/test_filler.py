"""Filler words are never reasons; the ranking itself still scores them. The ceiling bounds a demand's score."""

import pytest

from techmarket.matching.engine import MatchIndex
from techmarket.matching.engine.explain import is_filler

RECORDS = [
    {
        "id": "battery",
        "title": "锂电池正极材料回收技术研究",
        "abstract": "某某科技有限公司用于废旧锂电池的回收，回收率达到95%以上，2024年完成中试。",
        "keywords": ["锂电池", "回收"],
    },
    {
        "id": "rice",
        "title": "水稻抗倒伏栽培技术研究",
        "abstract": "某某农业有限公司用于水稻栽培，产量提高10%以上。",
        "keywords": ["水稻"],
    },
]


@pytest.mark.parametrize(
    "value",
    [
        "公司",
        "有限",
        "有限公司",
        "用于",
        "以上",
        "技术",
        "研究",
        "技术研究",
        "有限公司的",
        "电",
        "的",
        "2024",
        "10.5",
        "95%",
        "100万",
        "5年",
        "3,000",
        "and",
        "x",
    ],
)
def test_filler_is_recognised(value):
    assert is_filler(value)


@pytest.mark.parametrize(
    "value", ["锂电池", "石墨烯", "锂电池技术", "回收技术研究", "5g", "pvdf", "水稻栽培"]
)
def test_words_that_say_something_are_not_filler(value):
    assert not is_filler(value)


def test_no_reason_is_filler_though_the_filler_matched():
    index = MatchIndex.build(RECORDS)
    demand = "我公司是一家有限公司，需要用于锂电池回收的技术，回收率95%以上，2024年投产"
    (match,) = index.match(demand, k=1)
    assert match.doc_id == "battery"
    values = [reason.value for reason in match.reasons]
    assert any("锂电池" in value for value in values)
    assert not [value for value in values if is_filler(value)]
    # The ranking is unchanged: the score still counts every matched feature, shown or not.
    assert sum(reason.weight for reason in match.reasons) <= match.score + 1e-6


def test_the_ceiling_is_what_an_ideal_record_scores():
    index = MatchIndex.build(RECORDS)
    assert index.ceiling("") == 0.0
    assert index.ceiling("完全没有出现过的词") == 0.0  # nothing could match it
    demand = "锂电池回收"
    ceiling = index.ceiling(demand)
    assert ceiling > 0
    (match,) = index.match(demand, k=1)
    assert 0 < match.score <= 2.2 * ceiling  # BM25 saturates at k1 + 1
    assert index.ceiling(demand + " 水稻") > ceiling
