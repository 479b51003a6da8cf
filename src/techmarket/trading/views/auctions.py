"""Pages of the trading floor: auctions (thin: services and selectors decide).

Trading administrators schedule an auction on an open listing priced 拍卖/一次报价, approve or reject the
bidders' registrations, mark deposits received, cancel, and close after the end; after a sale they
forfeit the deposit of a winner who walks away (with a reason). Buyers read the rules
on the auction page before they register (ticking "I have read the rules") and bid; the live part of the
page (price, time left, bid history, then the result) is a fragment that htmx polls every two seconds.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import Principal, principal_of
from techmarket.core import clock
from techmarket.core.errors import DomainError, NotFound
from techmarket.core.web import apply_domain_error
from techmarket.trading import policies, selectors, services
from techmarket.trading.choices import AuctionKind, AuctionState, Pricing
from techmarket.trading.models import Auction, BidderRegistration

POLL_SECONDS = 2
REGISTRATION_ACTIONS = ("approve", "reject", "receive_deposit", "forfeit")


class AuctionForm(forms.Form):
    """The terms an administrator fixes; amounts are text so the service gives the precise message."""

    kind = forms.ChoiceField(label=gettext_lazy("竞价方式"), choices=AuctionKind.choices)
    start_price = forms.CharField(label=gettext_lazy("起拍价（万元）"), max_length=20)
    increment = forms.CharField(
        label=gettext_lazy("加价幅度（万元）"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("增价拍卖必填；一次报价不适用。"),
    )
    reserve_price = forms.CharField(
        label=gettext_lazy("保留价（万元）"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("不向竞买人公开；成交价低于保留价则流拍。"),
    )
    deposit = forms.CharField(label=gettext_lazy("保证金（万元）"), max_length=20, required=False)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("开始时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"],
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("结束时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"],
    )
    extension_minutes = forms.IntegerField(
        label=gettext_lazy("延时周期（分钟）"),
        min_value=0,
        max_value=120,
        initial=5,
        help_text=gettext_lazy("增价拍卖：结束前该时段内有人出价，结束时间延至该出价后的这一时长。"),
    )


class BidForm(forms.Form):
    amount = forms.CharField(label=gettext_lazy("出价（万元）"), max_length=24)
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class RegisterForm(forms.Form):
    accept_rules = forms.BooleanField(
        label=gettext_lazy("我已阅读并同意上述竞价规则（保证金、延时、保留价与一次报价规则）"), required=False
    )


def _get(request: HttpRequest, pk: int) -> tuple[Principal, Auction]:
    principal = principal_of(request.user)
    try:
        return principal, selectors.auction_get(principal, pk)
    except NotFound:
        raise Http404 from None


def _live_context(request: HttpRequest, principal: Principal, auction: Auction) -> dict[str, Any]:
    now = clock.now()
    registration = selectors.registration_of(principal, auction)
    return {
        "auction": auction,
        "view": selectors.auction_view(principal, auction, now),
        "history": selectors.bid_history(auction),
        "registration": registration,
        "own_bids": selectors.own_bids(registration),
        "poll_seconds": POLL_SECONDS,
        "is_admin": policies.is_trading_admin(principal),
    }


def _detail_context(
    request: HttpRequest,
    principal: Principal,
    auction: Auction,
    *,
    bid_form: BidForm | None = None,
    register_form: RegisterForm | None = None,
) -> dict[str, Any]:
    context = _live_context(request, principal, auction)
    registration = context["registration"]
    listing = auction.listing
    context.update(
        listing=listing,
        listing_view=selectors.listing_public_view(principal, listing),
        can_register=registration is None and policies.can_register(principal, auction),
        can_bid=registration is not None and auction.state == AuctionState.ACTIVE,
        bid_form=bid_form or BidForm(initial={"key": uuid.uuid4().hex}),
        register_form=register_form or RegisterForm(),
        is_sealed=auction.kind == AuctionKind.SEALED,
        forfeiture=selectors.forfeiture_shown(principal, auction),
    )
    return context


@require_GET
def auction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The auction page: rules first, then the live price, the time left, the history and the forms."""
    principal, auction = _get(request, pk)
    return render(request, "trading/auction_detail.html", _detail_context(request, principal, auction))


@require_GET
def auction_live(request: HttpRequest, pk: int) -> HttpResponse:
    """The live fragment htmx polls: price, time left, bid history, the bidder's own bids, the result."""
    principal, auction = _get(request, pk)
    context = {**_live_context(request, principal, auction), "oob": bool(request.headers.get("HX-Request"))}
    return render(request, "trading/auction_live.html", context)


@login_required
@require_POST
def auction_register(request: HttpRequest, pk: int) -> HttpResponse:
    """竞买登记 with the rules confirmed."""
    principal, auction = _get(request, pk)
    form = RegisterForm(request.POST)
    form.is_valid()
    try:
        services.registration_apply(
            actor=acting_user(request),
            auction=auction,
            rules_accepted=bool(form.cleaned_data.get("accept_rules")),
        )
    except DomainError as error:
        if "accept_rules" not in error.fields:  # the form is not shown any more: say it on top
            messages.error(request, error.message)
            return redirect("trading:auction_detail", pk=pk)
        apply_domain_error(form, error)
        context = _detail_context(request, principal, auction, register_form=form)
        return render(request, "trading/auction_detail.html", context, status=error.status)
    messages.success(request, _("竞买登记已提交，请等待审核并按规则缴纳保证金。"))
    return redirect("trading:auction_detail", pk=pk)


@login_required
@require_POST
def auction_bid(request: HttpRequest, pk: int) -> HttpResponse:
    """One bid; the form's one-time key makes a double submission count once."""
    principal, auction = _get(request, pk)
    if not policies.is_registered_bidder(principal, auction):
        messages.error(request, _("您尚未登记为本场竞价的竞买人。"))
        return redirect("trading:auction_detail", pk=pk)
    amount = request.POST.get("amount", "")[:40]
    key = request.POST.get("key", "")[:64] or uuid.uuid4().hex
    try:
        services.place_bid(actor=acting_user(request), auction=auction, amount=amount, idempotency_key=key)
    except DomainError as error:
        if "amount" not in error.fields:  # not about the amount (not registered): say it on top
            messages.error(request, error.message)
            return redirect("trading:auction_detail", pk=pk)
        form = BidForm(data={"amount": amount, "key": uuid.uuid4().hex})
        form.is_valid()
        apply_domain_error(form, error)
        auction = selectors.auction_get(principal, pk)  # as the rejected bid left it (unchanged)
        context = _detail_context(request, principal, auction, bid_form=form)
        return render(request, "trading/auction_detail.html", context, status=error.status)
    messages.success(request, _("出价成功：%(amount)s 万元。") % {"amount": amount.strip()})
    return redirect("trading:auction_detail", pk=pk)


@login_required
def auction_create(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator schedules an auction (or a sealed bid) on an open listing."""
    principal = principal_of(request.user)
    try:
        listing = selectors.listing_get(principal, pk)
    except NotFound:
        raise Http404 from None
    if not policies.can_manage_auctions(principal):
        raise PermissionDenied
    kind = AuctionKind.SEALED if listing.pricing == Pricing.SEALED else AuctionKind.ENGLISH
    form = AuctionForm(request.POST or None, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        terms = services.AuctionTerms(
            kind=data["kind"],
            start_price=data["start_price"],
            increment=data["increment"],
            reserve_price=data["reserve_price"],
            deposit=data["deposit"] or 0,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            extension_minutes=data["extension_minutes"],
        )
        try:
            auction = services.auction_create(actor=acting_user(request), listing=listing, terms=terms)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("竞价已发起。"))
            return redirect("trading:auction_detail", pk=auction.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "trading/auction_form.html", {"form": form, "listing": listing}, status=status)


@login_required
@require_GET
def auction_registrations(request: HttpRequest, pk: int) -> HttpResponse:
    """The administrators' page: registrations to approve or reject, deposits to mark received."""
    principal, auction = _get(request, pk)
    if not policies.can_manage_auctions(principal):
        raise Http404
    context = {
        "auction": auction,
        "view": selectors.auction_view(principal, auction, clock.now()),
        "registrations": selectors.registrations_for_admin(auction),
    }
    return render(request, "trading/auction_registrations.html", context)


@login_required
@require_POST
def registration_decide(request: HttpRequest, pk: int, registration_id: int, action: str) -> HttpResponse:
    """Approve, reject (with a reason), mark the deposit received, or forfeit the winner's deposit."""
    principal, auction = _get(request, pk)
    if not policies.can_manage_auctions(principal) or action not in REGISTRATION_ACTIONS:
        raise Http404
    registration = BidderRegistration.objects.filter(auction=auction, pk=registration_id).first()
    if registration is None:
        raise Http404
    try:
        services.registration_transition(
            actor=acting_user(request),
            registration=registration,
            name=action,
            reason=request.POST.get("reason", "")[:2000],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if action == "forfeit":
            messages.success(request, _("已没收 %(bidder)s 的保证金。") % {"bidder": registration.pseudonym})
        else:
            messages.success(request, _("已处理：%(bidder)s") % {"bidder": registration.pseudonym})
    return redirect("trading:auction_registrations", pk=pk)


@login_required
@require_POST
def auction_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator cancels a running auction, with the reason."""
    principal, auction = _get(request, pk)
    if not policies.can_manage_auctions(principal):
        raise Http404
    try:
        services.auction_cancel(
            actor=acting_user(request), auction=auction, reason=request.POST.get("reason", "")[:2000]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("竞价已取消，保证金将退还。"))
    return redirect("trading:auction_detail", pk=pk)


@login_required
@require_POST
def auction_close(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator closes the auction after its end (the periodic job does it otherwise)."""
    principal, auction = _get(request, pk)
    if not policies.can_manage_auctions(principal):
        raise Http404
    try:
        services.close_auction(auction_id=auction.pk, actor=acting_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("竞价已结束，结果已公示。"))
    return redirect("trading:auction_detail", pk=pk)


urlpatterns = [
    path("listings/<int:pk>/auction/new/", auction_create, name="auction_create"),
    path("auctions/<int:pk>/", auction_detail, name="auction_detail"),
    path("auctions/<int:pk>/live/", auction_live, name="auction_live"),
    path("auctions/<int:pk>/register/", auction_register, name="auction_register"),
    path("auctions/<int:pk>/bid/", auction_bid, name="auction_bid"),
    path("auctions/<int:pk>/registrations/", auction_registrations, name="auction_registrations"),
    path(
        "auctions/<int:pk>/registrations/<int:registration_id>/<str:action>/",
        registration_decide,
        name="auction_registration_decide",
    ),
    path("auctions/<int:pk>/cancel/", auction_cancel, name="auction_cancel"),
    path("auctions/<int:pk>/close/", auction_close, name="auction_close"),
]
