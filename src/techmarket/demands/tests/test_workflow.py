"""Every demand transition, by every role: who may fire it, what it records."""

from __future__ import annotations

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.core.errors import DomainError, InvalidTransition, NotPermitted
from techmarket.core.models import AuditEvent
from techmarket.demands import services
from techmarket.demands.choices import DemandState
from techmarket.demands.tests.factories import demand_in_state, enterprise_user
from techmarket.demands.workflow import DEMAND_WORKFLOW

pytestmark = pytest.mark.django_db

# transition → (state it starts from, roles allowed to fire it)
MATRIX = {
    "submit": (DemandState.DRAFT, {"enterprise"}),
    "approve": (DemandState.SUBMITTED, {"county", "city", "province", "admin"}),
    "return": (DemandState.SUBMITTED, {"county", "city", "province", "admin"}),
    "publish": (DemandState.APPROVED, {"county", "city", "province", "admin"}),
    "start_docking": (DemandState.PUBLISHED, {"county", "city", "province", "admin", "broker"}),
    "close_solved": (DemandState.PUBLISHED, {"enterprise", "county", "city", "province"}),
    "close_unsolved": (DemandState.DOCKING, {"enterprise", "county", "city", "province"}),
    "withdraw": (DemandState.PUBLISHED, {"enterprise"}),
}
ROLES = (
    "enterprise",
    "colleague_applicant",
    "county",
    "city",
    "province",
    "other_city",
    "broker",
    "expert",
    "admin",
)


def test_matrix_covers_every_transition():
    assert set(MATRIX) == set(DEMAND_WORKFLOW.names())


@pytest.mark.parametrize("transition", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_fire(regions, reviewers, transition, role):
    enterprise = enterprise_user(regions["county"])
    source, allowed = MATRIX[transition]
    demand = demand_in_state(
        source, enterprise=enterprise, region=regions["county"], reviewer=reviewers["county"]
    )
    actors = {
        **reviewers,
        "enterprise": enterprise,
        "colleague_applicant": user_with_role(Role.APPLICANT, organisation=enterprise.organisation),
        "broker": user_with_role(Role.BROKER),
        "expert": user_with_role(Role.EXPERT),
        "admin": user_with_role(Role.PLATFORM_ADMIN),
    }
    reason = "理由"
    if role in allowed:
        fired = DEMAND_WORKFLOW.fire(demand, transition, actor=actors[role], reason=reason)
        assert fired.state == DEMAND_WORKFLOW.get(transition).target
        event = AuditEvent.objects.filter(action=f"demands.demand.{transition}").latest("id")
        assert (event.from_state, event.to_state, event.actor_id) == (source, fired.state, actors[role].pk)
    else:
        with pytest.raises(NotPermitted):
            DEMAND_WORKFLOW.fire(demand, transition, actor=actors[role], reason=reason)


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
