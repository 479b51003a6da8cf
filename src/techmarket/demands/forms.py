"""The demand form (技术需求填报) — mobile first; the service validates the business rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.core.choices import ClassificationScheme, RegionLevel
from techmarket.core.forms import ClassificationChoiceField
from techmarket.core.models import Classification, Region
from techmarket.demands.choices import Cooperation, DemandConfidentiality
from techmarket.demands.models import Demand
from techmarket.demands.services import RECORD_FIELDS


class DemandForm(forms.Form):
    title = forms.CharField(
        label=_("需求名称"), max_length=120, help_text=_("一句话说清要解决什么，如“手机主板用高导热薄膜”。")
    )
    problem = forms.CharField(
        label=_("需要解决的技术问题"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        help_text=_("写清现象、原因和已尝试的办法。描述越具体，匹配越准确。"),
    )
    targets = forms.CharField(
        label=_("预期目标与技术指标"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        help_text=_("可量化的指标，如“导热系数≥1200W/mK”。"),
    )
    background = forms.CharField(
        label=_("需求背景"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False
    )
    keywords = forms.CharField(
        label=_("关键词"), max_length=200, required=False, help_text=_("1–5个，用逗号分隔。")
    )
    industry = ClassificationChoiceField(
        label=_("所属行业（GB/T 4754）"),
        queryset=Classification.objects.filter(scheme=ClassificationScheme.INDUSTRY),
    )
    discipline = ClassificationChoiceField(
        label=_("学科分类（GB/T 13745，选填）"),
        queryset=Classification.objects.filter(scheme=ClassificationScheme.DISCIPLINE),
        required=False,
    )
    region = forms.ModelChoiceField(
        label=_("所在地区"), queryset=Region.objects.filter(level__in=[RegionLevel.COUNTY, RegionLevel.CITY])
    )
    budget_min = forms.DecimalField(
        label=_("预算下限（万元）"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    budget_max = forms.DecimalField(
        label=_("预算上限（万元）"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    cooperation = forms.MultipleChoiceField(
        label=_("合作方式"), choices=Cooperation.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    expected_trl = forms.IntegerField(
        label=_("期望技术就绪度（TRL 1–9）"),
        min_value=1,
        max_value=9,
        required=False,
        help_text=_("6级以上表示已在相关环境中验证，可较快投入生产。"),
    )
    deadline = forms.DateField(
        label=_("期望解决期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=64)
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.EmailField(label=_("联系邮箱"), required=False)
    confidentiality = forms.ChoiceField(
        label=_("公开方式"),
        choices=DemandConfidentiality.choices,
        initial=DemandConfidentiality.PUBLIC,
        help_text=_("受限：仅审核员和收到推送的专家、机构可见。联系方式对公众始终隐藏。"),
    )

    @staticmethod
    def initial_from(demand: Demand) -> dict[str, Any]:
        initial = {field: getattr(demand, field) for field in RECORD_FIELDS if field != "cooperation"}
        initial["cooperation"] = demand.cooperation_list
        return initial


class CloseForm(forms.Form):
    solved = forms.TypedChoiceField(
        label=_("对接结果"),
        choices=[("1", _("已解决")), ("0", _("未解决"))],
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
