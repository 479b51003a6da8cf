"""The bureau's to-do items: runs to check (not one's own), to approve (not one's own check), to publish,
to pay once the period is over, and open objections; nothing for anyone else."""

from __future__ import annotations

import pytest

from techmarket.accounts.policies import principal_of
from techmarket.accounts.tests.factories import UserFactory
from techmarket.subsidies import selectors, services
from techmarket.subsidies.tests.factories import POLICY_ID, YEAR

pytestmark = pytest.mark.django_db


def counts(user):
    return {item.key: item.count for item in selectors.todo_items(principal_of(user))}


def test_each_step_waits_for_the_right_person(bureau, reviewers):
    run = services.run_compute(actor=bureau["computer"], policy_id=POLICY_ID, year=YEAR, budget="100000")
    assert counts(bureau["checker"])["subsidies.check"] == 1
    assert counts(bureau["computer"])["subsidies.check"] == 0  # not one's own
    assert counts(reviewers["other_city"]).get("subsidies.check", 0) == 0
    assert counts(UserFactory()) == {}
    run = services.run_check(actor=bureau["checker"], run=run)
    assert counts(bureau["approver"])["subsidies.approve"] == 1
    assert "subsidies.approve" not in counts(bureau["checker"])  # reviewers never approve
    run = services.run_approve(actor=bureau["approver"], run=run)
    assert counts(bureau["computer"])["subsidies.publish"] == 1
    run = services.run_publish(actor=bureau["approver"], run=run)
    assert counts(bureau["computer"])["subsidies.pay"] == 0  # the period is not over
    services.objection_file(actor=UserFactory(), run=run, text="请核实")
    assert counts(bureau["checker"])["subsidies.objections"] == 1
    assert counts(reviewers["province"])["subsidies.objections"] == 1
