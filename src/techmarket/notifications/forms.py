"""The 通知设置 form: one yes/no per group of notices and switchable channel."""

from __future__ import annotations

from typing import Any

from django import forms

from techmarket.notifications.selectors import OPTIONAL_CHANNELS, Preference


def field_name(group: str, channel: str) -> str:
    return f"{group}__{channel}"


class PreferencesForm(forms.Form):
    """Built from the user's current settings; ``values()`` is what ``services.preferences_set`` takes."""

    def __init__(self, *args: Any, preferences: list[Preference], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = preferences
        for row in preferences:
            for channel in OPTIONAL_CHANNELS:
                self.fields[field_name(row.group, channel)] = forms.BooleanField(
                    required=False, initial=getattr(row, channel), label=f"{row.label} {channel}"
                )

    def table(self) -> list[tuple[Preference, list[forms.BoundField]]]:
        """(group, its channel fields in OPTIONAL_CHANNELS order) for the template."""
        return [
            (row, [self[field_name(row.group, channel)] for channel in OPTIONAL_CHANNELS])
            for row in self.rows
        ]

    def values(self) -> dict[str, dict[str, bool]]:
        return {
            row.group: {
                channel: bool(self.cleaned_data.get(field_name(row.group, channel)))
                for channel in OPTIONAL_CHANNELS
            }
            for row in self.rows
        }
