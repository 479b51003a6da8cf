"""Statistics cells (kept incrementally from the contract signals) and KPI target sets.

A :class:`StatCell` is one node of the drill-down tree for one period, side and breakdown value:
``(period_kind, period, side, dimension, parent, level, code, value)`` is unique, and that order is
also the index the dashboard reads with — "the children of region X in 2026, output side, totals" is
one index range of a few dozen rows, whatever the number of contracts. Amounts are kept in fen
(integers) so that increments are exact on every database. Organisations have their totals only
(``cells.ORGANISATION_DIMENSIONS``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    YEAR = "Y", _("年度")
    QUARTER = "Q", _("季度")


class Level(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县")
    ORGANISATION = "org", _("单位")


class Side(models.TextChoices):
    OUTPUT = "out", _("输出")
    ABSORPTION = "in", _("吸纳")


class Dimension(models.TextChoices):
    TOTAL = "total", _("合计")
    CONTRACT_TYPE = "contract_type", _("合同类型")
    TECHNOLOGY_FIELD = "technology_field", _("技术领域")
    IP_TYPE = "ip_type", _("知识产权类型")
    SELLER_ENTITY_TYPE = "seller_entity_type", _("卖方法人类型")
    BUYER_ENTITY_TYPE = "buyer_entity_type", _("买方法人类型")


class StatCell(models.Model):
    """Contract count, amounts and receipts of one node (region or organisation) in one period."""

    period_kind = models.CharField(max_length=1, choices=PeriodKind.choices)
    # A year (2026) or year × 10 + quarter (20261).
    period = models.PositiveIntegerField()
    side = models.CharField(max_length=3, choices=Side.choices)
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    # The node above: "" for a province, the province for a city, …; for an organisation its nearest region.
    parent = models.CharField(max_length=6, blank=True)
    level = models.CharField(max_length=8, choices=Level.choices)
    # A region code, or an organisation's id for the organisation level.
    code = models.CharField(max_length=20)
    # The breakdown's value ("" for the totals).
    value = models.CharField(max_length=32, blank=True)
    contracts = models.BigIntegerField(default=0)
    amount_fen = models.BigIntegerField(default=0)
    certified_fen = models.BigIntegerField(default=0)
    receipts_fen = models.BigIntegerField(default=0)
    # For the dominance rule (``selectors``): how many contracts were paid in the period, and the largest
    # single contract's amount, certified amount and receipts. The counts add up; the largest take the maximum.
    receipt_contracts = models.BigIntegerField(default=0)
    largest_amount_fen = models.BigIntegerField(default=0)
    largest_certified_fen = models.BigIntegerField(default=0)
    largest_receipts_fen = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("统计单元")
        verbose_name_plural = _("统计单元")
        constraints = [
            models.UniqueConstraint(
                fields=["period_kind", "period", "side", "dimension", "parent", "level", "code", "value"],
                name="statistics_cell_key",
            )
        ]
        indexes = [
            # A node's series over the periods (year-over-year, trend, forecast).
            models.Index(
                fields=["level", "code", "side", "dimension", "period_kind", "period"],
                name="statistics_cell_series",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_kind}{self.period} {self.side} {self.level}:{self.code} {self.dimension}={self.value}"


class TargetSet(models.Model):
    """The numeric targets of one plan (a shipped JSON file in ``statistics/targets``)."""

    key = models.SlugField(_("标识"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    region_code = models.CharField(_("地区代码"), max_length=6)
    region_name = models.CharField(_("地区"), max_length=64)
    source = models.CharField(_("依据文件"), max_length=300, blank=True)
    issued_year = models.PositiveSmallIntegerField(_("发布年份"))
    loaded_at = models.DateTimeField(_("载入时间"), auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("指标集")
        verbose_name_plural = _("指标集")

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """One numeric target: a value (or a range, or an approximate value) of a metric by a deadline."""

    target_set = models.ForeignKey(TargetSet, on_delete=models.CASCADE, related_name="targets")
    key = models.SlugField(_("标识"), max_length=64)
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("指标"), max_length=200)
    label_en = models.CharField(_("英文名称"), max_length=200)
    metric = models.CharField(_("度量"), max_length=40)
    region_code = models.CharField(_("地区代码"), max_length=6)
    start_year = models.PositiveSmallIntegerField(_("起始年份"))
    deadline = models.DateField(_("期限"))
    # "cumulative": the count reached by the deadline; "annual": the deadline year's (or each year's) value.
    basis = models.CharField(_("口径"), max_length=12, default="cumulative")
    value_min = models.DecimalField(_("目标值"), max_digits=20, decimal_places=2)
    value_max = models.DecimalField(_("目标上限"), max_digits=20, decimal_places=2, null=True, blank=True)
    approximate = models.BooleanField(_("约数"), default=False)
    at_most = models.BooleanField(_("不超过"), default=False)
    unit = models.CharField(_("单位"), max_length=16)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["target_set_id", "position", "id"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        constraints = [
            models.UniqueConstraint(fields=["target_set", "key"], name="statistics_target_key"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_manual(self) -> bool:
        return self.metric == "manual"

    @property
    def value_display(self) -> str:
        """ "20", "2–3", "约 50", "≤ 24" (numbers without needless decimals)."""

        def plain(value: Decimal) -> str:
            text = f"{value:,.2f}"
            return text[:-3] if text.endswith(".00") else text

        if self.value_max is not None:
            return f"{plain(self.value_min)}–{plain(self.value_max)}"
        if self.approximate:
            return str(_("约 %(value)s") % {"value": plain(self.value_min)})
        if self.at_most:
            return f"≤ {plain(self.value_min)}"
        return plain(self.value_min)


class ManualActual(models.Model):
    """An actual value entered by a platform administrator for a metric the platform does not compute.

    Rows are never changed: the latest entry per target is its value, the earlier ones its history.
    """

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="manual_actuals")
    year = models.PositiveSmallIntegerField(_("年份"))
    value = models.DecimalField(_("实际值"), max_digits=20, decimal_places=2)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    class Meta:
        ordering = ["target_id", "-entered_at", "-id"]
        verbose_name = _("实际值填报")
        verbose_name_plural = _("实际值填报")

    def __str__(self) -> str:
        return f"{self.target_id} {self.year}: {self.value}"


def fen(amount: Decimal | None) -> int:
    """Yuan (two decimals) to fen."""
    if amount is None:
        return 0
    return int((Decimal(amount) * 100).quantize(Decimal("1")))
