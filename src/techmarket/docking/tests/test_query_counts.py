"""The reminder tick reads its recipients in a fixed number of queries, whatever their number."""

from __future__ import annotations

from pathlib import Path

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.core.testing.query_counts import QueryBaseline, count_queries
from techmarket.docking import selectors, services
from techmarket.docking.tests.factories import at, published_demand

pytestmark = pytest.mark.django_db
BASELINE = QueryBaseline(Path(__file__).with_name("query_counts.json"))
# What one more recipient may cost: notifications.notify writes each message (a savepoint, the
# notification, its in-app delivery and its audit event), never reads anything per recipient.
PER_NOTIFICATION = 5


def _tick(regions, reviewers, brokers: int) -> tuple[int, int]:
    for _ in range(brokers):
        user_with_role(Role.BROKER)
    clock = published_demand(regions["county"], reviewers["county"]).response_clock
    demand = clock.demand
    recipients, _result, _sql = count_queries(lambda: selectors.reminder_recipients(demand))
    tick, result, _sql = count_queries(lambda: services.clock_tick(now=at(clock, 20)))
    assert result == {"reminded": 1, "escalated": 0}
    return recipients, tick


@pytest.mark.parametrize("brokers", [2, 8])
def test_reminder_tick_queries(regions, reviewers, brokers):
    recipients, tick = _tick(regions, reviewers, brokers)
    BASELINE.check(f"docking.reminder_recipients[{brokers} brokers]", recipients)
    BASELINE.check(f"docking.clock_tick remind[{brokers} brokers]", tick)


def test_reminder_recipients_do_not_grow_with_the_brokers(regions, reviewers):
    few = _tick(regions, reviewers, 2)
    many = _tick(regions, reviewers, 6)
    assert many[0] == few[0], "reminder_recipients reads per recipient"
    assert many[1] - few[1] <= 6 * PER_NOTIFICATION, "the tick reads per recipient"
