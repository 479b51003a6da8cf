"""Writes to core's shared reference data, each checked by core.policies and audited; one-time form keys."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from techmarket.core import policies, principals
from techmarket.core.audit import record_event
from techmarket.core.choices import CalendarDayKind, RegionLevel
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.core.models import CalendarDay, Region, SubmissionKey


def region_set_province_review(*, actor: Any, region: Region, required: bool, reason: str) -> Region:
    """Switch whether a province's records need province review after the city's (audited, with a reason).

    Records already under review keep their path; the setting decides where the next city approval
    leads. Setting it to what it already is changes and records nothing.
    """
    if not policies.can_set_province_review(principals.principal_of(actor)):
        raise NotPermitted()
    if region.level != RegionLevel.PROVINCE:
        raise DomainError(
            "not_a_province",
            _("只有省级区划可以设置是否需要省级审核。"),
            fields={"requires_province_review": [_("只有省级区划可以设置是否需要省级审核。")]},
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", _("请填写理由。"), fields={"reason": [_("请填写理由。")]})
    with transaction.atomic():
        locked = Region.objects.select_for_update().get(pk=region.pk)
        if locked.requires_province_review == required:
            return locked
        locked.requires_province_review = required
        locked.save(update_fields=["requires_province_review"])
        record_event(
            actor=actor,
            action="core.region.update",
            target=locked,
            reason=reason,
            data={"requires_province_review": required},
        )
    return locked


def new_submission_key() -> str:
    """A fresh one-time key for a form being rendered (see :func:`claim_submission`)."""
    return uuid.uuid4().hex


def claim_submission(key: str) -> bool:
    """Claim a form's one-time key inside the caller's transaction; False when it was already used.

    The unique constraint decides, so two simultaneous submissions cannot both win; when the caller's
    write fails and its transaction rolls back, the key is free again for a corrected submission.
    """
    try:
        with transaction.atomic():
            SubmissionKey.objects.create(key=key[:64])
    except IntegrityError:
        return False
    return True


def calendar_day_set(
    *,
    actor: Any,
    date: datetime.date,
    kind: str,
    name: str = "",
    note: str = "",
    region: Region | None = None,
) -> CalendarDay:
    """Make ``date`` a holiday or a 调休 working day (nationally, or for ``region`` and below); audited.

    Setting what is already there changes and records nothing.
    """
    if not policies.can_edit_calendar(principals.principal_of(actor)):
        raise NotPermitted()
    if kind not in CalendarDayKind.values:
        raise DomainError("invalid", _("日期类型无效。"), fields={"kind": [_("日期类型无效。")]})
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(date=date, region=region).first()
        before = {"kind": day.kind, "name": day.name, "note": day.note} if day else {}
        if before == {"kind": kind, "name": name, "note": note}:
            return day  # type: ignore[return-value]
        day = day or CalendarDay(date=date, region=region)
        day.kind, day.name, day.note, day.updated_by = kind, name, note, actor
        day.save()
        record_event(
            actor=actor,
            action="core.calendarday.set",
            target=day,
            data={
                "date": date.isoformat(),
                "region": region.pk if region else None,
                "before": before,
                "kind": kind,
                "name": name,
                "note": note,
            },
        )
    return day


def calendar_day_clear(*, actor: Any, day: CalendarDay, reason: str = "") -> None:
    """Remove an exception: the date follows the Monday–Friday rule again (audited)."""
    if not policies.can_edit_calendar(principals.principal_of(actor)):
        raise NotPermitted()
    with transaction.atomic():
        record_event(
            actor=actor,
            action="core.calendarday.clear",
            target=day,
            reason=reason,
            data={
                "date": day.date.isoformat(),
                "region": day.region_id,
                "kind": day.kind,
                "name": day.name,
            },
        )
        CalendarDay.objects.filter(pk=day.pk).delete()
