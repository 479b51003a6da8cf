"""Code lists of technology contract registration that are part of the program (states, types).

The longer national code lists (IP types, legal-entity types, technology fields, plan sources,
non-technical parts) are data in ``contracts/data`` read by :mod:`techmarket.contracts.codes`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractType(models.TextChoices):
    """The five kinds of 《技术合同认定规则》 and the Civil Code (许可 split from 转让 since 2021)."""

    DEVELOPMENT = "development", _("技术开发")
    TRANSFER = "transfer", _("技术转让")
    LICENSE = "license", _("技术许可")
    CONSULTING = "consulting", _("技术咨询")
    SERVICE = "service", _("技术服务")


class ContractSubtype(models.TextChoices):
    DEV_COMMISSIONED = "dev_commissioned", _("委托开发")
    DEV_COOPERATIVE = "dev_cooperative", _("合作开发")
    TRANSFER_PATENT = "transfer_patent", _("专利权转让")
    TRANSFER_PATENT_APPLICATION = "transfer_patent_application", _("专利申请权转让")
    TRANSFER_SECRET = "transfer_secret", _("技术秘密转让")
    TRANSFER_OTHER = "transfer_other", _("其他技术转让")
    LICENSE_PATENT = "license_patent", _("专利实施许可")
    LICENSE_SECRET = "license_secret", _("技术秘密使用许可")
    LICENSE_OTHER = "license_other", _("其他技术许可")
    CONSULTING = "consulting", _("技术咨询")
    SERVICE = "service", _("技术服务")
    SERVICE_TRAINING = "service_training", _("技术培训")
    SERVICE_INTERMEDIARY = "service_intermediary", _("技术中介")


# Each subtype's type: the one place the hierarchy is written.
TYPE_OF_SUBTYPE: dict[str, str] = {
    ContractSubtype.DEV_COMMISSIONED: ContractType.DEVELOPMENT,
    ContractSubtype.DEV_COOPERATIVE: ContractType.DEVELOPMENT,
    ContractSubtype.TRANSFER_PATENT: ContractType.TRANSFER,
    ContractSubtype.TRANSFER_PATENT_APPLICATION: ContractType.TRANSFER,
    ContractSubtype.TRANSFER_SECRET: ContractType.TRANSFER,
    ContractSubtype.TRANSFER_OTHER: ContractType.TRANSFER,
    ContractSubtype.LICENSE_PATENT: ContractType.LICENSE,
    ContractSubtype.LICENSE_SECRET: ContractType.LICENSE,
    ContractSubtype.LICENSE_OTHER: ContractType.LICENSE,
    ContractSubtype.CONSULTING: ContractType.CONSULTING,
    ContractSubtype.SERVICE: ContractType.SERVICE,
    ContractSubtype.SERVICE_TRAINING: ContractType.SERVICE,
    ContractSubtype.SERVICE_INTERMEDIARY: ContractType.SERVICE,
}

# The type digit of the 16-digit registration number (region 6 + year 4 + type 1 + serial 5).
TYPE_DIGIT: dict[str, str] = {
    ContractType.DEVELOPMENT: "1",
    ContractType.TRANSFER: "2",
    ContractType.CONSULTING: "3",
    ContractType.SERVICE: "4",
    ContractType.LICENSE: "5",
}


class ContractState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    UNDER_REVIEW = "under_review", _("审查中")
    RETURNED = "returned", _("退回补正")
    REGISTERED = "registered", _("已登记")
    REFUSED = "refused", _("不予登记")
    WITHDRAWN = "withdrawn", _("已撤回")


class ReceiptState(models.TextChoices):
    RECORDED = "recorded", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("未确认")


class AmendmentState(models.TextChoices):
    SUBMITTED = "submitted", _("待登记")
    REGISTERED = "registered", _("已登记")
    REFUSED = "refused", _("不予登记")


# A party outside China: its 3-digit country code (GB/T 2659 numeric) instead of a region code.
CHINA_COUNTRY_CODE = "156"
