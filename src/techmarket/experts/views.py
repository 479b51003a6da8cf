"""Pages of the expert pool: search, profile, create and edit, the expert's own profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import principal_of
from techmarket.core.errors import DomainError, NotFound
from techmarket.core.web import apply_domain_error, paginate
from techmarket.experts import policies, selectors, services
from techmarket.experts.forms import ExpertFilterForm, ExpertForm
from techmarket.experts.models import ExpertProfile


def _get(request: HttpRequest, pk: int) -> ExpertProfile:
    try:
        return selectors.expert_detail(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None


@require_GET
def expert_list(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request.user)
    form = ExpertFilterForm(request.GET)
    page = paginate(request, selectors.expert_list(principal, **form.query()))
    context = {"form": form, "page": page, "can_create": policies.can_create(principal)}
    return render(request, "experts/list.html", context)


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request.user)
    expert = _get(request, pk)
    context = {
        "expert": expert,
        "contact": selectors.expert_contact(principal, expert),
        "achievements": selectors.linked_achievements(principal, expert),
        "can_edit": policies.can_edit(principal, expert),
        "can_set_active": policies.can_set_active(principal),
    }
    return render(request, "experts/detail.html", context)


@login_required
def create(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request.user)
    if not policies.can_create(principal):
        messages.error(request, _("只有平台管理员或单位管理员可以添加专家。"))
        return redirect("experts:list")
    form = ExpertForm(request.POST or None, admin=policies.can_designate(principal))
    if request.method == "POST" and form.is_valid():
        try:
            expert = services.expert_create(acting_user(request), **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("专家档案已创建。"))
            return redirect("experts:detail", pk=expert.pk)
    return render(request, "experts/form.html", {"form": form, "creating": True})


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request.user)
    expert = _get(request, pk)
    if not policies.can_edit(principal, expert):
        messages.error(request, _("您不能修改该专家档案。"))
        return redirect("experts:detail", pk=pk)
    form = ExpertForm(
        request.POST or None, initial=ExpertForm.initial_from(expert), admin=policies.can_designate(principal)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.expert_update(acting_user(request), expert, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("修改已保存。"))
            return redirect("experts:detail", pk=pk)
    return render(request, "experts/form.html", {"form": form, "expert": expert})


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The signed-in expert's own profile; users with the expert role create it here the first time."""
    user = acting_user(request)
    own = selectors.own_profile(user)
    if own is not None:
        return redirect("experts:detail", pk=own.pk)
    if not policies.can_create_own(principal_of(user)):
        messages.info(request, _("您的账号没有专家档案。"))
        return redirect("experts:list")
    initial = {"name": user.display_name or user.username, "phone": user.phone, "email": user.email}
    if user.organisation is not None:
        initial |= {"organisation_name": user.organisation.name, "region": user.organisation.region_id}
    form = ExpertForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            expert = services.expert_create(user, user=user, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("您的专家档案已创建。"))
            return redirect("experts:detail", pk=expert.pk)
    return render(request, "experts/form.html", {"form": form, "creating": True, "own": True})


@login_required
@require_POST
def set_active(request: HttpRequest, pk: int) -> HttpResponse:
    expert = _get(request, pk)
    active = request.POST.get("active") == "1"
    try:
        services.expert_set_active(
            acting_user(request), expert, active, reason=request.POST.get("reason", "")[:2000]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("专家已启用。") if active else _("专家已停用。"))
    return redirect("experts:detail", pk=pk)
