"""The bureau's pages (奖补测算): runs and their approval, objections, claims, and the policy editor of
platform administrators. Thin: services decide, selectors read through the policies."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import principal_of
from techmarket.core.audit import events_for
from techmarket.core.errors import DomainError, NotFound
from techmarket.core.web import apply_domain_error, paginate
from techmarket.subsidies import engine, exports, policies, selectors, services
from techmarket.subsidies import messages as engine_messages
from techmarket.subsidies.choices import RunState
from techmarket.subsidies.forms import ClaimForm, ComputeForm, PolicyForm, ReasonForm
from techmarket.subsidies.workflow import RUN_WORKFLOW

RUN_ACTIONS = ("check", "approve", "publish", "pay", "return", "reopen", "cancel", "recompute")
OBJECTION_ACTIONS = ("uphold", "dismiss")


def _policy_choices(request: HttpRequest) -> list[tuple[str, str]]:
    return [
        (row.policy_id, f"{row.title}（{row.policy_id}）")
        for row in selectors.computable_policies(principal_of(request.user))
    ]


# --- runs -------------------------------------------------------------------------------------------


def _runs_page(request: HttpRequest, form: ComputeForm | None = None) -> HttpResponse:
    principal = principal_of(request.user)
    if not policies.can_list_runs(principal):
        raise PermissionDenied
    choices = _policy_choices(request)
    form = form or ComputeForm(choices=choices)
    return render(
        request,
        "subsidies/runs.html",
        {
            "page": paginate(request, selectors.bureau_runs(principal)),
            "form": form,
            "may_compute": bool(choices),
            "may_edit_policies": policies.can_edit_policies(principal),
        },
    )


@login_required
@require_GET
def runs(request: HttpRequest) -> HttpResponse:
    """奖补测算: the bureau's runs and the compute form."""
    return _runs_page(request)


@login_required
@require_POST
def run_compute(request: HttpRequest) -> HttpResponse:
    if not policies.can_list_runs(principal_of(request.user)):
        raise PermissionDenied
    form = ComputeForm(request.POST, choices=_policy_choices(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            run = services.run_compute(
                actor=acting_user(request),
                policy_id=data["policy"],
                year=data["year"],
                budget=data["budget"],
                objection_days=data["objection_days"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("测算完成，请他人复核。"))
            return redirect("subsidies:run_detail", pk=run.pk)
    return _runs_page(request, form)


def _bureau_run(request: HttpRequest, pk: int) -> Any:
    try:
        return selectors.run_get(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None


def _history(run: Any) -> list[dict[str, Any]]:
    """The run's audit events in words (the transition's label and the states' names, not their codes)."""
    rows = []
    for event in events_for(run):
        name = event.action.rsplit(".", 1)[-1]
        label = RUN_WORKFLOW.get(name).label if name in RUN_WORKFLOW.names() else event.action
        states = [
            RunState(s).label if s in RunState.values else s for s in (event.from_state, event.to_state)
        ]
        rows.append(
            {
                "created_at": event.created_at,
                "actor": event.actor,
                "label": label,
                "from_state": states[0],
                "to_state": states[1],
                "reason": event.reason,
            }
        )
    return rows


@login_required
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A run for its bureau: figures, every award with its trail, objections, actions, history."""
    run = _bureau_run(request, pk)
    principal = principal_of(request.user)
    awards = list(selectors.awards_of(run))
    names = selectors.region_names({award.org_region for award in awards})
    for award in awards:
        award.region_name = names.get(award.org_region, award.org_region)  # type: ignore[attr-defined]
    details = dict(run.details or {})
    details["refusals"] = [
        {**refusal, "text": engine_messages.render(refusal.get("code", ""), refusal.get("params") or {})}
        for refusal in details.get("refusals", [])
    ]
    return render(
        request,
        "subsidies/run.html",
        {
            "run": run,
            "awards": awards,
            "details": details,
            "available": [t.name for t in RUN_WORKFLOW.available(run, request.user)],
            "objections": list(selectors.objections_of(principal, run)),
            "events": _history(run),
            "reason_form": ReasonForm(),
            "earlier_rounds": list(range(run.round - 1, 0, -1)),
        },
    )


@login_required
@require_POST
def run_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in RUN_ACTIONS:
        raise Http404
    run = _bureau_run(request, pk)
    actor = acting_user(request)
    reason = request.POST.get("reason", "")[:2000]
    try:
        if action == "check":
            services.run_check(actor=actor, run=run)
        elif action == "approve":
            services.run_approve(actor=actor, run=run)
        elif action == "publish":
            services.run_publish(
                actor=actor, run=run, objection_days=request.POST.get("objection_days") or None
            )
        elif action == "pay":
            services.run_pay(actor=actor, run=run)
        elif action == "return":
            services.run_return(actor=actor, run=run, reason=reason)
        elif action == "reopen":
            services.run_reopen(actor=actor, run=run, reason=reason)
        elif action == "cancel":
            services.run_cancel(actor=actor, run=run, reason=reason)
        else:
            services.run_recompute(actor=actor, run=run, budget=request.POST.get("budget") or None)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("操作已完成。"))
    return redirect("subsidies:run_detail", pk=run.pk)


@login_required
@require_GET
def run_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The bureau's workbook of the run (every figure and a trail summary)."""
    run = _bureau_run(request, pk)
    return exports.response(
        exports.bureau_xlsx(run), f"subsidies-{run.policy_id}-{run.year}-r{run.round}.xlsx"
    )


@login_required
@require_POST
def objection_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """异议成立 / 不成立, with the reply (the bureau of the run's region)."""
    if action not in OBJECTION_ACTIONS:
        raise Http404
    principal = principal_of(request.user)
    try:
        objection = selectors.objection_get(principal, pk)
    except NotFound:
        raise Http404 from None
    if not policies.can_manage_run(principal, objection.run):
        raise Http404
    reply = request.POST.get("reply", "")
    try:
        if action == "uphold":
            services.objection_uphold(actor=acting_user(request), objection=objection, reply=reply)
        else:
            services.objection_dismiss(actor=acting_user(request), objection=objection, reply=reply)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("异议已处理。"))
    return redirect("subsidies:run_detail", pk=objection.run_id)


# --- claims -----------------------------------------------------------------------------------------


def _claims_page(request: HttpRequest, form: ClaimForm | None = None) -> HttpResponse:
    principal = principal_of(request.user)
    if not policies.can_list_runs(principal):
        raise PermissionDenied
    choices = _policy_choices(request)
    return render(
        request,
        "subsidies/claims.html",
        {
            "page": paginate(request, selectors.claims_of(principal)),
            "form": form or ClaimForm(choices=choices),
            "may_add": bool(choices),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def claims(request: HttpRequest) -> HttpResponse:
    """奖补申报: claims under rules not paid on contracts, entered by the bureau."""
    if request.method == "GET":
        return _claims_page(request)
    if not policies.can_list_runs(principal_of(request.user)):
        raise PermissionDenied
    form = ClaimForm(request.POST, choices=_policy_choices(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.claim_add(
                actor=acting_user(request),
                policy_id=data["policy"],
                year=data["year"],
                org_name=data["org_name"],
                org_id=data["org_id"],
                org_region=data["org_region"],
                rule=data["rule"],
                facts=data["facts"],
                note=data["note"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("申报已录入，将在下次测算时计入。"))
            return redirect("subsidies:claims")
    return _claims_page(request, form)


@login_required
@require_POST
def claim_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        claim = selectors.claim_get(principal_of(request.user), pk)
        services.claim_withdraw(actor=acting_user(request), claim=claim)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("申报已撤销。"))
    return redirect("subsidies:claims")


# --- policies (platform administrators) -------------------------------------------------------------


def _admin(request: HttpRequest) -> None:
    if not policies.can_edit_policies(principal_of(request.user)):
        raise PermissionDenied


@login_required
@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    """政策管理: shipped and platform-created policies with their latest version."""
    _admin(request)
    return render(
        request, "subsidies/policies.html", {"rows": selectors.policy_rows(principal_of(request.user))}
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, policy_id: str) -> HttpResponse:
    """Edit a policy's document (validated by the engine; a new version on success) and its history."""
    _admin(request)
    principal = principal_of(request.user)
    try:
        document, current = selectors.policy_document(principal, policy_id)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                version = services.policy_save(
                    actor=acting_user(request),
                    policy_id=policy_id,
                    document_text=form.cleaned_data["document"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("已保存为第 %(number)d 版。") % {"number": version.number})
                return redirect("subsidies:policy_edit", policy_id=policy_id)
    else:
        form = PolicyForm(initial={"document": selectors.pretty(document)})
    return render(
        request,
        "subsidies/policy_edit.html",
        {
            "policy_id": policy_id,
            "current": current,
            "form": form,
            "history": list(selectors.policy_history(principal, policy_id)),
            "shipped": policy_id in engine.shipped_policy_ids(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy_create(request: HttpRequest) -> HttpResponse:
    """A new policy (e.g. a copy of a shipped one adapted to another region)."""
    _admin(request)
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                version = services.policy_create(
                    actor=acting_user(request),
                    document_text=form.cleaned_data["document"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("政策已创建。"))
                return redirect("subsidies:policy_edit", policy_id=version.policy_id)
    else:
        source = request.GET.get("from", "")
        initial = ""
        try:
            initial = selectors.pretty(selectors.policy_document(principal_of(request.user), source)[0])
        except NotFound:
            initial = ""
        form = PolicyForm(initial={"document": initial})
    return render(request, "subsidies/policy_create.html", {"form": form})


@login_required
@require_POST
def policy_adopt(request: HttpRequest, policy_id: str) -> HttpResponse:
    """Take the file shipped with this release as the newest version."""
    _admin(request)
    try:
        services.policy_adopt_shipped(actor=acting_user(request), policy_id=policy_id)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("已采用随产品发布的政策文件。"))
    return redirect("subsidies:policy_edit", policy_id=policy_id)


@login_required
@require_GET
def policy_version(request: HttpRequest, policy_id: str, pk: int) -> HttpResponse:
    """One version's document and its changes against the version before."""
    _admin(request)
    try:
        version = selectors.version_get(principal_of(request.user), policy_id, pk)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "subsidies/policy_version.html",
        {
            "version": version,
            "document": selectors.pretty(version.document),
            "diff": selectors.version_diff(version),
        },
    )
