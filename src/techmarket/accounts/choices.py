from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    UNIVERSITY = "university", _("高校")
    INSTITUTE = "institute", _("科研院所")
    ENTERPRISE = "enterprise", _("企业")
    AGENCY = "agency", _("技术转移机构")
    GOVERNMENT = "government", _("政府部门")
    FINANCE = "finance", _("金融机构")
    OTHER = "other", _("其他")


class OrganisationStatus(models.TextChoices):
    PENDING = "pending", _("待认证")
    VERIFIED = "verified", _("已认证")
    REJECTED = "rejected", _("未通过")


class Role(models.TextChoices):
    APPLICANT = "applicant", _("成果填报人")
    ORG_ADMIN = "org_admin", _("单位管理员")
    ENTERPRISE = "enterprise", _("企业用户")
    REVIEWER = "reviewer", _("审核员")
    PLATFORM_ADMIN = "platform_admin", _("平台管理员")
    EXPERT = "expert", _("专家")
    BROKER = "broker", _("技术经纪人")
    REGISTRAR = "registrar", _("技术合同登记员")


# Roles held for a region (a reviewer reviews it, a registrar runs its technology contract registry).
REGIONAL_ROLES = frozenset({Role.REVIEWER, Role.REGISTRAR})
