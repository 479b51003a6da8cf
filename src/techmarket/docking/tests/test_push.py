"""Pushing a response: who may, what it changes, who is told; and the recipients' answers."""

from __future__ import annotations

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.core.audit import events_for
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.demands import services as demand_services
from techmarket.demands.choices import DemandState
from techmarket.demands.models import DemandRecipient
from techmarket.demands.tests.factories import enterprise_user
from techmarket.docking import services
from techmarket.docking.choices import AnswerKind, DeclineReason
from techmarket.docking.models import PushRecipient, Response
from techmarket.docking.tests.factories import (
    at,
    confirmed,
    expert_with_login,
    organisation_with_admin,
    published_demand,
)
from techmarket.matching.choices import SuggestionState, TargetKind
from techmarket.matching.models import Suggestion
from techmarket.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(regions, reviewers):
    """A public county demand with a confirmed expert and organisation, and the people around it."""
    enterprise = enterprise_user(regions["county"], username="enterprise")
    colleague = user_with_role(Role.ORG_ADMIN, organisation=enterprise.organisation, username="ent_admin")
    demand = published_demand(regions["county"], reviewers["county"], enterprise=enterprise)
    expert = expert_with_login(regions["city"], name="王教授")
    organisation, org_admin = organisation_with_admin(regions["city"], name="甲市材料研究院")
    confirmed(reviewers["county"], demand, TargetKind.EXPERT, expert.pk)
    confirmed(reviewers["county"], demand, TargetKind.ORGANISATION, organisation.pk)
    return {
        "demand": demand,
        "enterprise": enterprise,
        "colleague": colleague,
        "expert": expert,
        "organisation": organisation,
        "org_admin": org_admin,
    }


def actor_for(name, regions, reviewers, setting):
    if name in reviewers:
        return reviewers[name]
    if name == "enterprise":
        return setting["enterprise"]
    if name == "applicant":
        return user_with_role(Role.APPLICANT, organisation=setting["organisation"])
    if name == "expert":
        return setting["expert"].user
    if name == "broker":
        return user_with_role(Role.BROKER)
    return user_with_role(Role.PLATFORM_ADMIN)


@pytest.mark.parametrize(
    ("name", "confidentiality", "allowed"),
    [
        ("enterprise", "public", False),
        ("applicant", "public", False),
        ("expert", "public", False),
        ("broker", "public", True),
        ("broker", "restricted", False),
        ("county", "restricted", True),
        ("city", "restricted", True),
        ("province", "restricted", True),
        ("other_city", "public", False),
        ("admin", "restricted", True),
    ],
)
def test_who_may_push(name, confidentiality, allowed, regions, reviewers, setting):
    demand = setting["demand"]
    if confidentiality == "restricted":
        demand = published_demand(regions["county"], reviewers["county"], confidentiality="restricted")
        confirmed(reviewers["county"], demand, TargetKind.EXPERT, setting["expert"].pk)
    actor = actor_for(name, regions, reviewers, setting)
    if allowed:
        response = services.response_push(actor=actor, demand=demand)
        assert response.sent_by == actor
        demand.refresh_from_db()
        assert demand.state == DemandState.DOCKING
    else:
        with pytest.raises(NotPermitted):
            services.response_push(actor=actor, demand=demand)
        assert not Response.objects.filter(demand=demand).exists()
        assert Suggestion.objects.filter(demand=demand, state=SuggestionState.CONFIRMED).exists()


def test_a_push_needs_a_confirmed_match(regions, reviewers):
    demand = published_demand(regions["county"], reviewers["county"])
    with pytest.raises(DomainError) as error:
        services.response_push(actor=reviewers["county"], demand=demand)
    assert error.value.code == "nothing_confirmed"
    demand.refresh_from_db()
    assert demand.state == DemandState.PUBLISHED
    assert demand.response_clock.responded_at is None


def test_a_closed_demand_cannot_be_pushed(setting, reviewers):
    demand = demand_services.demand_close(actor=setting["enterprise"], demand=setting["demand"], solved=True)
    with pytest.raises(NotPermitted):
        services.response_push(actor=reviewers["county"], demand=demand)


def test_a_push_stops_the_clock_and_tells_everyone(setting, reviewers):
    demand, reviewer = setting["demand"], reviewers["county"]
    clock = demand.response_clock
    response = services.response_push(actor=reviewer, demand=demand, message="请尽快联系", now=at(clock, 5))
    clock.refresh_from_db()
    assert clock.responded_at == at(clock, 5)
    assert clock.responded_by == reviewer
    assert clock.response_hours == 5
    demand.refresh_from_db()
    assert demand.state == DemandState.DOCKING
    assert set(Suggestion.objects.filter(demand=demand).values_list("state", flat=True)) == {
        SuggestionState.PUSHED
    }
    expert_user, org_admin = setting["expert"].user, setting["org_admin"]
    assert set(DemandRecipient.objects.filter(demand=demand).values_list("user_id", flat=True)) == {
        expert_user.pk,
        org_admin.pk,
    }
    rows = PushRecipient.objects.filter(response=response)
    assert {row.user_id for row in rows} == {expert_user.pk, org_admin.pk}
    for reader in (setting["enterprise"], setting["colleague"]):
        (note,) = Notification.objects.filter(recipient=reader, kind="docking.response")
        assert "王教授" in note.body
        assert "甲市材料研究院" in note.body
        assert "请尽快联系" in note.body
    for user in (expert_user, org_admin):
        (note,) = Notification.objects.filter(recipient=user, kind="docking.push")
        assert demand.title in note.title
        assert note.link.startswith("/docking/inbox/#push-")
    actions = [e.action for e in events_for(response)]
    assert actions == ["docking.response.push"]
    assert [e.action for e in events_for(clock)][-1] == "docking.responseclock.respond"


def test_a_later_push_keeps_the_first_response_time(setting, reviewers, regions):
    demand, reviewer = setting["demand"], reviewers["county"]
    clock = demand.response_clock
    services.response_push(actor=reviewer, demand=demand, now=at(clock, 2))
    second = expert_with_login(regions["county"], name="赵研究员")
    confirmed(reviewers["city"], demand, TargetKind.EXPERT, second.pk)
    services.response_push(actor=reviewers["city"], demand=demand, now=at(clock, 30))
    clock.refresh_from_db()
    assert clock.responded_at == at(clock, 2)
    assert clock.responded_by == reviewer
    assert Response.objects.filter(demand=demand).count() == 2
    assert Notification.objects.filter(recipient=setting["expert"].user, kind="docking.push").count() == 1
    assert Notification.objects.filter(recipient=second.user, kind="docking.push").count() == 1


def test_experts_who_refuse_pushes_are_not_addressed(setting, reviewers, regions):
    demand = setting["demand"]
    quiet = expert_with_login(regions["county"], name="孙工", accepts_push=False)
    confirmed(reviewers["county"], demand, TargetKind.EXPERT, quiet.pk)
    services.response_push(actor=reviewers["county"], demand=demand)
    assert not PushRecipient.objects.filter(user=quiet.user).exists()
    assert not Notification.objects.filter(recipient=quiet.user).exists()


def test_an_overlong_message_is_refused(setting, reviewers):
    with pytest.raises(DomainError) as error:
        services.response_push(actor=reviewers["county"], demand=setting["demand"], message="长" * 2001)
    assert "message" in error.value.fields


# --- Answers ---------------------------------------------------------------------------------------


@pytest.fixture
def pushed(setting, reviewers):
    services.response_push(actor=reviewers["county"], demand=setting["demand"])
    return {
        "expert_row": PushRecipient.objects.get(user=setting["expert"].user),
        "org_row": PushRecipient.objects.get(user=setting["org_admin"]),
        **setting,
    }


def answers_to_creator(pushed):
    return Notification.objects.filter(recipient=pushed["enterprise"], kind="docking.answer")


def test_an_expert_is_interested(pushed):
    row = services.answer(actor=pushed["expert"].user, recipient_row=pushed["expert_row"], kind="interested")
    assert row.answer == AnswerKind.INTERESTED
    assert row.answered_at is not None
    (note,) = answers_to_creator(pushed)
    assert "王教授" in note.title
    assert "有意向" in note.title
    (event,) = [e for e in events_for(row) if e.action == "docking.pushrecipient.answer"]
    assert (event.from_state, event.to_state) == ("pending", "interested")


def test_an_organisation_declines_with_a_reason(pushed):
    row = services.answer(
        actor=pushed["org_admin"],
        recipient_row=pushed["org_row"],
        kind="declined",
        reason=DeclineReason.NO_CAPACITY,
        message="今年任务已满",
    )
    assert (row.answer, row.decline_reason, row.text) == ("declined", "no_capacity", "今年任务已满")
    (note,) = answers_to_creator(pushed)
    assert "暂无精力承接" in note.body
    assert "今年任务已满" in note.body


@pytest.mark.parametrize(
    ("kind", "reason", "message", "field"),
    [
        ("declined", "", "", "reason"),
        ("declined", "other", "", "message"),
        ("message", "", "  ", "message"),
        ("maybe", "", "", "kind"),
    ],
)
def test_incomplete_answers_are_refused(pushed, kind, reason, message, field):
    with pytest.raises(DomainError) as error:
        services.answer(
            actor=pushed["expert"].user,
            recipient_row=pushed["expert_row"],
            kind=kind,
            reason=reason,
            message=message,
        )
    assert field in error.value.fields
    assert not answers_to_creator(pushed).exists()


def test_a_message_and_then_a_change_of_mind(pushed):
    user, row = pushed["expert"].user, pushed["expert_row"]
    services.answer(actor=user, recipient_row=row, kind="message", message="请问样品规格？")
    services.answer(actor=user, recipient_row=row, kind="message", message="另需测试报告")
    services.answer(actor=user, recipient_row=row, kind="interested")
    with pytest.raises(DomainError) as error:
        services.answer(actor=user, recipient_row=row, kind="interested")
    assert error.value.code == "unchanged"
    row.refresh_from_db()
    assert row.answer == "interested"
    assert row.text == ""
    assert answers_to_creator(pushed).count() == 3


@pytest.mark.parametrize("who", ["org_admin", "enterprise", "county_reviewer"])
def test_only_the_addressed_person_answers(pushed, reviewers, who):
    actor = reviewers["county"] if who == "county_reviewer" else pushed[who]
    with pytest.raises(NotPermitted):
        services.answer(actor=actor, recipient_row=pushed["expert_row"], kind="interested")
    pushed["expert_row"].refresh_from_db()
    assert pushed["expert_row"].answer == ""


def test_no_answers_once_the_demand_is_closed(pushed):
    demand_services.demand_close(actor=pushed["enterprise"], demand=pushed["demand"], solved=True)
    with pytest.raises(DomainError) as error:
        services.answer(actor=pushed["expert"].user, recipient_row=pushed["expert_row"], kind="interested")
    assert error.value.code == "closed"
