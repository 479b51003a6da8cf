"""The 科技成果登记 record, its completing organisations and persons, IP, attachments and access grants."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from techmarket.achievements.choices import (
    AchievementAttribute,
    AchievementStage,
    AchievementState,
    AchievementType,
    Confidentiality,
    EvaluationForm,
    FundingSource,
    PatentStatus,
    PatentType,
    PersonRole,
    TransferMode,
    stage_for_trl,
)
from techmarket.core.choices import ClassificationScheme
from techmarket.core.models import Classification, Region, TimeStampedModel
from techmarket.core.text import split_keywords

# Amounts are in 万元. The upper bound (1亿万元 = 1万亿元, 1e12 yuan) is far above any single
# technology's price yet keeps a typo (an extra few zeros) out; the form, the API and the import all
# refuse through these validators (the service runs the model's full_clean).
MAX_REFERENCE_PRICE = Decimal("100000000")
REFERENCE_PRICE_VALIDATORS = [
    MinValueValidator(Decimal(0), message=_("参考价格不能为负数。")),
    MaxValueValidator(
        MAX_REFERENCE_PRICE, message=_("参考价格不能超过1亿万元（即1万亿元），请以万元为单位填写。")
    ),
]


class Achievement(TimeStampedModel):
    name = models.CharField(_("成果名称"), max_length=200)
    achievement_type = models.CharField(_("成果类型"), max_length=16, choices=AchievementType.choices)
    discipline = models.ForeignKey(
        Classification,
        verbose_name=_("学科分类"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"scheme": ClassificationScheme.DISCIPLINE},
    )
    industry = models.ForeignKey(
        Classification,
        verbose_name=_("行业分类"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"scheme": ClassificationScheme.INDUSTRY},
    )
    keywords = models.CharField(_("关键词"), max_length=200, help_text=_("最多5个，用逗号或分号分隔。"))
    abstract = models.TextField(_("成果简介"))
    technical_indicators = models.TextField(_("主要技术指标"), blank=True)
    innovation_points = models.TextField(_("创新点"), blank=True)
    application_prospects = models.TextField(_("应用前景"), blank=True)
    funding_source = models.CharField(_("经费来源"), max_length=16, choices=FundingSource.choices)
    programme_name = models.CharField(_("计划名称"), max_length=200, blank=True)
    project_number = models.CharField(_("项目编号"), max_length=64, blank=True)
    evaluation_form = models.CharField(_("评价方式"), max_length=16, choices=EvaluationForm.choices)
    evaluation_date = models.DateField(_("评价日期"), null=True, blank=True)
    completion_date = models.DateField(_("完成日期"))
    attribute = models.CharField(_("成果属性"), max_length=16, choices=AchievementAttribute.choices)
    # Derived from the TRL on every save (choices.stage_for_trl); never entered on its own.
    stage = models.CharField(_("所处阶段"), max_length=16, choices=AchievementStage.choices, editable=False)
    trl = models.PositiveSmallIntegerField(
        _("技术就绪度（TRL）"),
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("1–9级，参照 GB/T 22900。"),
    )
    transfer_modes = models.CharField(
        _("意向转化方式"), max_length=120, help_text=_("以逗号包围的代码集合，如 “,transfer,license,”。")
    )
    price_negotiable = models.BooleanField(_("价格面议"), default=False)
    reference_price = models.DecimalField(
        _("参考价格（万元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=REFERENCE_PRICE_VALIDATORS,
    )
    region = models.ForeignKey(Region, verbose_name=_("所属地区"), on_delete=models.PROTECT, related_name="+")
    # Denormalised region chain: visibility and review queues filter on it without joins.
    county_code = models.CharField(max_length=6, blank=True, db_index=True)
    city_code = models.CharField(max_length=6, blank=True, db_index=True)
    province_code = models.CharField(max_length=6, blank=True, db_index=True)
    owner_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("第一完成单位"),
        on_delete=models.PROTECT,
        related_name="achievements",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )
    confidentiality = models.CharField(
        _("密级"), max_length=16, choices=Confidentiality.choices, default=Confidentiality.PUBLIC
    )
    state = models.CharField(
        _("状态"),
        max_length=20,
        choices=AchievementState.choices,
        default=AchievementState.DRAFT,
        db_index=True,
    )
    registration_number = models.CharField(_("登记号"), max_length=20, unique=True, null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    duplicate_candidates = models.JSONField(_("疑似重复"), default=list, blank=True)
    # Segmented text (space-joined tokens) indexed by the search backend (SQLite FTS5 / PostgreSQL tsvector).
    search_title = models.TextField(default="", editable=False)
    search_body = models.TextField(default="", editable=False)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("科技成果")
        verbose_name_plural = _("科技成果")
        constraints = [
            models.CheckConstraint(condition=models.Q(trl__gte=1, trl__lte=9), name="achievement_trl_range"),
            models.CheckConstraint(
                condition=~models.Q(confidentiality=Confidentiality.SECRET), name="achievement_never_secret"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "confidentiality", "published_at"]),
            models.Index(fields=["owner_organisation", "state"]),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.stage = stage_for_trl(self.trl) or self.stage
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "trl" in update_fields:
            kwargs["update_fields"] = {*update_fields, "stage"}
        super().save(*args, **kwargs)

    @property
    def transfer_mode_list(self) -> list[str]:
        return [code for code in self.transfer_modes.split(",") if code]

    def get_transfer_modes_display(self) -> str:
        labels = dict(TransferMode.choices)
        return pgettext("列表分隔符", "、").join(
            str(labels.get(code, code)) for code in self.transfer_mode_list
        )

    @property
    def keyword_list(self) -> list[str]:
        return split_keywords(self.keywords)

    @property
    def is_public(self) -> bool:
        return self.state == AchievementState.PUBLISHED and self.confidentiality == Confidentiality.PUBLIC

    @property
    def is_editable(self) -> bool:
        return self.state in {AchievementState.DRAFT, AchievementState.RETURNED}

    @property
    def is_fiscal(self) -> bool:
        return self.funding_source == FundingSource.FISCAL


def join_transfer_modes(codes: list[str]) -> str:
    ordered = [code for code in TransferMode.values if code in set(codes)]
    return "," + ",".join(ordered) + "," if ordered else ""


class CompletingOrganisation(models.Model):
    achievement = models.ForeignKey(
        Achievement, on_delete=models.CASCADE, related_name="completing_organisations"
    )
    position = models.PositiveSmallIntegerField(_("排序"))
    name = models.CharField(_("完成单位"), max_length=200)
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["achievement", "position"], name="completing_org_position")
        ]

    def __str__(self) -> str:
        return self.name


class CompletingPerson(models.Model):
    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="completing_persons")
    position = models.PositiveSmallIntegerField(_("排序"))
    name = models.CharField(_("姓名"), max_length=64)
    organisation_name = models.CharField(_("工作单位"), max_length=200, blank=True)
    role = models.CharField(_("角色"), max_length=16, choices=PersonRole.choices, default=PersonRole.MAIN)
    title = models.CharField(_("职称"), max_length=64, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["achievement", "position"], name="completing_person_position")
        ]

    def __str__(self) -> str:
        return self.name


class IntellectualProperty(models.Model):
    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="ip_rights")
    number = models.CharField(_("专利号/登记号"), max_length=64)
    ip_type = models.CharField(_("类型"), max_length=16, choices=PatentType.choices)
    status = models.CharField(_("法律状态"), max_length=16, choices=PatentStatus.choices)
    title = models.CharField(_("名称"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.number


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"achievements/{instance.achievement_id}/{filename}"


class Attachment(models.Model):
    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path)
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class AccessGrant(models.Model):
    """The owner lets one named user see a 受限 record."""

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="access_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["achievement", "user"], name="access_grant_unique")]

    def __str__(self) -> str:
        return f"{self.achievement_id} → {self.user_id}"


class RegistrationSerial(models.Model):
    """Last serial used per registration-number prefix (region + year); numbers are never reused."""

    prefix = models.CharField(max_length=12, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last}"


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("校验中")
    CHECKED = "checked", _("校验通过，待确认")
    REJECTED = "rejected", _("未通过校验")
    IMPORTING = "importing", _("导入中")
    IMPORTED = "imported", _("已导入")
    FAILED = "failed", _("处理失败")


class ImportJob(TimeStampedModel):
    """One uploaded spreadsheet on its way from check to import; the page polls it for progress.

    The file is kept only between the check and the import (then deleted), so nothing rejected — in
    particular a 涉密 row — stays on the server.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.CASCADE, related_name="+"
    )
    original_name = models.CharField(_("文件名"), max_length=200)
    stored_name = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.CHECKING
    )
    total = models.PositiveIntegerField(_("总行数"), default=0)
    done = models.PositiveIntegerField(_("已处理行数"), default=0)
    report = models.JSONField(_("校验报告"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("批量导入任务")
        verbose_name_plural = _("批量导入任务")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in {ImportStatus.CHECKING, ImportStatus.IMPORTING}

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0


class PublishedCatalogue(models.Model):
    """A quarterly catalogue of 公开 records (Excel + PDF) written under VAR_DIR/catalogues."""

    quarter = models.CharField(_("季度"), max_length=6, unique=True)
    record_count = models.PositiveIntegerField(_("成果数"))
    xlsx_name = models.CharField(max_length=64)
    pdf_name = models.CharField(max_length=64)
    xlsx_size = models.PositiveIntegerField(default=0)
    pdf_size = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-quarter"]
        verbose_name = _("季度成果目录")
        verbose_name_plural = _("季度成果目录")

    def __str__(self) -> str:
        return self.quarter
