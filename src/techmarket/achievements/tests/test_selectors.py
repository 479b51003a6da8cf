"""Reads: Chinese full-text search, screening filters, sorts, queues and catalogues.

Runs on SQLite (FTS5) and on PostgreSQL (tsvector) alike: set TEST_DATABASE_URL to try the latter.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.models import RoleAssignment
from techmarket.accounts.policies import principal_of
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements import selectors, services
from techmarket.achievements.choices import AchievementState as S
from techmarket.achievements.models import Achievement
from techmarket.achievements.selectors import Filters
from techmarket.achievements.tests.factories import achievement_in_state, draft
from techmarket.core.choices import ClassificationScheme
from techmarket.core.errors import NotFound
from techmarket.core.tests.factories import ClassificationFactory, region_tree
from techmarket.search import backends as search

pytestmark = pytest.mark.django_db


def names(queryset) -> list[str]:
    return list(queryset.values_list("name", flat=True))


def discipline(code: str) -> Any:
    return ClassificationFactory(scheme=ClassificationScheme.DISCIPLINE, code=code)


def industry(code: str) -> Any:
    return ClassificationFactory(scheme=ClassificationScheme.INDUSTRY, code=code)


@pytest.fixture
def all_regions(regions):
    """The shared tree plus a second province, for province-level screening."""
    return {
        **regions,
        **{f"far_{key}": region for key, region in region_tree(province_code="980000").items()},
    }


@pytest.fixture
def super_reviewer(all_regions):
    """One reviewer of every county, city and province, so any record can be driven to publication."""
    user = user_with_role(Role.REVIEWER, region=all_regions["province"], username="everywhere")
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=user, role=Role.REVIEWER, region=region)
        for key, region in all_regions.items()
        if key != "province"
    )
    return user


# The factory's optional text mentions 导热 and 电池; the records here carry only the text a test gives.
NO_EXTRA_TEXT = {"technical_indicators": "", "innovation_points": "", "application_prospects": ""}


def text_draft(**kwargs: Any) -> Achievement:
    return draft(**{**NO_EXTRA_TEXT, **kwargs})


def published(applicant, region, reviewers, **overrides) -> Achievement:
    return achievement_in_state(
        S.PUBLISHED, applicant=applicant, region=region, reviewers=reviewers, **overrides
    )


def publish(applicant, region, reviewer, **overrides) -> Achievement:
    return achievement_in_state(
        S.PUBLISHED,
        applicant=applicant,
        region=region,
        reviewers={"county": reviewer, "city": reviewer, "province": reviewer},
        **{**NO_EXTRA_TEXT, **overrides},
    )


@pytest.fixture
def catalogue(all_regions, super_reviewer, applicant) -> dict[str, Achievement]:
    """Five published records that differ in every screening dimension."""
    institute = user_with_role(
        Role.APPLICANT,
        organisation=OrganisationFactory(region=all_regions["other_county"], kind=OrganisationKind.INSTITUTE),
    )
    enterprise = user_with_role(
        Role.APPLICANT,
        organisation=OrganisationFactory(region=all_regions["city"], kind=OrganisationKind.ENTERPRISE),
    )
    far = user_with_role(Role.APPLICANT, organisation=OrganisationFactory(region=all_regions["far_county"]))
    records = {
        "film": publish(applicant, all_regions["county"], super_reviewer, trl=6, reference_price="120"),
        "corn": publish(
            institute,
            all_regions["other_county"],
            super_reviewer,
            name="玉米抗旱品种选育",
            keywords="玉米，抗旱，育种",
            abstract="通过分子标记辅助选择培育耐旱玉米新品种，亩产提高一成。",
            discipline=discipline("21030"),
            industry=industry("A01"),
            trl=4,
            transfer_modes=["co_develop"],
            price_negotiable=True,
            reference_price=None,
        ),
        "robot": publish(
            enterprise,
            all_regions["city"],
            super_reviewer,
            name="工业机器人视觉定位系统",
            keywords="机器人，视觉定位",
            abstract="基于深度学习的工件识别与定位，定位精度0.05毫米。",
            discipline=discipline("41340"),
            industry=industry("C34"),
            trl=8,
            transfer_modes=["equity"],
            reference_price="500",
        ),
        "anode": publish(
            far,
            all_regions["far_county"],
            super_reviewer,
            name="硅碳锂电池负极材料",
            keywords="锂电池，负极",
            abstract="硅碳复合负极，首次库伦效率90%。",
            discipline=discipline("43020"),
            industry=industry("C38"),
            trl=5,
            transfer_modes=["license"],
            reference_price="80",
        ),
        "paste": publish(
            far,
            all_regions["far_city"],
            super_reviewer,
            name="导热硅脂配方",
            keywords="导热，硅脂",
            abstract="一种低热阻的界面材料配方。",
            discipline=discipline("43015"),
            industry=industry("C26"),
            trl=7,
            transfer_modes=["transfer"],
            reference_price="30",
        ),
    }
    # Publication dates spread over three years, newest last (for the year filter and date sorts).
    dates = {"corn": 2023, "film": 2024, "anode": 2024, "robot": 2025, "paste": 2025}
    for key, year in dates.items():
        month = 3 if key in {"film", "robot"} else 9
        Achievement.objects.filter(pk=records[key].pk).update(
            published_at=datetime.datetime(year, month, 1, 12, tzinfo=timezone.get_current_timezone())
        )
    return records


def screen(**filters: Any) -> list[str]:
    queryset = selectors.achievement_filter(
        selectors.achievement_catalogue(principal_of(None)), Filters(**filters)
    )
    return names(queryset)


class TestFullText:
    def test_two_character_words_match(self, regions, reviewers, applicant):
        film = published(applicant, regions["county"], reviewers, name="高导热石墨烯复合薄膜")
        assert names(search.rank(Achievement.objects.all(), "导热")) == [film.name]
        assert names(search.rank(Achievement.objects.all(), "薄膜")) == [film.name]

    def test_title_hit_ranks_above_body_only_hit(self, regions, applicant):
        body_only = text_draft(
            applicant=applicant,
            region=regions["county"],
            name="手机散热结构设计",
            keywords="散热，手机",
            abstract="采用导热凝胶填充芯片与外壳之间的间隙。",
        )
        title = text_draft(
            applicant=applicant,
            region=regions["county"],
            name="导热硅脂配方",
            keywords="硅脂",
            abstract="一种低热阻的界面材料配方。",
        )
        ranked = search.rank(Achievement.objects.all(), "导热").order_by("-search_rank")
        assert list(ranked) == [title, body_only]

    def test_all_words_first_then_any_word(self, regions, applicant):
        both = text_draft(
            applicant=applicant,
            region=regions["county"],
            name="石墨烯锂电池",
            keywords="石墨烯，电池",
            abstract="石墨烯导电剂。",
        )
        one = text_draft(
            applicant=applicant,
            region=regions["county"],
            name="石墨烯防腐涂料",
            keywords="涂料",
            abstract="用于桥梁钢结构。",
        )
        assert list(search.rank(Achievement.objects.all(), "石墨烯 电池")) == [both]
        fallback = search.rank(Achievement.objects.all(), "石墨烯 火箭").order_by("-search_rank", "id")
        assert set(fallback) == {both, one}
        assert not search.rank(Achievement.objects.all(), "火箭 卫星").exists()

    def test_full_width_and_case_are_normalised(self, regions, applicant):
        record = text_draft(
            applicant=applicant, region=regions["county"], name="ＬＥＤ驱动电源", keywords="LED"
        )
        assert list(search.rank(Achievement.objects.all(), "led")) == [record]

    @pytest.mark.parametrize("query", ["", "   ", "的", "，。！", "\x00"])
    def test_empty_or_stop_word_queries_match_nothing(self, query, regions, applicant):
        text_draft(applicant=applicant, region=regions["county"])
        ranked = search.rank(Achievement.objects.all(), query)
        assert not ranked.exists()
        # Found by the schema fuzz test: callers order by relevance whatever the query held.
        assert list(ranked.order_by("-search_rank")) == []
        assert screen(q=query) == []
        assert selectors.achievement_suggest(principal_of(None), query) == []

    @pytest.mark.parametrize(
        "query",
        ['"导热"', "导热 OR 1=1", "NEAR(导热)", "导热*", "a & b | !c", "'); --", "__ 导热", "导热:*", "_a_"],
    )
    def test_query_syntax_of_the_engine_is_inert(self, query, regions, applicant):
        """Quotes and operators of FTS5 / tsquery in user input neither fail nor widen the match."""
        film = text_draft(applicant=applicant, region=regions["county"])
        found = list(search.rank(Achievement.objects.all(), query))
        assert found in ([], [film])

    def test_index_follows_updates(self, regions, applicant):
        record = text_draft(applicant=applicant, region=regions["county"])
        services.achievement_update(actor=applicant, achievement=record, data={"name": "纳米纤维素气凝胶"})
        assert list(search.rank(Achievement.objects.all(), "气凝胶")) == [record]


class TestScreening:
    @pytest.mark.parametrize(
        ("filters", "expected"),
        [
            ({"discipline": "430"}, {"film", "anode", "paste"}),
            ({"discipline": "4302"}, {"anode"}),
            ({"industry": "C3"}, {"film", "robot", "anode"}),
            ({"industry": "A01"}, {"corn"}),
            ({"region": "990102"}, {"film"}),
            ({"region": "990100"}, {"film", "robot"}),
            ({"region": "990000"}, {"film", "robot", "corn"}),
            ({"region": "980000"}, {"anode", "paste"}),
            ({"region": "980100"}, {"anode", "paste"}),
            ({"trl_min": 6}, {"film", "robot", "paste"}),
            ({"trl_max": 5}, {"corn", "anode"}),
            ({"trl_min": 5, "trl_max": 6}, {"film", "anode"}),
            ({"transfer_mode": "license"}, {"film", "anode"}),
            ({"transfer_mode": "co_develop"}, {"corn"}),
            ({"price_min": 100}, {"film", "robot"}),
            ({"price_max": 80}, {"anode", "paste"}),
            ({"price_min": 50, "price_max": 200}, {"film", "anode"}),
            ({"year": 2024}, {"film", "anode"}),
            ({"year": 2023}, {"corn"}),
            ({"year": 2030}, set()),
            ({"organisation_kind": "institute"}, {"corn"}),
            ({"organisation_kind": "enterprise"}, {"robot"}),
            ({"q": "导热"}, {"film", "paste"}),
            ({"q": "导热", "region": "990000"}, {"film"}),
            ({"q": "玉米", "trl_min": 5}, set()),
        ],
    )
    def test_filters(self, filters, expected, catalogue):
        keys = {record.name: key for key, record in catalogue.items()}
        assert {keys[name] for name in screen(**filters)} == expected

    def test_filter_by_organisation(self, catalogue):
        owner = catalogue["robot"].owner_organisation_id
        assert screen(organisation=owner) == [catalogue["robot"].name]

    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            ("", ["paste", "robot", "anode", "film", "corn"]),
            ("newest", ["paste", "robot", "anode", "film", "corn"]),
            ("oldest", ["corn", "film", "anode", "robot", "paste"]),
            ("trl", ["robot", "paste", "film", "anode", "corn"]),
            ("price_high", ["robot", "film", "anode", "paste", "corn"]),
            ("price_low", ["paste", "anode", "film", "robot", "corn"]),
            ("bogus", ["paste", "robot", "anode", "film", "corn"]),
        ],
    )
    def test_sorts(self, sort, expected, catalogue):
        keys = {record.name: key for key, record in catalogue.items()}
        assert [keys[name] for name in screen(sort=sort)] == expected

    def test_relevance_is_the_default_order_of_a_query(self, catalogue):
        # 导热 is in the title of paste (and film); body-only mentions rank below title hits.
        assert screen(q="导热 硅脂") == [catalogue["paste"].name]
        assert screen(q="导热")[0] in {catalogue["paste"].name, catalogue["film"].name}
        assert screen(q="导热", sort="oldest") == [catalogue["film"].name, catalogue["paste"].name]


class TestCatalogueAndQueues:
    def test_get_refuses_unknown_and_malformed_keys(self, regions, applicant):
        for key in (999999, "abc", None, "1; DROP TABLE x"):
            with pytest.raises(NotFound):
                selectors.achievement_get(principal_of(applicant), key)

    def test_catalogue_holds_only_published_records(self, regions, reviewers, applicant):
        for state in (S.DRAFT, S.COUNTY_REVIEW, S.RETURNED, S.REVOKED, S.PUBLISHED):
            achievement_in_state(
                state, applicant=applicant, region=regions["county"], reviewers=reviewers, name=f"成果{state}"
            )
        for actor in (None, applicant, reviewers["city"]):
            assert names(selectors.achievement_catalogue(principal_of(actor))) == ["成果published"]

    def test_review_queue_per_level(self, regions, reviewers, applicant):
        regions["province"].requires_province_review = True
        regions["province"].save()
        made = {
            state: achievement_in_state(
                state, applicant=applicant, region=regions["county"], reviewers=reviewers, name=f"成果{state}"
            )
            for state in (S.DRAFT, S.COUNTY_REVIEW, S.CITY_REVIEW, S.PROVINCE_REVIEW, S.RETURNED)
        }
        queues = {level: list(selectors.review_queue(principal_of(reviewers[level]))) for level in reviewers}
        assert queues == {
            "county": [made[S.COUNTY_REVIEW]],
            "city": [made[S.CITY_REVIEW]],
            "province": [made[S.PROVINCE_REVIEW]],
            "other_city": [],
        }
        assert not selectors.review_queue(principal_of(applicant)).exists()

    def test_own_organisation_records_and_state_counts(self, regions, reviewers, applicant):
        draft(applicant=applicant, region=regions["county"])
        achievement_in_state(
            S.COUNTY_REVIEW, applicant=applicant, region=regions["county"], reviewers=reviewers
        )
        other = user_with_role(Role.APPLICANT, organisation=OrganisationFactory(region=regions["county"]))
        draft(applicant=other, region=regions["county"])
        own = selectors.own_organisation_records(principal_of(applicant))
        assert own.count() == 2
        assert selectors.state_counts(own) == {S.DRAFT: 1, S.COUNTY_REVIEW: 1}
        assert not selectors.own_organisation_records(principal_of(reviewers["city"])).exists()

    def test_quarterly_catalogue_is_public_records_of_the_quarter(self, regions, reviewers, applicant):
        public = published(applicant, regions["county"], reviewers, name="公开成果")
        published(applicant, regions["county"], reviewers, name="受限成果", confidentiality="restricted")
        now = timezone.localtime()
        quarter = (now.month - 1) // 3 + 1
        assert list(selectors.published_in_quarter(now.year, quarter)) == [public]
        other_quarter = quarter % 4 + 1
        assert not selectors.published_in_quarter(now.year, other_quarter).exists()

    def test_suggest_uses_prefix_then_full_text(self, regions, reviewers, applicant):
        published(applicant, regions["county"], reviewers, name="石墨烯导热膜")
        published(applicant, regions["county"], reviewers, name="高性能石墨烯涂料", keywords="涂料")
        anonymous = principal_of(None)
        assert selectors.achievement_suggest(anonymous, "石墨烯") == ["石墨烯导热膜", "高性能石墨烯涂料"]
        assert selectors.achievement_suggest(anonymous, "  ") == []
        assert selectors.achievement_suggest(anonymous, "石墨烯", limit=1) == ["石墨烯导热膜"]

    def test_public_counts(self, regions, reviewers, applicant):
        published(applicant, regions["county"], reviewers, name="公开成果")
        draft(applicant=applicant, region=regions["county"])
        counts = selectors.public_counts()
        assert counts["achievements"] == 1
        assert counts["this_year"] == 1
        assert counts["with_ip"] == 1
        assert counts["organisations"] == 1

    def test_reference_price_is_decimal(self, regions, reviewers, applicant):
        record = published(applicant, regions["county"], reviewers, reference_price="12.5")
        assert Achievement.objects.get(pk=record.pk).reference_price == Decimal("12.50")
