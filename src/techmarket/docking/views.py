"""Pages of docking: the reviewers' response dashboard, the push inbox and the region-hours settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import principal_of
from techmarket.conversations import selectors as conversation_selectors
from techmarket.core.errors import DomainError, NotFound
from techmarket.core.models import Region
from techmarket.core.web import paginate
from techmarket.demands import selectors as demand_selectors
from techmarket.demands import services as demand_services
from techmarket.docking import policies, selectors, services
from techmarket.docking.forms import AnswerForm, ClockPolicyForm, PushForm

MAX_REGION_HINTS = 500


def _chart_series(groups: list[selectors.GroupStats]) -> dict[str, list[Any]]:
    return {
        "names": [group.name for group in groups],
        "median": [group.median_hours for group in groups],
        "within": [round(group.within_share * 100, 1) for group in groups],
        "count": [group.count for group in groups],
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Open demands by time left (overdue first), and how fast responses came, per region and responder."""
    principal = principal_of(request.user)
    if not policies.can_view_dashboard(principal):
        raise PermissionDenied
    rows = selectors.open_clocks(principal, now=timezone.now())
    stats = selectors.response_stats(principal)
    chart = {
        "labels": {"median": _("响应时长中位数（小时）"), "within": _("按时响应率（%）")},
        "regions": _chart_series(stats["regions"]),
        "responders": _chart_series(stats["responders"]),
    }
    context = {
        "page": paginate(request, rows, per_page=50),
        "overdue_count": sum(1 for row in rows if row.overdue),
        "open_count": len(rows),
        "stats": stats,
        "chart": chart,
        "can_manage_policies": policies.can_manage_policies(principal),
    }
    return render(request, "docking/dashboard.html", context)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The matches pushed to the signed-in person (an expert, an organisation's administrator, an
    achievement's holder), with answer buttons."""
    principal = principal_of(request.user)
    page = paginate(request, selectors.inbox(principal))
    threads = conversation_selectors.my_threads_on(
        principal, demand_services.SUBJECT_KIND, [row.response.demand_id for row in page]
    )
    for row in page:
        row.match_name = selectors.match_name(principal, row.suggestion)
        row.thread = threads.get(row.response.demand_id)
    return render(request, "docking/inbox.html", {"page": page, "form": AnswerForm()})


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        row = selectors.push_recipient_get(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None
    form = AnswerForm(request.POST)
    target = reverse("docking:inbox") + f"#push-{row.pk}"
    if not form.is_valid():
        messages.error(request, _("答复有误，请检查后重试。"))
        return redirect(target)
    try:
        services.answer(
            actor=acting_user(request),
            recipient_row=row,
            kind=form.cleaned_data["kind"],
            reason=form.cleaned_data["reason"],
            message=form.cleaned_data["message"],
        )
    except DomainError as error:
        details = [str(m) for field_messages in error.fields.values() for m in field_messages]
        messages.error(request, " ".join([str(error.message), *details]))
        return redirect(target)
    messages.success(request, _("已答复，需求方会收到通知。"))
    thread = conversation_selectors.my_threads_on(
        principal_of(request.user), demand_services.SUBJECT_KIND, [row.response.demand_id]
    ).get(row.response.demand_id)
    if thread is not None:
        return redirect(conversation_selectors.thread_url(thread))
    return redirect(target)


@login_required
@require_POST
def push(request: HttpRequest, pk: int) -> HttpResponse:
    """Push the demand's confirmed matches; back to where the button was (a local page) afterwards."""
    principal = principal_of(request.user)
    try:
        demand = demand_selectors.demand_get(principal, pk)
    except NotFound:
        raise Http404 from None
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("docking:dashboard")
    form = PushForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("推送说明过长。"))
        return redirect(back)
    try:
        services.response_push(
            actor=acting_user(request), demand=demand, message=form.cleaned_data["message"]
        )
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from None
        messages.error(request, str(error.message))
        return redirect(back)
    messages.success(request, _("已推送对接响应。"))
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def policy_list(request: HttpRequest) -> HttpResponse:
    """Response hours per region, for platform admins and province/city reviewers within their scope."""
    principal = principal_of(request.user)
    if not policies.can_manage_policies(principal):
        raise PermissionDenied
    form = ClockPolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        region = Region.objects.filter(pk=form.cleaned_data["region"]).first()
        if region is None:
            form.add_error("region", _("行政区划代码不存在。"))
        else:
            try:
                if request.POST.get("clear"):
                    services.policy_clear(actor=acting_user(request), region=region)
                    messages.success(request, _("已恢复%(region)s的默认响应时限。") % {"region": region})
                else:
                    services.policy_set(
                        actor=acting_user(request),
                        region=region,
                        hours=form.cleaned_data["hours"],
                        remind_before_hours=form.cleaned_data["remind_before_hours"],
                    )
                    messages.success(request, _("已保存%(region)s的响应时限。") % {"region": region})
                return redirect("docking:policies")
            except DomainError as error:
                for field, field_messages in error.fields.items():
                    for message in field_messages:
                        form.add_error(field if field in form.fields else None, message)
                form.add_error(None, error.message)
    context = {
        "form": form,
        "rows": selectors.policies_in_scope(principal),
        "hints": selectors.editable_policies(principal)[:MAX_REGION_HINTS],
        "default_hours": selectors.default_hours(),
    }
    return render(request, "docking/policies.html", context, status=400 if form.errors else 200)
