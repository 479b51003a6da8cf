"""The catalogue's query and screening parameters, validated once for pages, API and exports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.choices import OrganisationKind
from techmarket.achievements import market
from techmarket.achievements.choices import AchievementState, SortOrder, TransferMode
from techmarket.achievements.selectors import Filters
from techmarket.core.forms import check_range
from techmarket.core.pickers import CodePickerField

TRL_CHOICES = [("", _("不限")), *[(level, str(level)) for level in range(1, 10)]]
TRADABLE_CHOICES = [("", _("不限")), ("1", _("仅可交易"))]
TRUE_VALUES = frozenset({"1", "true", "yes", "on"})


def _listing_mode_choices() -> list[tuple[str, object]]:
    return [("", "—"), *market.mode_choices()]


class TradableField(forms.ChoiceField):
    """可交易: "1" (also true/yes/on for API callers) or empty; anything else is an error, not a guess."""

    def to_python(self, value: object) -> str:
        text = str(value or "").strip().lower()
        if text in TRUE_VALUES:
            return "1"
        if text in {"", "0", "false", "no", "off"}:
            return ""
        return text


class AchievementFilterForm(forms.Form):
    """Screening parameters: an invalid one is an error shown next to its field, never silently dropped."""

    q = forms.CharField(label=_("关键词"), required=False, max_length=200)
    discipline = CodePickerField("discipline", label=_("学科"), code_label=_("学科代码"))
    industry = CodePickerField("industry", label=_("行业"), code_label=_("行业代码"))
    region = CodePickerField("region", label=_("地区"), code_label=_("地区代码"))
    trl_min = forms.IntegerField(
        label=_("最低TRL"), min_value=1, max_value=9, required=False, widget=forms.Select(choices=TRL_CHOICES)
    )
    trl_max = forms.IntegerField(
        label=_("最高TRL"), min_value=1, max_value=9, required=False, widget=forms.Select(choices=TRL_CHOICES)
    )
    transfer_mode = forms.ChoiceField(
        label=_("转化方式"), choices=[("", "—"), *TransferMode.choices], required=False
    )
    price_min = forms.DecimalField(
        label=_("最低价格（万元）"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    price_max = forms.DecimalField(
        label=_("最高价格（万元）"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    year = forms.IntegerField(label=_("发布年份"), min_value=1949, max_value=2100, required=False)
    organisation_kind = forms.ChoiceField(
        label=_("单位类型"), choices=[("", "—"), *OrganisationKind.choices], required=False
    )
    # Bounded by the largest key the database holds: beyond it SQLite cannot even bind the number.
    organisation = forms.IntegerField(
        label=_("单位"), min_value=1, max_value=2**63 - 1, required=False, widget=forms.HiddenInput
    )
    state = forms.ChoiceField(label=_("状态"), choices=[("", "—"), *AchievementState.choices], required=False)
    sort = forms.ChoiceField(label=_("排序"), choices=[("", "—"), *SortOrder.choices], required=False)
    # The trading floor (ADR 0011): answered by the registered market, on the listing, not the record.
    tradable = TradableField(label=_("可交易"), choices=TRADABLE_CHOICES, required=False)
    listing_mode = forms.ChoiceField(label=_("挂牌交易方式"), choices=_listing_mode_choices, required=False)
    listing_price_min = forms.DecimalField(
        label=_("挂牌最低价（万元）"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    listing_price_max = forms.DecimalField(
        label=_("挂牌最高价（万元）"), min_value=0, max_digits=14, decimal_places=2, required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        check_range(self, "trl_min", "trl_max", _("最高TRL不能低于最低TRL。"))
        check_range(self, "price_min", "price_max", _("最高价格不能低于最低价格。"))
        check_range(self, "listing_price_min", "listing_price_max", _("挂牌最高价不能低于挂牌最低价。"))
        return cleaned

    def to_filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            q=data.get("q") or "",
            discipline=data.get("discipline") or "",
            industry=data.get("industry") or "",
            region=data.get("region") or "",
            trl_min=data.get("trl_min"),
            trl_max=data.get("trl_max"),
            transfer_mode=data.get("transfer_mode") or "",
            price_min=float(data["price_min"]) if data.get("price_min") is not None else None,
            price_max=float(data["price_max"]) if data.get("price_max") is not None else None,
            year=data.get("year"),
            organisation_kind=data.get("organisation_kind") or "",
            organisation=data.get("organisation"),
            state=data.get("state") or "",
            sort=data.get("sort") or "",
            trade=market.TradeFilter(
                tradable=data.get("tradable") == "1",
                mode=data.get("listing_mode") or "",
                price_min=data.get("listing_price_min"),
                price_max=data.get("listing_price_max"),
            ),
        )
