"""Reads of a user's own messages and notification preferences."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.policies import Principal
from techmarket.core.todo import TodoItem
from techmarket.notifications.choices import Channel, NoticeGroup, group_of
from techmarket.notifications.models import Notification, NotificationPreference

# The channels a person may switch off; the in-app message is always kept. Defaults without a row:
OPTIONAL_CHANNELS = (Channel.EMAIL, Channel.SMS)
DEFAULTS = {Channel.EMAIL: True, Channel.SMS: False}


def inbox(user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's messages, newest first (nothing for anonymous visitors)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    queryset = Notification.objects.filter(recipient_id=user.pk)
    return queryset.filter(read_at__isnull=True) if unread_only else queryset


def unread_count(user: Any) -> int:
    """How many of the user's messages are unread, for the header badge (0 for anonymous visitors)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def todo_items(principal: Principal) -> list[TodoItem]:
    """The person's unread messages, as one line of the to-do page linking to the message list."""
    if principal.user_id is None:
        return []
    count = Notification.objects.filter(recipient_id=principal.user_id, read_at__isnull=True).count()
    return [
        TodoItem(
            key="notifications.unread",
            title=_("未读消息"),
            count=count,
            url=reverse("notifications:inbox"),
            actionable=False,
        )
    ]


@dataclass(frozen=True)
class Preference:
    """One group's channels for one user (the in-app message is always on)."""

    group: str
    email: bool
    sms: bool

    @property
    def label(self) -> str:
        return str(NoticeGroup(self.group).label)


def preferences(user: Any) -> list[Preference]:
    """Every group's channels for the user, in the groups' order, defaults where they set nothing."""
    stored = {}
    if user is not None and getattr(user, "is_authenticated", False):
        stored = {row.group: row for row in NotificationPreference.objects.filter(user_id=user.pk)}
    rows = []
    for group in NoticeGroup.values:
        row = stored.get(group)
        rows.append(
            Preference(
                group=group,
                email=row.email if row else DEFAULTS[Channel.EMAIL],
                sms=row.sms if row else DEFAULTS[Channel.SMS],
            )
        )
    return rows


CACHE = "_notification_preferences"


def with_preferences(users: Iterable[Any]) -> list[Any]:
    """The users with their settings read in one query, for callers that notify many people at once
    (``channels_for`` then reads nothing per recipient)."""
    users = list(users)
    stored: dict[int, dict[str, NotificationPreference]] = {user.pk: {} for user in users}
    for row in NotificationPreference.objects.filter(user_id__in=list(stored)):
        stored[row.user_id][row.group] = row
    for user in users:
        setattr(user, CACHE, stored[user.pk])
    return users


def channels_for(user: Any, kind: str) -> set[str]:
    """The channels the user accepts for a notice of this kind: in-app always, e-mail and SMS as set."""
    group = group_of(kind)
    cached = getattr(user, CACHE, None)
    if cached is not None:
        row = cached.get(group)
    else:
        row = NotificationPreference.objects.filter(user_id=user.pk, group=group).first()
    email = row.email if row else DEFAULTS[Channel.EMAIL]
    sms = row.sms if row else DEFAULTS[Channel.SMS]
    return {Channel.IN_APP} | ({Channel.EMAIL} if email else set()) | ({Channel.SMS} if sms else set())
