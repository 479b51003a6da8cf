"""Demo notifications for ``techmarket demo`` (called last by portal.demo): the other apps' demos have
notified people as their workflows ran; here people have read some of it, as they would have.

Older messages are mostly read, the latest few of each person stay unread, so every role account shows
an unread count and a history. Marked through notifications.services, as the inbox does.
"""

from __future__ import annotations

import random

from techmarket.notifications import services
from techmarket.notifications.models import Notification

UNREAD_LATEST = 3  # each person's newest messages stay unread


def seed(rng: random.Random) -> dict[str, int]:
    """Mark most of each person's older notifications read; returns how many are read and unread."""
    counts = {"read": 0, "unread": 0}
    seen: dict[int, int] = {}
    for notification in Notification.objects.select_related("recipient").order_by("-created_at", "-pk"):
        position = seen.get(notification.recipient_id, 0)
        seen[notification.recipient_id] = position + 1
        if position >= UNREAD_LATEST and rng.random() < 0.8:
            services.mark_read(notification.recipient, notification.pk)
            counts["read"] += 1
        else:
            counts["unread"] += 1
    return counts


class QuietSmsSender:
    """The SMS sender while the demo is created: its texts are about backdated history and go nowhere."""

    def send(self, phone: str, text: str) -> None:
        return None
