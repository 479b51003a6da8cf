"""Form fields every app's forms share."""

from __future__ import annotations

from typing import Any

from django import forms


class ClassificationChoiceField(forms.ModelChoiceField):
    """A national classification (industry, discipline) shown as "code name"."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


def check_range(form: forms.Form, low: str, high: str, message: Any) -> None:
    """A range whose lower end is above its upper end filters nothing: say so on the upper field."""
    data = form.cleaned_data
    if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
        form.add_error(high, message)
