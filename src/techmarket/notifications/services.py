"""Sending and reading notifications.

The in-app message is stored with the caller's change; e-mail and SMS leave only after that change
commits (``transaction.on_commit``), so a rolled-back change never tells anyone anything. A failing
channel is recorded as a Delivery and never breaks the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.types import User
from techmarket.core.audit import record_event
from techmarket.core.errors import DomainError, NotFound
from techmarket.notifications.choices import Channel, DeliveryStatus
from techmarket.notifications.models import Delivery, Notification
from techmarket.notifications.sms import get_sender

logger = logging.getLogger(__name__)

ALL_CHANNELS = (Channel.IN_APP, Channel.EMAIL, Channel.SMS)
SMS_MAX_CHARS = 300


def notify(
    recipient: User,
    *,
    kind: str,
    title: str,
    body: str,
    link: str = "",
    data: dict[str, Any] | None = None,
    channels: Iterable[str] = ALL_CHANNELS,
) -> Notification:
    """Store the in-app message now; queue e-mail and SMS for after the surrounding transaction commits."""
    wanted = set(channels)
    unknown = wanted - set(Channel.values)
    if unknown:
        raise DomainError(
            "unknown_channel", _("未知的通知渠道：%(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        notification = Notification.objects.create(
            recipient=recipient,
            kind=kind[:40],
            title=title[:200],
            body=body,
            link=link[:300],
            data=data or {},
        )
        Delivery.objects.create(notification=notification, channel=Channel.IN_APP, status=DeliveryStatus.SENT)
        record_event(
            actor=None,
            action="notifications.notification.create",
            target=notification,
            data={"kind": notification.kind, "recipient": recipient.pk, "channels": sorted(wanted)},
        )
        if Channel.EMAIL in wanted:
            if recipient.email:
                transaction.on_commit(partial(_send_email, notification.pk, recipient.email), robust=True)
            else:
                _skip(notification, Channel.EMAIL, "no_email")
        if Channel.SMS in wanted:
            if recipient.phone:
                transaction.on_commit(partial(_send_sms, notification.pk, recipient.phone), robust=True)
            else:
                _skip(notification, Channel.SMS, "no_phone")
    return notification


def _skip(notification: Notification, channel: str, detail: str) -> None:
    Delivery.objects.create(
        notification=notification, channel=channel, status=DeliveryStatus.SKIPPED, detail=detail
    )


def _record(notification_id: int, channel: str, error: Exception | None) -> None:
    Delivery.objects.create(
        notification_id=notification_id,
        channel=channel,
        status=DeliveryStatus.FAILED if error else DeliveryStatus.SENT,
        detail=f"{type(error).__name__}: {error}"[:500] if error else "",
    )


def _send_email(notification_id: int, address: str) -> None:
    notification = Notification.objects.get(pk=notification_id)
    text = notification.body + (f"\n\n{notification.local_link}" if notification.local_link else "")
    error: Exception | None = None
    try:
        send_mail(notification.title, text, None, [address])
    except Exception as exc:  # any backend failure is recorded, never raised into the caller
        logger.exception("e-mail for notification %s failed", notification_id)
        error = exc
    _record(notification_id, Channel.EMAIL, error)


def _send_sms(notification_id: int, phone: str) -> None:
    notification = Notification.objects.get(pk=notification_id)
    text = f"{notification.title}：{notification.body}"[:SMS_MAX_CHARS]
    error: Exception | None = None
    try:
        get_sender().send(phone, text)
    except Exception as exc:  # a gateway failure is recorded, never raised into the caller
        logger.exception("SMS for notification %s failed", notification_id)
        error = exc
    _record(notification_id, Channel.SMS, error)


def _own(user: User, notification_id: Any) -> Notification:
    try:
        return Notification.objects.get(pk=int(notification_id), recipient_id=user.pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


@transaction.atomic
def mark_read(user: User, notification_id: Any) -> Notification:
    """Mark one of the user's own messages read; another user's message is NotFound."""
    notification = _own(user, notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        record_event(
            actor=user, action="notifications.notification.read", target=notification, to_state="read"
        )
    return notification


@transaction.atomic
def mark_all_read(user: User) -> int:
    """Mark every unread message of the user read; returns how many changed."""
    unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    ids = list(unread.values_list("pk", flat=True))
    if not ids:
        return 0
    Notification.objects.filter(pk__in=ids).update(read_at=timezone.now())
    record_event(
        actor=user, action="notifications.notification.read_all", target=user, data={"notifications": ids}
    )
    return len(ids)
