"""Page forms of the expert pool; the services check permissions and business rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.selectors import organisations
from techmarket.core.choices import ClassificationScheme, RegionLevel
from techmarket.core.forms import ClassificationChoiceField
from techmarket.core.models import Classification, Region
from techmarket.experts.models import ExpertProfile

ADMIN_ONLY_FIELDS = ("organisation", "is_commissioner")


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return " ".join(region.name for region in reversed(obj.chain()))


class ExpertFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    region = forms.ModelChoiceField(
        label=_("地区"),
        queryset=Region.objects.filter(level__in=[RegionLevel.PROVINCE, RegionLevel.CITY]),
        to_field_name="code",
        required=False,
        empty_label=_("全部地区"),
    )
    commissioner = forms.BooleanField(label=_("只看科技特派员"), required=False)

    def query(self) -> dict[str, Any]:
        """Arguments for selectors.expert_list (no filter when the input is invalid)."""
        if not self.is_valid():
            return {}
        region = self.cleaned_data["region"]
        return {
            "query": self.cleaned_data["q"],
            "region": region.code if region else "",
            "commissioner": True if self.cleaned_data["commissioner"] else None,
        }


class ExpertForm(forms.Form):
    """The profile; the organisation and the 科技特派员 designation are offered to platform admins only."""

    name = forms.CharField(label=_("姓名"), max_length=64)
    title = forms.CharField(label=_("职称"), max_length=64, required=False)
    organisation = forms.ModelChoiceField(
        label=_("所在单位（平台单位）"), queryset=organisations(), required=False
    )
    organisation_name = forms.CharField(
        label=_("工作单位"), max_length=200, required=False, help_text=_("单位未在平台注册时填写。")
    )
    region = RegionChoiceField(label=_("所在地区"), queryset=Region.objects.select_related("parent__parent"))
    discipline = ClassificationChoiceField(
        label=_("学科分类（GB/T 13745）"),
        queryset=Classification.objects.filter(scheme=ClassificationScheme.DISCIPLINE),
        required=False,
    )
    industry = ClassificationChoiceField(
        label=_("行业分类（GB/T 4754）"),
        queryset=Classification.objects.filter(scheme=ClassificationScheme.INDUSTRY),
        required=False,
    )
    research_fields = forms.CharField(
        label=_("研究领域"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    research_keywords = forms.CharField(
        label=_("研究方向关键词"), max_length=200, required=False, help_text=_("用逗号或顿号分隔。")
    )
    bio = forms.CharField(
        label=_("个人简介"), widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=20000
    )
    phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    is_commissioner = forms.BooleanField(label=_("科技特派员"), required=False)
    accepts_push = forms.BooleanField(label=_("接受需求推送"), required=False, initial=True)

    def __init__(self, *args: Any, admin: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not admin:
            for name in ADMIN_ONLY_FIELDS:
                del self.fields[name]

    @classmethod
    def initial_from(cls, expert: ExpertProfile) -> dict[str, Any]:
        return {name: getattr(expert, name) for name in cls.base_fields}
