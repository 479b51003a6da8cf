"""Technology contracts filed for 认定登记, their non-technical parts, receipts (实际到账) and amendments.

Amounts are yuan with two decimals (Decimal). Each party is recorded as written on the national form
(技术合同登记表): name, unified social credit code, legal-entity type, and a GB/T 2260 region code (or a
country code for a party abroad); a party that is an organisation on the platform is also linked.
The seller's and the buyer's region chains are denormalised (province/city/county codes) so that the
registry's queue, visibility and statistics filter without joins.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techmarket.contracts.choices import (
    CHINA_COUNTRY_CODE,
    AmendmentState,
    ContractState,
    ContractSubtype,
    ContractType,
    ReceiptState,
)
from techmarket.core.models import Region, TimeStampedModel

MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2}
NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]


def signed_contract_path(instance: TechContract, filename: str) -> str:
    return f"contracts/{instance.pk or 'new'}/signed/{filename}"


def receipt_evidence_path(instance: Receipt, filename: str) -> str:
    return f"contracts/{instance.contract_id}/receipts/{filename}"


class TechContract(TimeStampedModel):
    """One technology contract on its way through 认定登记 (once, at the registry of the seller's region)."""

    state = models.CharField(
        _("状态"), max_length=16, choices=ContractState.choices, default=ContractState.DRAFT, db_index=True
    )
    title = models.CharField(_("合同名称"), max_length=200)
    contract_type = models.CharField(_("合同类型"), max_length=16, choices=ContractType.choices)
    subtype = models.CharField(_("合同类别"), max_length=32, choices=ContractSubtype.choices)

    # Seller (卖方): the filer's side; registration happens in the seller's region.
    seller_organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("卖方单位"), on_delete=models.PROTECT, related_name="+"
    )
    seller_name = models.CharField(_("卖方名称"), max_length=200)
    seller_credit_code = models.CharField(_("卖方统一社会信用代码"), max_length=18, blank=True)
    seller_entity_type = models.CharField(_("卖方法人类型"), max_length=8)
    seller_region = models.ForeignKey(
        Region, verbose_name=_("卖方所在地区"), on_delete=models.PROTECT, related_name="+"
    )
    seller_province_code = models.CharField(max_length=6, db_index=True)
    seller_city_code = models.CharField(max_length=6, blank=True, db_index=True)
    seller_county_code = models.CharField(max_length=6, blank=True, db_index=True)

    # Buyer (买方): on the platform or not; in China (region code) or abroad (country code).
    buyer_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("买方单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    buyer_name = models.CharField(_("买方名称"), max_length=200)
    buyer_credit_code = models.CharField(_("买方统一社会信用代码"), max_length=18, blank=True)
    buyer_entity_type = models.CharField(_("买方法人类型"), max_length=8)
    buyer_country_code = models.CharField(_("买方国家或地区代码"), max_length=3, default=CHINA_COUNTRY_CODE)
    buyer_region_code = models.CharField(_("买方行政区划代码"), max_length=6, blank=True)
    buyer_province_code = models.CharField(max_length=6, blank=True, db_index=True)
    buyer_city_code = models.CharField(max_length=6, blank=True, db_index=True)
    buyer_county_code = models.CharField(max_length=6, blank=True, db_index=True)

    # Filed by the seller, or by its agency (中介机构) on its behalf.
    agency_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("代理机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )

    signed_on = models.DateField(_("签订日期"))
    term_start = models.DateField(_("履行期限起"), null=True, blank=True)
    term_end = models.DateField(_("履行期限止"), null=True, blank=True)
    total_amount = models.DecimalField(_("合同总金额（元）"), validators=NOT_NEGATIVE, **MONEY)
    # 核定技术交易额: the total less the non-technical parts (ContractPart); the registry may correct it.
    certified_amount = models.DecimalField(
        _("核定技术交易额（元）"), null=True, blank=True, validators=NOT_NEGATIVE, **MONEY
    )
    payment_plan = models.JSONField(_("支付计划"), default=list, blank=True)
    technology_field = models.CharField(_("技术领域"), max_length=8)
    ip_type = models.CharField(_("知识产权类型"), max_length=8)
    plan_source = models.CharField(_("计划来源"), max_length=8)
    expected_investment = models.DecimalField(
        _("预计新增投资（元）"), null=True, blank=True, validators=NOT_NEGATIVE, **MONEY
    )
    expected_output = models.DecimalField(
        _("预计新增产值（元）"), null=True, blank=True, validators=NOT_NEGATIVE, **MONEY
    )
    signed_pdf = models.FileField(
        _("合同文本（PDF）"), upload_to=signed_contract_path, max_length=200, blank=True
    )

    # A deal has at most one live contract (not refused or withdrawn): see Meta.constraints.
    deal = models.ForeignKey(
        "deals.Deal",
        verbose_name=_("来源成交"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    brokered_contract = models.ForeignKey(
        "self",
        verbose_name=_("所居间的合同"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intermediary_contracts",
    )

    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    refusal_reason = models.TextField(_("不予登记原因"), blank=True)
    registration_number = models.CharField(
        _("合同登记编号"), max_length=16, null=True, blank=True, unique=True
    )
    verification_code = models.CharField(_("核验码"), max_length=32, null=True, blank=True, unique=True)
    registered_at = models.DateTimeField(_("登记时间"), null=True, blank=True, db_index=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("技术合同")
        verbose_name_plural = _("技术合同")
        indexes = [models.Index(fields=["state", "seller_city_code"])]
        constraints = [
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="contracts_total_not_negative"),
            models.UniqueConstraint(
                fields=["deal"],
                condition=Q(deal__isnull=False) & ~Q(state__in=["refused", "withdrawn"]),
                name="contracts_one_live_contract_per_deal",
            ),
        ]

    def __str__(self) -> str:
        return self.registration_number or self.title


class ContractPart(models.Model):
    """A non-technical part of the price (设备, 材料, 差旅 …), deducted to give the certified amount."""

    contract = models.ForeignKey(TechContract, on_delete=models.CASCADE, related_name="parts")
    kind = models.CharField(_("非技术性款项"), max_length=16)
    amount = models.DecimalField(_("金额（元）"), validators=NOT_NEGATIVE, **MONEY)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["contract_id", "id"]
        verbose_name = _("非技术性款项")
        verbose_name_plural = _("非技术性款项")

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class RegistrationSerial(models.Model):
    """The last serial given per registry region, year and type digit: numbers are never reused."""

    region_code = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    type_digit = models.CharField(max_length=1)
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year", "type_digit"], name="contracts_serial_key")
        ]

    def __str__(self) -> str:
        return f"{self.region_code}{self.year}{self.type_digit}:{self.last_serial}"


class Receipt(models.Model):
    """One payment actually received (实际到账), with its bank slip; counts once the registry confirms it."""

    contract = models.ForeignKey(TechContract, on_delete=models.PROTECT, related_name="receipts")
    state = models.CharField(
        _("状态"), max_length=16, choices=ReceiptState.choices, default=ReceiptState.RECORDED, db_index=True
    )
    received_on = models.DateField(_("到账日期"), db_index=True)
    amount = models.DecimalField(_("到账金额（元）"), validators=NOT_NEGATIVE, **MONEY)
    payer = models.CharField(_("付款方"), max_length=200)
    bank_reference = models.CharField(_("银行流水号"), max_length=64)
    evidence = models.FileField(
        _("到账凭证（PDF）"), upload_to=receipt_evidence_path, max_length=200, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    rejection_reason = models.TextField(_("未确认原因"), blank=True)

    class Meta:
        ordering = ["contract_id", "received_on", "id"]
        verbose_name = _("到账记录")
        verbose_name_plural = _("到账记录")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "bank_reference"],
                condition=~Q(state=ReceiptState.REJECTED),
                name="contracts_receipt_reference_once",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="contracts_receipt_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.received_on} {self.amount}"


class Amendment(models.Model):
    """A registered change of the certified amount (补充协议), the only way receipts may exceed it."""

    contract = models.ForeignKey(TechContract, on_delete=models.PROTECT, related_name="amendments")
    state = models.CharField(
        _("状态"), max_length=16, choices=AmendmentState.choices, default=AmendmentState.SUBMITTED
    )
    new_total_amount = models.DecimalField(_("变更后合同金额（元）"), validators=NOT_NEGATIVE, **MONEY)
    new_certified_amount = models.DecimalField(
        _("变更后核定技术交易额（元）"), validators=NOT_NEGATIVE, **MONEY
    )
    reason = models.TextField(_("变更原因"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("登记时间"), null=True, blank=True)
    decision_note = models.TextField(_("登记意见"), blank=True)

    class Meta:
        ordering = ["contract_id", "filed_at", "id"]
        verbose_name = _("合同变更")
        verbose_name_plural = _("合同变更")

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.new_certified_amount}"
