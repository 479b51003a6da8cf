"""Users, the organisations they belong to, and their roles (reviewers scoped to a region)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.choices import OrganisationKind, OrganisationStatus, Role
from techmarket.core.models import Region, TimeStampedModel
from techmarket.core.validators import validate_uscc


class Organisation(TimeStampedModel):
    name = models.CharField(_("单位名称"), max_length=200)
    kind = models.CharField(_("单位类型"), max_length=16, choices=OrganisationKind.choices)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc]
    )
    region = models.ForeignKey(Region, verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    status = models.CharField(
        _("认证状态"), max_length=16, choices=OrganisationStatus.choices, default=OrganisationStatus.PENDING
    )
    verified_at = models.DateTimeField(_("认证时间"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.status == OrganisationStatus.VERIFIED


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("手机号"), max_length=32, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    sessions_revoked_at = models.DateTimeField(
        _("会话全部注销时间"),
        null=True,
        blank=True,
        help_text=_("此时间之前开始的登录会话一律失效（“退出所有会话”）。"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleAssignment(models.Model):
    """A role held by a user; reviewer roles carry the region (county, city or province) they review."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("管辖地区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region"], name="role_assignment_unique"),
            models.CheckConstraint(
                condition=~models.Q(role__in=[Role.REVIEWER, Role.REGISTRAR])
                | models.Q(region__isnull=False),
                name="reviewer_has_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}" + (f" · {self.region}" if self.region_id else "")


class LoginFailure(models.Model):
    """One failed login, kept briefly to throttle password guessing per username and address."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.username}@{self.address}"


class ApiToken(models.Model):
    """An API key its owner can list and revoke; it stops working when it expires or is revoked."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    key = models.CharField(_("令牌"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"), db_index=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.user} · {self.prefix}…"

    @property
    def prefix(self) -> str:
        """The first characters, enough for the owner to tell tokens apart without showing the key."""
        return self.key[:8]


class TwoFactorDevice(models.Model):
    """A user's authenticator (TOTP, RFC 6238): its secret, whether enrolment was confirmed with a code,
    and the last time step accepted, so a code is never accepted twice."""

    user = models.OneToOneField(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="two_factor_device"
    )
    secret = models.CharField(_("密钥"), max_length=64)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    last_used_step = models.BigIntegerField(_("最近使用的时间步"), null=True, blank=True)

    class Meta:
        verbose_name = _("两步验证设备")
        verbose_name_plural = _("两步验证设备")

    def __str__(self) -> str:
        return f"{self.user} · TOTP"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """One of a user's one-time recovery codes, stored as a hash; shown to the user once, at enrolment."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64, db_index=True)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("恢复码")
        verbose_name_plural = _("恢复码")

    def __str__(self) -> str:
        return f"{self.user} · {self.code_hash[:8]}"
