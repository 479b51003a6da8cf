from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from techmarket.accounts.models import User
from techmarket.accounts.policies import principal_of
from techmarket.core.masking import mask_phone


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text=_("用户名"))
    password = serializers.CharField(max_length=128, style={"input_type": "password"}, help_text=_("密码"))
    code = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text=_("两步验证码：审核员和平台管理员必填（验证器应用当前的 6 位数字，或一个恢复码）"),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("在请求头中使用：Authorization: Token <token>"))
    expires_at = serializers.DateTimeField(help_text=_("到期时间"))


class ApiTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    prefix = serializers.CharField(read_only=True, help_text=_("令牌前几位，用于区分"))
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)
    last_used_at = serializers.DateTimeField(read_only=True, allow_null=True)
    revoked_at = serializers.DateTimeField(read_only=True, allow_null=True)


class MeSerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField(help_text=_("手机号（脱敏）"))
    roles = serializers.SerializerMethodField()
    organisation = serializers.CharField(source="organisation.name", default=None, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email", "phone", "organisation", "roles"]

    def get_phone(self, user: User) -> str:
        return mask_phone(user.phone)

    def get_roles(self, user: User) -> list[str]:
        return sorted(principal_of(user).roles)
