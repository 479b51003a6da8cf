"""Form fields every app's forms share."""

from __future__ import annotations

from typing import Any

from django import forms


class ClassificationChoiceField(forms.ModelChoiceField):
    """A national classification (industry, discipline) shown as "code name"."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"
