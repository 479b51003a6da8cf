from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.docking.choices import AnswerKind, DeclineReason
from techmarket.docking.models import MAX_RESPONSE_HOURS
from techmarket.docking.services import MAX_MESSAGE_CHARS


class AnswerForm(forms.Form):
    kind = forms.ChoiceField(label=_("答复"), choices=AnswerKind.choices)
    reason = forms.ChoiceField(
        label=_("婉拒原因"), choices=[("", "—"), *DeclineReason.choices], required=False
    )
    message = forms.CharField(
        label=_("说明或留言"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=MAX_MESSAGE_CHARS,
    )


class PushForm(forms.Form):
    message = forms.CharField(
        label=_("推送说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=MAX_MESSAGE_CHARS,
    )


class ClockPolicyForm(forms.Form):
    region = forms.RegexField(
        label=_("行政区划代码"), regex=r"^\d{6}$", widget=forms.TextInput(attrs={"list": "policy-regions"})
    )
    hours = forms.IntegerField(
        label=_("响应时限（小时）"), min_value=1, max_value=MAX_RESPONSE_HOURS, initial=24
    )
    remind_before_hours = forms.IntegerField(
        label=_("提前提醒（小时）"), min_value=0, max_value=MAX_RESPONSE_HOURS, initial=4
    )
