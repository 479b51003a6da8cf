"""Suggestions shown to reviewers, their decisions, learned ranking weights, and index bookkeeping."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.matching.choices import Corpus, Origin, RejectReason, SuggestionState, TargetKind

if TYPE_CHECKING:
    from techmarket.accounts.types import Organisation
    from techmarket.achievements.types import Achievement
    from techmarket.experts.types import ExpertProfile


class Suggestion(models.Model):
    """One candidate answer to a demand: an achievement, an expert or an organisation, with its reasons."""

    demand = models.ForeignKey("demands.Demand", on_delete=models.CASCADE, related_name="suggestions")
    kind = models.CharField(_("类型"), max_length=16, choices=TargetKind.choices)
    achievement = models.ForeignKey(
        "achievements.Achievement", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    expert = models.ForeignKey(
        "experts.ExpertProfile", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    rank = models.PositiveSmallIntegerField(_("排名"), default=0)
    score = models.FloatField(_("匹配分"), default=0.0)
    # The 0–100 match level shown to people (ranking.match_level); None for a hand-added match and for
    # suggestions made before levels existed.
    level = models.PositiveSmallIntegerField(_("匹配度"), null=True, blank=True)
    reasons = models.JSONField(_("匹配理由"), default=list, blank=True)
    features = models.JSONField(default=dict, blank=True)
    origin = models.CharField(_("来源"), max_length=8, choices=Origin.choices, default=Origin.ENGINE)
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=SuggestionState.choices,
        default=SuggestionState.PROPOSED,
        db_index=True,
    )
    reject_reason = models.CharField(_("驳回原因"), max_length=16, choices=RejectReason.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "rank", "id"]
        verbose_name = _("匹配建议")
        verbose_name_plural = _("匹配建议")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind=TargetKind.ACHIEVEMENT,
                        achievement__isnull=False,
                        expert__isnull=True,
                        organisation__isnull=True,
                    )
                    | models.Q(
                        kind=TargetKind.EXPERT,
                        expert__isnull=False,
                        achievement__isnull=True,
                        organisation__isnull=True,
                    )
                    | models.Q(
                        kind=TargetKind.ORGANISATION,
                        organisation__isnull=False,
                        achievement__isnull=True,
                        expert__isnull=True,
                    )
                ),
                name="suggestion_one_target",
            ),
            models.UniqueConstraint(fields=["demand", "achievement"], name="suggestion_unique_achievement"),
            models.UniqueConstraint(fields=["demand", "expert"], name="suggestion_unique_expert"),
            models.UniqueConstraint(fields=["demand", "organisation"], name="suggestion_unique_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.demand_id} → {self.kind}:{self.target_id}"

    @property
    def target(self) -> Achievement | ExpertProfile | Organisation:
        target = self.achievement or self.expert or self.organisation
        if target is None:
            raise ValueError(f"suggestion {self.pk} has no target")
        return target

    @property
    def target_id(self) -> int:
        return int(self.achievement_id or self.expert_id or self.organisation_id or 0)


class LearnedWeights(models.Model):
    """One version of the ranking weights, learned from reviewers' decisions; the newest is in use."""

    weights = models.JSONField()
    trained_on = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        get_latest_by = "id"

    def __str__(self) -> str:
        return f"weights #{self.pk} ({self.trained_on})"


class IndexChange(models.Model):
    """A record of a corpus changed. Every process applies these to its in-memory index.

    Rows are only appended; ``indexes.rebuild`` deletes those that every kept snapshot already holds.
    """

    corpus = models.CharField(max_length=16, choices=Corpus.choices)
    doc_id = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["corpus", "id"]), models.Index(fields=["corpus", "created_at"])]

    def __str__(self) -> str:
        return f"{self.corpus}:{self.doc_id}"


class IndexSnapshot(models.Model):
    """A saved index directory (under the var directory) that processes load instead of building."""

    corpus = models.CharField(max_length=16, choices=Corpus.choices)
    directory = models.CharField(max_length=200)
    change_id = models.BigIntegerField(help_text="Changes up to this id are in the snapshot.")
    documents = models.PositiveIntegerField()
    build_seconds = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["corpus", "-id"])]

    def __str__(self) -> str:
        return f"{self.corpus} {self.directory}"


class ListingAlert(models.Model):
    """新挂牌匹配提醒 of one demand: on unless its enterprise turned it off (no row: on). When a listing
    opens on the trading floor, the enterprises whose open demands match it are told (ADR 0011)."""

    demand = models.OneToOneField(
        "demands.Demand",
        verbose_name=_("技术需求"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="listing_alert",
    )
    enabled = models.BooleanField(_("新挂牌匹配提醒"), default=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("新挂牌匹配提醒")
        verbose_name_plural = _("新挂牌匹配提醒")

    def __str__(self) -> str:
        return f"{self.demand_id}: {self.enabled}"
