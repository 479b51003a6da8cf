"""No 受限 record leaks through docking: push messages, reminders, the dashboard, the inbox or the API."""

from __future__ import annotations

import pytest
from django.core import mail

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.achievements import services as achievement_services
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state, applicant_of
from techmarket.demands import services as demand_services
from techmarket.demands.tests.factories import enterprise_user
from techmarket.docking import services
from techmarket.docking.models import PushRecipient
from techmarket.docking.tests.factories import (
    ResponseClockFactory,
    at,
    confirmed,
    engine_suggestion,
    expert_with_login,
    published_demand,
)
from techmarket.matching.choices import TargetKind
from techmarket.notifications.models import Notification

pytestmark = pytest.mark.django_db

SECRET_ACHIEVEMENT = "保密级高频隔离变压器工艺"
SECRET_DEMAND = "机密型号雷达罩透波材料需求"


@pytest.fixture
def restricted_achievement(regions, reviewers):
    holder = applicant_of(region=regions["county"])
    return achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=holder,
        region=regions["county"],
        reviewers=reviewers,
        name=SECRET_ACHIEVEMENT,
        confidentiality="restricted",
    )


def test_a_restricted_achievement_is_named_only_to_readers_who_may_see_it(
    regions, reviewers, restricted_achievement, django_capture_on_commit_callbacks
):
    enterprise = enterprise_user(regions["county"])
    colleague = user_with_role(Role.ORG_ADMIN, organisation=enterprise.organisation)
    achievement_services.access_grant(
        actor=restricted_achievement.created_by, achievement=restricted_achievement, user=colleague
    )
    public = achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=applicant_of(region=regions["county"]),
        region=regions["county"],
        reviewers=reviewers,
        name="公开的导热膜技术",
    )
    demand = published_demand(regions["county"], reviewers["county"], enterprise=enterprise)
    engine_suggestion(demand, TargetKind.ACHIEVEMENT, restricted_achievement)
    confirmed(reviewers["county"], demand, TargetKind.ACHIEVEMENT, public.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = services.response_push(actor=reviewers["county"], demand=demand)

    (hidden,) = Notification.objects.filter(recipient=enterprise, kind="docking.response")
    assert SECRET_ACHIEVEMENT not in hidden.body
    assert SECRET_ACHIEVEMENT not in hidden.title
    assert "一项受限成果" in hidden.body
    assert "公开的导热膜技术" in hidden.body
    assert hidden.data == {"demand": demand.pk, "response": response.pk}
    (shown,) = Notification.objects.filter(recipient=colleague, kind="docking.response")
    assert SECRET_ACHIEVEMENT in shown.body
    to_enterprise = [m for m in mail.outbox if enterprise.email in m.to]
    assert to_enterprise
    assert all(SECRET_ACHIEVEMENT not in m.body for m in to_enterprise)


def test_a_restricted_demand_goes_only_to_the_people_it_is_pushed_to(regions, reviewers, broker):
    demand = published_demand(
        regions["county"], reviewers["county"], title=SECRET_DEMAND, confidentiality="restricted"
    )
    chosen = expert_with_login(regions["county"], name="被推送专家")
    bystander = expert_with_login(regions["county"], name="旁观专家")
    confirmed(reviewers["county"], demand, TargetKind.EXPERT, chosen.pk)
    clock = demand.response_clock
    services.clock_tick(now=at(clock, 20))
    services.response_push(actor=reviewers["county"], demand=demand)
    services.clock_tick(now=at(clock, 48))
    (note,) = Notification.objects.filter(recipient=chosen.user)
    assert SECRET_DEMAND in note.title
    readers = set(
        Notification.objects.filter(title__contains=SECRET_DEMAND).values_list("recipient_id", flat=True)
    )
    assert readers == {chosen.user_id, reviewers["county"].pk, demand.created_by_id}
    assert not Notification.objects.filter(
        recipient__in=[bystander.user, broker, reviewers["other_city"]]
    ).exists()


def test_the_dashboard_counts_only_demands_the_viewer_may_see(regions, reviewers, broker, client):
    reviewers["county"].display_name = "县审核员甲"
    reviewers["county"].save(update_fields=["display_name"])
    secret = published_demand(
        regions["county"], reviewers["county"], title=SECRET_DEMAND, confidentiality="restricted"
    )
    open_public = published_demand(regions["county"], reviewers["county"], title="公开的散热需求")
    answered = published_demand(regions["county"], reviewers["county"], confidentiality="restricted")
    clock = answered.response_clock
    ResponseClockFactory(
        demand=answered,
        started_at=clock.started_at,
        responded_at=at(clock, 3),
        responded_by=reviewers["county"],
    )
    for viewer, sees_secret in ((broker, False), (reviewers["other_city"], False), (reviewers["city"], True)):
        client.force_login(viewer)
        page = client.get("/docking/dashboard/").content.decode()
        data = client.get("/api/v1/docking/dashboard/").json()
        assert (SECRET_DEMAND in page) is sees_secret
        assert (secret.pk in [row["demand"] for row in data["open"]]) is sees_secret
        assert data["overall"] is None if not sees_secret else data["overall"]["count"] == 1
        assert ("县审核员甲" in page) is sees_secret  # the per-responder statistics
    client.force_login(broker)
    assert [row["demand"] for row in client.get("/api/v1/docking/dashboard/").json()["open"]] == [
        open_public.pk
    ]


def test_the_inbox_drops_a_restricted_demand_once_it_is_withdrawn(regions, reviewers, client):
    enterprise = enterprise_user(regions["county"])
    demand = published_demand(
        regions["county"],
        reviewers["county"],
        enterprise=enterprise,
        title=SECRET_DEMAND,
        confidentiality="restricted",
    )
    expert = expert_with_login(regions["county"])
    confirmed(reviewers["county"], demand, TargetKind.EXPERT, expert.pk)
    services.response_push(actor=reviewers["county"], demand=demand)
    client.force_login(expert.user)
    assert SECRET_DEMAND in client.get("/docking/inbox/").content.decode()
    demand_services.demand_withdraw(actor=enterprise, demand=demand)
    assert SECRET_DEMAND not in client.get("/docking/inbox/").content.decode()
    assert client.get("/api/v1/docking/pushes/").json()["count"] == 0
    row = PushRecipient.objects.get(user=expert.user)
    assert (
        client.post(f"/api/v1/docking/pushes/{row.pk}/answer/", {"answer": "interested"}).status_code == 404
    )
