"""The full-text backends: query plans that stay cheap at scale, the broad-word rule, confidentiality.

Runs on SQLite (FTS5) and on PostgreSQL (tsvector) alike: set TEST_DATABASE_URL to try the latter.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from techmarket.accounts.policies import principal_of
from techmarket.achievements import selectors
from techmarket.achievements.choices import AchievementState as S
from techmarket.achievements.choices import Confidentiality
from techmarket.achievements.models import Achievement
from techmarket.achievements.selectors import Filters
from techmarket.achievements.tests.factories import achievement_in_state, draft
from techmarket.search import backends as search

pytestmark = pytest.mark.django_db

TABLE = Achievement._meta.db_table
NO_EXTRA_TEXT = {"technical_indicators": "", "innovation_points": "", "application_prospects": ""}


def record(
    applicant: Any, region: Any, reviewers: Any, state: str = S.PUBLISHED, **fields: Any
) -> Achievement:
    return achievement_in_state(
        state, applicant=applicant, region=region, reviewers=reviewers, **{**NO_EXTRA_TEXT, **fields}
    )


def catalogue(query: str, **filters: Any) -> list[Achievement]:
    return list(
        selectors.achievement_filter(
            selectors.achievement_catalogue(principal_of(None)), Filters(q=query, **filters)
        )
    )


def refresh_statistics() -> None:
    """PostgreSQL judges word frequencies from its own statistics, which ANALYZE refreshes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")


@pytest.fixture
def corpus(regions, reviewers, applicant) -> dict[str, Achievement]:
    """Four published 公开 records about 研究 (one has it in its title), one 受限, one draft: 研究 is in
    every record, 导热 in two."""
    county = regions["county"]
    made = {
        "title_hit": record(
            applicant, county, reviewers, name="研究型导热材料", keywords="研究", abstract="导热。"
        ),
        "body_a": record(
            applicant, county, reviewers, name="锂电池隔膜", keywords="隔膜", abstract="研究隔膜。"
        ),
        "body_b": record(
            applicant, county, reviewers, name="光伏玻璃", keywords="玻璃", abstract="研究镀膜。"
        ),
        "body_c": record(
            applicant, county, reviewers, name="风机叶片", keywords="叶片", abstract="研究导热叶片。"
        ),
        "restricted": record(
            applicant,
            county,
            reviewers,
            name="研究堆燃料",
            keywords="燃料",
            abstract="研究燃料。",
            confidentiality=Confidentiality.RESTRICTED,
        ),
        "draft": draft(
            applicant=applicant,
            region=county,
            name="研究草稿",
            keywords="草稿",
            abstract="研究。",
            **NO_EXTRA_TEXT,
        ),
    }
    refresh_statistics()
    return made


class TestQueryPlans:
    def test_the_index_drives_the_catalogue_query(self, corpus):
        """Without statistics SQLite once walked the visibility index and re-ran MATCH for every row it found
        (seconds per count at 100,000 records); PostgreSQL kept each tsvector in TOAST, a second page read
        per ranked match, and had no index of the published rows alone. Both layouts are asserted here."""
        queryset = selectors.achievement_filter(
            selectors.achievement_catalogue(principal_of(None)), Filters(q="隔膜")
        )
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                sql, params = queryset.query.sql_with_params()
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                steps = [row[3] for row in cursor.fetchall()]
                assert steps[0].startswith(f"SCAN {TABLE}_fts VIRTUAL TABLE")
                assert any(step.startswith(f"SEARCH {TABLE} USING INTEGER PRIMARY KEY") for step in steps)
            else:
                cursor.execute(
                    "SELECT attstorage FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'search_vector'",
                    [TABLE],
                )
                assert cursor.fetchone()[0] == "m"
                cursor.execute(
                    "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
                    [f"{TABLE}_search_vector_catalogue_gin"],
                )
                assert cursor.fetchone()[0].endswith("WHERE ((state)::text = 'published'::text)")
        assert [item.name for item in queryset] == ["锂电池隔膜"]


class TestBroadWords:
    def test_words_in_half_the_records_list_newest_first(self, corpus, monkeypatch):
        monkeypatch.setattr(search, "BROAD_MIN_MATCHES", 1)
        found = catalogue("研究")
        # Title hits would rank first; a word in every record carries no information, so newest first.
        assert [item.pk for item in found] == sorted(
            (corpus[key].pk for key in ("title_hit", "body_a", "body_b", "body_c")), reverse=True
        )

    def test_the_rule_waits_for_a_big_registry(self, corpus):
        assert catalogue("研究")[0] == corpus["title_hit"]

    def test_an_informative_word_keeps_relevance(self, corpus, monkeypatch):
        monkeypatch.setattr(search, "BROAD_MIN_MATCHES", 1)
        # 导热 is in two records of six: the older title hit ranks above the newer body hit.
        assert catalogue("导热") == [corpus["title_hit"], corpus["body_c"]]
        assert catalogue("研究 导热") == [corpus["title_hit"], corpus["body_c"]]

    def test_any_word_queries_always_rank(self, corpus, monkeypatch):
        monkeypatch.setattr(search, "BROAD_MIN_MATCHES", 1)
        ranked = search.rank(Achievement.objects.filter(state=S.PUBLISHED), "研究 导热", any_word=True)
        assert ranked[0] == corpus["title_hit"]

    def test_broad_results_still_hide_what_a_visitor_may_not_see(self, corpus, monkeypatch):
        monkeypatch.setattr(search, "BROAD_MIN_MATCHES", 1)
        queryset = selectors.achievement_filter(
            selectors.achievement_catalogue(principal_of(None)), Filters(q="研究")
        )
        assert queryset.count() == 4
        assert {corpus["restricted"].pk, corpus["draft"].pk}.isdisjoint(item.pk for item in queryset)

    def test_broad_results_take_filters_and_sorts(self, corpus, monkeypatch):
        monkeypatch.setattr(search, "BROAD_MIN_MATCHES", 1)
        Achievement.objects.filter(pk=corpus["body_b"].pk).update(trl=9)
        assert catalogue("研究", trl_min=9) == [corpus["body_b"]]
        assert catalogue("研究", sort="trl")[0] == corpus["body_b"]


class TestConfidentiality:
    def test_a_hidden_record_matching_every_word_changes_nothing_a_visitor_sees(
        self, regions, reviewers, applicant
    ):
        """The any-word fallback is decided on the visible records: a hidden record that holds every word
        must not turn a visitor's results into none (which would betray that it exists)."""
        county = regions["county"]
        visible = record(applicant, county, reviewers, name="石墨烯涂料", keywords="涂料", abstract="防腐。")
        record(
            applicant,
            county,
            reviewers,
            name="石墨烯火箭燃料",
            keywords="火箭",
            abstract="推进剂。",
            confidentiality=Confidentiality.RESTRICTED,
        )
        refresh_statistics()
        assert catalogue("石墨烯 火箭") == [visible]
        queryset = selectors.achievement_filter(
            selectors.achievement_catalogue(principal_of(None)), Filters(q="石墨烯 火箭")
        )
        assert queryset.count() == 1
