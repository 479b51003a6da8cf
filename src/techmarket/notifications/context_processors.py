from typing import Any

from django.http import HttpRequest

from techmarket.notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    """The badge on the navbar bell: one COUNT query for signed-in users, none for visitors."""
    return {"notifications_unread": unread_count(getattr(request, "user", None))}
