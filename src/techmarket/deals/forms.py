"""The offer form: amounts are checked by the service (a malformed one gets its clear message)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.deals.services import DEFAULT_VALID_DAYS, MAX_TERMS_CHARS, MAX_VALID_DAYS


class OfferForm(forms.Form):
    amount = forms.CharField(label=_("金额（万元）"), max_length=32)
    payment_terms = forms.CharField(
        label=_("支付条件"),
        required=False,
        max_length=MAX_TERMS_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    licence_terms = forms.CharField(
        label=_("许可条件"),
        required=False,
        max_length=MAX_TERMS_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    valid_days = forms.IntegerField(
        label=_("有效期（天）"), min_value=1, max_value=MAX_VALID_DAYS, initial=DEFAULT_VALID_DAYS
    )
    commission = forms.CharField(label=_("经纪佣金（万元，可选）"), required=False, max_length=32)
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")
