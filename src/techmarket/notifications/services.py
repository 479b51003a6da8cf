"""Sending and reading notifications, and each user's choice of channels.

The in-app message is stored with the caller's change; e-mail and SMS leave only after that change
commits (``transaction.on_commit``), so a rolled-back change never tells anyone anything. A failing
channel is recorded as a Delivery and never breaks the caller. Which of e-mail and SMS a message may use
is the caller's to say (``channels``) and the recipient's to narrow (通知设置, per group of kinds); the
in-app message is always stored.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any, TypeVar

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.types import User
from techmarket.core.audit import record_event
from techmarket.core.errors import DomainError, NotFound
from techmarket.notifications import selectors
from techmarket.notifications.choices import Channel, DeliveryStatus, NoticeGroup
from techmarket.notifications.models import Delivery, Notification, NotificationPreference
from techmarket.notifications.sms import get_sender

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

ALL_CHANNELS = (Channel.IN_APP, Channel.EMAIL, Channel.SMS)
SMS_MAX_CHARS = 300


def in_platform_language(function: F) -> F:
    """Notices are stored text read later by people whose language is unknown here: write them in the
    platform's default language, whatever the language of the request that caused them."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def notice_hook(function: F) -> F:
    """An after-commit workflow hook that tells people about a transition: in the platform language, in
    one transaction, and safe to lose (the transition is committed; a failure is logged, never raised
    into the request that made it)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
                function(*args, **kwargs)
        except Exception:  # a lost notice must not turn a committed change into an error page
            logger.exception("notice hook %s failed", function.__qualname__)

    return wrapper  # type: ignore[return-value]


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
    """Store the in-app message now; queue e-mail and SMS for after the surrounding transaction commits.

    ``channels`` are those the notice may use; the recipient's preferences for the kind's group drop
    e-mail or SMS (named in the audit event as ``opted_out``); the in-app message is always stored.
    """
    wanted = set(channels)
    unknown = wanted - set(Channel.values)
    if unknown:
        raise DomainError(
            "unknown_channel", _("未知的通知渠道：%(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    accepted = selectors.channels_for(recipient, kind)
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
            data={
                "kind": notification.kind,
                "recipient": recipient.pk,
                "channels": sorted(wanted & accepted),
                "opted_out": sorted(wanted - accepted),
            },
        )
        wanted &= accepted
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


def notify_each(
    users: Iterable[User],
    *,
    actor: Any = None,
    may_see: Callable[[User], bool] | None = None,
    **notice: Any,
) -> list[User]:
    """Send the same notice (``notify``'s keywords) once to each distinct active user, leaving out the
    person who acted (``actor``, a user or a principal) and anyone ``may_see`` refuses (a notice names
    and links a record: someone who may not open it is not told about it). Returns who was told."""
    actor_id = getattr(actor, "user_id", None) or getattr(actor, "pk", None)
    readers: dict[int, User] = {}
    for user in users:
        if user.pk == actor_id or not user.is_active or user.pk in readers:
            continue
        if may_see is None or may_see(user):
            readers[user.pk] = user
    for user in selectors.with_preferences(readers.values()):
        notify(user, **notice)
    return list(readers.values())


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


# --- Preferences (通知设置) -------------------------------------------------------------------------


def preferences_set(*, actor: User, values: Mapping[str, Mapping[str, Any]]) -> list[selectors.Preference]:
    """Set the actor's own channels per group: ``{group: {"email": bool, "sms": bool}}``.

    Groups and channels left out keep their setting; an unknown group or channel, or a value that is
    not a yes/no, changes nothing and names the offending entry. Returns every group's setting.
    """
    errors: dict[str, list[Any]] = {}
    changes: dict[str, dict[str, bool]] = {}
    for group, channels in values.items():
        if group not in NoticeGroup.values:
            errors[str(group)] = [_("未知的通知类别。")]
            continue
        if not isinstance(channels, Mapping):
            errors[group] = [_("请为每个渠道填写是或否。")]
            continue
        for channel, value in channels.items():
            if channel not in selectors.OPTIONAL_CHANNELS:
                errors[f"{group}.{channel}"] = [_("未知的通知渠道，或该渠道不可关闭。")]
            elif not isinstance(value, bool):
                errors[f"{group}.{channel}"] = [_("请填写是或否。")]
            else:
                changes.setdefault(group, {})[channel] = value
    if errors:
        raise DomainError("invalid", _("通知设置有误，请检查标出的项。"), fields=errors)
    with transaction.atomic():
        before = {row.group: {"email": row.email, "sms": row.sms} for row in selectors.preferences(actor)}
        changed = {
            group: {**before[group], **wanted}
            for group, wanted in changes.items()
            if {**before[group], **wanted} != before[group]
        }
        for group, after in changed.items():
            NotificationPreference.objects.update_or_create(user=actor, group=group, defaults=after)
        if changed:
            record_event(
                actor=actor,
                action="notifications.preference.set",
                target=actor,
                data={"before": {group: before[group] for group in changed}, "after": changed},
            )
    return selectors.preferences(actor)
