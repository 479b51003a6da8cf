"""The trading floor's data: listings (挂牌) with their agency authorisations and objections, auctions,
bidder registrations and the append-only, hash-chained bid log."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techmarket.core.models import Region, TimeStampedModel
from techmarket.trading.choices import (
    AccessChannel,
    AccessKind,
    AuctionKind,
    AuctionState,
    AuthorisationScope,
    BidOutcome,
    DisclosureState,
    LicenseKind,
    ListingMode,
    ListingState,
    ObjectionState,
    Pricing,
    RegistrationState,
)

DEFAULT_NOTICE_WORKING_DAYS = 10
MAX_NOTICE_WORKING_DAYS = 60


class TradingPolicy(models.Model):
    """A region's notice period (公示期) in working days; a listing takes the nearest on its region chain."""

    region = models.OneToOneField(
        Region, verbose_name=_("地区"), on_delete=models.CASCADE, related_name="trading_policy"
    )
    notice_working_days = models.PositiveSmallIntegerField(
        _("公示期（工作日）"),
        default=DEFAULT_NOTICE_WORKING_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_NOTICE_WORKING_DAYS)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["region_id"]
        verbose_name = _("交易公示期设置")
        verbose_name_plural = _("交易公示期设置")

    def __str__(self) -> str:
        return f"{self.region} {self.notice_working_days}"


class ListingAuthorisation(TimeStampedModel):
    """An owner organisation's authorisation of a transfer agency (技术转移机构) to list an achievement."""

    achievement = models.ForeignKey(
        "achievements.Achievement", verbose_name=_("科技成果"), on_delete=models.PROTECT, related_name="+"
    )
    owner_organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("成果单位"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("受托机构"), on_delete=models.PROTECT, related_name="+"
    )
    scope = models.CharField(_("授权范围"), max_length=16, choices=AuthorisationScope.choices)
    ends_on = models.DateField(_("授权截止日期"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("授权人"), on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("挂牌授权")
        verbose_name_plural = _("挂牌授权")

    def __str__(self) -> str:
        return f"{self.achievement_id} → {self.agency_id}"


class Listing(TimeStampedModel):
    """A published achievement offered for trading (LISTING_WORKFLOW)."""

    achievement = models.ForeignKey(
        "achievements.Achievement", verbose_name=_("科技成果"), on_delete=models.PROTECT, related_name="+"
    )
    owner_organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("成果单位"), on_delete=models.PROTECT, related_name="+"
    )
    authorisation = models.ForeignKey(
        ListingAuthorisation,
        verbose_name=_("挂牌授权"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="listings",
    )
    region = models.ForeignKey(Region, verbose_name=_("所属地区"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("挂牌名称"), max_length=200)
    mode = models.CharField(_("交易方式"), max_length=16, choices=ListingMode.choices)
    license_kind = models.CharField(_("许可类型"), max_length=16, choices=LicenseKind.choices, blank=True)
    license_territory = models.CharField(_("许可地域"), max_length=200, blank=True)
    license_term_months = models.PositiveSmallIntegerField(_("许可期限（月）"), null=True, blank=True)
    pricing = models.CharField(_("定价方式"), max_length=16, choices=Pricing.choices)
    price = models.DecimalField(
        _("价格（万元）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    listing_days = models.PositiveSmallIntegerField(
        _("挂牌期（天）"), default=90, validators=[MinValueValidator(1), MaxValueValidator(730)]
    )
    public_summary = models.TextField(_("公开摘要"))
    confidential_detail = models.TextField(_("保密信息"), blank=True)
    public_fields = models.JSONField(
        _("受限成果公开字段"), default=list, blank=True, help_text=_("受限成果的挂牌只显示这些字段。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=ListingState.choices, default=ListingState.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    notice_starts_at = models.DateTimeField(_("公示开始"), null=True, blank=True)
    notice_ends_at = models.DateTimeField(_("公示结束"), null=True, blank=True, db_index=True)
    opened_at = models.DateTimeField(_("挂牌开始"), null=True, blank=True)
    open_until = models.DateTimeField(_("挂牌截止"), null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("挂牌项目")
        verbose_name_plural = _("挂牌项目")
        constraints = [
            models.CheckConstraint(
                condition=~Q(mode=ListingMode.LICENSE) | ~Q(license_kind=""), name="listing_license_kind"
            ),
        ]
        indexes = [models.Index(fields=["owner_organisation", "state"])]

    def __str__(self) -> str:
        return self.title


class Objection(TimeStampedModel):
    """异议: filed during a listing's notice period; an open one blocks the deal (OBJECTION_WORKFLOW)."""

    listing = models.ForeignKey(
        Listing, verbose_name=_("挂牌项目"), on_delete=models.CASCADE, related_name="objections"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("异议人"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("异议理由"))
    evidence = models.TextField(_("证据说明"))
    state = models.CharField(
        _("状态"), max_length=16, choices=ObjectionState.choices, default=ObjectionState.OPEN, db_index=True
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("异议")
        verbose_name_plural = _("异议")

    def __str__(self) -> str:
        return f"{self.listing_id}: {self.reason[:20]}"


class Auction(TimeStampedModel):
    """An English auction or a sealed bid on a listing (AUCTION_WORKFLOW); its bids are in BidLogEntry.

    ``current_price``, ``leader``, ``ends_at``, ``accepted_bids``, ``last_seq`` and ``last_hash`` are the
    incremental result of the log, updated under the row lock with each entry; ``verify-auction``
    recomputes them from the log.
    """

    listing = models.ForeignKey(
        Listing, verbose_name=_("挂牌项目"), on_delete=models.PROTECT, related_name="auctions"
    )
    kind = models.CharField(_("竞价方式"), max_length=16, choices=AuctionKind.choices)
    start_price = models.DecimalField(
        _("起拍价（万元）"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    reserve_price = models.DecimalField(
        _("保留价（万元）"), max_digits=14, decimal_places=2, null=True, blank=True, help_text=_("不公开。")
    )
    increment = models.DecimalField(
        _("加价幅度（万元）"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    deposit = models.DecimalField(_("保证金（万元）"), max_digits=14, decimal_places=2, default=0)
    starts_at = models.DateTimeField(_("开始时间"))
    scheduled_end = models.DateTimeField(_("原定结束时间"))
    ends_at = models.DateTimeField(_("结束时间"), db_index=True, help_text=_("含延时。"))
    extension_minutes = models.PositiveSmallIntegerField(
        _("延时周期（分钟）"), default=5, validators=[MaxValueValidator(120)]
    )
    current_price = models.DecimalField(
        _("当前价（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    leader = models.ForeignKey(
        "BidderRegistration", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_bids = models.PositiveIntegerField(_("有效出价数"), default=0)
    last_seq = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    state = models.CharField(
        _("状态"), max_length=16, choices=AuctionState.choices, default=AuctionState.ACTIVE, db_index=True
    )
    winner = models.ForeignKey(
        "BidderRegistration", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    final_price = models.DecimalField(
        _("成交价（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    result_reason = models.CharField(_("流拍原因"), max_length=32, blank=True)
    result_hash = models.CharField(_("竞价记录末项哈希"), max_length=64, blank=True)
    closed_at = models.DateTimeField(_("结束于"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("竞价")
        verbose_name_plural = _("竞价")
        constraints = [
            models.CheckConstraint(condition=Q(increment__gt=0) | Q(kind="sealed"), name="auction_increment"),
            models.CheckConstraint(
                condition=Q(scheduled_end__gt=models.F("starts_at")), name="auction_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id} {self.get_kind_display()}"


class BidderRegistration(TimeStampedModel):
    """A buyer's registration for one auction: approved by an administrator, then qualified once the
    deposit (保证金) is marked received (REGISTRATION_WORKFLOW)."""

    auction = models.ForeignKey(
        Auction, verbose_name=_("竞价"), on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("竞买人"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("竞买单位"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveSmallIntegerField(_("竞买号"))
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=RegistrationState.choices,
        default=RegistrationState.PENDING,
        db_index=True,
    )
    deposit_received_at = models.DateTimeField(_("保证金到账时间"), null=True, blank=True)
    # The winner walked away (REGISTRATION_WORKFLOW ``forfeit``): the deposit is kept, by the rules shown
    # before bidding; when and why, as the administrator wrote it (also in the audit event).
    forfeited_at = models.DateTimeField(_("保证金没收时间"), null=True, blank=True)
    forfeit_reason = models.CharField(_("没收理由"), max_length=500, blank=True)

    class Meta:
        ordering = ["auction_id", "number"]
        verbose_name = _("竞买登记")
        verbose_name_plural = _("竞买登记")
        constraints = [
            models.UniqueConstraint(fields=["auction", "user"], name="registration_one_per_user"),
            models.UniqueConstraint(fields=["auction", "number"], name="registration_number_unique"),
        ]

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def pseudonym(self) -> str:
        """How the bid history names the bidder (竞买人 01, 02, …)."""
        return str(_("竞买人 %(number)02d") % {"number": self.number})


class BidLogQuerySet(models.QuerySet["BidLogEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("the bid log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("the bid log is append-only")


class BidLogEntry(models.Model):
    """One bid attempt, accepted or rejected with its reason; append-only, each entry's hash covering the
    previous one's (``auction_rules.chain_hash``)."""

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="log")
    seq = models.PositiveIntegerField()
    registration = models.ForeignKey(BidderRegistration, on_delete=models.PROTECT, related_name="bids")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    received_at = models.DateTimeField()
    eligible = models.BooleanField()
    idempotency_key = models.CharField(max_length=64)
    outcome = models.CharField(max_length=16, choices=BidOutcome.choices)
    reason = models.CharField(max_length=32, blank=True)
    price_after = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    ends_at_after = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = BidLogQuerySet.as_manager()

    class Meta:
        ordering = ["auction_id", "seq"]
        verbose_name = _("竞价记录")
        verbose_name_plural = _("竞价记录")
        constraints = [
            models.UniqueConstraint(fields=["auction", "seq"], name="bid_log_seq_unique"),
            models.UniqueConstraint(
                fields=["auction", "registration", "idempotency_key"], name="bid_log_idempotency_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.auction_id}#{self.seq} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("the bid log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("the bid log is append-only")


# --- staged disclosure (issue 10 §2) ------------------------------------------------------------------


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Rows that are written once and never changed or removed (NDA versions, the access log)."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError("append-only rows cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("append-only rows cannot be deleted")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("append-only rows cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("append-only rows cannot be deleted")


class NdaTerms(AppendOnlyModel):
    """One version of a listing's NDA text (保密协议), written by the seller; editing adds a version.
    A disclosure request stores the version its user accepted."""

    listing = models.ForeignKey(
        Listing, verbose_name=_("挂牌项目"), on_delete=models.PROTECT, related_name="nda_versions"
    )
    version = models.PositiveIntegerField(_("版本"))
    text = models.TextField(_("保密协议条款"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填写人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        ordering = ["listing_id", "-version"]
        verbose_name = _("保密协议版本")
        verbose_name_plural = _("保密协议版本")
        constraints = [models.UniqueConstraint(fields=["listing", "version"], name="nda_version_unique")]

    def __str__(self) -> str:
        return f"{self.listing_id} v{self.version}"


class AutoGrantRule(TimeStampedModel):
    """The seller's standing grant: a request from a verified organisation of this kind (blank: any) in
    this region or below it (blank: anywhere) is granted for ``days`` days as soon as it arrives."""

    listing = models.ForeignKey(
        Listing, verbose_name=_("挂牌项目"), on_delete=models.CASCADE, related_name="auto_grant_rules"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("地区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation_kind = models.CharField(_("单位类型"), max_length=16, blank=True)
    days = models.PositiveSmallIntegerField(
        _("授权天数"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("设置人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["listing_id", "id"]
        verbose_name = _("自动授权规则")
        verbose_name_plural = _("自动授权规则")

    def __str__(self) -> str:
        return f"{self.listing_id}: {self.region_id or '*'} {self.organisation_kind or '*'} {self.days}"


class DisclosureRequest(TimeStampedModel):
    """A buyer's request for a listing's confidential detail (DISCLOSURE_WORKFLOW), with the NDA version
    its user accepted and when. The grant is personal: to the requesting user, while they belong to the
    same verified organisation, until ``granted_until``."""

    listing = models.ForeignKey(
        Listing, verbose_name=_("挂牌项目"), on_delete=models.PROTECT, related_name="disclosure_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("申请单位"), on_delete=models.PROTECT, related_name="+"
    )
    nda = models.ForeignKey(
        NdaTerms, verbose_name=_("接受的保密协议版本"), on_delete=models.PROTECT, related_name="requests"
    )
    nda_accepted_at = models.DateTimeField(_("接受保密协议时间"))
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=DisclosureState.choices,
        default=DisclosureState.REQUESTED,
        db_index=True,
    )
    granted_until = models.DateTimeField(_("授权截止"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    auto_rule = models.ForeignKey(
        AutoGrantRule,
        verbose_name=_("自动授权规则"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("保密信息查看申请")
        verbose_name_plural = _("保密信息查看申请")
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "user"],
                condition=Q(state=DisclosureState.REQUESTED),
                name="disclosure_one_pending_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id} ← {self.user_id} ({self.state})"


def document_path(instance: ListingDocument, filename: str) -> str:
    """Stored under an unguessable name, served only through the policy-checked views, never as media."""
    return f"trading/{instance.listing_id}/{uuid.uuid4().hex}"


class ListingDocument(TimeStampedModel):
    """A listing's document: public (anyone who may see the listing) or confidential (behind disclosure;
    PDF only, so each download can carry the viewer's watermark)."""

    listing = models.ForeignKey(
        Listing, verbose_name=_("挂牌项目"), on_delete=models.PROTECT, related_name="documents"
    )
    title = models.CharField(_("标题"), max_length=200)
    confidential = models.BooleanField(_("保密文件"), default=False)
    file = models.FileField(_("文件"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["listing_id", "confidential", "id"]
        verbose_name = _("挂牌文件")
        verbose_name_plural = _("挂牌文件")

    def __str__(self) -> str:
        return self.title


class DisclosureAccess(AppendOnlyModel):
    """Append-only access log: every view of a listing's confidential detail and every download of its
    documents — who, their organisation, when, what, through which channel."""

    listing = models.ForeignKey(
        Listing, verbose_name=_("挂牌项目"), on_delete=models.PROTECT, related_name="access_log"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("访问人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("访问单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    kind = models.CharField(_("内容"), max_length=16, choices=AccessKind.choices)
    document = models.ForeignKey(
        ListingDocument,
        verbose_name=_("文件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confidential = models.BooleanField(_("保密内容"), default=True)
    channel = models.CharField(_("渠道"), max_length=8, choices=AccessChannel.choices)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("保密信息访问记录")
        verbose_name_plural = _("保密信息访问记录")

    def __str__(self) -> str:
        return f"{self.listing_id} {self.kind} {self.user_id} {self.at:%Y-%m-%d %H:%M}"
