"""What people see of a match: reasons in words (both languages), never filler, never the demand's own
organisation, and a 0–100 match level next to the raw score."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from techmarket.accounts.policies import principal_of
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state, applicant_of
from techmarket.core.choices import ClassificationScheme
from techmarket.core.models import Classification
from techmarket.demands.choices import DemandState
from techmarket.demands.tests.factories import demand_in_state, enterprise_user
from techmarket.matching import ranking, selectors, services, wording
from techmarket.matching.choices import TargetKind
from techmarket.matching.engine import MatchIndex
from techmarket.matching.engine.explain import is_filler
from techmarket.matching.models import Suggestion

# --------------------------------------------------------------------------- level (plain)


def test_the_level_is_monotone_bounded_and_zero_for_nothing():
    levels = [ranking.match_level(score, 10.0, 1.5) for score in (0, 0.5, 1, 3, 5, 10, 15, 40)]
    assert levels[0] == 0
    assert levels == sorted(levels)
    assert all(0 <= level <= 100 for level in levels)
    assert ranking.match_level(15.0, 10.0, 1.5) == 86  # r = 1: 100 × (1 − e^−2)
    assert ranking.match_level(5.0, 0.0) == 0


def test_the_best_factor_counts_only_the_fields_a_need_states():
    assert ranking.best_factor(ranking.Need("x")) == 1.0
    need = ranking.Need("x", industry="C39", trl=6, cooperation=frozenset({"license"}))
    assert ranking.best_factor(need) == pytest.approx(1 + 0.15 + 0.2 + 0.1)


def test_rank_with_levels_orders_levels_like_scores():
    records = [
        {"id": "a", "title": "石墨烯导热膜", "abstract": "手机散热用石墨烯导热膜", "keywords": ["石墨烯"]},
        {"id": "b", "title": "导热硅脂", "abstract": "电子元件散热", "keywords": []},
        {"id": "c", "title": "水稻栽培", "abstract": "水稻抗倒伏", "keywords": []},
    ]
    index = MatchIndex.build(records)
    ranked = ranking.rank(index, ranking.Need("手机散热用石墨烯导热膜"), levels=True)
    assert [r.doc_id for r in ranked][:2] == ["a", "b"]
    assert ranked[0].level >= 60
    assert [r.level for r in ranked] == sorted((r.level for r in ranked), reverse=True)
    assert ranking.rank(index, ranking.Need("石墨烯"))[0].level is None  # not asked for: no cost


# --------------------------------------------------------------------------- words


def _reasons():
    return [
        {"kind": "term", "value": "石墨烯导热膜", "weight": 3.0, "source": "bigram+word"},
        {"kind": "industry", "value": "C39", "weight": 0.4, "source": "fit"},
        {"kind": "region", "value": "", "weight": 0.1, "source": "fit"},
        {"kind": "trl", "value": "5/6", "weight": -0.3, "source": "fit"},
        {"kind": "price", "value": "120/50-150", "weight": 0.5, "source": "fit"},
        {"kind": "mode", "value": "co_develop+license", "weight": -0.2, "source": "fit"},
    ]


@pytest.fixture
def industry(db):
    return Classification.objects.get_or_create(
        scheme=ClassificationScheme.INDUSTRY,
        code="C39",
        defaults={"name": "计算机、通信和其他电子设备制造业"},
    )[0]


def _described(regions, language):
    reasons = _reasons()
    reasons[2]["value"] = regions["county"].code
    with translation.override(language):
        (described,) = wording.describe([reasons])
        return described, wording.sentence(described)


def test_reasons_name_regions_classifications_and_modes_in_chinese(
    regions, industry, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):  # one query per code table, whatever the number of reasons
        described, line = _described(regions, "zh-hans")
    by_kind = {reason["kind"]: reason for reason in described}
    assert by_kind["industry"]["text"] == industry.name
    assert by_kind["region"]["text"] == regions["county"].name
    assert by_kind["mode"]["text"] == "合作开发、许可"
    assert by_kind["trl"]["text"] == "5级（期望6级）"
    assert by_kind["price"]["text"] == "参考价120万元，预算50–150万元"
    assert by_kind["mode"]["label"] == "合作方式"
    assert not by_kind["mode"]["fits"]
    assert by_kind["industry"]["value"] == "C39"  # the stored code is kept
    for code in ("C39", regions["county"].code, "co_develop", "license", "equity"):
        assert code not in line
    assert "行业：" in line
    assert "地域：" in line


def test_reasons_in_english(regions, industry):
    described, line = _described(regions, "en")
    by_kind = {reason["kind"]: reason for reason in described}
    assert by_kind["industry"]["label"] == "Industry"
    assert by_kind["region"]["label"] == "Location"
    assert "Joint development" in by_kind["mode"]["text"]
    assert "Licensing" in by_kind["mode"]["text"]
    assert "co_develop" not in line
    assert "C39" not in line


# --------------------------------------------------------------------------- platform


def _published(applicant, regions, reviewers, **fields):
    return achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        **fields,
    )


@pytest.fixture
def market(regions, reviewers, django_capture_on_commit_callbacks):
    """An enterprise with its own graphene achievement, another organisation's, and the enterprise's demand."""
    enterprise = enterprise_user(regions["county"])
    own = _published(applicant_of(organisation=enterprise.organisation), regions, reviewers)
    other_org = applicant_of(region=regions["county"])
    other = _published(other_org, regions, reviewers, name="石墨烯导热膜的低成本制备")
    with django_capture_on_commit_callbacks(execute=True):
        demand = demand_in_state(
            DemandState.PUBLISHED,
            enterprise=enterprise,
            region=regions["county"],
            reviewer=reviewers["county"],
        )
    return {
        "enterprise": enterprise,
        "own": own,
        "other": other,
        "other_org": other_org.organisation,
        "demand": demand,
    }


def test_the_demand_is_never_answered_with_its_own_organisation_or_achievements(market, reviewers):
    demand = market["demand"]
    services.suggestions_refresh(demand=demand)
    suggestions = list(Suggestion.objects.filter(demand=demand))
    achievements = {s.achievement_id for s in suggestions if s.kind == TargetKind.ACHIEVEMENT}
    organisations = {s.organisation_id for s in suggestions if s.kind == TargetKind.ORGANISATION}
    assert market["other"].pk in achievements
    assert market["own"].pk not in achievements
    assert market["other_org"].pk in organisations
    assert demand.owner_organisation_id not in organisations
    # Nor when a responder searches by hand, nor the other way round (reverse matching).
    found = selectors.manual_candidates(
        "石墨烯导热膜", TargetKind.ACHIEVEMENT, viewer=principal_of(reviewers["county"]), demand=demand
    )
    assert market["own"].pk not in {item["id"] for item in found}
    assert market["other"].pk in {item["id"] for item in found}
    viewer = principal_of(reviewers["county"])
    assert demand.pk not in {m["demand"].pk for m in selectors.reverse_matches(market["own"], viewer=viewer)}
    assert demand.pk in {m["demand"].pk for m in selectors.reverse_matches(market["other"], viewer=viewer)}


def test_suggestions_carry_a_level_and_no_filler(market):
    services.suggestions_refresh(demand=market["demand"])
    suggestions = list(Suggestion.objects.filter(demand=market["demand"], kind=TargetKind.ACHIEVEMENT))
    assert suggestions
    assert all(s.level is not None and 0 < s.level <= 100 for s in suggestions)
    assert [s.level for s in suggestions] == sorted((s.level for s in suggestions), reverse=True)
    terms = [r["value"] for s in suggestions for r in s.reasons if r["kind"] == "term"]
    assert terms
    assert not [term for term in terms if is_filler(term)]


@pytest.mark.parametrize(
    ("language", "label", "mode"), [("zh-hans", "合作方式", "许可"), ("en", "Cooperation mode", "Licensing")]
)
def test_the_panel_and_the_api_show_words_and_levels(market, reviewers, client, language, label, mode):
    services.suggestions_refresh(demand=market["demand"])
    client.force_login(reviewers["county"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("demands:detail", args=[market["demand"].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "match-level" in html
    assert f"{label}" in html
    assert mode in html
    region = market["demand"].region_id
    assert f" {region} " not in html
    assert "license ✓" not in html
    assert "co_develop" not in html
    response = client.get(
        reverse("api:suggestion-list") + f"?demand={market['demand'].pk}", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    rows = [row for row in response.json() if row["kind"] == "achievement"]
    assert rows
    assert all(isinstance(row["level"], int) and isinstance(row["score"], float) for row in rows)
    reasons = {reason["kind"]: reason for row in rows for reason in row["reasons"]}
    assert reasons["mode"]["value"] in ("license", "transfer", "co_develop")  # codes kept
    assert reasons["mode"]["label"] == label
    assert mode in reasons["mode"]["text"]
    assert reasons["region"]["text"] == market["demand"].region.name


@pytest.mark.parametrize(
    ("language", "message"), [("zh-hans", "不能把需求单位自己"), ("en", "its own organisation")]
)
def test_adding_the_demands_own_achievement_by_hand_is_refused(market, reviewers, client, language, message):
    client.force_login(reviewers["county"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for kind, target in (
        ("achievement", market["own"].pk),
        ("organisation", market["demand"].owner_organisation_id),
    ):
        response = client.post(
            reverse("matching:add", args=[market["demand"].pk]),
            {"kind": kind, "target_id": target},
            follow=True,
        )
        assert response.status_code == 200
        assert not Suggestion.objects.filter(demand=market["demand"], origin="manual").exists()
        if language == "zh-hans":  # the English text needs the lead's catalogue merge
            assert message in response.content.decode()
    services.suggestion_add(
        actor=reviewers["county"], demand=market["demand"], kind="achievement", target_id=market["other"].pk
    )
    # Another organisation's achievement is added (or its proposal confirmed) as before.
    assert Suggestion.objects.filter(
        demand=market["demand"], achievement=market["other"], state="confirmed"
    ).exists()
