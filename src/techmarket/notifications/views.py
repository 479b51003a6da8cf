"""The inbox page: list, open (mark read and follow the link) and mark all read; 通知设置."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from techmarket.accounts.http import acting_user
from techmarket.core.errors import DomainError, NotFound
from techmarket.core.web import apply_domain_error, paginate
from techmarket.notifications import selectors, services
from techmarket.notifications.forms import PreferencesForm


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


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """The caller's channels per group of notices (in-app messages are always kept)."""
    current = selectors.preferences(request.user)
    form = PreferencesForm(request.POST or None, preferences=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_set(actor=acting_user(request), values=form.values())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("通知设置已保存。"))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
