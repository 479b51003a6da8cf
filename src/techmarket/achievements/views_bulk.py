"""Pages for bulk work: importing a spreadsheet of achievements and the public quarterly catalogues."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from techmarket.accounts.policies import principal_of
from techmarket.achievements import catalogue, policies, tasks
from techmarket.achievements.catalogue import QUARTER_LABELS
from techmarket.achievements.exports import XLSX_CONTENT_TYPE
from techmarket.achievements.imports import job as import_jobs
from techmarket.achievements.imports.template import template_csv, template_xlsx
from techmarket.achievements.models import ImportJob
from techmarket.core.errors import DomainError, NotFound
from techmarket.core.web import apply_domain_error

TEMPLATE_FILES = {
    "xlsx": (template_xlsx, XLSX_CONTENT_TYPE),
    "csv": (template_csv, "text/csv; charset=utf-8"),
}


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("导入文件"),
        help_text=gettext_lazy("使用下载的模板填写，支持 .xlsx 和 .csv（UTF-8 或 GB18030 编码）。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def _own_job(request: HttpRequest, job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=job_id, user_id=request.user.pk or 0).first()
    if job is None:
        raise Http404
    return job


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    """Download the template, upload a file; the check runs in the background and the job page follows it."""
    if not policies.can_file(principal_of(request.user)):
        messages.error(request, _("只有成果填报人或单位管理员可以登记成果。"))
        return redirect("core:home")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_jobs.store_upload(actor=request.user, upload=form.cleaned_data["file"])  # type: ignore[arg-type]
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            tasks.check_import(job.pk, translation.get_language())
            return redirect("achievements:import_job", job_id=job.pk)
    jobs = import_jobs.recent_jobs(request.user)  # type: ignore[arg-type]
    return render(request, "achievements/bulk/import.html", {"form": form, "jobs": jobs})


@require_GET
def import_template(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in TEMPLATE_FILES:
        raise Http404
    build, content_type = TEMPLATE_FILES[file_format]
    response = HttpResponse(build(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="achievement-import-template.{file_format}"'
    return response


@login_required
@require_GET
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    return render(request, "achievements/bulk/job.html", {"job": _own_job(request, job_id)})


@login_required
@require_GET
def import_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job's status panel; while the job runs it asks htmx to fetch it again every second."""
    return render(request, "achievements/bulk/_job_status.html", {"job": _own_job(request, job_id)})


@login_required
@require_POST
def import_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _own_job(request, job_id)
    if import_jobs.start_import(actor=request.user, job=job):  # type: ignore[arg-type]
        tasks.run_import(job.pk, translation.get_language())
    else:
        messages.error(request, _("该文件不在待确认状态，不能重复导入。"))
    return redirect("achievements:import_job", job_id=job.pk)


class CataloguePublishForm(forms.Form):
    """Which quarter to publish: a year of the last ten and a quarter (checked by catalogue.parse_quarter)."""

    year = forms.TypedChoiceField(label=gettext_lazy("年份"), coerce=int)
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("季度"),
        coerce=int,
        choices=list(QUARTER_LABELS.items()),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(year, str(year)) for year in range(this_year, this_year - 10, -1)]  # type: ignore[attr-defined]

    @property
    def label(self) -> str:
        return f"{self.cleaned_data['year']}Q{self.cleaned_data['quarter']}"


@login_required
def catalogue_publish(request: HttpRequest) -> HttpResponse:
    """Administrators choose a quarter, see how many records its catalogue holds, and publish it; the
    files are written in the background and the published catalogue appears on the public list."""
    if not policies.can_publish_catalogue(principal_of(request.user)):
        return render(request, "core/error.html", {"status": 403}, status=403)
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else request.GET if "year" in request.GET else None
    form = CataloguePublishForm(data, initial={"year": today.year, "quarter": (today.month - 1) // 3 + 1})
    context: dict[str, Any] = {"form": form}
    if form.is_bound and form.is_valid():
        try:
            period, count, earlier = catalogue.preview(actor=request.user, quarter=form.label)  # type: ignore[arg-type]
        except DomainError as error:
            apply_domain_error(form, error, renames={"quarter": "quarter"})
        else:
            if request.method == "POST":
                tasks.publish_catalogue(period.label, request.user.pk, translation.get_language())
                messages.success(
                    request,
                    _("已开始生成%(title)s目录（%(count)d 项成果），完成后将出现在下方列表中。")
                    % {"title": period.title, "count": count},
                )
                return redirect("achievements:catalogues")
            context.update({"period": period, "count": count, "earlier": earlier})
    return render(request, "achievements/bulk/catalogue_publish.html", context)


@require_GET
def catalogues(request: HttpRequest) -> HttpResponse:
    """The published quarterly catalogues (public records only), for everyone."""
    return render(
        request, "achievements/bulk/catalogues.html", {"catalogues": catalogue.published_catalogues()}
    )


@require_GET
def catalogue_download(request: HttpRequest, quarter: str, file_format: str) -> FileResponse:
    try:
        published, path = catalogue.catalogue_file(quarter, file_format)
    except NotFound:
        raise Http404 from None
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{_('科技成果季度目录')}-{published.quarter}.{file_format}",
        content_type=XLSX_CONTENT_TYPE if file_format == "xlsx" else "application/pdf",
    )
