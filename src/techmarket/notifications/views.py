"""The inbox page: list, open (mark read and follow the link) and mark all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from techmarket.accounts.http import acting_user
from techmarket.core.errors import NotFound
from techmarket.core.web import paginate
from techmarket.notifications import selectors, services


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = paginate(request, selectors.inbox(request.user, unread_only=unread_only))
    return render(request, "notifications/inbox.html", {"page": page, "unread_only": unread_only})


@login_required
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the message read and go to its link; links off this site are not followed."""
    try:
        notification = services.mark_read(acting_user(request), pk)
    except NotFound:
        raise Http404 from None
    return redirect(notification.local_link or "notifications:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(acting_user(request))
    messages.success(request, _("已将 %(count)d 条消息标记为已读。") % {"count": count})
    return redirect("notifications:inbox")
