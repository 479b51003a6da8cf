"""Forms of the trading floor's listing pages: they parse what was typed; the services decide (amounts are
checked by ``services.parse_money``, so a malformed price gets the service's message)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.core.choices import CalendarDayKind
from techmarket.core.forms import check_range
from techmarket.core.pickers import CodePickerField
from techmarket.trading.choices import (
    PUBLIC_LISTING_STATES,
    AuthorisationScope,
    LicenseKind,
    ListingMode,
    ListingState,
    Pricing,
    PublicField,
)
from techmarket.trading.models import MAX_NOTICE_WORKING_DAYS, Listing
from techmarket.trading.selectors import ListingFilters

BLANK = [("", _("不限"))]


class ListingFilterForm(forms.Form):
    """技术交易大厅's screening: an invalid value is an error next to its field, and nothing is listed."""

    q = forms.CharField(label=_("关键词"), required=False, max_length=200)
    mode = forms.ChoiceField(label=_("交易方式"), choices=[*BLANK, *ListingMode.choices], required=False)
    pricing = forms.ChoiceField(label=_("定价方式"), choices=[*BLANK, *Pricing.choices], required=False)
    price_min = forms.DecimalField(
        label=_("价格不低于（万元）"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    price_max = forms.DecimalField(
        label=_("价格不高于（万元）"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    region = CodePickerField("region", label=_("地区"), code_label=_("地区代码"))
    state = forms.ChoiceField(
        label=_("状态"),
        choices=[*BLANK, *[(s.value, s.label) for s in PUBLIC_LISTING_STATES]],
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        check_range(self, "price_min", "price_max", _("价格上限不能低于价格下限。"))
        return cleaned

    def to_filters(self) -> ListingFilters:
        data = self.cleaned_data
        return ListingFilters(
            q=data.get("q") or "",
            mode=data.get("mode") or "",
            pricing=data.get("pricing") or "",
            price_min=data.get("price_min"),
            price_max=data.get("price_max"),
            region=data.get("region") or "",
            state=data.get("state") or "",
        )


class ListingForm(forms.Form):
    """A listing's terms. The price is text: the service parses it and names a malformed amount."""

    title = forms.CharField(label=_("挂牌名称"), max_length=200)
    mode = forms.ChoiceField(label=_("交易方式"), choices=ListingMode.choices)
    license_kind = forms.ChoiceField(
        label=_("许可类型"), choices=[("", _("（许可时必选）")), *LicenseKind.choices], required=False
    )
    license_territory = forms.CharField(label=_("许可地域"), max_length=200, required=False)
    license_term_months = forms.IntegerField(
        label=_("许可期限（月）"), min_value=1, max_value=1200, required=False
    )
    pricing = forms.ChoiceField(label=_("定价方式"), choices=Pricing.choices)
    price = forms.CharField(
        label=_("价格（万元）"),
        max_length=32,
        required=False,
        help_text=_("固定价格必填；面议可填参考价；拍卖、一次报价由管理员设定起拍价。最多两位小数。"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    listing_days = forms.IntegerField(label=_("挂牌期（天）"), min_value=1, max_value=730, initial=90)
    public_summary = forms.CharField(label=_("公开摘要"), widget=forms.Textarea(attrs={"rows": 4}))
    confidential_detail = forms.CharField(
        label=_("保密信息"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("只有本单位、受托机构和平台管理员可见。"),
    )
    public_fields = forms.MultipleChoiceField(
        label=_("受限成果公开字段"),
        choices=PublicField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("成果为“受限”时，挂牌只向公众显示勾选的字段；公开成果的挂牌全部显示。"),
    )

    @staticmethod
    def initial_from(listing: Listing) -> dict[str, Any]:
        return {
            "title": listing.title,
            "mode": listing.mode,
            "license_kind": listing.license_kind,
            "license_territory": listing.license_territory,
            "license_term_months": listing.license_term_months,
            "pricing": listing.pricing,
            "price": "" if listing.price is None else str(listing.price),
            "listing_days": listing.listing_days,
            "public_summary": listing.public_summary,
            "confidential_detail": listing.confidential_detail,
            "public_fields": listing.public_fields,
        }


class ObjectionForm(forms.Form):
    reason = forms.CharField(label=_("异议理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(
        label=_("证据说明"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如专利号、权属证明、合同编号等。"),
    )


class AuthorisationForm(forms.Form):
    """An owner organisation's administrator authorises a transfer agency for one achievement."""

    achievement = forms.TypedChoiceField(label=_("科技成果"), coerce=int)
    agency = forms.TypedChoiceField(label=_("受托机构"), coerce=int)
    scope = forms.ChoiceField(label=_("授权范围"), choices=AuthorisationScope.choices)
    ends_on = forms.DateField(label=_("授权截止日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, achievements: Any = (), agencies: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["achievement"].choices = [(a.pk, a.name) for a in achievements]  # type: ignore[attr-defined]
        self.fields["agency"].choices = [(o.pk, o.name) for o in agencies]  # type: ignore[attr-defined]


class NoticePolicyForm(forms.Form):
    region = CodePickerField("region", label=_("地区"), code_label=_("地区代码"))
    notice_working_days = forms.IntegerField(
        label=_("公示期（工作日）"), min_value=1, max_value=MAX_NOTICE_WORKING_DAYS
    )

    def clean_region(self) -> str:
        region = self.cleaned_data.get("region") or ""
        if not region:
            raise forms.ValidationError(_("请选择地区。"))
        return str(region)


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("类型"), choices=CalendarDayKind.choices)
    name = forms.CharField(label=_("节日名称"), max_length=32, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class StateChoiceForm(forms.Form):
    """The mine page's state screen."""

    state = forms.ChoiceField(label=_("状态"), choices=[*BLANK, *ListingState.choices], required=False)
