from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.core.choices import RegionLevel
from techmarket.core.models import Region


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误；连续失败多次后将暂时锁定。"),
        "inactive": _("该账号已停用。"),
    }


class PersonFields(forms.Form):
    """The account fields shared by self-registration and accounts opened by an organisation admin."""

    username = forms.RegexField(
        label=_("用户名"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("用户名只能包含字母、数字和 @/./+/-/_。")},
    )
    display_name = forms.CharField(label=_("姓名"), max_length=64)
    email = forms.EmailField(label=_("电子邮箱"))
    phone = forms.RegexField(
        label=_("手机号"),
        regex=r"^1\d{10}$",
        required=False,
        error_messages={"invalid": _("请输入11位手机号。")},
    )


class RegistrationForm(PersonFields):
    field_order = ["organisation_name", "organisation_kind", "credit_code", "region"]

    organisation_name = forms.CharField(label=_("单位名称"), max_length=200)
    organisation_kind = forms.ChoiceField(label=_("单位类型"), choices=OrganisationKind.choices)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, min_length=18)
    region = forms.ModelChoiceField(
        label=_("所在地区"), queryset=Region.objects.filter(level__in=[RegionLevel.CITY, RegionLevel.COUNTY])
    )
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput, min_length=8)
    password_again = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("两次输入的密码不一致。"))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class MemberForm(PersonFields):
    """An organisation administrator opens an account for a colleague."""

    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, min_length=8)
    roles = forms.MultipleChoiceField(label=_("角色"), choices=[], widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, grantable: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = cast(forms.MultipleChoiceField, self.fields["roles"])
        roles.choices = grantable


class RoleGrantForm(forms.Form):
    """A platform administrator grants a role; reviewers also get the region they review."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    region = forms.ModelChoiceField(
        label=_("管辖地区（审核员必填）"), queryset=Region.objects.all(), required=False
    )


class TwoFactorCodeForm(forms.Form):
    """The second step of a sign-in: the authenticator app's 6-digit code, or a recovery code."""

    code = forms.CharField(
        label=_("验证码"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=_("验证器应用当前显示的 6 位数字；手机丢失时可输入一个恢复码。"),
    )


class TwoFactorEnrolForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=_("添加密钥后，输入验证器应用显示的 6 位数字以完成设置。"),
    )


class TwoFactorResetForm(forms.Form):
    """A platform administrator resets a user's second factor (a lost phone)."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    reason = forms.CharField(label=_("理由"), max_length=2000)
