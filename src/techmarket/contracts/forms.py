"""The contract form (技术合同登记表) and the registry's decision forms. Fields are plain text and choices:
the services check every value (a malformed amount gets its clear message); the rows of non-technical
parts and of the payment plan are read by the view (``rows_from_post``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.contracts import codes
from techmarket.contracts.choices import CHINA_COUNTRY_CODE, ContractSubtype

PART_ROWS = 3  # blank rows offered under the stored ones
PLAN_ROWS = 4


def _blank(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", "——"), *choices]


class ContractForm(forms.Form):
    seller_organisation = forms.TypedChoiceField(label=_("卖方单位"), required=False, coerce=str)
    title = forms.CharField(label=_("合同名称"), max_length=200)
    subtype = forms.ChoiceField(label=_("合同类别"))
    seller_entity_type = forms.ChoiceField(label=_("卖方法人类型"))
    buyer_name = forms.CharField(label=_("买方名称"), max_length=200)
    buyer_credit_code = forms.CharField(label=_("买方统一社会信用代码"), max_length=32, required=False)
    buyer_entity_type = forms.ChoiceField(label=_("买方法人类型"))
    buyer_country_code = forms.ChoiceField(label=_("买方国家或地区"), initial=CHINA_COUNTRY_CODE)
    buyer_region_code = forms.CharField(
        label=_("买方行政区划代码"),
        max_length=16,
        required=False,
        help_text=_("6位 GB/T 2260 代码，如 420100；境外买方不填。"),
    )
    signed_on = forms.CharField(
        label=_("签订日期"), max_length=16, widget=forms.DateInput(attrs={"type": "date"})
    )
    term_start = forms.CharField(
        label=_("履行期限起"), max_length=16, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    term_end = forms.CharField(
        label=_("履行期限止"), max_length=16, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    total_amount = forms.CharField(
        label=_("合同总金额（元）"), max_length=32, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    technology_field = forms.ChoiceField(label=_("技术领域"))
    ip_type = forms.ChoiceField(label=_("知识产权类型"))
    plan_source = forms.ChoiceField(label=_("计划来源"))
    expected_investment = forms.CharField(
        label=_("预计新增投资（元）"),
        max_length=32,
        required=False,
        help_text=_("技术转让、技术许可合同必填。"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    expected_output = forms.CharField(
        label=_("预计新增产值（元）"),
        max_length=32,
        required=False,
        help_text=_("技术转让、技术许可合同必填。"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    brokered_contract = forms.TypedChoiceField(
        label=_("所居间的合同（技术中介合同填写）"), required=False, coerce=str
    )
    signed_pdf = forms.FileField(
        label=_("合同文本（PDF，双方签字盖章）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(
        self,
        *args: Any,
        sellers: list[tuple[str, str]] | None = None,
        brokerable: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choice_fields: dict[str, Any] = self.fields
        choice_fields["subtype"].choices = _blank(
            [(value, str(label)) for value, label in ContractSubtype.choices]
        )
        for name, list_name in (
            ("seller_entity_type", "entity_types"),
            ("buyer_entity_type", "entity_types"),
            ("technology_field", "technology_fields"),
            ("ip_type", "ip_types"),
            ("plan_source", "plan_sources"),
        ):
            choice_fields[name].choices = _blank(codes.choices(list_name))
        choice_fields["buyer_country_code"].choices = codes.choices("countries")
        if sellers:
            choice_fields["seller_organisation"].choices = sellers
        else:
            del self.fields["seller_organisation"]
        choice_fields["brokered_contract"].choices = [("", "——"), *(brokerable or [])]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


def rows_from_post(data: Any, prefix: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """The posted rows ``<prefix>-<n>-<column>`` in order (blank rows are dropped by the service)."""
    rows: list[dict[str, str]] = []
    for index in range(60):
        row = {column: str(data.get(f"{prefix}-{index}-{column}", ""))[:200] for column in columns}
        if not any(f"{prefix}-{index}-{column}" in data for column in columns):
            continue
        rows.append(row)
    return rows


class DecisionForm(forms.Form):
    """The registry's decision on a contract under review."""

    reason = forms.CharField(
        label=_("意见或理由"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    certified_amount = forms.CharField(label=_("核定技术交易额（元）"), required=False, max_length=32)
