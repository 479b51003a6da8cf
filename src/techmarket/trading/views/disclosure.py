"""Pages of the trading floor: staged disclosure (thin: services and selectors decide).

A buyer asks for a listing's confidential detail, reading and accepting the NDA on screen; the seller's
side decides (grant for N days, refuse, revoke), writes the NDA terms and the auto-grant rules, uploads
documents and reads the access log. Documents are served only through :func:`document_download`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from techmarket.accounts.choices import OrganisationKind
from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import principal_of
from techmarket.core.errors import DomainError, NotFound
from techmarket.core.web import paginate
from techmarket.trading import policies, selectors, services
from techmarket.trading.choices import AccessChannel
from techmarket.trading.models import Listing


def _listing(request: HttpRequest, pk: int) -> Listing:
    try:
        return selectors.listing_get(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None


def _managed(request: HttpRequest, pk: int) -> Listing:
    """A listing whose disclosure the caller manages; 404 for anyone else."""
    try:
        return selectors.disclosure_listing(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None


def _edited(request: HttpRequest, pk: int) -> Listing:
    """A listing whose NDA, rules and documents the caller edits (seller, agency); 404 for anyone else."""
    listing = _listing(request, pk)
    if not policies.can_edit_disclosure(principal_of(request.user), listing):
        raise Http404
    return listing


def _title(request: HttpRequest, listing: Listing) -> str:
    view = selectors.listing_public_view(principal_of(request.user), listing)
    return str(view.get("title") or _("挂牌项目 %(id)s") % {"id": listing.pk})


def _base(request: HttpRequest, listing: Listing, **more: Any) -> dict[str, Any]:
    principal = principal_of(request.user)
    return {
        "listing": listing,
        "listing_title": _title(request, listing),
        "manages": policies.can_manage_disclosure(principal, listing),
        "edits": policies.can_edit_disclosure(principal, listing),
        **more,
    }


def _errors(error: DomainError) -> dict[str, str]:
    return {name: " ".join(str(text) for text in texts) for name, texts in error.fields.items()}


@require_GET
def disclosure_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The listing's documents and confidential section (the panel the listing page includes)."""
    listing = _listing(request, pk)
    return render(request, "trading/disclosure_page.html", _base(request, listing))


@require_http_methods(["GET", "POST"])
def request_access(request: HttpRequest, pk: int) -> HttpResponse:
    """申请查看保密信息: the current NDA text on screen, a checkbox to accept; an explanation for anyone
    who may not ask."""
    listing = _listing(request, pk)
    principal = principal_of(request.user)
    if request.method == "POST" and not principal.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST" and not policies.can_request_disclosure(principal, listing):
        # Refused before anything is done: back to the page, which explains why.
        messages.error(request, str(services.disclosure_refusal(principal, listing).message))
        return redirect("trading:disclosure_request", pk=listing.pk)
    error: DomainError | None = None
    if request.method == "POST":
        try:
            services.disclosure_request(
                actor=acting_user(request),
                listing=listing,
                nda_id=request.POST.get("nda", ""),
                accepted=request.POST.get("accept") == "on",
            )
        except DomainError as caught:
            error = caught
        else:
            messages.success(request, _("申请已提交。"))
            return redirect("trading:disclosure_request", pk=listing.pk)
    latest = selectors.latest_request(principal, listing)
    can_request = policies.can_request_disclosure(principal, listing)
    context = _base(
        request,
        listing,
        nda=selectors.nda_current(listing),
        latest=latest,
        granted=policies.holds_grant(principal, listing),
        pending=latest is not None and latest.state == "requested",
        can_request=can_request,
        refusal=None if can_request else services.disclosure_refusal(principal, listing).message,
        error=error,
        field_errors=_errors(error) if error else {},
    )
    return render(request, "trading/disclosure_request.html", context, status=400 if error else 200)


@login_required
@require_GET
def my_requests(request: HttpRequest) -> HttpResponse:
    """The caller's own requests, and (for sellers, agencies and administrators) those waiting for them."""
    principal = principal_of(request.user)
    page = paginate(request, selectors.requests_of(principal))
    waiting = selectors.requests_to_decide(principal).filter(state="requested")[:50]
    return render(request, "trading/disclosure_mine.html", {"page": page, "waiting": waiting})


@login_required
@require_GET
def requests_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The seller's requests page: grant for N days, refuse with a reason, revoke."""
    listing = _managed(request, pk)
    page = paginate(request, selectors.requests_for_listing(principal_of(request.user), listing))
    return render(request, "trading/disclosure_requests.html", _base(request, listing, page=page))


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    listing = _managed(request, pk)
    try:
        found = selectors.request_get(principal_of(request.user), request_id)
    except NotFound:
        raise Http404 from None
    if found.listing_id != listing.pk:
        raise Http404
    try:
        services.disclosure_decide(
            actor=acting_user(request),
            request=found,
            decision=request.POST.get("decision", ""),
            days=request.POST.get("days", ""),
            reason=request.POST.get("reason", ""),
        )
    except DomainError as error:
        detail = " ".join(" ".join(str(t) for t in texts) for texts in error.fields.values())
        messages.error(request, f"{error.message} {detail}".strip())
    else:
        messages.success(request, _("已处理。"))
    return redirect("trading:disclosure_requests", pk=listing.pk)


@login_required
@require_http_methods(["GET", "POST"])
def nda_editor(request: HttpRequest, pk: int) -> HttpResponse:
    """保密协议条款: each save with a changed text makes a new version; accepted versions stay stored."""
    listing = _edited(request, pk)
    error: DomainError | None = None
    text = ""
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            terms = services.nda_set(actor=acting_user(request), listing=listing, text=text)
        except DomainError as caught:
            error = caught
        else:
            messages.success(request, _("已保存为第 %(version)d 版。") % {"version": terms.version})
            return redirect("trading:disclosure_nda", pk=listing.pk)
    current = selectors.nda_current(listing)
    context = _base(
        request,
        listing,
        current=current,
        versions=selectors.nda_versions(listing),
        text=text if error else (current.text if current else ""),
        error=error,
        field_errors=_errors(error) if error else {},
    )
    return render(request, "trading/disclosure_nda.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def rules_editor(request: HttpRequest, pk: int) -> HttpResponse:
    """自动授权规则: verified organisations of a kind in a region (and below it), for D days."""
    listing = _edited(request, pk)
    error: DomainError | None = None
    if request.method == "POST":
        try:
            services.auto_grant_rule_add(
                actor=acting_user(request),
                listing=listing,
                region_code=request.POST.get("region", ""),
                organisation_kind=request.POST.get("organisation_kind", ""),
                days=request.POST.get("days", ""),
            )
        except DomainError as caught:
            error = caught
        else:
            messages.success(request, _("规则已添加。"))
            return redirect("trading:disclosure_rules", pk=listing.pk)
    context = _base(
        request,
        listing,
        rules=selectors.auto_grant_rules(listing),
        kinds=OrganisationKind.choices,
        posted=request.POST if error else {},
        error=error,
        field_errors=_errors(error) if error else {},
    )
    return render(request, "trading/disclosure_rules.html", context, status=400 if error else 200)


@login_required
@require_POST
def rule_remove(request: HttpRequest, pk: int, rule_id: int) -> HttpResponse:
    listing = _edited(request, pk)
    try:
        rule = selectors.auto_grant_rule_get(principal_of(request.user), listing, rule_id)
        services.auto_grant_rule_remove(actor=acting_user(request), rule=rule)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("规则已删除。"))
    return redirect("trading:disclosure_rules", pk=listing.pk)


@login_required
@require_GET
def access_log(request: HttpRequest, pk: int) -> HttpResponse:
    """访问记录: every view of the confidential detail and every download (seller, agency, admins)."""
    listing = _managed(request, pk)
    page = paginate(request, selectors.access_log(principal_of(request.user), listing), per_page=50)
    return render(request, "trading/disclosure_log.html", _base(request, listing, page=page))


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """The seller or agency adds a public or confidential (PDF) document."""
    listing = _edited(request, pk)
    error: DomainError | None = None
    if request.method == "POST":
        try:
            services.document_upload(
                actor=acting_user(request),
                listing=listing,
                title=request.POST.get("title", ""),
                upload=request.FILES.get("file"),
                confidential=request.POST.get("confidential") == "on",
            )
        except DomainError as caught:
            error = caught
        else:
            messages.success(request, _("文件已上传。"))
            return redirect("trading:disclosure_upload", pk=listing.pk)
    principal = principal_of(request.user)
    context = _base(
        request,
        listing,
        documents=selectors.documents_for(principal, listing),
        posted=request.POST if error else {},
        error=error,
        field_errors=_errors(error) if error else {},
    )
    return render(request, "trading/disclosure_upload.html", context, status=400 if error else 200)


@require_GET
def document_download(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    """A document, policy-checked and logged; a confidential PDF carries the viewer's watermark."""
    principal = principal_of(request.user)
    try:
        document = selectors.document_get(principal, pk, document_id)
        download = services.document_download(
            actor=request.user, document=document, channel=AccessChannel.WEB
        )
    except NotFound:
        raise Http404 from None
    response = HttpResponse(download.content, content_type=download.content_type)
    response["Content-Disposition"] = _disposition(download.filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _disposition(filename: str) -> str:
    return content_disposition_header(as_attachment=True, filename=filename) or "attachment"


urlpatterns: list[URLPattern] = [
    path("disclosure/mine/", my_requests, name="disclosure_mine"),
    path("<int:pk>/disclosure/", disclosure_page, name="disclosure"),
    path("<int:pk>/disclosure/request/", request_access, name="disclosure_request"),
    path("<int:pk>/disclosure/requests/", requests_page, name="disclosure_requests"),
    path("<int:pk>/disclosure/requests/<int:request_id>/decide/", decide, name="disclosure_decide"),
    path("<int:pk>/disclosure/nda/", nda_editor, name="disclosure_nda"),
    path("<int:pk>/disclosure/rules/", rules_editor, name="disclosure_rules"),
    path("<int:pk>/disclosure/rules/<int:rule_id>/remove/", rule_remove, name="disclosure_rule_remove"),
    path("<int:pk>/disclosure/log/", access_log, name="disclosure_log"),
    path("<int:pk>/documents/upload/", document_upload, name="disclosure_upload"),
    path("<int:pk>/documents/<int:document_id>/", document_download, name="document_download"),
]
