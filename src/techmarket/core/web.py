"""Helpers shared by the server-rendered views."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files import File
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from techmarket.core import services as core_services
from techmarket.core.errors import DomainError


def apply_domain_error(form: forms.Form, error: DomainError, renames: dict[str, str] | None = None) -> None:
    """Show a service's error on the form: field messages on their fields, the summary on top."""
    renames = renames or {}
    for name, messages in error.fields.items():
        field = renames.get(name, name)
        if field in form.fields:
            for message in messages:
                form.add_error(field, message)
    form.add_error(None, error.message)


def paginate(request: HttpRequest, items: Sequence[Any] | QuerySet[Any], per_page: int = 20) -> Page[Any]:
    paginator: Paginator[Any] = Paginator(items, per_page)
    return paginator.get_page(request.GET.get("page"))


def submission_key_of(request: HttpRequest) -> str:
    """The one-time key of a creation form: the posted one (kept across a re-render with errors), or a
    fresh one for a new form. Services claim it, so a second submission creates nothing."""
    posted = request.POST.get("submission_key", "") if request.method == "POST" else ""
    return posted[:64] or core_services.new_submission_key()


def private_attachment(
    content: bytes | File[Any], filename: str, content_type: str = "application/pdf"
) -> HttpResponse:
    """A download only its reader may keep: an attachment that no shared cache stores or sniffs as HTML."""
    if isinstance(content, File):
        with content.open("rb") as stored:
            content = stored.read()
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=filename) or "attachment"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
