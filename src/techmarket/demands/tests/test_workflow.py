"""Every demand transition, by every role: who may fire it, what it records."""

from __future__ import annotations

import pytest

from techmarket.core.errors import DomainError, InvalidTransition
from techmarket.core.models import AuditEvent
from techmarket.demands import services
from techmarket.demands.choices import DemandState
from techmarket.demands.tests.factories import demand_in_state, enterprise_user
from techmarket.demands.workflow import DEMAND_WORKFLOW

pytestmark = pytest.mark.django_db

# Who may fire which transition is checked through the services for every source state and role by the
# generated matrix (core/tests/test_workflow_matrix.py, case in demands/tests/workflow_cases.py), which
# also pins this table of the rules.


def test_the_matrix_case_pins_every_transition():
    from techmarket.demands.tests.workflow_cases import CASES, PINNED

    assert set(PINNED) == set(DEMAND_WORKFLOW.names())
    assert {case.prefix for case in CASES} == {"demands.demand"}


def test_reasons_are_required_where_declared(regions, reviewers):
    enterprise = enterprise_user(regions["county"])
    demand = demand_in_state(DemandState.SUBMITTED, enterprise=enterprise, region=regions["county"])
    with pytest.raises(DomainError):
        services.demand_return(actor=reviewers["county"], demand=demand, reason=" ")
    published = demand_in_state(
        DemandState.PUBLISHED, enterprise=enterprise, region=regions["county"], reviewer=reviewers["county"]
    )
    with pytest.raises(DomainError):
        services.demand_close(actor=enterprise, demand=published, solved=False, note="")


def test_closed_demands_stay_closed(regions, reviewers):
    enterprise = enterprise_user(regions["county"])
    solved = demand_in_state(
        DemandState.SOLVED, enterprise=enterprise, region=regions["county"], reviewer=reviewers["county"]
    )
    for name in ("withdraw", "close_unsolved", "submit", "publish"):
        with pytest.raises(InvalidTransition):
            DEMAND_WORKFLOW.fire(solved, name, actor=enterprise, reason="x")


def test_approval_publishes_and_stamps_the_time(regions, reviewers):
    enterprise = enterprise_user(regions["county"])
    demand = demand_in_state(
        DemandState.PUBLISHED, enterprise=enterprise, region=regions["county"], reviewer=reviewers["county"]
    )
    assert demand.published_at is not None
    actions = list(
        AuditEvent.objects.filter(target_id=str(demand.pk), target_type="demands.demand").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "demands.demand.create",
        "demands.demand.submit",
        "demands.demand.approve",
        "demands.demand.publish",
    ]


def test_other_city_reviewer_cannot_see_or_review(regions, reviewers):
    from techmarket.accounts.policies import principal_of
    from techmarket.demands import policies

    demand = demand_in_state(
        DemandState.SUBMITTED, enterprise=enterprise_user(regions["county"]), region=regions["county"]
    )
    assert not policies.can_view(principal_of(reviewers["other_city"]), demand)
    assert policies.can_view(principal_of(reviewers["province"]), demand)
