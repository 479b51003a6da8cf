"""Kernel models shared by every domain: the region tree, code tables and the audit log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techmarket.core.choices import CalendarDayKind, ClassificationScheme, RegionLevel


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


# The levels of a region chain, nearest first. Records (achievements, demands) denormalise the chain of
# their region into ``county_code``, ``city_code`` and ``province_code`` so that visibility and review
# queues filter without joins; :meth:`Region.chain_codes`, :meth:`Region.record_chain` and
# :meth:`Region.scope_q` are the one place that rule is written.
CHAIN_LEVELS: tuple[str, ...] = (RegionLevel.COUNTY, RegionLevel.CITY, RegionLevel.PROVINCE)


def chain_field(level: str) -> str:
    """The denormalised field of a record holding its chain's code at ``level``."""
    return f"{level}_code"


class Region(models.Model):
    """An administrative division keyed by its six-digit GB/T 2260 code."""

    code = models.CharField(_("行政区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("级别"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    requires_province_review = models.BooleanField(
        _("需要省级审核"),
        default=False,
        help_text=_("在省级区划上设置：本省的成果登记在市级审核后还须省级审核。"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return self.name

    def chain(self) -> list[Region]:
        """This region and its ancestors, nearest first (county, city, province)."""
        regions: list[Region] = []
        node: Region | None = self
        while node is not None:
            regions.append(node)
            node = node.parent
        return regions

    def lies_within(self, code: str) -> bool:
        """Whether this region is the region ``code`` or below it."""
        return any(region.code == code for region in self.chain())

    def ancestor_at(self, level: str) -> Region | None:
        return next((region for region in self.chain() if region.level == level), None)

    def chain_codes(self) -> dict[str, str]:
        """``{"county_code", "city_code", "province_code"}`` of this region's chain ("" where absent):
        records denormalise them so visibility and review queues filter without joins."""
        codes = {}
        for level in CHAIN_LEVELS:
            ancestor = self.ancestor_at(level)
            codes[chain_field(level)] = ancestor.code if ancestor is not None else ""
        return codes

    @staticmethod
    def record_chain(record: Any) -> dict[str, str]:
        """``{level: code}`` of a record's denormalised chain, nearest level first ("" where absent)."""
        return {level: getattr(record, chain_field(level)) or "" for level in CHAIN_LEVELS}

    @staticmethod
    def record_chain_codes(record: Any) -> list[str]:
        """The codes of a record's chain from its own level up to the province (absent levels skipped)."""
        return [code for code in Region.record_chain(record).values() if code]

    @staticmethod
    def scope_q(review_scopes: Mapping[str, Iterable[str]]) -> Q:
        """Records whose denormalised chain meets review scopes (``{level: codes}``); none when empty."""
        parts = [
            Q(**{f"{chain_field(level)}__in": codes})
            for level in CHAIN_LEVELS
            if (codes := review_scopes.get(level))
        ]
        q = Q(pk__in=[])
        for part in parts:
            q |= part
        return q

    @staticmethod
    def within_q(code: str) -> Q:
        """Records whose denormalised chain passes through the region ``code`` (at any level)."""
        q = Q(**{chain_field(CHAIN_LEVELS[0]): code})
        for level in CHAIN_LEVELS[1:]:
            q |= Q(**{chain_field(level): code})
        return q

    @staticmethod
    def reviews_record(review_scopes: Mapping[str, Iterable[str]], record: Any) -> bool:
        """Whether review scopes (``{level: codes}``) cover any level of a record's chain."""
        return any(
            code and code in review_scopes.get(level, ())
            for level, code in Region.record_chain(record).items()
        )


class Classification(models.Model):
    """One code of a national classification (GB/T 13745 disciplines, GB/T 4754 industries)."""

    scheme = models.CharField(_("分类体系"), max_length=16, choices=ClassificationScheme.choices)
    code = models.CharField(_("代码"), max_length=16)
    name = models.CharField(_("名称"), max_length=128)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["scheme", "code"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="classification_unique_code")]
        verbose_name = _("分类代码")
        verbose_name_plural = _("分类代码")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("audit events are append-only")


class AuditEvent(models.Model):
    """Append-only record of a change of state: who, when, what, why. Written only by core.audit."""

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField(_("动作"), max_length=64, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=64)
    target_id = models.CharField(_("对象编号"), max_length=64)
    from_state = models.CharField(_("原状态"), max_length=32, blank=True)
    to_state = models.CharField(_("新状态"), max_length=32, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("audit events are append-only")


class SubmissionKey(models.Model):
    """A form's one-time key, claimed by the write it makes: a second submission of the same rendered
    form (a double click, a re-sent POST) finds it taken and creates nothing."""

    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.key


class CalendarDay(models.Model):
    """A dated exception to the Monday–Friday working week (core.calendar reads them).

    A national row (no region) comes from the State Council's yearly notice (国务院办公厅关于部分节假日安排的
    通知); a row for a region overrides the national one for that region and below it. Administrators
    edit them through :func:`core.services.calendar_day_set` (audited).
    """

    date = models.DateField(_("日期"), db_index=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("地区"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("留空表示全国。"),
    )
    kind = models.CharField(_("类型"), max_length=16, choices=CalendarDayKind.choices)
    name = models.CharField(_("节日名称"), max_length=32, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["date", "region_id"]
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        constraints = [
            models.UniqueConstraint(
                fields=["date"], condition=Q(region__isnull=True), name="calendar_day_national_unique"
            ),
            models.UniqueConstraint(
                fields=["date", "region"],
                condition=Q(region__isnull=False),
                name="calendar_day_region_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()
