"""The pages of negotiation and deals (thin: services and selectors decide)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import principal_of
from techmarket.conversations import policies as conversation_policies
from techmarket.conversations import selectors as conversation_selectors
from techmarket.core.errors import DomainError, NotFound
from techmarket.core.web import apply_domain_error, paginate, submission_key_of
from techmarket.deals import certificate, policies, selectors, services
from techmarket.deals.choices import OfferState
from techmarket.deals.forms import OfferForm
from techmarket.deals.models import Negotiation
from techmarket.trading import selectors as trading_selectors

ANSWERS = ("accept", "reject", "withdraw")


def _thread_context(request: HttpRequest, negotiation: Negotiation) -> dict[str, Any]:
    principal = principal_of(request.user)
    if negotiation.thread_id is None:
        return {}
    try:
        thread = conversation_selectors.thread_get(principal, negotiation.thread_id)
    except NotFound:
        try:
            thread = conversation_selectors.thread_to_join(principal, negotiation.thread_id)
        except NotFound:
            return {}
        return {"thread": thread, "may_join": conversation_policies.can_join(principal, thread)}
    return {"thread": thread, "thread_messages": list(conversation_selectors.messages_of(thread))[-20:]}


def _negotiation_page(
    request: HttpRequest, negotiation: Negotiation, form: OfferForm | None = None
) -> HttpResponse:
    principal = principal_of(request.user)
    listing = negotiation.listing
    offers = selectors.offers_of(negotiation)
    side = policies.side_of(principal, negotiation, listing)
    form = form or OfferForm(initial={"submission_key": submission_key_of(request)})
    if listing.authorisation_id is None:  # a commission is agreed only with the listing's agency
        form.fields.pop("commission", None)
    for offer in offers:
        offer.may_answer = offer.shown_state == OfferState.OPEN and offer.side != side  # type: ignore[attr-defined]
        offer.may_withdraw = offer.shown_state == OfferState.OPEN and offer.side == side  # type: ignore[attr-defined]
        offer.shown_label = OfferState(offer.shown_state).label  # type: ignore[attr-defined]
    context = {
        "negotiation": negotiation,
        "listing": listing,
        "listing_view": trading_selectors.listing_public_view(principal, listing),
        "offers": offers,
        "side": side,
        "form": form,
        "may_offer": listing.state in policies.NEGOTIABLE_STATES,
        "deals": list(negotiation.deals.all()),
        **_thread_context(request, negotiation),
    }
    return render(request, "deals/negotiation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def negotiate(request: HttpRequest, listing_id: int) -> HttpResponse:
    """我要洽谈: open (or return to) the buyer organisation's negotiation on the listing; a GET shows the
    listing's negotiation panel (what the listing page embeds)."""
    principal = principal_of(request.user)
    if request.method == "GET":
        try:
            listing = trading_selectors.listing_get(principal, listing_id)
        except NotFound:
            raise Http404 from None
        view = trading_selectors.listing_public_view(principal, listing)
        return render(request, "deals/negotiate.html", {"listing": listing, "listing_view": view})
    try:
        listing = trading_selectors.listing_get(principal, listing_id)
        negotiation = services.negotiation_open(actor=acting_user(request), listing=listing)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(request.POST.get("next") or "deals:mine")
    return redirect("deals:negotiation", pk=negotiation.pk)


@login_required
@require_GET
def negotiation(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        found = selectors.negotiation_get(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None
    return _negotiation_page(request, found)


@login_required
@require_POST
def offer_make(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        found = selectors.negotiation_get(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None
    form = OfferForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.offer_make(
                actor=acting_user(request),
                negotiation=found,
                amount=data["amount"],
                payment_terms=data["payment_terms"],
                licence_terms=data["licence_terms"],
                valid_days=data["valid_days"],
                commission=data.get("commission") if found.listing.authorisation_id else None,
                submission_key=data["submission_key"],
            )
        except DomainError as error:
            if error.code == "duplicate_submission":
                return redirect("deals:negotiation", pk=found.pk)
            apply_domain_error(form, error)
        else:
            messages.success(request, _("报价已发出。"))
            return redirect("deals:negotiation", pk=found.pk)
    return _negotiation_page(request, found, form)


@login_required
@require_POST
def offer_answer(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Accept, reject or withdraw an offer."""
    if action not in ANSWERS:
        raise Http404
    actor = acting_user(request)
    try:
        offer = selectors.offer_get(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None
    try:
        if action == "accept":
            deal = services.offer_accept(actor=actor, offer=offer)
            messages.success(request, _("已接受报价，交易成交。"))
            return redirect("deals:deal", pk=deal.pk)
        if action == "reject":
            services.offer_reject(actor=actor, offer=offer, reason=request.POST.get("reason", "")[:2000])
            messages.success(request, _("已拒绝报价。"))
        else:
            services.offer_withdraw(actor=actor, offer=offer)
            messages.success(request, _("已撤回报价。"))
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("deals:negotiation", pk=offer.negotiation_id)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的洽谈: the principal's negotiations (either side) and deals."""
    principal = principal_of(request.user)
    return render(
        request,
        "deals/mine.html",
        {"rows": selectors.my_negotiation_rows(principal), "deals": list(selectors.deals_of(principal))},
    )


@login_required
@require_GET
def deal(request: HttpRequest, pk: int) -> HttpResponse:
    """The deal page: its parties only (terms, draft contract, certificate)."""
    try:
        found = selectors.deal_get(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None
    return render(request, "deals/deal.html", {"deal": found, "contract": found.contract})


@login_required
@require_GET
def certificate_download(request: HttpRequest, pk: int) -> HttpResponse:
    """交易鉴证书 (PDF): the parties and trading administrators."""
    try:
        found = selectors.deal_for_certificate(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None
    response = HttpResponse(certificate.render_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.filename(found)}"'
    return response


@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    """成交公告: public, each with the fields the public may read."""
    principal = principal_of(request.user)
    page = paginate(request, selectors.deal_notices())
    rows = [selectors.notice_public_view(principal, notice) for notice in page]
    return render(request, "deals/notices.html", {"page": page, "rows": rows})


@require_GET
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        found = selectors.deal_notice_get(pk)
    except NotFound:
        raise Http404 from None
    view = selectors.notice_public_view(principal_of(request.user), found)
    return render(request, "deals/notice.html", {"notice": view})
