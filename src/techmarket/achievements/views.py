"""Pages of the registry: the public catalogue, filing, review and the record's timeline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import principal_of
from techmarket.accounts.selectors import user_by_username
from techmarket.achievements import exports, market, policies, selectors, services
from techmarket.achievements.filters import AchievementFilterForm
from techmarket.achievements.forms import AttachmentForm, FilingForms, GrantForm
from techmarket.achievements.models import Achievement
from techmarket.achievements.workflow import ACHIEVEMENT_WORKFLOW
from techmarket.conversations import selectors as conversation_selectors
from techmarket.core.errors import DomainError, NotFound
from techmarket.core.web import paginate, submission_key_of


def _catalogue_queryset(
    request: HttpRequest, form: AchievementFilterForm, *, for_export: bool = False
) -> QuerySet[Achievement]:
    """The filtered records; none while a filter is invalid (the page must not pretend to filter)."""
    principal = principal_of(request.user)
    if not form.is_valid():
        return Achievement.objects.none()
    rows = selectors.achievement_for_export if for_export else selectors.achievement_for_list
    return rows(
        selectors.achievement_filter(selectors.achievement_catalogue(principal), form.to_filters(), principal)
    )


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """The public catalogue: full-text search, screening, sorting, pagination (also on phones)."""
    form = AchievementFilterForm(request.GET)
    page = paginate(request, _catalogue_queryset(request, form))
    page.object_list = market.with_badges(principal_of(request.user), list(page.object_list))
    template = (
        "achievements/_results.html" if request.headers.get("HX-Request") else "achievements/catalogue.html"
    )
    context = {
        "form": form,
        "page": page,
        "query": request.GET.urlencode(),
        "q": form.cleaned_data.get("q", "") if form.is_valid() else "",
        "partial": selectors.is_partial_match(page),
    }
    return render(request, template, context)


@require_GET
def export_catalogue(request: HttpRequest) -> HttpResponse:
    """The filtered list as Excel: the same records the caller sees on the page."""
    form = AchievementFilterForm(request.GET)
    return exports.xlsx_response(
        _catalogue_queryset(request, form, for_export=True)[: exports.MAX_EXPORT_ROWS], "achievements.xlsx"
    )


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    names = selectors.achievement_suggest(principal_of(request.user), request.GET.get("q", "")[:50])
    return render(request, "achievements/_suggestions.html", {"names": names})


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request.user)
    try:
        achievement = selectors.achievement_get(principal, pk)
    except NotFound:
        raise Http404 from None
    context = {
        "achievement": achievement,
        "timeline": selectors.timeline_entries(achievement, principal),
        "can_edit": policies.can_edit(principal, achievement),
        "can_manage_access": policies.can_manage_access(principal, achievement),
        "duplicates": selectors.duplicate_candidates(principal, achievement),
        "attachment_form": AttachmentForm(),
        "grant_form": GrantForm(),
        "deadline": selectors.fiscal_deadline(achievement) if achievement.is_fiscal else None,
        "can_start_conversation": policies.can_start_conversation(principal, achievement),
        "conversations": conversation_selectors.threads_about(
            principal, services.SUBJECT_KIND, achievement.pk
        ),
    }
    return render(request, "achievements/detail.html", context)


@login_required
def create(request: HttpRequest) -> HttpResponse:
    if not policies.can_file(principal_of(request.user)):
        messages.error(request, _("只有成果填报人或单位管理员可以登记成果。"))
        return redirect("core:home")
    filing = FilingForms(request.POST or None)
    submission_key = submission_key_of(request)
    if request.method == "POST" and filing.is_valid():
        try:
            achievement = services.achievement_create(
                actor=acting_user(request), data=filing.cleaned_data, submission_key=submission_key
            )
        except DomainError as error:
            filing.apply_error(error)
        else:
            messages.success(request, _("已保存为草稿。检查无误后请提交审核。"))
            return redirect("achievements:detail", pk=achievement.pk)
    return render(
        request,
        "achievements/form.html",
        {"form": filing.form, "filing": filing, "creating": True, "submission_key": submission_key},
    )


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request.user)
    try:
        achievement = selectors.achievement_get(principal, pk)
    except NotFound:
        raise Http404 from None
    if not policies.can_edit(principal, achievement):
        messages.error(request, _("只有草稿或已退回的成果可以修改。"))
        return redirect("achievements:detail", pk=pk)
    filing = FilingForms(request.POST or None, achievement=achievement)
    if request.method == "POST" and filing.is_valid():
        try:
            services.achievement_update(
                actor=acting_user(request), achievement=achievement, data=filing.cleaned_data
            )
        except DomainError as error:
            filing.apply_error(error)
        else:
            messages.success(request, _("修改已保存。"))
            return redirect("achievements:detail", pk=pk)
    return render(
        request,
        "achievements/form.html",
        {"form": filing.form, "filing": filing, "achievement": achievement},
    )


@login_required
@require_POST
def transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    principal = principal_of(request.user)
    try:
        achievement = selectors.achievement_get(principal, pk)
        services.achievement_transition(
            actor=acting_user(request),
            achievement=achievement,
            name=name,
            reason=request.POST.get("reason", "")[:2000],
        )
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("操作成功：%(action)s") % {"action": ACHIEVEMENT_WORKFLOW.get(name).label}
            if name in ACHIEVEMENT_WORKFLOW.names()
            else _("操作成功。"),
        )
    return redirect("achievements:detail", pk=pk)


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request.user)
    try:
        achievement = selectors.achievement_get(principal, pk)
    except NotFound:
        raise Http404 from None
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的 PDF 文件。"))
    else:
        try:
            services.attachment_add(
                actor=acting_user(request), achievement=achievement, upload=form.cleaned_data["file"]
            )
            messages.success(request, _("附件已上传。"))
        except DomainError as error:
            messages.error(request, error.message)
    return redirect("achievements:detail", pk=pk)


def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """Attachments are served only through the record's visibility check, never as public media."""
    try:
        achievement = selectors.achievement_get(principal_of(request.user), pk)
    except NotFound:
        raise Http404 from None
    attachment = achievement.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type="application/pdf",
    )


@login_required
@require_POST
def grant_access(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_of(request.user)
    try:
        achievement = selectors.achievement_get(principal, pk)
    except NotFound:
        raise Http404 from None
    form = GrantForm(request.POST)
    user = user_by_username(request.POST.get("username", "")) if form.is_valid() else None
    if user is None:
        messages.error(request, _("未找到该用户。"))
    else:
        try:
            services.access_grant(actor=acting_user(request), achievement=achievement, user=user)
            messages.success(request, _("已授权 %(user)s 查看本成果。") % {"user": user})
        except DomainError as error:
            messages.error(request, error.message)
    return redirect("achievements:detail", pk=pk)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request.user)
    records = selectors.own_organisation_records(principal).select_related("region")
    return render(request, "achievements/mine.html", {"page": paginate(request, records)})


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request.user)
    if not policies.can_see_review_queue(principal):
        return render(request, "core/error.html", {"status": 403}, status=403)
    return render(
        request,
        "achievements/review_queue.html",
        {
            "page": paginate(request, selectors.review_queue(principal)),
            "overdue": selectors.overdue_fiscal(principal)[:50],
        },
    )


@login_required
@require_POST
def converse(request: HttpRequest, pk: int) -> HttpResponse:
    """我要对接: open (or return to) the enterprise's thread with the record's holders."""
    principal = principal_of(request.user)
    try:
        achievement = selectors.achievement_get(principal, pk)
    except NotFound:
        raise Http404 from None
    if not policies.can_start_conversation(principal, achievement):
        raise PermissionDenied
    try:
        thread = services.achievement_conversation_open(actor=acting_user(request), achievement=achievement)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("achievements:detail", pk=pk)
    return redirect(conversation_selectors.thread_url(thread))
