"""Subsidy policies (as versioned documents), yearly runs, their awards, objections and claims.

Amounts are yuan with two decimals (Decimal). A policy's history is append-only: every saved document is
a new :class:`PolicyVersion` (``number`` 0 is the file shipped with the product, stored the first time the
policy is used or edited). A run is computed from one version and keeps it, so a later edit never changes
a run already computed; recomputing a run (a new ``round``) keeps the earlier round's awards.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techmarket.core.models import TimeStampedModel
from techmarket.subsidies.choices import LIVE_STATES, ObjectionState, RunState

MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2}


class PolicyVersion(models.Model):
    """One saved version of a policy document (append-only: never updated, never deleted)."""

    policy_id = models.CharField(_("政策编号"), max_length=64, db_index=True)
    number = models.PositiveIntegerField(_("版本号"))
    document = models.JSONField(_("政策文档"))
    title = models.CharField(_("政策名称"), max_length=200)
    region_code = models.CharField(_("政策地区"), max_length=6)
    # The document's own version label (as the engine reads it), shown next to the history number.
    document_version = models.CharField(_("文档版本"), max_length=32, blank=True)
    note = models.CharField(_("修改说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("保存时间"), auto_now_add=True)

    class Meta:
        ordering = ["policy_id", "-number"]
        verbose_name = _("奖补政策版本")
        verbose_name_plural = _("奖补政策版本")
        constraints = [
            models.UniqueConstraint(fields=["policy_id", "number"], name="subsidies_policy_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} v{self.number}"

    @property
    def is_shipped(self) -> bool:
        return self.number == 0


class SubsidyRun(TimeStampedModel):
    """A policy's computation for one year and its approval (RUN_WORKFLOW): one live run per policy and year."""

    policy_version = models.ForeignKey(
        PolicyVersion, verbose_name=_("政策版本"), on_delete=models.PROTECT, related_name="runs"
    )
    policy_id = models.CharField(_("政策编号"), max_length=64, db_index=True)
    region_code = models.CharField(_("政策地区"), max_length=6, db_index=True)
    title = models.CharField(_("政策名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    budget = models.DecimalField(_("年度科技经费预算（元）"), null=True, blank=True, **MONEY)
    state = models.CharField(_("状态"), max_length=16, choices=RunState.choices, db_index=True)
    round = models.PositiveSmallIntegerField(_("测算轮次"), default=1)
    pool = models.DecimalField(_("奖补资金池（元）"), null=True, blank=True, **MONEY)
    total_before_scaling = models.DecimalField(_("调整前合计（元）"), default=0, **MONEY)
    scaling_factor = models.DecimalField(_("调整系数"), max_digits=20, decimal_places=12, default=1)
    total = models.DecimalField(_("奖补合计（元）"), default=0, **MONEY)
    award_count = models.PositiveIntegerField(_("奖补项数"), default=0)
    contract_count = models.PositiveIntegerField(_("计入合同数"), default=0)
    objection_days = models.PositiveSmallIntegerField(_("公示期（天）"), default=7)
    # The engine's account of the current round: counts read and left out, how the pool was applied, the
    # claims refused with their reasons and the results of check rules (the bureau's only).
    details = models.JSONField(_("测算说明"), default=dict, blank=True)

    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("测算人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    computed_at = models.DateTimeField(_("测算时间"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    objection_deadline = models.DateTimeField(_("异议截止时间"), null=True, blank=True)
    paid_at = models.DateTimeField(_("拨付时间"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "policy_id", "-id"]
        verbose_name = _("奖补测算")
        verbose_name_plural = _("奖补测算")
        constraints = [
            models.UniqueConstraint(
                fields=["policy_id", "year"],
                condition=Q(state__in=LIVE_STATES),
                name="subsidies_one_live_run_per_policy_year",
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0), name="subsidies_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.year}"


class Award(models.Model):
    """What one organisation earns under one rule in one round of a run, with the engine's whole trail.

    The trail names contracts and their received amounts: it is shown only to the bureau and to the
    awarded organisation (``policies.can_view_trail``); the public list shows name, rule and final award.
    """

    run = models.ForeignKey(
        SubsidyRun, verbose_name=_("奖补测算"), on_delete=models.CASCADE, related_name="awards"
    )
    round = models.PositiveSmallIntegerField(_("测算轮次"))
    org_id = models.CharField(_("单位标识"), max_length=64)
    org_name = models.CharField(_("单位名称"), max_length=200)
    org_region = models.CharField(_("单位所在地区"), max_length=6, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("平台单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rule = models.CharField(_("奖补规则"), max_length=64)
    rule_title = models.CharField(_("规则名称"), max_length=200, blank=True)
    base = models.DecimalField(_("计算基数（元）"), **MONEY)
    rate = models.DecimalField(_("比例"), max_digits=12, decimal_places=6, null=True, blank=True)
    raw_award = models.DecimalField(_("计算金额（元）"), **MONEY)
    capped_award = models.DecimalField(_("封顶后金额（元）"), **MONEY)
    final_award = models.DecimalField(_("奖补金额（元）"), **MONEY)
    trail = models.JSONField(_("计算过程"), default=dict)
    paid_amount = models.DecimalField(_("拨付金额（元）"), null=True, blank=True, **MONEY)
    paid_at = models.DateTimeField(_("拨付时间"), null=True, blank=True)

    class Meta:
        ordering = ["run_id", "round", "-final_award", "org_name", "rule", "id"]
        verbose_name = _("奖补结果")
        verbose_name_plural = _("奖补结果")
        indexes = [models.Index(fields=["run", "round"]), models.Index(fields=["organisation", "run"])]

    def __str__(self) -> str:
        return f"{self.org_name} {self.rule} {self.final_award}"


class Objection(TimeStampedModel):
    """异议 to a published run (or one of its awards), filed by a signed-in user (OBJECTION_WORKFLOW)."""

    run = models.ForeignKey(
        SubsidyRun, verbose_name=_("奖补测算"), on_delete=models.CASCADE, related_name="objections"
    )
    award = models.ForeignKey(
        Award,
        verbose_name=_("奖补结果"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="objections",
    )
    # The round the objection was filed against (the awards it saw).
    round = models.PositiveSmallIntegerField(_("测算轮次"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("异议人"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("异议内容"))
    state = models.CharField(
        _("状态"), max_length=16, choices=ObjectionState.choices, default=ObjectionState.OPEN, db_index=True
    )
    reply = models.TextField(_("处理意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("奖补异议")
        verbose_name_plural = _("奖补异议")

    def __str__(self) -> str:
        return f"{self.run_id}: {self.text[:20]}"


class Claim(TimeStampedModel):
    """An application under a rule not paid on contracts (fixed awards, ranges, the tax reward), entered by
    the bureau for a policy and year; its facts are checked by the engine when it is entered."""

    policy_id = models.CharField(_("政策编号"), max_length=64)
    year = models.PositiveSmallIntegerField(_("年度"))
    org_id = models.CharField(_("单位标识"), max_length=64)
    org_name = models.CharField(_("单位名称"), max_length=200)
    org_region = models.CharField(_("单位所在地区"), max_length=6)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("平台单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rule = models.CharField(_("奖补规则"), max_length=64)
    facts = models.JSONField(_("申报事实"), default=dict)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    withdrawn = models.BooleanField(_("已撤销"), default=False)

    class Meta:
        ordering = ["policy_id", "year", "org_name", "id"]
        verbose_name = _("奖补申报")
        verbose_name_plural = _("奖补申报")
        indexes = [models.Index(fields=["policy_id", "year"])]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.year} {self.org_name} {self.rule}"
