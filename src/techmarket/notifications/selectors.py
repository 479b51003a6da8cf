"""Reads of a user's own messages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

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
