"""Negotiation and deals: one negotiation per listing and buyer organisation, its offers and
counter-offers (OFFER_WORKFLOW), the deals they make (and the auctions' deals), each with its draft
technology contract, and the deal notices (成交公告)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techmarket.core.models import TimeStampedModel
from techmarket.deals.choices import ContractType, DealSource, OfferState, Side


class Negotiation(TimeStampedModel):
    """洽谈: a buyer organisation's negotiation on one listing; its messages are a conversations thread."""

    listing = models.ForeignKey(
        "trading.Listing", verbose_name=_("挂牌项目"), on_delete=models.PROTECT, related_name="+"
    )
    buyer_organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("买方单位"), on_delete=models.PROTECT, related_name="+"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    thread_id = models.PositiveBigIntegerField(_("洽谈对话"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("洽谈")
        verbose_name_plural = _("洽谈")
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "buyer_organisation"], name="negotiation_one_per_buyer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.listing_id}/{self.buyer_organisation_id}"


class Offer(models.Model):
    """An offer or counter-offer in a negotiation (OFFER_WORKFLOW); amounts in 万元."""

    negotiation = models.ForeignKey(
        Negotiation, verbose_name=_("洽谈"), on_delete=models.PROTECT, related_name="offers"
    )
    listing = models.ForeignKey(
        "trading.Listing", verbose_name=_("挂牌项目"), on_delete=models.PROTECT, related_name="+"
    )
    buyer_organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("买方单位"), on_delete=models.PROTECT, related_name="+"
    )
    side = models.CharField(_("报价方"), max_length=8, choices=Side.choices)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报价人"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(
        _("金额（万元）"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    payment_terms = models.TextField(_("支付条件"), blank=True)
    licence_terms = models.TextField(_("许可条件"), blank=True)
    commission = models.DecimalField(
        _("经纪佣金（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    expires_at = models.DateTimeField(_("有效期至"))
    state = models.CharField(
        _("状态"), max_length=16, choices=OfferState.choices, default=OfferState.OPEN, db_index=True
    )
    created_at = models.DateTimeField(_("报价时间"))
    decided_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["negotiation_id", "created_at", "id"]
        verbose_name = _("报价")
        verbose_name_plural = _("报价")
        indexes = [models.Index(fields=["listing", "state"])]

    def __str__(self) -> str:
        return f"{self.negotiation_id}#{self.pk} {self.amount}"


class Deal(models.Model):
    """成交: parties, price and terms, the broker and its commission, where it came from, the listing's
    history at that moment and the draft technology contract the contracts registry will take over."""

    number = models.CharField(_("成交编号"), max_length=32, unique=True)
    listing = models.ForeignKey(
        "trading.Listing", verbose_name=_("挂牌项目"), on_delete=models.PROTECT, related_name="+"
    )
    seller_organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("卖方单位"), on_delete=models.PROTECT, related_name="+"
    )
    buyer_organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("买方单位"), on_delete=models.PROTECT, related_name="+"
    )
    broker_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("经纪机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    commission = models.DecimalField(
        _("经纪佣金（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    price = models.DecimalField(_("成交价（万元）"), max_digits=14, decimal_places=2)
    mode = models.CharField(_("交易方式"), max_length=16)
    license_kind = models.CharField(_("许可类型"), max_length=16, blank=True)
    payment_terms = models.TextField(_("支付条件"), blank=True)
    licence_terms = models.TextField(_("许可条件"), blank=True)
    source = models.CharField(_("成交方式"), max_length=16, choices=DealSource.choices)
    negotiation = models.ForeignKey(
        Negotiation, null=True, blank=True, on_delete=models.PROTECT, related_name="deals"
    )
    offer = models.OneToOneField(Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="deal")
    auction = models.OneToOneField(
        "trading.Auction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence_hash = models.CharField(
        _("记录哈希"), max_length=64, help_text=_("竞价：竞价记录末项哈希；协议：报价记录的 SHA-256。")
    )
    history = models.JSONField(_("挂牌与洽谈记录"), default=dict)
    listed_at = models.DateTimeField(_("挂牌时间"), null=True, blank=True)
    dealt_at = models.DateTimeField(_("成交时间"))
    contract_type = models.CharField(_("合同类型"), max_length=16, choices=ContractType.choices)
    contract = models.JSONField(_("技术合同草稿"), default=dict)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-dealt_at", "-id"]
        verbose_name = _("成交")
        verbose_name_plural = _("成交")
        constraints = [
            models.CheckConstraint(
                condition=Q(source="auction", auction__isnull=False)
                | Q(source="negotiation", offer__isnull=False),
                name="deal_has_source",
            )
        ]

    def __str__(self) -> str:
        return self.number


class DealNotice(models.Model):
    """成交公告: published when the deal is made, for the region's notice period in working days."""

    deal = models.OneToOneField(Deal, verbose_name=_("成交"), on_delete=models.PROTECT, related_name="notice")
    published_at = models.DateTimeField(_("公告开始"))
    ends_at = models.DateTimeField(_("公告结束"), db_index=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("成交公告")
        verbose_name_plural = _("成交公告")

    def __str__(self) -> str:
        return str(self.deal_id)
