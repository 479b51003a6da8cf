from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


class ClassificationScheme(models.TextChoices):
    DISCIPLINE = "discipline", _("学科分类（GB/T 13745）")
    INDUSTRY = "industry", _("国民经济行业分类（GB/T 4754）")


class CalendarDayKind(models.TextChoices):
    """An exception to the Monday–Friday week: a public holiday, or a weekend day worked instead (调休)."""

    HOLIDAY = "holiday", _("节假日")
    WORKDAY = "workday", _("调休上班")
