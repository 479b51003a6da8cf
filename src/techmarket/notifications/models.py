"""A user's messages (站内消息), the record of every channel each one was sent through, and the channels
each user wants per group of notices (通知设置)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.notifications.choices import Channel, DeliveryStatus, NoticeGroup


def is_local_link(link: str) -> bool:
    """Only paths of this site are followed from a message ("//host" and "/\\host" leave it)."""
    return link.startswith("/") and not link.startswith(("//", "/\\"))


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    data = models.JSONField(_("附加数据"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        verbose_name = _("消息")
        verbose_name_plural = _("消息")

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def local_link(self) -> str:
        return self.link if is_local_link(self.link) else ""


class Delivery(models.Model):
    """One attempt to deliver a notification through one channel (sent, failed or skipped, and why)."""

    notification = models.ForeignKey(
        Notification, verbose_name=_("消息"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    status = models.CharField(_("结果"), max_length=16, choices=DeliveryStatus.choices)
    detail = models.CharField(_("说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel} {self.status}"


class NotificationPreference(models.Model):
    """Which channels besides the in-app message (always sent) one user wants for one group of notices.

    No row means the defaults (e-mail on, SMS off); rows are written only when a user changes them.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    group = models.CharField(_("通知类别"), max_length=16, choices=NoticeGroup.choices)
    email = models.BooleanField(_("电子邮件"), default=True)
    sms = models.BooleanField(_("短信"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["user_id", "group"]
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")
        constraints = [
            models.UniqueConstraint(fields=["user", "group"], name="notification_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.group}"
