"""Pages of the trading floor: listings (thin: services and selectors decide).

技术交易大厅 (the hall), a listing's page (its fields as the viewer may read them, transitions, objections),
filing and editing a listing, 我的挂牌, the administrators' review queue and objections, the owner's
agency authorisations and the trading settings (notice periods, the working-day calendar).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from techmarket.accounts import selectors as account_selectors
from techmarket.accounts.choices import OrganisationKind
from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import Principal, principal_of
from techmarket.achievements.choices import Confidentiality
from techmarket.core import services as core_services
from techmarket.core.errors import DomainError, NotFound
from techmarket.core.models import Region
from techmarket.core.web import apply_domain_error, paginate, submission_key_of
from techmarket.trading import policies, selectors, services
from techmarket.trading.forms import (
    AuthorisationForm,
    CalendarDayForm,
    ListingFilterForm,
    ListingForm,
    NoticePolicyForm,
    ObjectionForm,
    StateChoiceForm,
)
from techmarket.trading.models import Listing
from techmarket.trading.workflow import LISTING_WORKFLOW, OBJECTION_WORKFLOW

# Transitions the listing page does not offer as plain buttons: the auction pages start auctions.
NOT_ON_PAGE = frozenset({"start_auction", "auction_end", "open", "expire", "start_negotiation", "deal"})


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "core/error.html", {"status": 403}, status=403)


def _get(request: HttpRequest, pk: Any) -> Listing:
    try:
        return selectors.listing_get(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None


# --- the hall ---------------------------------------------------------------------------------------------


@require_GET
def hall(request: HttpRequest) -> HttpResponse:
    """技术交易大厅: listings in notice or later; search and filters over what the visitor may read."""
    principal = principal_of(request.user)
    form = ListingFilterForm(request.GET)
    if form.is_valid():
        queryset = selectors.listing_filter(principal, selectors.listing_hall(principal), form.to_filters())
    else:
        queryset = Listing.objects.none()
    page = paginate(request, queryset)
    context = {"form": form, "page": page, "cards": _cards(principal, page)}
    template = "trading/_hall_results.html" if request.headers.get("HX-Request") else "trading/hall.html"
    return render(request, template, context)


def _cards(principal: Principal, rows: Any) -> list[dict[str, Any]]:
    """Each listing as the principal may read it (``selectors.listing_public_view``) with its labels."""
    cards = []
    for listing in rows:
        view = selectors.listing_public_view(principal, listing)
        view.update(
            listing=listing,
            region=listing.region.name,
            mode_label=listing.get_mode_display() if "mode" in view else "",
            license_label=listing.get_license_kind_display() if view.get("license_kind") else "",
        )
        cards.append(view)
    return cards


# --- one listing ------------------------------------------------------------------------------------------


@require_GET
def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request.user)
    listing = _get(request, pk)
    view = selectors.listing_public_view(principal, listing)
    objections = list(selectors.objections_of(principal, listing))
    reasons = selectors.objection_reasons(objections)
    for objection in objections:
        objection.decision_reason = reasons.get(str(objection.pk), "")  # type: ignore[attr-defined]
    shown = policies.shown_fields(principal, listing)
    context = {
        "listing": listing,
        "view": view,
        "card": _cards(principal, [listing])[0],
        "shown": shown,
        "full_view": policies.has_full_view(principal, listing),
        "restricted": listing.achievement.confidentiality != Confidentiality.PUBLIC,
        "achievement_linked": listing.achievement.confidentiality == Confidentiality.PUBLIC
        or policies.has_full_view(principal, listing),
        "transitions": [
            t for t in LISTING_WORKFLOW.available(listing, request.user) if t.name not in NOT_ON_PAGE
        ],
        "can_edit": policies.can_edit(principal, listing),
        "objections": objections,
        "can_resolve": policies.can_review_listings(principal),
        "can_object": policies.can_file_objection(principal, listing),
        "objection_form": ObjectionForm(),
        "objection_key": core_services.new_submission_key(),
    }
    return render(request, "trading/listing_detail.html", context)


@login_required
def listing_create(request: HttpRequest) -> HttpResponse:
    """挂牌: choose a published achievement (own, or one an owner authorised the agency for), then the terms."""
    principal = principal_of(request.user)
    if not policies.can_list(principal):
        messages.error(request, _("只有成果单位的成果填报人、单位管理员或受托机构的技术经纪人可以挂牌。"))
        return redirect("trading:hall")
    choices = selectors.listable_achievements(principal)
    source = request.POST if request.method == "POST" else request.GET
    wanted, via = source.get("achievement", ""), source.get("authorisation", "")
    chosen = next(
        (
            (achievement, authorisation)
            for achievement, authorisation in choices
            if str(achievement.pk) == wanted and str(authorisation.pk if authorisation else "") == via
        ),
        None,
    )
    if chosen is None:
        if wanted:
            messages.error(
                request, _("该成果不能由您挂牌：只有本单位已发布的成果或受托且授权有效的成果可以挂牌。")
            )
        return render(request, "trading/listing_choose.html", {"choices": choices})
    achievement, authorisation = chosen
    form = ListingForm(
        request.POST or None,
        initial={
            "title": achievement.name,
            # A 受限 record's abstract is not copied into the public summary: the seller writes what is public.
            "public_summary": achievement.abstract[:500]
            if achievement.confidentiality == Confidentiality.PUBLIC
            else "",
            "listing_days": 90,
        },
    )
    submission_key = submission_key_of(request)
    if request.method == "POST" and form.is_valid():
        try:
            listing = services.listing_create(
                actor=acting_user(request),
                achievement=achievement,
                authorisation=authorisation,
                data=form.cleaned_data,
                submission_key=submission_key,
            )
            if request.POST.get("submit_now"):
                listing = services.listing_submit(actor=acting_user(request), listing=listing)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(
                request,
                _("挂牌已提交审核。")
                if listing.state != "draft"
                else _("已保存为草稿。检查无误后请提交审核。"),
            )
            return redirect("trading:listing_detail", pk=listing.pk)
    return render(
        request,
        "trading/listing_form.html",
        {
            "form": form,
            "creating": True,
            "achievement": achievement,
            "authorisation": authorisation,
            "submission_key": submission_key,
            "restricted": achievement.confidentiality != Confidentiality.PUBLIC,
        },
    )


@login_required
def listing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request.user)
    listing = _get(request, pk)
    if not policies.can_edit(principal, listing):
        if policies.manages(principal, listing):
            messages.error(request, _("只有草稿或已退回的挂牌可以修改；已提交的挂牌请等待审核结果。"))
            return redirect("trading:listing_detail", pk=pk)
        return _forbidden(request)
    form = ListingForm(request.POST or None, initial=ListingForm.initial_from(listing))
    if request.method == "POST" and form.is_valid():
        try:
            listing = services.listing_update(
                actor=acting_user(request), listing=listing, data=form.cleaned_data
            )
            if request.POST.get("submit_now"):
                listing = services.listing_submit(actor=acting_user(request), listing=listing)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("修改已保存。"))
            return redirect("trading:listing_detail", pk=pk)
    return render(
        request,
        "trading/listing_form.html",
        {
            "form": form,
            "listing": listing,
            "achievement": listing.achievement,
            "restricted": listing.achievement.confidentiality != Confidentiality.PUBLIC,
        },
    )


@login_required
@require_POST
def listing_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    listing = _get(request, pk)
    try:
        services.listing_transition(
            actor=acting_user(request),
            listing=listing,
            name=name,
            reason=request.POST.get("reason", "")[:2000],
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("操作成功：%(action)s") % {"action": LISTING_WORKFLOW.get(name).label})
    if request.POST.get("next") == "review":
        return redirect("trading:review_queue")
    return redirect("trading:listing_detail", pk=pk)


# --- objections -------------------------------------------------------------------------------------------


@login_required
@require_POST
def objection_file(request: HttpRequest, pk: int) -> HttpResponse:
    listing = _get(request, pk)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        errors = "；".join(str(e) for field in form.errors.values() for e in field)
        messages.error(request, _("异议未提交：%(errors)s") % {"errors": errors})
        return redirect("trading:listing_detail", pk=pk)
    try:
        services.objection_file(
            actor=acting_user(request),
            listing=listing,
            reason=form.cleaned_data["reason"],
            evidence=form.cleaned_data["evidence"],
            submission_key=request.POST.get("submission_key", "")[:64],
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("异议已提交，平台管理员处理后会通知您。"))
    return redirect("trading:listing_detail", pk=pk)


@login_required
@require_POST
def objection_resolve(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    principal = principal_of(request.user)
    try:
        objection = selectors.objection_get(principal, pk)
    except NotFound:
        raise Http404 from None
    try:
        services.objection_transition(
            actor=acting_user(request),
            objection=objection,
            name=name,
            reason=request.POST.get("reason", "")[:2000],
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("操作成功：%(action)s") % {"action": OBJECTION_WORKFLOW.get(name).label})
    return redirect("trading:listing_detail", pk=objection.listing_id)


# --- lists ------------------------------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的挂牌: the organisation's listings, as seller or as authorised agency."""
    principal = principal_of(request.user)
    if not policies.can_see_own_listings(principal):
        return _forbidden(request)
    form = StateChoiceForm(request.GET)
    rows = selectors.own_listings(principal)
    if form.is_valid() and form.cleaned_data.get("state"):
        rows = rows.filter(state=form.cleaned_data["state"])
    return render(
        request,
        "trading/mine.html",
        {
            "page": paginate(request, rows),
            "form": form,
            "listable": len(selectors.listable_achievements(principal)),
        },
    )


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """审核挂牌: submitted listings and open objections (trading administrators)."""
    principal = principal_of(request.user)
    if not policies.can_review_listings(principal):
        return _forbidden(request)
    return render(
        request,
        "trading/review_queue.html",
        {
            "page": paginate(request, selectors.review_queue(principal)),
            "objections": selectors.open_objections(principal)[:100],
        },
    )


# --- agency authorisations --------------------------------------------------------------------------------


def _authorisation_form(principal: Principal, data: Any = None) -> AuthorisationForm:
    own = [a for a, via in selectors.listable_achievements(principal) if via is None]
    agencies = (
        account_selectors.verified_organisations()
        .filter(kind=OrganisationKind.AGENCY)
        .exclude(pk=principal.organisation_id or 0)
        .order_by("name")
    )
    return AuthorisationForm(
        data,
        achievements=own,
        agencies=agencies,
        initial={"ends_on": timezone.localdate() + datetime.timedelta(days=365)},
    )


@login_required
def authorisations(request: HttpRequest) -> HttpResponse:
    """委托挂牌: the owner's administrators authorise a transfer agency (scope, end date) and revoke it."""
    principal = principal_of(request.user)
    if not policies.can_manage_authorisations(principal):
        return _forbidden(request)
    form = _authorisation_form(principal, request.POST or None)
    if request.method == "POST" and form.is_valid():
        own = {a.pk: a for a, via in selectors.listable_achievements(principal) if via is None}
        agency = account_selectors.organisations_by_id([form.cleaned_data["agency"]]).first()
        try:
            services.authorisation_grant(
                actor=acting_user(request),
                achievement=own[form.cleaned_data["achievement"]],
                agency=agency,  # type: ignore[arg-type]
                scope=form.cleaned_data["scope"],
                ends_on=form.cleaned_data["ends_on"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("已授权 %(agency)s。") % {"agency": agency})
            return redirect("trading:authorisations")
    return render(
        request,
        "trading/authorisations.html",
        {
            "form": form,
            "rows": selectors.authorisations_granted(principal),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def authorisation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request.user)
    try:
        authorisation = selectors.authorisation_get(principal, pk)
    except NotFound:
        raise Http404 from None
    try:
        services.authorisation_revoke(
            actor=acting_user(request),
            authorisation=authorisation,
            reason=request.POST.get("reason", "")[:2000],
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("授权已撤销。"))
    return redirect("trading:authorisations")


# --- trading settings -------------------------------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), 2100)


@login_required
def trading_settings(request: HttpRequest) -> HttpResponse:
    """交易设置: the notice period per region and the working-day calendar (holidays, 调休 days)."""
    principal = principal_of(request.user)
    if not policies.can_set_notice_period(principal):
        return _forbidden(request)
    year = _year(request)
    policy_form = NoticePolicyForm(request.POST or None, prefix="policy")
    day_form = CalendarDayForm(prefix="day")
    if request.method == "POST" and policy_form.is_valid():
        region = Region.objects.filter(code=policy_form.cleaned_data["region"]).first()
        try:
            if region is None:
                raise DomainError("invalid", _("地区无效。"), fields={"region": [_("地区无效。")]})
            services.notice_policy_set(
                actor=acting_user(request),
                region=region,
                working_days=policy_form.cleaned_data["notice_working_days"],
            )
        except DomainError as error:
            apply_domain_error(policy_form, error, {"notice_working_days": "notice_working_days"})
        else:
            messages.success(request, _("%(region)s 的公示期已设置。") % {"region": region.name})
            return redirect("trading:settings")
    return _settings_page(request, year, policy_form, day_form)


def _settings_page(
    request: HttpRequest, year: int, policy_form: NoticePolicyForm, day_form: CalendarDayForm
) -> HttpResponse:
    return render(
        request,
        "trading/settings.html",
        {
            "policy_form": policy_form,
            "day_form": day_form,
            "policies": selectors.notice_policies(),
            "days": selectors.calendar_days(year),
            "year": year,
            "years": [year - 1, year, year + 1],
        },
    )


@login_required
@require_POST
def calendar_day_set(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request.user)
    if not policies.can_set_notice_period(principal):
        return _forbidden(request)
    form = CalendarDayForm(request.POST, prefix="day")
    if form.is_valid():
        try:
            day = core_services.calendar_day_set(
                actor=acting_user(request),
                date=form.cleaned_data["date"],
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(
                request, _("%(date)s 已设为%(kind)s。") % {"date": day.date, "kind": day.get_kind_display()}
            )
            return redirect(reverse("trading:settings") + f"?year={day.date.year}")
    return _settings_page(request, _year(request), NoticePolicyForm(prefix="policy"), form)


@login_required
@require_POST
def calendar_day_clear(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request.user)
    if not policies.can_set_notice_period(principal):
        return _forbidden(request)
    try:
        day = selectors.calendar_day_get(pk)
        core_services.calendar_day_clear(
            actor=acting_user(request), day=day, reason=request.POST.get("reason", "")[:200]
        )
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("%(date)s 已恢复为按周一至周五计算。") % {"date": day.date})
    return redirect("trading:settings")


urlpatterns: list[URLPattern] = [
    path("", hall, name="hall"),
    path("listings/new/", listing_create, name="listing_create"),
    path("listings/mine/", mine, name="mine"),
    path("listings/review/", review_queue, name="review_queue"),
    path("listings/<int:pk>/", listing_detail, name="listing_detail"),
    path("listings/<int:pk>/edit/", listing_edit, name="listing_edit"),
    path("listings/<int:pk>/transitions/<str:name>/", listing_transition, name="listing_transition"),
    path("listings/<int:pk>/objections/", objection_file, name="objection_file"),
    path("objections/<int:pk>/<str:name>/", objection_resolve, name="objection_resolve"),
    path("authorisations/", authorisations, name="authorisations"),
    path("authorisations/<int:pk>/revoke/", authorisation_revoke, name="authorisation_revoke"),
    path("settings/", trading_settings, name="settings"),
    path("settings/calendar/", calendar_day_set, name="calendar_day_set"),
    path("settings/calendar/<int:pk>/clear/", calendar_day_clear, name="calendar_day_clear"),
]
