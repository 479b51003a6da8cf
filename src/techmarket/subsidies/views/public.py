"""奖补公示: the public list of published runs, a run's awards (public columns only), the objection form
for signed-in users, the public Excel export, and an awarded organisation's view of its own trail."""

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
from techmarket.core.web import paginate
from techmarket.subsidies import exports, policies, selectors, services
from techmarket.subsidies.forms import ObjectionForm
from techmarket.subsidies.models import SubsidyRun


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    """奖补公示: every published run, newest first (anyone)."""
    page = paginate(request, selectors.public_runs())
    principal = principal_of(request.user)
    return render(
        request,
        "subsidies/public_list.html",
        {"page": page, "own_awards": list(selectors.own_awards(principal)[:50])},
    )


def _public_run(pk: int) -> SubsidyRun:
    try:
        return selectors.public_run_get(pk)
    except NotFound:
        raise Http404 from None


def _public_page(request: HttpRequest, run: SubsidyRun, form: ObjectionForm | None = None) -> HttpResponse:
    principal = principal_of(request.user)
    rows = selectors.public_award_rows(run)
    own = principal.organisation_id
    for row in rows:
        row["own"] = own is not None and row["organisation_id"] == own
    may_object = policies.can_object(principal, run)
    if may_object and form is None:
        form = ObjectionForm(awards=[(str(r["id"]), f"{r['org_name']} · {r['rule_title']}") for r in rows])
    return render(
        request,
        "subsidies/public_run.html",
        {
            "run": run,
            "rows": rows,
            "total": selectors.total_of(rows),
            "may_object": may_object,
            "form": form,
            "my_objections": list(selectors.objections_of(principal, run))
            if principal.is_authenticated
            else [],
            "manages": policies.can_manage_run(principal, run),
        },
    )


@require_GET
def public_run(request: HttpRequest, pk: int) -> HttpResponse:
    return _public_page(request, _public_run(pk))


@require_GET
def public_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The published list as Excel (public columns only)."""
    run = _public_run(pk)
    return exports.response(exports.public_xlsx(run), f"subsidies-{run.policy_id}-{run.year}-public.xlsx")


@login_required
@require_POST
def objection_file(request: HttpRequest, pk: int) -> HttpResponse:
    """提出异议 (signed-in users, during the objection period)."""
    run = _public_run(pk)
    rows = selectors.public_award_rows(run)
    form = ObjectionForm(request.POST, awards=[(str(r["id"]), r["org_name"]) for r in rows])
    if form.is_valid():
        try:
            services.objection_file(
                actor=acting_user(request),
                run=run,
                text=form.cleaned_data["text"],
                award_id=form.cleaned_data.get("award") or None,
            )
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("subsidies:public_run", pk=run.pk)
        messages.success(request, _("异议已提交，处理结果将在本页显示。"))
        return redirect("subsidies:public_run", pk=run.pk)
    if not policies.can_object(principal_of(request.user), run):
        messages.error(request, _("该奖补名单不在公示期内，不能提出异议。"))
        return redirect("subsidies:public_run", pk=run.pk)
    return _public_page(request, run, form)


@login_required
@require_GET
def award_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An award's trail: the bureau, and the awarded organisation's users once published."""
    principal = principal_of(request.user)
    try:
        award = selectors.award_get(principal, pk)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "subsidies/award.html",
        {"award": award, "run": award.run, "manages": policies.can_manage_run(principal, award.run)},
    )
