"""The only writer of AuditEvent rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from techmarket.core.models import AuditEvent


def target_label(target: models.Model) -> str:
    return f"{target._meta.app_label}.{target._meta.model_name}"


def record_event(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event; call inside the transaction that makes the change."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target_label(target),
        target_id=str(target.pk),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
    )


def record_events_bulk(
    *,
    actor: Any,
    action: str,
    entries: Iterable[tuple[models.Model, dict[str, Any]]],
    to_state: str = "",
) -> list[AuditEvent]:
    """Append one event per (target, data) in batched INSERTs (bulk imports); call inside their transaction."""
    actor = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor,
                action=action,
                target_type=target_label(target),
                target_id=str(target.pk),
                to_state=to_state,
                data=data,
            )
            for target, data in entries
        ],
        batch_size=500,
    )


def events_for(target: models.Model) -> models.QuerySet[AuditEvent]:
    """The timeline of one record, oldest first."""
    return AuditEvent.objects.filter(
        target_type=target_label(target), target_id=str(target.pk)
    ).select_related("actor")


def submission_target_id(*, action: str, actor: Any, submission_key: str) -> str | None:
    """The id of the object an earlier write with this one-time key made (its audit event carries the key,
    see :mod:`core.api.idempotency`), or None when no write with it was committed."""
    if not submission_key or not getattr(actor, "is_authenticated", False):
        return None
    event = (
        AuditEvent.objects.filter(action=action, actor=actor, data__submission_key=submission_key)
        .only("target_id")
        .first()
    )
    return event.target_id if event is not None else None
