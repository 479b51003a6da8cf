"""The response clock with a controlled clock: start on publication, reminder, deadline, escalation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.core.audit import events_for
from techmarket.core.tests.factories import region_tree
from techmarket.demands import services as demand_services
from techmarket.demands.tests.factories import enterprise_user
from techmarket.docking import services
from techmarket.docking.models import ResponseClock
from techmarket.docking.tasks import tick_response_clocks
from techmarket.docking.tests.factories import (
    ClockPolicyFactory,
    at,
    confirmed,
    expert_with_login,
    published_demand,
)
from techmarket.matching.choices import TargetKind
from techmarket.notifications.models import Notification

pytestmark = pytest.mark.django_db


def kinds_for(user, kind):
    return list(Notification.objects.filter(recipient=user, kind=kind))


def test_publication_starts_the_clock_with_the_default_hours(regions, reviewers):
    demand = published_demand(regions["county"], reviewers["county"])
    clock = ResponseClock.objects.get(demand=demand)
    assert clock.started_at == demand.published_at
    assert clock.hours == 24
    assert clock.deadline == demand.published_at + timedelta(hours=24)
    assert clock.remind_at == clock.deadline - timedelta(hours=4)
    assert clock.responded_at is None
    assert [e.action for e in events_for(clock)] == ["docking.responseclock.start"]


def test_the_nearest_policy_on_the_region_chain_sets_the_hours(regions, reviewers, settings):
    ClockPolicyFactory(region=regions["province"], hours=48, remind_before_hours=8)
    ClockPolicyFactory(region=regions["city"], hours=12, remind_before_hours=2)
    county = published_demand(regions["county"], reviewers["county"])
    other = published_demand(regions["other_county"], reviewers["province"])
    assert county.response_clock.hours == 12
    assert county.response_clock.remind_at == county.response_clock.deadline - timedelta(hours=2)
    assert other.response_clock.hours == 48
    settings.TECHMARKET = {**settings.TECHMARKET, "RESPONSE_HOURS": 36}
    elsewhere = region_tree(province_code="980000")
    reviewer = user_with_role(Role.REVIEWER, region=elsewhere["province"])
    assert published_demand(elsewhere["county"], reviewer).response_clock.hours == 36


def test_a_reminder_longer_than_the_clock_reminds_at_the_start(regions, reviewers):
    ClockPolicyFactory(region=regions["county"], hours=2, remind_before_hours=5)
    clock = published_demand(regions["county"], reviewers["county"]).response_clock
    assert clock.remind_at == clock.started_at
    assert services.clock_tick(now=at(clock, 0)) == {"reminded": 1, "escalated": 0}


def test_zero_remind_before_hours_means_no_reminder(regions, reviewers):
    ClockPolicyFactory(region=regions["other_city"], hours=3, remind_before_hours=0)
    clock = published_demand(regions["other_city"], reviewers["other_city"]).response_clock
    assert clock.remind_at == clock.deadline
    assert services.clock_tick(now=at(clock, 2.9)) == {"reminded": 0, "escalated": 0}
    assert services.clock_tick(now=at(clock, 3)) == {"reminded": 0, "escalated": 1}


def test_nothing_happens_before_the_reminder_time(regions, reviewers, broker):
    clock = published_demand(regions["county"], reviewers["county"]).response_clock
    assert services.clock_tick(now=at(clock, 19.9)) == {"reminded": 0, "escalated": 0}
    clock.refresh_from_db()
    assert clock.reminded_at is None
    assert clock.escalated_at is None
    assert not Notification.objects.filter(kind__startswith="docking.").exists()


def test_one_reminder_to_the_own_level_reviewers_and_brokers_of_a_public_demand(regions, reviewers, broker):
    clock = published_demand(regions["county"], reviewers["county"]).response_clock
    assert services.clock_tick(now=at(clock, 20)) == {"reminded": 1, "escalated": 0}
    assert services.clock_tick(now=at(clock, 21)) == {"reminded": 0, "escalated": 0}
    clock.refresh_from_db()
    assert clock.reminded_at == at(clock, 20)
    assert len(kinds_for(reviewers["county"], "docking.reminder")) == 1
    assert len(kinds_for(broker, "docking.reminder")) == 1
    reminder = kinds_for(reviewers["county"], "docking.reminder")[0]
    assert clock.demand.title in reminder.title
    assert reminder.link == "/docking/dashboard/"
    for name in ("city", "province", "other_city"):
        assert not kinds_for(reviewers[name], "docking.reminder")
    assert [e.action for e in events_for(clock)][-1] == "docking.responseclock.remind"


def test_a_restricted_demand_is_not_announced_to_brokers(regions, reviewers, broker):
    clock = published_demand(
        regions["county"], reviewers["county"], confidentiality="restricted"
    ).response_clock
    services.clock_tick(now=at(clock, 20))
    assert len(kinds_for(reviewers["county"], "docking.reminder")) == 1
    assert not Notification.objects.filter(recipient=broker).exists()


def test_the_reminder_goes_to_the_nearest_level_with_reviewers(regions, reviewers):
    reviewers["county"].roles.all().delete()
    clock = published_demand(regions["county"], reviewers["city"]).response_clock
    services.clock_tick(now=at(clock, 20))
    assert len(kinds_for(reviewers["city"], "docking.reminder")) == 1


def test_after_the_deadline_the_next_level_up_is_told_once(regions, reviewers):
    clock = published_demand(regions["county"], reviewers["county"]).response_clock
    services.clock_tick(now=at(clock, 20))
    assert services.clock_tick(now=at(clock, 24)) == {"reminded": 0, "escalated": 1}
    assert services.clock_tick(now=at(clock, 30)) == {"reminded": 0, "escalated": 0}
    clock.refresh_from_db()
    assert clock.escalated_at == at(clock, 24)
    assert clock.escalated_to == regions["city"].code
    assert len(kinds_for(reviewers["city"], "docking.escalation")) == 1
    assert not kinds_for(reviewers["county"], "docking.escalation")
    assert not kinds_for(reviewers["province"], "docking.escalation")
    assert len(kinds_for(reviewers["county"], "docking.reminder")) == 1
    assert [e.action for e in events_for(clock)][-1] == "docking.responseclock.escalate"


def test_a_city_demand_escalates_to_the_province(regions, reviewers):
    clock = published_demand(regions["city"], reviewers["city"]).response_clock
    services.clock_tick(now=at(clock, 25))
    clock.refresh_from_db()
    assert clock.escalated_to == regions["province"].code
    assert len(kinds_for(reviewers["province"], "docking.escalation")) == 1
    assert clock.reminded_at is None  # a tick that comes late only escalates


def test_a_province_demand_escalates_to_platform_admins(regions, reviewers, admin_user):
    clock = published_demand(regions["province"], reviewers["province"]).response_clock
    services.clock_tick(now=at(clock, 25))
    clock.refresh_from_db()
    assert clock.escalated_at is not None
    assert clock.escalated_to == ""
    assert len(kinds_for(admin_user, "docking.escalation")) == 1


def test_nothing_is_sent_after_a_response(regions, reviewers, broker):
    demand = published_demand(regions["county"], reviewers["county"])
    clock = demand.response_clock
    expert = expert_with_login(regions["county"])
    confirmed(reviewers["county"], demand, TargetKind.EXPERT, expert.pk)
    services.response_push(actor=reviewers["county"], demand=demand, now=at(clock, 3))
    assert services.clock_tick(now=at(clock, 20)) == {"reminded": 0, "escalated": 0}
    assert services.clock_tick(now=at(clock, 48)) == {"reminded": 0, "escalated": 0}
    assert not Notification.objects.filter(kind__in=["docking.reminder", "docking.escalation"]).exists()


def test_a_closed_demand_stops_being_chased(regions, reviewers):
    enterprise = enterprise_user(regions["county"])
    demand = published_demand(regions["county"], reviewers["county"], enterprise=enterprise)
    demand_services.demand_withdraw(actor=enterprise, demand=demand)
    assert services.clock_tick(now=at(demand.response_clock, 30)) == {"reminded": 0, "escalated": 0}


def test_the_periodic_task_ticks_the_clocks(regions, reviewers, monkeypatch):
    clock = published_demand(regions["county"], reviewers["county"]).response_clock
    seen = {}
    real_tick = services.clock_tick

    def fake_tick(*, now=None):
        seen["called"] = True
        return real_tick(now=at(clock, 20))

    monkeypatch.setattr(services, "clock_tick", fake_tick)
    tick_response_clocks.call_local()
    assert seen == {"called": True}
    assert len(kinds_for(reviewers["county"], "docking.reminder")) == 1


def test_reminders_are_written_in_the_platform_language(regions, reviewers):
    clock = published_demand(regions["county"], reviewers["county"]).response_clock
    services.clock_tick(now=at(clock, 20))
    assert "须在" in kinds_for(reviewers["county"], "docking.reminder")[0].body
