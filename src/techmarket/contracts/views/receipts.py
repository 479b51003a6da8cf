"""The pages of receipts (实际到账), amendments (合同变更) and the 技术性收入核定表 (thin: the services and
selectors decide; a record outside the caller's audience answers 404)."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import principal_of
from techmarket.contracts import income_workbook, policies, receipt_selectors, receipt_services
from techmarket.contracts.models import TechContract
from techmarket.core.errors import DomainError, NotFound
from techmarket.core.web import private_attachment, submission_key_of

RECEIPT_ACTIONS = ("confirm", "reject")
AMENDMENT_ACTIONS = ("register", "refuse")


def _contract(request: HttpRequest, pk: int) -> TechContract:
    try:
        return receipt_selectors.contract_for_receipts(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None


def _errors(error: DomainError | None) -> dict[str, str]:
    if error is None:
        return {}
    return {name: " ".join(str(m) for m in texts) for name, texts in error.fields.items()}


def _summary(error: DomainError | None) -> str:
    """The alert above a form: the error's message, unless a field already says it (then a pointer to it)."""
    if error is None:
        return ""
    if str(error.message) in _errors(error).values():
        return _("未保存：请更正下面标出的内容。")
    return str(error.message)


def _receipts_page(
    request: HttpRequest,
    contract: TechContract,
    *,
    receipt_error: DomainError | None = None,
    amendment_error: DomainError | None = None,
) -> HttpResponse:
    principal = principal_of(request.user)
    context: dict[str, Any] = {
        "contract": contract,
        "income": receipt_selectors.contract_income(principal, contract),
        "receipts": list(receipt_selectors.receipts_of(principal, contract)),
        "amendments": list(receipt_selectors.amendments_of(principal, contract)),
        "may_record": policies.can_record_receipt(principal, contract),
        "may_amend": policies.can_file_amendment(principal, contract),
        "may_decide": policies.can_decide_receipts(principal, contract),
        "may_see_income": policies.can_view_income(
            principal, contract.seller_organisation_id, policies.seller_chain(contract)
        ),
        "submission_key": submission_key_of(request),
        "receipt_error": receipt_error,
        "receipt_errors": _errors(receipt_error),
        "receipt_summary": _summary(receipt_error),
        "amendment_error": amendment_error,
        "amendment_errors": _errors(amendment_error),
        "amendment_summary": _summary(amendment_error),
        "posted": request.POST if (receipt_error or amendment_error) else {},
    }
    status = 400 if (receipt_error or amendment_error) else 200
    return render(request, "contracts/receipt_list.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def receipts(request: HttpRequest, pk: int) -> HttpResponse:
    """A contract's receipts and amendments with its income summary; a POST records a receipt."""
    contract = _contract(request, pk)
    if request.method == "GET":
        return _receipts_page(request, contract)
    try:
        receipt = receipt_services.receipt_record(
            actor=acting_user(request),
            contract=contract,
            received_on=request.POST.get("received_on", ""),
            amount=request.POST.get("amount", ""),
            payer=request.POST.get("payer", ""),
            bank_reference=request.POST.get("bank_reference", ""),
            evidence=request.FILES.get("evidence"),
            submission_key=request.POST.get("submission_key", "")[:64],
        )
    except DomainError as error:
        if error.code == "duplicate_submission":
            return redirect("contracts:receipts", pk=contract.pk)
        if error.status == 403:
            raise PermissionDenied from None
        return _receipts_page(request, contract, receipt_error=error)
    messages.success(request, _("到账已登记，等待登记机构确认。"))
    return redirect("contracts:receipt_detail", pk=receipt.pk)


@login_required
@require_POST
def amendment_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The seller side files a change of the total and certified amount."""
    contract = _contract(request, pk)
    try:
        receipt_services.amendment_file(
            actor=acting_user(request),
            contract=contract,
            new_total_amount=request.POST.get("new_total_amount", ""),
            new_certified_amount=request.POST.get("new_certified_amount", ""),
            reason=request.POST.get("reason", ""),
            submission_key=request.POST.get("submission_key", "")[:64],
        )
    except DomainError as error:
        if error.code == "duplicate_submission":
            return redirect("contracts:receipts", pk=contract.pk)
        if error.status == 403:
            raise PermissionDenied from None
        return _receipts_page(request, contract, amendment_error=error)
    messages.success(request, _("合同变更已提交，等待登记机构登记。"))
    return redirect("contracts:receipts", pk=contract.pk)


@login_required
@require_GET
def receipt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request.user)
    try:
        receipt = receipt_selectors.receipt_get(principal, pk)
    except NotFound:
        raise Http404 from None
    context = {
        "receipt": receipt,
        "contract": receipt.contract,
        "may_decide": policies.can_decide_receipts(principal, receipt.contract),
    }
    return render(request, "contracts/receipt_detail.html", context)


@login_required
@require_POST
def receipt_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The registry confirms or rejects (with a reason) a pending receipt."""
    if action not in RECEIPT_ACTIONS:
        raise Http404
    try:
        receipt = receipt_selectors.receipt_get(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None
    try:
        if action == "confirm":
            receipt_services.receipt_confirm(actor=acting_user(request), receipt=receipt)
            messages.success(request, _("到账已确认。"))
        else:
            receipt_services.receipt_reject(
                actor=acting_user(request), receipt=receipt, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("已不予确认该笔到账。"))
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from None
        messages.error(request, str(error.message))
    return redirect("contracts:receipt_detail", pk=receipt.pk)


@login_required
@require_GET
def receipt_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The bank slip (PDF): the contract's parties and the registry only."""
    try:
        receipt = receipt_selectors.receipt_get(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None
    if not receipt.evidence:
        raise Http404
    return private_attachment(receipt.evidence, f"receipt-{receipt.pk}.pdf")


@login_required
@require_POST
def amendment_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The registry registers or refuses (with a reason) a pending amendment."""
    if action not in AMENDMENT_ACTIONS:
        raise Http404
    try:
        amendment = receipt_selectors.amendment_get(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None
    try:
        if action == "register":
            receipt_services.amendment_register(
                actor=acting_user(request), amendment=amendment, note=request.POST.get("reason", "")
            )
            messages.success(request, _("合同变更已登记。"))
        else:
            receipt_services.amendment_refuse(
                actor=acting_user(request), amendment=amendment, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("合同变更不予登记。"))
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from None
        messages.error(request, str(error.message))
    return redirect("contracts:receipts", pk=amendment.contract_id)


@login_required
@require_GET
def receipt_queue(request: HttpRequest) -> HttpResponse:
    """The registry's queue: receipts to confirm and amendments to register."""
    principal = principal_of(request.user)
    if not principal.is_registrar:
        raise PermissionDenied
    return render(
        request,
        "contracts/receipt_queue.html",
        {
            "receipts": list(receipt_selectors.pending_receipts(principal)[:200]),
            "amendments": list(receipt_selectors.pending_amendments(principal)[:200]),
        },
    )


def _income(request: HttpRequest) -> receipt_selectors.OrganisationIncome:
    principal = principal_of(request.user)
    if not policies.can_list_income(principal):
        raise PermissionDenied
    try:
        return receipt_selectors.organisation_income(
            principal, request.GET.get("organisation") or None, request.GET.get("year") or None
        )
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def income(request: HttpRequest) -> HttpResponse:
    """技术性收入核定表: an organisation's own (its users), or one of the region's sellers (registrars,
    who choose one first when they have no organisation of their own)."""
    principal = principal_of(request.user)
    organisations = receipt_selectors.income_organisations(principal)
    if not request.GET.get("organisation") and principal.organisation_id is None and principal.is_registrar:
        return render(
            request, "contracts/receipt_income.html", {"report": None, "organisations": organisations}
        )
    return render(
        request, "contracts/receipt_income.html", {"report": _income(request), "organisations": organisations}
    )


@login_required
@require_GET
def income_print(request: HttpRequest) -> HttpResponse:
    """The same table, printable (no navigation)."""
    return render(request, "contracts/receipt_income_print.html", {"report": _income(request)})


@login_required
@require_GET
def income_export(request: HttpRequest) -> HttpResponse:
    """The same table as an Excel workbook."""
    report = _income(request)
    buffer = io.BytesIO()
    income_workbook.write_xlsx(report, buffer)
    return private_attachment(
        buffer.getvalue(), income_workbook.filename(report), income_workbook.XLSX_CONTENT_TYPE
    )


urlpatterns = [
    path("<int:pk>/receipts/", receipts, name="receipts"),
    path("<int:pk>/amendments/", amendment_file, name="amendment_file"),
    path("receipts/queue/", receipt_queue, name="receipt_queue"),
    path("receipts/<int:pk>/", receipt_detail, name="receipt_detail"),
    path("receipts/<int:pk>/evidence/", receipt_evidence, name="receipt_evidence"),
    path("receipts/<int:pk>/decide/<str:action>/", receipt_decide, name="receipt_decide"),
    path("amendments/<int:pk>/decide/<str:action>/", amendment_decide, name="amendment_decide"),
    path("income/", income, name="income"),
    path("income/print/", income_print, name="income_print"),
    path("income/export/", income_export, name="income_export"),
]
