"""Helpers shared by the server-rendered views."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
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


def paginate(request: HttpRequest, items: Sequence[Any] | QuerySet[Any], per_page: int = 20) -> Page[Any]:
    paginator: Paginator[Any] = Paginator(items, per_page)
    return paginator.get_page(request.GET.get("page"))
