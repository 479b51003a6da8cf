"""The 24-hour response clock of published demands, the responses pushed and the recipients' answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.core.models import Region
from techmarket.docking.choices import AnswerKind, ClockState, DeclineReason

if TYPE_CHECKING:
    from techmarket.demands.types import Demand

MAX_RESPONSE_HOURS = 720
DEFAULT_REMIND_BEFORE_HOURS = 4


class ClockPolicy(models.Model):
    """Response hours set for one region; a demand takes the nearest policy on its region chain."""

    region = models.OneToOneField(
        Region, verbose_name=_("地区"), on_delete=models.CASCADE, related_name="clock_policy"
    )
    hours = models.PositiveSmallIntegerField(
        _("响应时限（小时）"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RESPONSE_HOURS)],
    )
    remind_before_hours = models.PositiveSmallIntegerField(
        _("提前提醒（小时）"),
        default=DEFAULT_REMIND_BEFORE_HOURS,
        validators=[MaxValueValidator(MAX_RESPONSE_HOURS)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["region_id"]
        verbose_name = _("响应时限设置")
        verbose_name_plural = _("响应时限设置")

    def __str__(self) -> str:
        return f"{self.region} {self.hours}h"

    def clean(self) -> None:
        if (
            self.hours is not None
            and self.remind_before_hours is not None
            and self.remind_before_hours >= self.hours
        ):
            raise ValidationError({"remind_before_hours": _("提前提醒的小时数须小于响应时限。")})


class ResponseClock(models.Model):
    """Started when a demand is published; stopped by the first pushed response (CLOCK_WORKFLOW)."""

    demand = models.OneToOneField(
        "demands.Demand", verbose_name=_("技术需求"), on_delete=models.CASCADE, related_name="response_clock"
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=ClockState.choices, default=ClockState.RUNNING, db_index=True
    )
    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    hours = models.PositiveSmallIntegerField(_("响应时限（小时）"))
    deadline = models.DateTimeField(_("响应截止时间"), db_index=True)
    remind_at = models.DateTimeField(_("提醒时间"))
    reminded_at = models.DateTimeField(_("已提醒时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("已督办时间"), null=True, blank=True)
    escalated_to = models.CharField(_("督办地区"), max_length=6, blank=True)
    responded_at = models.DateTimeField(_("响应时间"), null=True, blank=True, db_index=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("响应人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("响应计时")
        verbose_name_plural = _("响应计时")

    def __str__(self) -> str:
        return f"{self.demand_id} → {self.deadline:%Y-%m-%d %H:%M}"

    @property
    def response_hours(self) -> float | None:
        if self.responded_at is None:
            return None
        return (self.responded_at - self.started_at).total_seconds() / 3600


class Response(models.Model):
    """One push of confirmed matches to the enterprise and the matched experts and organisations."""

    demand = models.ForeignKey(
        "demands.Demand", verbose_name=_("技术需求"), on_delete=models.CASCADE, related_name="responses"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("推送人"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("推送时间"))
    message = models.TextField(_("推送说明"), blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("对接响应")
        verbose_name_plural = _("对接响应")

    def __str__(self) -> str:
        return f"{self.demand_id} @ {self.sent_at:%Y-%m-%d %H:%M}"


class PushRecipient(models.Model):
    """A person a pushed match (expert or organisation) was addressed to, and their answer."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="recipients")
    suggestion = models.ForeignKey("matching.Suggestion", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="+"
    )
    answer = models.CharField(_("答复"), max_length=16, choices=AnswerKind.choices, blank=True)
    decline_reason = models.CharField(_("婉拒原因"), max_length=16, choices=DeclineReason.choices, blank=True)
    text = models.TextField(_("答复内容"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("推送对象")
        verbose_name_plural = _("推送对象")
        constraints = [models.UniqueConstraint(fields=["suggestion", "user"], name="push_recipient_unique")]
        indexes = [models.Index(fields=["user", "answer"])]

    def __str__(self) -> str:
        return f"{self.suggestion_id} → {self.user_id}"

    @property
    def demand(self) -> Demand:
        return self.response.demand
