"""The demand hall's query and screening parameters, validated once for the page and the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.core.forms import check_range
from techmarket.core.pickers import CodePickerField
from techmarket.demands.choices import Cooperation
from techmarket.demands.selectors import DemandFilters


class DemandFilterForm(forms.Form):
    """Screening parameters of the demand hall: an invalid one is an error shown next to its field."""

    q = forms.CharField(label=_("关键词"), required=False, max_length=200)
    industry = CodePickerField("industry", label=_("行业"), code_label=_("行业代码"))
    region = CodePickerField("region", label=_("地区"), code_label=_("地区代码"))
    budget_min = forms.DecimalField(
        label=_("预算不低于（万元）"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    budget_max = forms.DecimalField(
        label=_("预算不高于（万元）"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    deadline_from = forms.DateField(
        label=_("期限不早于"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline_to = forms.DateField(
        label=_("期限不晚于"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    cooperation = forms.ChoiceField(
        label=_("合作方式"), choices=[("", _("不限")), *Cooperation.choices], required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        check_range(self, "budget_min", "budget_max", _("预算上限不能低于预算下限。"))
        check_range(self, "deadline_from", "deadline_to", _("期限的结束日期不能早于开始日期。"))
        return cleaned

    def to_filters(self) -> DemandFilters:
        data = self.cleaned_data
        return DemandFilters(
            q=data.get("q") or "",
            industry=data.get("industry") or "",
            region=data.get("region") or "",
            budget_min=data.get("budget_min"),
            budget_max=data.get("budget_max"),
            deadline_from=data.get("deadline_from"),
            deadline_to=data.get("deadline_to"),
            cooperation=data.get("cooperation") or "",
        )
