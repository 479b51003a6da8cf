"""Demand pages: the demand hall, filing from a phone, the enterprise's own list, review and detail."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import Principal, principal_of
from techmarket.conversations import selectors as conversation_selectors
from techmarket.core import masking
from techmarket.core.errors import DomainError, NotFound
from techmarket.core.web import apply_domain_error, paginate, submission_key_of
from techmarket.demands import pages, policies, selectors, services
from techmarket.demands.filters import DemandFilterForm
from techmarket.demands.forms import CloseForm, DemandForm
from techmarket.demands.models import Demand
from techmarket.demands.workflow import DEMAND_WORKFLOW


def hall(request: HttpRequest) -> HttpResponse:
    """Published demands the visitor may see (需求大厅): full-text search and the catalogue's screening.

    While a filter is invalid nothing is listed: the page says which one instead of pretending to filter.
    """
    principal = principal_of(request.user)
    form = DemandFilterForm(request.GET)
    if form.is_valid():
        queryset = selectors.demand_filter(selectors.open_demands(principal), form.to_filters())
    else:
        queryset = Demand.objects.none()
    page = paginate(request, queryset)
    context = {
        "form": form,
        "page": page,
        "q": form.cleaned_data.get("q", "") if form.is_valid() else "",
        "partial": selectors.is_partial_match(page),
    }
    template = "demands/_hall_results.html" if request.headers.get("HX-Request") else "demands/hall.html"
    return render(request, template, context)


def _get(request: HttpRequest, pk: int) -> Demand:
    try:
        return selectors.demand_get(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None


def _conversations(principal: Principal, demand: Demand) -> list[dict[str, Any]]:
    """The threads about the demand the viewer takes part in, and for its broker (who may join) the
    others too, each marked joinable."""
    mine = list(conversation_selectors.threads_about(principal, services.SUBJECT_KIND, demand.pk))
    rows = [{"thread": thread, "mine": True} for thread in mine]
    if policies.can_join_conversation(principal, demand):
        taken = {thread.pk for thread in mine}
        rows += [
            {"thread": thread, "mine": False}
            for thread in conversation_selectors.threads_on(services.SUBJECT_KIND, demand.pk)
            if thread.pk not in taken
        ]
    return rows


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request.user)
    demand = _get(request, pk)
    show_contact = policies.can_see_contact(principal, demand)
    conversations = _conversations(principal, demand)
    context = {
        "demand": demand,
        # Docking starts with the first pushed response, and closing has its own form.
        "transitions": [
            t
            for t in DEMAND_WORKFLOW.available(demand, request.user)
            if t.name not in {"start_docking", "close_solved", "close_unsolved"}
        ],
        "can_close": DEMAND_WORKFLOW.is_allowed(demand, "close_solved", request.user),
        "can_edit": policies.can_edit(principal, demand),
        "contact_phone": demand.contact_phone if show_contact else masking.mask_phone(demand.contact_phone),
        "contact_email": demand.contact_email if show_contact else masking.mask_email(demand.contact_email),
        "close_form": CloseForm(),
        "can_start_conversation": policies.can_start_conversation(principal, demand),
        "conversations": conversations,
        "has_own_conversation": any(row["mine"] for row in conversations),
        # The matching panel and what was pushed (added by the matching app: demands imports none of it).
        **pages.detail_context(demand, principal),
    }
    return render(request, "demands/detail.html", context)


@login_required
def create(request: HttpRequest) -> HttpResponse:
    if not policies.can_file(principal_of(request.user)):
        messages.error(request, _("只有企业用户或单位管理员可以发布技术需求。"))
        return redirect("demands:hall")
    user = acting_user(request)
    initial = {"contact_name": user.display_name, "contact_phone": user.phone, "contact_email": user.email}
    if user.organisation is not None and user.organisation.region_id:
        initial["region"] = user.organisation.region_id
    form = DemandForm(request.POST or None, initial=initial)
    submission_key = submission_key_of(request)
    if request.method == "POST" and form.is_valid():
        try:
            demand = services.demand_create(actor=user, data=form.cleaned_data, submission_key=submission_key)
            if request.POST.get("submit_now"):
                demand = services.demand_submit(actor=user, demand=demand)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(
                request,
                _("需求已提交审核。") if demand.submitted_at else _("已保存为草稿。检查无误后请提交审核。"),
            )
            return redirect("demands:detail", pk=demand.pk)
    return render(
        request, "demands/form.html", {"form": form, "creating": True, "submission_key": submission_key}
    )


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _get(request, pk)
    if not policies.can_edit(principal_of(request.user), demand):
        messages.error(request, _("只有草稿或已退回的需求可以修改。"))
        return redirect("demands:detail", pk=pk)
    form = DemandForm(request.POST or None, initial=DemandForm.initial_from(demand))
    if request.method == "POST" and form.is_valid():
        try:
            demand = services.demand_update(actor=acting_user(request), demand=demand, data=form.cleaned_data)
            if request.POST.get("submit_now"):
                demand = services.demand_submit(actor=acting_user(request), demand=demand)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("修改已保存。"))
            return redirect("demands:detail", pk=pk)
    return render(request, "demands/form.html", {"form": form, "demand": demand})


def quality(request: HttpRequest) -> HttpResponse:
    """htmx: how usable the need is for matching, recomputed as the user types."""
    data: dict[str, Any] = {key: request.POST.get(key, "") for key, _weight in selectors.QUALITY_FIELDS}
    data["cooperation"] = request.POST.getlist("cooperation")
    return render(request, "demands/_quality.html", {"quality": selectors.quality(data)})


@login_required
@require_POST
def transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    demand = _get(request, pk)
    reason = request.POST.get("reason", "")[:2000]
    if name == "close":
        form = CloseForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择对接结果。"))
            return redirect("demands:detail", pk=pk)
        name = "close_solved" if form.cleaned_data["solved"] else "close_unsolved"
        reason = form.cleaned_data["note"]
    try:
        services.demand_transition(actor=acting_user(request), demand=demand, name=name, reason=reason)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("操作成功：%(action)s") % {"action": DEMAND_WORKFLOW.get(name).label})
    return redirect("demands:detail", pk=pk)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request.user)
    return render(request, "demands/mine.html", {"page": paginate(request, selectors.own_demands(principal))})


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request.user)
    if not policies.can_see_review_queue(principal):
        return render(request, "core/error.html", {"status": 403}, status=403)
    return render(
        request, "demands/review_queue.html", {"page": paginate(request, selectors.review_queue(principal))}
    )


@login_required
@require_POST
def converse(request: HttpRequest, pk: int) -> HttpResponse:
    """我要对接: open (or return to) the actor's thread with the demand's enterprise."""
    demand = _get(request, pk)
    if not policies.can_start_conversation(principal_of(request.user), demand):
        raise PermissionDenied
    try:
        thread = services.demand_conversation_open(actor=acting_user(request), demand=demand)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("demands:detail", pk=pk)
    return redirect(conversation_selectors.thread_url(thread))
