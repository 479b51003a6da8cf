"""Demand → suggestions → decisions, through the services, with the real engine."""

from __future__ import annotations

import pytest

from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state, applicant_of
from techmarket.demands.choices import DemandState
from techmarket.demands.tests.factories import demand_in_state, enterprise_user
from techmarket.matching import services
from techmarket.matching.choices import RejectReason, SuggestionState, TargetKind
from techmarket.matching.models import Suggestion

pytestmark = pytest.mark.django_db


def test_publication_proposes_explained_suggestions(regions, reviewers, django_capture_on_commit_callbacks):
    applicant = applicant_of(region=regions["county"])
    graphene = achievement_in_state(
        AchievementState.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        name="水稻抗倒伏栽培技术",
        keywords="水稻，栽培",
        abstract="一种提高水稻抗倒伏能力的栽培方法。",
        technical_indicators="",
        innovation_points="",
        application_prospects="",
    )
    enterprise = enterprise_user(regions["county"])
    with django_capture_on_commit_callbacks(execute=True):
        demand = demand_in_state(
            DemandState.PUBLISHED,
            enterprise=enterprise,
            region=regions["county"],
            reviewer=reviewers["county"],
        )
    suggestions = list(Suggestion.objects.filter(demand=demand, kind=TargetKind.ACHIEVEMENT))
    assert suggestions
    assert suggestions[0].achievement_id == graphene.pk
    kinds = {reason["kind"] for reason in suggestions[0].reasons}
    assert "term" in kinds
    assert "industry" in kinds
    confirmed = services.suggestion_confirm(actor=reviewers["county"], suggestion=suggestions[0])
    assert confirmed.state == SuggestionState.CONFIRMED
    if len(suggestions) > 1:
        rejected = services.suggestion_reject(
            actor=reviewers["county"], suggestion=suggestions[1], reason=RejectReason.NOT_RELEVANT
        )
        assert rejected.reject_reason == RejectReason.NOT_RELEVANT
    pushed = services.suggestions_mark_pushed(actor=reviewers["county"], demand=demand)
    assert [s.pk for s in pushed] == [suggestions[0].pk]


def test_a_demand_in_abbreviations_finds_the_achievement_written_in_full(
    regions, reviewers, django_capture_on_commit_callbacks
):
    """The platform's lexicon (curated synonyms, abbreviations mined from its records) is in the index."""
    applicant = applicant_of(region=regions["county"])
    inspection = achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        name="基于人工智能的钢板表面缺陷检测系统",
        keywords="人工智能，缺陷检测",
        abstract="利用人工智能识别钢板表面的裂纹与划痕，检出率高于人工目检。",
        technical_indicators="",
        innovation_points="",
        application_prospects="",
    )
    enterprise = enterprise_user(regions["county"])
    with django_capture_on_commit_callbacks(execute=True):
        demand = demand_in_state(
            DemandState.PUBLISHED,
            enterprise=enterprise,
            region=regions["county"],
            reviewer=reviewers["county"],
            title="寻求AI验钢方案",
            background="我厂冷轧产线靠工人目视验钢。",
            problem="想用AI替代人眼。",
            targets="",
            keywords="AI",
        )
    suggestion = Suggestion.objects.get(demand=demand, achievement=inspection)
    assert {"kind": "alias", "value": "ai → 人工智能", "source": "word"}.items() <= suggestion.reasons[
        0
    ].items()
