"""The state-machine engine, on a toy workflow over the achievement model (its rules are tested elsewhere)."""

from __future__ import annotations

from unittest import mock

import pytest

from techmarket.achievements.models import Achievement
from techmarket.achievements.tests.factories import draft
from techmarket.core.errors import DomainError, InvalidTransition, NotPermitted
from techmarket.core.models import AuditEvent
from techmarket.core.workflow import Transition, Workflow

pytestmark = pytest.mark.django_db

ALLOWED: set[str] = set()


def toy_workflow() -> Workflow:
    return Workflow(
        event_prefix="toy",
        state_field="state",
        permission=lambda actor, name, obj: name in ALLOWED,
        transitions=[
            Transition("start", frozenset({"draft"}), "county_review", "开始"),
            Transition(
                "route",
                frozenset({"county_review"}),
                lambda obj: "published" if obj.trl >= 7 else "returned",
                "分流",
            ),
            Transition(
                "stop", frozenset({"draft", "county_review"}), "withdrawn", "停止", requires_reason=True
            ),
        ],
    )


@pytest.fixture
def record(regions, applicant):
    ALLOWED.clear()
    ALLOWED.update({"start", "route", "stop"})
    return draft(applicant=applicant, region=regions["county"])


def snapshot(pk):
    return Achievement.objects.values().get(pk=pk), AuditEvent.objects.count()


def test_fire_moves_the_state_writes_changes_and_the_event(record, applicant):
    workflow = toy_workflow()
    before_update = Achievement.objects.get(pk=record.pk).updated_at
    moved = workflow.fire(record, "start", actor=applicant, changes={"trl": 8}, data={"k": "v"})
    stored = Achievement.objects.get(pk=record.pk)
    assert (moved.state, stored.state, stored.trl) == ("county_review", "county_review", 8)
    assert stored.updated_at >= before_update
    assert moved is not record
    assert record.state == "draft"  # the caller's object is not touched; fire returns the fresh row
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.from_state, event.to_state, event.data) == (
        "toy.start",
        "draft",
        "county_review",
        {"k": "v"},
    )


def test_callable_target(record, applicant):
    workflow = toy_workflow()
    workflow.fire(record, "start", actor=applicant)
    assert workflow.fire(record, "route", actor=applicant).state == "returned"  # trl 6
    other = draft(applicant=applicant, region=record.region, trl=7)
    workflow.fire(other, "start", actor=applicant)
    assert workflow.fire(other, "route", actor=applicant).state == "published"


def test_unknown_name(record, applicant):
    before = snapshot(record.pk)
    with pytest.raises(InvalidTransition) as caught:
        toy_workflow().fire(record, "explode", actor=applicant)
    assert "explode" in str(caught.value.message)
    assert snapshot(record.pk) == before


def test_wrong_source_state_is_read_from_the_database(record, applicant):
    workflow = toy_workflow()
    workflow.fire(record, "start", actor=applicant)
    before = snapshot(record.pk)
    with pytest.raises(InvalidTransition) as caught:
        workflow.fire(record, "start", actor=applicant)  # the in-memory object still says draft
    assert caught.value.status == 409
    assert "县级审核中" in str(caught.value.message)
    assert snapshot(record.pk) == before


def test_permission(record, applicant):
    ALLOWED.discard("start")
    before = snapshot(record.pk)
    with pytest.raises(NotPermitted):
        toy_workflow().fire(record, "start", actor=applicant)
    assert snapshot(record.pk) == before


@pytest.mark.parametrize("reason", ["", "  ", None])
def test_required_reason(reason, record, applicant):
    before = snapshot(record.pk)
    with pytest.raises(DomainError) as caught:
        toy_workflow().fire(record, "stop", actor=applicant, reason=reason)
    assert caught.value.code == "reason_required"
    assert caught.value.fields == {"reason": [mock.ANY]}
    assert snapshot(record.pk) == before


def test_reason_is_stripped(record, applicant):
    toy_workflow().fire(record, "stop", actor=applicant, reason="  不再需要 \n")
    assert AuditEvent.objects.latest("id").reason == "不再需要"


def test_failure_after_the_save_rolls_everything_back(record, applicant):
    before = snapshot(record.pk)
    with (
        mock.patch("techmarket.core.workflow.record_event", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        toy_workflow().fire(record, "start", actor=applicant, changes={"trl": 9})
    assert snapshot(record.pk) == before


def test_available_and_is_allowed(record, applicant):
    workflow = toy_workflow()
    assert [t.name for t in workflow.available(record, applicant)] == ["start", "stop"]
    ALLOWED.discard("stop")
    assert [t.name for t in workflow.available(record, applicant)] == ["start"]
    assert not workflow.is_allowed(record, "route", applicant)
    assert not workflow.is_allowed(record, "nonexistent", applicant)


def test_table_describes_the_graph(db):
    table = toy_workflow().table()
    assert [row["name"] for row in table] == ["start", "route", "stop"]
    assert table[0] == {
        "name": "start",
        "label": "开始",
        "sources": ["draft"],
        "target": "county_review",
        "requires_reason": False,
    }
    assert table[1]["target"] == "(depends on region)"
    assert table[2]["requires_reason"] is True
    assert toy_workflow().names() == ["start", "route", "stop"]
