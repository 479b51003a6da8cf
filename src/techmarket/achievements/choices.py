"""Code lists of the 科技成果登记表 (applied-technology and basic/soft-science forms)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AchievementState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    COUNTY_REVIEW = "county_review", _("县级审核中")
    CITY_REVIEW = "city_review", _("市级审核中")
    PROVINCE_REVIEW = "province_review", _("省级审核中")
    RETURNED = "returned", _("已退回")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")
    REVOKED = "revoked", _("已撤销")


REVIEW_STATES = (
    AchievementState.COUNTY_REVIEW,
    AchievementState.CITY_REVIEW,
    AchievementState.PROVINCE_REVIEW,
)


class AchievementType(models.TextChoices):
    APPLIED = "applied", _("应用技术")
    BASIC = "basic", _("基础理论")
    SOFT = "soft", _("软科学")


# One-character type flag inside the registration number.
TYPE_FLAGS: dict[str, str] = {
    AchievementType.APPLIED: "A",
    AchievementType.BASIC: "B",
    AchievementType.SOFT: "C",
}


class Confidentiality(models.TextChoices):
    PUBLIC = "public", _("公开")
    RESTRICTED = "restricted", _("受限")
    SECRET = "secret", _("涉密")


class FundingSource(models.TextChoices):
    FISCAL = "fiscal", _("财政资金")
    NON_FISCAL = "non_fiscal", _("非财政资金")


class EvaluationForm(models.TextChoices):
    ACCEPTANCE = "acceptance", _("验收")
    EVALUATION = "evaluation", _("评价")
    APPRAISAL = "appraisal", _("鉴定")
    OTHER = "other", _("其他")
    NONE = "none", _("未评价")


class AchievementAttribute(models.TextChoices):
    ORIGINAL = "original", _("原始性创新")
    IMPORTED = "imported", _("国外引进消化吸收再创新")
    SECONDARY = "secondary", _("国内技术二次开发")


class AchievementStage(models.TextChoices):
    INITIAL = "initial", _("初期阶段")
    MIDDLE = "middle", _("中期阶段")
    MATURE = "mature", _("成熟应用阶段")


# The stage follows from the TRL (GB/T 22900): 1–3 laboratory work, 4–6 pilot, 7–9 application.
# The one source of truth: forms, API and imports take only the TRL; the stage is derived from it.
TRL_STAGES: tuple[tuple[int, str], ...] = (
    (3, AchievementStage.INITIAL),
    (6, AchievementStage.MIDDLE),
    (9, AchievementStage.MATURE),
)


def stage_for_trl(trl: int | None) -> str:
    """所处阶段 of a technology readiness level ("" when the TRL is missing or out of range)."""
    if trl is None or not 1 <= int(trl) <= 9:
        return ""
    return next(stage for highest, stage in TRL_STAGES if int(trl) <= highest)


class TransferMode(models.TextChoices):
    TRANSFER = "transfer", _("转让")
    LICENSE = "license", _("许可")
    EQUITY = "equity", _("作价投资")
    CO_DEVELOP = "co_develop", _("合作开发")
    SERVICE = "service", _("技术服务")


class PatentType(models.TextChoices):
    INVENTION = "invention", _("发明专利")
    UTILITY = "utility", _("实用新型")
    DESIGN = "design", _("外观设计")
    SOFTWARE = "software", _("软件著作权")
    OTHER = "other", _("其他知识产权")


class PatentStatus(models.TextChoices):
    FILED = "filed", _("已申请")
    GRANTED = "granted", _("已授权")
    LAPSED = "lapsed", _("已失效")


class PersonRole(models.TextChoices):
    LEADER = "leader", _("项目负责人")
    MAIN = "main", _("主要完成人")
    PARTICIPANT = "participant", _("参与人")


class SortOrder(models.TextChoices):
    RELEVANCE = "relevance", _("相关度")
    NEWEST = "newest", _("最新发布")
    OLDEST = "oldest", _("最早发布")
    TRL = "trl", _("成熟度高")
    PRICE_LOW = "price_low", _("价格从低到高")
    PRICE_HIGH = "price_high", _("价格从高到低")
