"""Forms of the subsidies pages: plain fields; the services check every value and say what is wrong."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.subsidies.services import (
    DEFAULT_OBJECTION_DAYS,
    NOTE_MAX_CHARS,
    POLICY_MAX_CHARS,
    TEXT_MAX_CHARS,
)


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class PolicyForm(_Styled):
    document = forms.CharField(
        label=_("政策文档（JSON）"),
        max_length=POLICY_MAX_CHARS,
        widget=forms.Textarea(
            attrs={"rows": 28, "spellcheck": "false", "class": "form-control font-monospace small"}
        ),
    )
    note = forms.CharField(label=_("修改说明"), max_length=NOTE_MAX_CHARS, required=False)


class ComputeForm(_Styled):
    policy = forms.ChoiceField(label=_("奖补政策"))
    year = forms.CharField(label=_("年度"), max_length=8)
    budget = forms.CharField(label=_("年度科技经费预算（元）"), max_length=32, required=False)
    objection_days = forms.CharField(label=_("公示期（天）"), max_length=4, initial=DEFAULT_OBJECTION_DAYS)

    def __init__(self, *args: Any, choices: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["policy"]).choices = list(choices)
        self.fields["policy"].widget.attrs["class"] = "form-select"


class ReasonForm(_Styled):
    reason = forms.CharField(
        label=_("理由"), max_length=TEXT_MAX_CHARS, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ObjectionForm(_Styled):
    text = forms.CharField(
        label=_("异议内容"), max_length=TEXT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 3})
    )
    award = forms.ChoiceField(label=_("针对的奖补结果（可选）"), required=False)

    def __init__(self, *args: Any, awards: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["award"]).choices = [("", _("整个名单")), *awards]
        self.fields["award"].widget.attrs["class"] = "form-select"


class ClaimForm(_Styled):
    policy = forms.ChoiceField(label=_("奖补政策"))
    year = forms.CharField(label=_("年度"), max_length=8)
    org_name = forms.CharField(label=_("单位名称"), max_length=200)
    org_id = forms.CharField(label=_("统一社会信用代码（可选）"), max_length=64, required=False)
    org_region = forms.CharField(label=_("单位所在地区代码"), max_length=6)
    rule = forms.CharField(label=_("奖补规则编号"), max_length=64)
    facts = forms.CharField(
        label=_("申报事实（JSON）"),
        max_length=TEXT_MAX_CHARS * 5,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control font-monospace small"}),
    )
    note = forms.CharField(label=_("备注"), max_length=NOTE_MAX_CHARS, required=False)

    def __init__(self, *args: Any, choices: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["policy"]).choices = list(choices)
        self.fields["policy"].widget.attrs["class"] = "form-select"
