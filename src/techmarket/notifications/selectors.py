"""Reads of a user's own messages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.policies import Principal
from techmarket.core.todo import TodoItem
from techmarket.notifications.models import Notification


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
