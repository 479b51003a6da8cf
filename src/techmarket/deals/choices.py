"""Code lists of negotiation and deals."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Side(models.TextChoices):
    BUYER = "buyer", _("买方")
    SELLER = "seller", _("卖方")


class OfferState(models.TextChoices):
    OPEN = "open", _("待答复")
    ACCEPTED = "accepted", _("已接受")
    REJECTED = "rejected", _("已拒绝")
    WITHDRAWN = "withdrawn", _("已撤回")
    SUPERSEDED = "superseded", _("已被新报价取代")
    EXPIRED = "expired", _("已过期")
    CLOSED = "closed", _("已关闭")


class DealSource(models.TextChoices):
    NEGOTIATION = "negotiation", _("协议成交")
    AUCTION = "auction", _("竞价成交")


class ContractType(models.TextChoices):
    TRANSFER = "transfer", _("技术转让合同")
    LICENSE = "license", _("技术许可合同")
    EQUITY = "equity", _("技术转让合同（作价投资）")
