"""The expert pool (专家库): experts on and off the platform, what they research and what they achieved."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.core.choices import ClassificationScheme
from techmarket.core.models import Classification, Region, TimeStampedModel
from techmarket.core.text import split_keywords


class ExpertProfile(TimeStampedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert_profile",
    )
    name = models.CharField(_("姓名"), max_length=64)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("所在单位（平台单位）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="experts",
    )
    organisation_name = models.CharField(
        _("工作单位"), max_length=200, blank=True, help_text=_("单位未在平台注册时填写。")
    )
    title = models.CharField(_("职称"), max_length=64, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+")
    discipline = models.ForeignKey(
        Classification,
        verbose_name=_("学科分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"scheme": ClassificationScheme.DISCIPLINE},
    )
    industry = models.ForeignKey(
        Classification,
        verbose_name=_("行业分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"scheme": ClassificationScheme.INDUSTRY},
    )
    research_fields = models.TextField(_("研究领域"), blank=True)
    research_keywords = models.CharField(
        _("研究方向关键词"), max_length=200, blank=True, help_text=_("用逗号或顿号分隔。")
    )
    bio = models.TextField(_("个人简介"), blank=True)
    achievements = models.ManyToManyField(
        "achievements.Achievement", verbose_name=_("代表性成果"), blank=True, related_name="experts"
    )
    is_commissioner = models.BooleanField(_("科技特派员"), default=False)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_active = models.BooleanField(_("在库"), default=True)
    accepts_push = models.BooleanField(_("接受需求推送"), default=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["is_active", "region"])]
        verbose_name = _("专家")
        verbose_name_plural = _("专家")

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return split_keywords(self.research_keywords)

    @property
    def organisation_display(self) -> str:
        return (
            self.organisation.name if self.organisation_id and self.organisation else self.organisation_name
        )
