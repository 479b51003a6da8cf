"""Code lists of the trading floor: listings, objections, auctions, bidder registrations and the bid log."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ListingState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    NOTICE = "notice", _("公示中")
    OPEN = "open", _("挂牌中")
    NEGOTIATING = "negotiating", _("洽谈中")
    IN_AUCTION = "in_auction", _("竞价中")
    DEALT = "dealt", _("已成交")
    WITHDRAWN = "withdrawn", _("已撤牌")
    EXPIRED = "expired", _("已到期")
    SUSPENDED = "suspended", _("已中止")


# States in which a listing is before the public: its summary is shown to everyone.
PUBLIC_LISTING_STATES = (
    ListingState.NOTICE,
    ListingState.OPEN,
    ListingState.NEGOTIATING,
    ListingState.IN_AUCTION,
    ListingState.DEALT,
    ListingState.SUSPENDED,
)
# States in which the seller may still change the listing.
EDITABLE_LISTING_STATES = (ListingState.DRAFT, ListingState.RETURNED)
# States in which a buyer can trade now (可交易; ADR 0011): not the notice period, in which no one may
# negotiate or bid yet and an objection may still suspend the listing.
TRADABLE_LISTING_STATES = (ListingState.OPEN, ListingState.NEGOTIATING, ListingState.IN_AUCTION)


class ListingMode(models.TextChoices):
    TRANSFER = "transfer", _("转让")
    LICENSE = "license", _("许可")
    EQUITY = "equity", _("作价投资")


class LicenseKind(models.TextChoices):
    EXCLUSIVE = "exclusive", _("独占许可")
    SOLE = "sole", _("排他许可")
    ORDINARY = "ordinary", _("普通许可")


class Pricing(models.TextChoices):
    FIXED = "fixed", _("固定价格")
    NEGOTIABLE = "negotiable", _("面议")
    AUCTION = "auction", _("拍卖")
    SEALED = "sealed", _("一次报价")


AUCTION_PRICING = (Pricing.AUCTION, Pricing.SEALED)


class PublicField(models.TextChoices):
    """Fields of a listing of a 受限 achievement that its owner may mark public (the rest stay behind
    disclosure)."""

    ACHIEVEMENT_NAME = "achievement_name", _("成果名称")
    MODE = "mode", _("交易方式")
    LICENSE_TERMS = "license_terms", _("许可条件")
    PRICE = "price", _("价格")
    SUMMARY = "summary", _("公开摘要")


class AuthorisationScope(models.TextChoices):
    LIST = "list", _("代理挂牌")
    LIST_AND_TRADE = "list_and_trade", _("代理挂牌与交易")


class ObjectionState(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


class AuctionKind(models.TextChoices):
    ENGLISH = "english", _("增价拍卖")
    SEALED = "sealed", _("一次报价")


class AuctionState(models.TextChoices):
    ACTIVE = "active", _("进行中")
    SOLD = "sold", _("已成交")
    FAILED = "failed", _("流拍")
    CANCELLED = "cancelled", _("已取消")


class RegistrationState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("待交保证金")
    REJECTED = "rejected", _("未通过")
    QUALIFIED = "qualified", _("可竞买")
    APPLIED = "applied", _("保证金已抵价款")
    REFUND_DUE = "refund_due", _("保证金待退还")
    FORFEITED = "forfeited", _("保证金不予退还")


class BidOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("有效")
    REJECTED = "rejected", _("无效")


# --- staged disclosure (issue 10 §2) ------------------------------------------------------------------


class DisclosureState(models.TextChoices):
    """A request for a listing's confidential detail. A grant runs until ``granted_until`` and then ends
    by itself (the state stays ``granted``; the policies compare the time with the server's clock)."""

    REQUESTED = "requested", _("待审批")
    GRANTED = "granted", _("已授权")
    REFUSED = "refused", _("已拒绝")
    REVOKED = "revoked", _("已撤销")


# Listing states in which buyers may ask for, and grantees may read, the confidential detail.
DISCLOSABLE_STATES = (
    ListingState.NOTICE,
    ListingState.OPEN,
    ListingState.NEGOTIATING,
    ListingState.IN_AUCTION,
)


class AccessKind(models.TextChoices):
    """What an access-log entry records."""

    DETAIL = "detail", _("查看保密信息")
    DOCUMENT = "document", _("下载文件")


class AccessChannel(models.TextChoices):
    WEB = "web", _("网页")
    API = "api", _("接口")
