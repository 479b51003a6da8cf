"""Helpers shared by the server-rendered views."""

from __future__ import annotations

from django import forms
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

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


def paginate(request: HttpRequest, items: object, per_page: int = 20) -> Page:
    paginator = Paginator(items, per_page)  # type: ignore[arg-type]
    return paginator.get_page(request.GET.get("page"))
