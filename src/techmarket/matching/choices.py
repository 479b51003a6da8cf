from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetKind(models.TextChoices):
    ACHIEVEMENT = "achievement", _("科技成果")
    EXPERT = "expert", _("专家")
    ORGANISATION = "organisation", _("机构")


class SuggestionState(models.TextChoices):
    PROPOSED = "proposed", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("已驳回")
    PUSHED = "pushed", _("已推送")


class Origin(models.TextChoices):
    ENGINE = "engine", _("智能匹配")
    MANUAL = "manual", _("人工添加")


class RejectReason(models.TextChoices):
    TOO_EARLY = "too_early", _("技术尚不成熟")
    NOT_RELEVANT = "not_relevant", _("不相关")
    ALREADY_KNOWN = "already_known", _("企业已知悉")
    PRICE = "price", _("价格不合适")
    REGION = "region", _("地域不合适")
    OTHER = "other", _("其他")


class Corpus(models.TextChoices):
    """The record sets the engine indexes; each is one MatchIndex per process."""

    ACHIEVEMENTS = "achievements", _("科技成果")
    EXPERTS = "experts", _("专家")
    ORGANISATIONS = "organisations", _("机构")
    DEMANDS = "demands", _("技术需求")
