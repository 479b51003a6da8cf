from django.db import models
from django.utils.translation import gettext_lazy as _


class DemandState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("审核通过")
    PUBLISHED = "published", _("已发布")
    DOCKING = "docking", _("对接中")
    SOLVED = "solved", _("已解决")
    UNSOLVED = "unsolved", _("未解决")
    WITHDRAWN = "withdrawn", _("已撤回")


# States in which a demand is out in the market: matchable, visible to the public when 公开.
OPEN_STATES = (DemandState.PUBLISHED, DemandState.DOCKING)
CLOSED_STATES = (DemandState.SOLVED, DemandState.UNSOLVED, DemandState.WITHDRAWN)


class Cooperation(models.TextChoices):
    PURCHASE = "purchase", _("购买")
    LICENSE = "license", _("许可")
    CO_DEVELOP = "co_develop", _("合作开发")
    COMMISSION = "commission", _("委托开发")
    CONSULTING = "consulting", _("技术咨询")
    SERVICE = "service", _("技术服务")


class DemandConfidentiality(models.TextChoices):
    PUBLIC = "public", _("公开")
    RESTRICTED = "restricted", _("受限")
