"""The only writer of AuditEvent rows."""

from __future__ import annotations

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


def events_for(target: models.Model) -> models.QuerySet[AuditEvent]:
    """The timeline of one record, oldest first."""
    return AuditEvent.objects.filter(
        target_type=target_label(target), target_id=str(target.pk)
    ).select_related("actor")
