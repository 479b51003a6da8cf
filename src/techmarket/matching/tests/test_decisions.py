"""Responders decide suggestions (per role, per transition); decisions feed the learned weights."""

from __future__ import annotations

import pytest
from django.urls import reverse

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state, applicant_of
from techmarket.core.errors import DomainError, InvalidTransition, NotPermitted
from techmarket.core.models import AuditEvent
from techmarket.demands.choices import DemandState
from techmarket.demands.tests.factories import demand_in_state, enterprise_user
from techmarket.matching import selectors, services
from techmarket.matching.choices import RejectReason, SuggestionState, TargetKind
from techmarket.matching.models import LearnedWeights, Suggestion

pytestmark = pytest.mark.django_db


@pytest.fixture
def demand(regions, reviewers):
    applicant = applicant_of(region=regions["county"])
    for name in ("高导热石墨烯复合薄膜的制备技术", "石墨烯散热涂层", "导热硅胶垫片"):
        achievement_in_state(
            AchievementState.PUBLISHED,
            applicant=applicant,
            region=regions["county"],
            reviewers=reviewers,
            name=name,
        )
    enterprise = enterprise_user(regions["county"])
    found = demand_in_state(
        DemandState.PUBLISHED, enterprise=enterprise, region=regions["county"], reviewer=reviewers["county"]
    )
    services.suggestions_refresh(demand=found)
    return found


def first(demand) -> Suggestion:
    return Suggestion.objects.filter(demand=demand, kind=TargetKind.ACHIEVEMENT).order_by("rank").first()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("county", True),
        ("city", True),
        ("province", True),
        ("other_city", False),
        ("broker", True),
        ("enterprise", False),
        ("applicant", False),
        ("expert", False),
    ],
)
def test_who_may_decide(regions, reviewers, demand, who, allowed):
    actors = {
        **reviewers,
        "broker": user_with_role(Role.BROKER),
        "enterprise": demand.created_by,
        "applicant": applicant_of(region=regions["county"]),
        "expert": user_with_role(Role.EXPERT),
    }
    suggestion = first(demand)
    if allowed:
        assert (
            services.suggestion_confirm(actor=actors[who], suggestion=suggestion).state
            == SuggestionState.CONFIRMED
        )
    else:
        with pytest.raises(NotPermitted):
            services.suggestion_confirm(actor=actors[who], suggestion=suggestion)


def test_every_transition_is_audited(reviewers, demand):
    actor = reviewers["county"]
    suggestion = services.suggestion_confirm(actor=actor, suggestion=first(demand))
    suggestion = services.suggestion_reconsider(actor=actor, suggestion=suggestion)
    suggestion = services.suggestion_reject(
        actor=actor, suggestion=suggestion, reason=RejectReason.TOO_EARLY, note="中试未完成"
    )
    assert suggestion.reject_reason == RejectReason.TOO_EARLY
    suggestion = services.suggestion_reconsider(actor=actor, suggestion=suggestion)
    services.suggestion_confirm(actor=actor, suggestion=suggestion)
    pushed = services.suggestions_mark_pushed(actor=actor, demand=demand)
    assert [s.state for s in pushed] == [SuggestionState.PUSHED]
    with pytest.raises(InvalidTransition):
        services.suggestion_reconsider(actor=actor, suggestion=pushed[0])
    actions = list(
        AuditEvent.objects.filter(target_type="matching.suggestion").values_list("action", flat=True)
    )
    assert actions == [
        "matching.suggestion.confirm",
        "matching.suggestion.reconsider",
        "matching.suggestion.reject",
        "matching.suggestion.reconsider",
        "matching.suggestion.confirm",
        "matching.suggestion.push",
    ]


def test_rejection_needs_a_structured_reason(reviewers, demand):
    with pytest.raises(DomainError):
        services.suggestion_reject(actor=reviewers["county"], suggestion=first(demand), reason="")
    with pytest.raises(DomainError):
        services.suggestion_reject(
            actor=reviewers["county"], suggestion=first(demand), reason=RejectReason.OTHER
        )
    assert first(demand).state == SuggestionState.PROPOSED


def test_refresh_keeps_decisions_and_never_revives_a_rejection(reviewers, demand):
    rejected = services.suggestion_reject(
        actor=reviewers["county"], suggestion=first(demand), reason=RejectReason.NOT_RELEVANT
    )
    services.suggestions_refresh(demand=demand, actor=reviewers["county"])
    again = Suggestion.objects.filter(demand=demand, achievement_id=rejected.achievement_id)
    assert [s.state for s in again] == [SuggestionState.REJECTED]


def test_pages_decide_and_show_reasons(client, reviewers, demand):
    client.force_login(reviewers["county"])
    suggestion = first(demand)
    client.post(reverse("matching:decide", args=[suggestion.pk, "reject"]), {"reject_reason": "price"})
    suggestion.refresh_from_db()
    assert suggestion.state == SuggestionState.REJECTED
    page = client.get(reverse("demands:detail", args=[demand.pk])).content.decode()
    assert "价格不合适" in page
    assert client.post(reverse("matching:decide", args=[suggestion.pk, "explode"])).status_code == 404


def test_manual_add_counts_as_confirmed(client, regions, reviewers, demand):
    applicant = applicant_of(region=regions["county"])
    extra = achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        name="水稻育种",
    )
    client.force_login(reviewers["county"])
    results = client.get(
        reverse("matching:search", args=[demand.pk]), {"kind": "achievement", "q": "水稻"}
    ).content.decode()
    assert "水稻育种" in results
    client.post(reverse("matching:add", args=[demand.pk]), {"kind": "achievement", "target_id": extra.pk})
    added = Suggestion.objects.get(demand=demand, achievement=extra)
    assert added.state == SuggestionState.CONFIRMED
    assert added.origin == "manual"


def test_learning_waits_for_enough_decisions_then_stores_weights(reviewers, demand):
    actor = reviewers["county"]
    suggestions = list(Suggestion.objects.filter(demand=demand, kind=TargetKind.ACHIEVEMENT).order_by("rank"))
    services.suggestion_confirm(actor=actor, suggestion=suggestions[0])
    for other in suggestions[1:]:
        services.suggestion_reject(actor=actor, suggestion=other, reason=RejectReason.NOT_RELEVANT)
    assert services.weights_learn() is None
    learned = services.weights_learn(minimum=1)
    assert learned is not None
    assert LearnedWeights.objects.count() == 1
    assert selectors.current_weights().trained_on == len(suggestions)
