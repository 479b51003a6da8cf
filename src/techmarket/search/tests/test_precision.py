"""Search precision: words that match nothing find nothing; partial matches only when the words say
something, and marked as such; "锂 电池" finds what "锂电池" finds; matched words highlighted."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from techmarket.search import backends as search
from techmarket.search.highlight import snippet
from techmarket.search.tests.test_backends import catalogue, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(regions, reviewers, applicant):
    county = regions["county"]
    return {
        "edge": record(
            applicant,
            county,
            reviewers,
            name="边缘计算网关",
            keywords="边缘计算",
            abstract="工业现场的计算卸载。",
        ),
        "farm": record(
            applicant,
            county,
            reviewers,
            name="智慧农业灌溉系统",
            keywords="农业",
            abstract="不会漏水的节水灌溉。",
        ),
        "battery": record(
            applicant,
            county,
            reviewers,
            name="锂电池正极材料",
            keywords="锂电池",
            abstract="高能量密度锂电池。",
        ),
        "graphene": record(
            applicant, county, reviewers, name="石墨烯涂料", keywords="涂料", abstract="防腐。"
        ),
    }


@pytest.mark.parametrize("query", ["不存在的东西", "量子计算", "量子"])
def test_words_that_match_nothing_find_nothing(corpus, query):
    assert catalogue(query) == []


def test_lone_characters_join_their_neighbour(corpus):
    assert catalogue("锂 电池") == catalogue("锂电池") == [corpus["battery"]]
    assert search.query_tokens("锂 电池") == search.query_tokens("锂电池")


def test_terms_typed_apart_fall_back_to_partial_matches_marked_as_such(corpus):
    found = catalogue("石墨烯 火箭")
    assert found == [corpus["graphene"]]
    assert search.is_partial(found)
    assert not search.is_partial(catalogue("石墨烯"))


def test_vague_and_single_words_never_make_a_partial_match():
    assert search.partial_groups("不存在的东西") == []
    assert search.partial_groups("量子计算") == []
    assert search.partial_groups("东西 问题") == []
    assert search.partial_groups("石墨烯 火箭") == [
        search.query_tokens("石墨烯"),
        search.query_tokens("火箭"),
    ]


def test_the_page_says_the_matches_are_partial_and_marks_the_words(client: Client, corpus):
    page = client.get(reverse("achievements:catalogue"), {"q": "石墨烯 火箭"}).content.decode()
    assert "没有完全匹配“石墨烯 火箭”的成果，以下为部分匹配的结果。" in page
    exact = client.get(reverse("achievements:catalogue"), {"q": "锂电池"}).content.decode()
    assert "部分匹配" not in exact
    assert '<mark class="search-hit">锂电池</mark>' in exact
    nothing = client.get(reverse("achievements:catalogue"), {"q": "不存在的东西"})
    assert nothing.context["page"].paginator.count == 0


def test_snippets_escape_the_text_and_mark_matches():
    html = snippet("<b>高能量</b>锂电池" + "很长的说明" * 30, "锂电池")
    assert html.startswith("…") or html.startswith("&lt;b&gt;")
    assert '<mark class="search-hit">锂电池</mark>' in html
    assert "<b>" not in html
    assert html.endswith("…")
    assert (
        snippet("Graphene THERMAL film", "thermal") == 'Graphene <mark class="search-hit">THERMAL</mark> film'
    )
    assert snippet("", "x") == ""
