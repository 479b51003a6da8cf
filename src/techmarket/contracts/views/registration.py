"""The pages of technology contract registration (thin: services and selectors decide)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from techmarket.accounts import selectors as account_selectors
from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import Principal, principal_of
from techmarket.contracts import certificate, codes, policies, selectors, services
from techmarket.contracts.choices import ContractState
from techmarket.contracts.forms import PART_ROWS, PLAN_ROWS, ContractForm, DecisionForm, rows_from_post
from techmarket.contracts.models import TechContract
from techmarket.contracts.workflow import CONTRACT_WORKFLOW
from techmarket.core.errors import DomainError, NotFound
from techmarket.core.web import apply_domain_error, paginate, private_attachment
from techmarket.deals import selectors as deal_selectors
from techmarket.trading import selectors as trading_selectors

TRANSITIONS = ("submit", "withdraw", "start_review", "return", "register", "refuse")


def _get(request: HttpRequest, pk: Any) -> TechContract:
    try:
        return selectors.contract_get(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None


def _sellers(principal: Principal) -> list[tuple[str, str]]:
    """The sellers the principal may file for: its own organisation and, for an agency, those that
    authorise it (empty when it files only for its own)."""
    ids = trading_selectors.authorising_organisation_ids(principal.organisation_id)
    if not ids or not policies.files_as_agency(principal):
        return []
    own = (
        [(str(principal.organisation_id), _("本单位"))]
        if policies.files_for_own_organisation(principal)
        else []
    )
    others = [(str(o.pk), o.name) for o in account_selectors.organisations_by_id(ids).order_by("name")]
    return [*own, *others]


def _brokerable(principal: Principal, exclude: int | None) -> list[tuple[str, str]]:
    rows = selectors.brokerable(principal, exclude)[:100]
    return [(str(c.pk), f"{c.registration_number or '#' + str(c.pk)} {c.title}") for c in rows]


def _rows(
    request: HttpRequest, contract: TechContract | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    if request.method == "POST":
        parts = rows_from_post(request.POST, "parts", ("kind", "amount", "note"))
        plan = rows_from_post(request.POST, "plan", ("due_on", "amount"))
    elif contract is not None:
        values = services.contract_values(contract)
        parts = [{k: str(v) for k, v in row.items()} for row in values["parts"]]
        plan = list(values["payment_plan"])
    else:
        parts, plan = [], []
    parts = [*parts, *({"kind": "", "amount": "", "note": ""} for _ in range(PART_ROWS))]
    plan = [*plan, *({"due_on": "", "amount": ""} for _ in range(PLAN_ROWS))]
    return parts, plan


def _initial(contract: TechContract) -> dict[str, Any]:
    values = services.contract_values(contract)
    values.pop("parts")
    values.pop("payment_plan")
    return {k: ("" if v is None else str(v)) for k, v in values.items()}


def _form_page(
    request: HttpRequest,
    form: ContractForm,
    contract: TechContract | None,
    status: int = 200,
    error: DomainError | None = None,
) -> HttpResponse:
    parts, plan = _rows(request, contract)
    fields = error.fields if error is not None else {}
    return render(
        request,
        "contracts/form.html",
        {
            "form": form,
            "contract": contract,
            "parts": parts,
            "plan": plan,
            "part_kinds": codes.choices("non_technical_parts"),
            "part_errors": fields.get("parts", []),
            "plan_errors": fields.get("payment_plan", []),
        },
        status=status,
    )


def _data(form: ContractForm, request: HttpRequest) -> dict[str, Any]:
    data = {name: form.cleaned_data.get(name) for name in form.fields if name != "signed_pdf"}
    data["parts"] = rows_from_post(request.POST, "parts", ("kind", "amount", "note"))
    data["payment_plan"] = rows_from_post(request.POST, "plan", ("due_on", "amount"))
    return data


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的技术合同: the contracts of the caller's organisation (seller, buyer or agency)."""
    principal = principal_of(request.user)
    state = request.GET.get("state", "")
    page = paginate(request, selectors.my_contracts(principal, state))
    return render(
        request,
        "contracts/mine.html",
        {"page": page, "state": state, "states": ContractState.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    """A new draft (技术合同登记表)."""
    principal = principal_of(request.user)
    if not policies.can_create_contract(principal):
        return HttpResponseForbidden(
            _("只有单位的成果填报人、企业用户、单位管理员或技术转移机构可以办理技术合同登记。")
        )
    kwargs = {"sellers": _sellers(principal), "brokerable": _brokerable(principal, None)}
    if request.method == "GET":
        return _form_page(request, ContractForm(**kwargs), None)
    form = ContractForm(request.POST, request.FILES, **kwargs)
    failed: DomainError | None = None
    if form.is_valid():
        try:
            contract = services.contract_create(
                actor=acting_user(request),
                data=_data(form, request),
                signed_pdf=request.FILES.get("signed_pdf"),
            )
        except DomainError as error:
            apply_domain_error(form, error)
            failed = error
        else:
            messages.success(request, _("合同登记草稿已保存。"))
            return redirect("contracts:detail", pk=contract.pk)
    return _form_page(request, form, None, status=400, error=failed)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _get(request, pk)
    principal = principal_of(request.user)
    if not policies.can_edit_contract(principal, contract):
        return HttpResponseForbidden(_("只有草稿或退回补正的合同可以由填报方修改。"))
    kwargs = {"brokerable": _brokerable(principal, contract.pk)}
    if request.method == "GET":
        return _form_page(request, ContractForm(initial=_initial(contract), **kwargs), contract)
    form = ContractForm(request.POST, request.FILES, **kwargs)
    failed: DomainError | None = None
    if form.is_valid():
        try:
            services.contract_update(
                actor=acting_user(request),
                contract=contract,
                data=_data(form, request),
                signed_pdf=request.FILES.get("signed_pdf"),
            )
        except DomainError as error:
            apply_domain_error(form, error)
            failed = error
        else:
            messages.success(request, _("合同登记信息已保存。"))
            return redirect("contracts:detail", pk=contract.pk)
    return _form_page(request, form, contract, status=400, error=failed)


def _history(contract: TechContract) -> list[dict[str, Any]]:
    rows = []
    for event in selectors.history_of(contract):
        name = event.action.rsplit(".", 1)[-1]
        label = CONTRACT_WORKFLOW.get(name).label if name in CONTRACT_WORKFLOW.names() else _("修改登记表")
        state = ContractState(event.to_state).label if event.to_state in ContractState.values else ""
        rows.append({"at": event.created_at, "label": label, "state": state, "reason": event.reason})
    return rows


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The contract page: its parties and registry only (fields, parts, payment plan, history, actions)."""
    contract = _get(request, pk)
    principal = principal_of(request.user)
    return render(
        request,
        "contracts/detail.html",
        {
            "contract": contract,
            "labels": selectors.contract_labels(contract),
            "parts": selectors.parts_of(contract),
            "history": _history(contract),
            "actions": [t.name for t in CONTRACT_WORKFLOW.available(contract, principal)],
            "decision_form": DecisionForm(initial={"certified_amount": contract.certified_amount}),
            "may_edit": policies.can_edit_contract(principal, contract),
            # The registry comes from its review queue, the parties from their list.
            "from_queue": policies.is_registry(principal, contract)
            and not policies.is_party(principal, contract),
        },
    )


@login_required
@require_POST
def transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Submit, withdraw, start the review, return, register or refuse."""
    if name not in TRANSITIONS:
        raise Http404
    contract = _get(request, pk)
    try:
        services.contract_transition(
            actor=acting_user(request),
            contract=contract,
            name=name,
            reason=request.POST.get("reason", "")[:2000],
            certified_amount=request.POST.get("certified_amount", "")[:32],
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("操作成功：%(action)s") % {"action": CONTRACT_WORKFLOW.get(name).label})
    if request.POST.get("next") == "queue":
        return redirect("contracts:queue")
    return redirect("contracts:detail", pk=contract.pk)


@login_required
@require_POST
def from_deal(request: HttpRequest, deal_id: int) -> HttpResponse:
    """办理技术合同登记 from a deal: a draft prefilled from it (the deal's seller side)."""
    principal = principal_of(request.user)
    try:
        deal = deal_selectors.deal_get(principal, deal_id)
    except NotFound:
        raise Http404 from None
    try:
        contract = services.draft_from_deal(actor=acting_user(request), deal=deal)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("deals:deal", pk=deal_id)
    messages.success(request, _("已根据成交生成合同登记草稿，请补全登记表并上传合同文本。"))
    return redirect("contracts:edit", pk=contract.pk)


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """技术合同登记审查: the registry's queue and its recent registrations."""
    principal = principal_of(request.user)
    if not policies.can_review_contracts(principal):
        return HttpResponseForbidden(_("只有技术合同登记员可以审查合同登记。"))
    state = request.GET.get("state", "")
    return render(
        request,
        "contracts/queue.html",
        {
            "page": paginate(request, selectors.registry_queue(principal, state)),
            "state": state,
            "states": [(s, ContractState(s).label) for s in selectors.QUEUE_STATES],
            "registered": list(selectors.registered_by_registry(principal)[:10]),
        },
    )


@login_required
@require_GET
def certificate_download(request: HttpRequest, pk: int) -> HttpResponse:
    """登记证明 (PDF): a registered contract's parties and registry."""
    contract = _get(request, pk)
    if not policies.can_download_registration_certificate(principal_of(request.user), contract):
        raise Http404
    response = HttpResponse(
        certificate.render_pdf(contract, base_url=request.build_absolute_uri("/")),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="{certificate.filename(contract)}"'
    return response


@login_required
@require_GET
def signed_pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed contract text (PDF) as filed: the contract's parties and the registry reviewing it."""
    contract = _get(request, pk)
    if not contract.signed_pdf:
        raise Http404
    return private_attachment(contract.signed_pdf, f"contract-{contract.pk}.pdf")


@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: whether a verification code names a registered contract, and only its public facts."""
    found = selectors.verification(code)
    return render(request, "contracts/verify.html", {"verification": found})
