"""The audit log is append-only and is the timeline of every record."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models.deletion import ProtectedError

from techmarket.accounts.models import Organisation
from techmarket.core.audit import events_for, record_event, target_label
from techmarket.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_records_who_what_and_why(organisation, applicant):
    event = record_event(
        actor=applicant,
        action="accounts.organisation.test",
        target=organisation,
        from_state="pending",
        to_state="verified",
        reason="核实无误",
        data={"n": 1},
    )
    event.refresh_from_db()
    assert (event.actor, event.target_type, event.target_id) == (
        applicant,
        "accounts.organisation",
        str(organisation.pk),
    )
    assert (event.from_state, event.to_state, event.reason, event.data) == (
        "pending",
        "verified",
        "核实无误",
        {"n": 1},
    )
    assert event.created_at is not None


def test_anonymous_actor_is_stored_as_none(organisation):
    assert record_event(actor=AnonymousUser(), action="x", target=organisation).actor is None
    assert record_event(actor=None, action="x", target=organisation).actor is None


def test_events_cannot_be_changed_or_deleted(organisation, applicant):
    event = record_event(actor=applicant, action="x", target=organisation, reason="原理由")
    event.reason = "改过的理由"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="改过的理由")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == "原理由"


def test_actors_with_events_cannot_be_deleted(organisation, applicant):
    record_event(actor=applicant, action="x", target=organisation)
    with pytest.raises(ProtectedError):
        applicant.delete()


def test_timeline_is_per_target_and_oldest_first(regions, organisation, applicant):
    other = Organisation.objects.create(
        name="另一单位", kind="university", credit_code="91350100M000100Y43", region=regions["city"]
    )
    for action in ("first", "second", "third"):
        record_event(actor=applicant, action=action, target=organisation)
    record_event(actor=applicant, action="elsewhere", target=other)
    assert [e.action for e in events_for(organisation)] == ["first", "second", "third"]
    assert [e.action for e in events_for(other)] == ["elsewhere"]
    assert target_label(organisation) == "accounts.organisation"
