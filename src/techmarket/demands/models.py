"""技术需求: what an enterprise needs solved, reviewed before it is published and matched."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from techmarket.core.choices import ClassificationScheme
from techmarket.core.models import Classification, Region, TimeStampedModel
from techmarket.core.text import split_keywords
from techmarket.demands.choices import Cooperation, DemandConfidentiality, DemandState


class Demand(TimeStampedModel):
    title = models.CharField(_("需求名称"), max_length=120)
    background = models.TextField(_("需求背景"), blank=True)
    problem = models.TextField(_("需要解决的技术问题"))
    targets = models.TextField(_("预期目标与技术指标"), blank=True)
    keywords = models.CharField(
        _("关键词"), max_length=200, blank=True, help_text=_("最多5个，用逗号或分号分隔。")
    )
    industry = models.ForeignKey(
        Classification,
        verbose_name=_("所属行业"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"scheme": ClassificationScheme.INDUSTRY},
    )
    discipline = models.ForeignKey(
        Classification,
        verbose_name=_("所属学科"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        limit_choices_to={"scheme": ClassificationScheme.DISCIPLINE},
    )
    region = models.ForeignKey(Region, verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+")
    county_code = models.CharField(max_length=6, blank=True, db_index=True)
    city_code = models.CharField(max_length=6, blank=True, db_index=True)
    province_code = models.CharField(max_length=6, blank=True, db_index=True)
    budget_min = models.DecimalField(
        _("预算下限（万元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    budget_max = models.DecimalField(
        _("预算上限（万元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    cooperation = models.CharField(
        _("合作方式"),
        max_length=120,
        blank=True,
        help_text=_("以逗号包围的代码集合，如 “,license,service,”。"),
    )
    expected_trl = models.PositiveSmallIntegerField(
        _("期望技术就绪度（TRL）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("1–9级，参照 GB/T 22900。"),
    )
    deadline = models.DateField(_("期望解决期限"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=64)
    contact_phone = models.CharField(_("联系电话"), max_length=32)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    confidentiality = models.CharField(
        _("公开方式"),
        max_length=16,
        choices=DemandConfidentiality.choices,
        default=DemandConfidentiality.PUBLIC,
    )
    owner_organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("需求单位"), on_delete=models.PROTECT, related_name="demands"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=DemandState.choices, default=DemandState.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    close_note = models.TextField(_("关闭说明"), blank=True)
    # Segmented text for the full-text index (search.backends), kept by services._apply.
    search_title = models.TextField(default="", editable=False)
    search_body = models.TextField(default="", editable=False)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("技术需求")
        verbose_name_plural = _("技术需求")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expected_trl__isnull=True)
                | models.Q(expected_trl__gte=1, expected_trl__lte=9),
                name="demand_trl_range",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "confidentiality", "published_at"]),
            models.Index(fields=["owner_organisation", "state"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def cooperation_list(self) -> list[str]:
        return [code for code in self.cooperation.split(",") if code]

    def get_cooperation_display(self) -> str:
        labels = dict(Cooperation.choices)
        return pgettext("列表分隔符", "、").join(
            str(labels.get(code, code)) for code in self.cooperation_list
        )

    @property
    def keyword_list(self) -> list[str]:
        return split_keywords(self.keywords)

    @property
    def is_public(self) -> bool:
        return self.confidentiality == DemandConfidentiality.PUBLIC and self.state in {
            DemandState.PUBLISHED,
            DemandState.DOCKING,
            DemandState.SOLVED,
            DemandState.UNSOLVED,
        }

    @property
    def is_editable(self) -> bool:
        return self.state in {DemandState.DRAFT, DemandState.RETURNED}

    @property
    def text(self) -> str:
        """What the demand is matched on: every free-text field, the title first."""
        return " ".join(
            part for part in (self.title, self.keywords, self.problem, self.targets, self.background) if part
        )


def join_cooperation(codes: list[str]) -> str:
    ordered = [code for code in Cooperation.values if code in set(codes)]
    return "," + ",".join(ordered) + "," if ordered else ""


class DemandRecipient(models.Model):
    """A person a response about this demand was pushed to: a 受限 demand is visible to them."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["demand", "user"], name="demand_recipient_unique")]

    def __str__(self) -> str:
        return f"{self.demand_id} → {self.user_id}"
