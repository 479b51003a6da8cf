"""Who hears about each step of a listing and of an objection, and what they read.

After-commit hooks of ``LISTING_WORKFLOW`` and ``OBJECTION_WORKFLOW`` (declared on their transitions):

- submitted → the trading administrators (platform administrators);
- approved into its notice, returned, opened, suspended, expired → the seller (the listing's filer and
  the owner organisation's administrators) and the authorised agency's administrators;
- an objection filed → the administrators and the seller;
- an objection resolved → the person who filed it and the seller.

Nobody is told about a listing they may not open (``policies.can_view``), and a 受限 achievement's
hidden name is never written into a notice to someone outside the parties (they read "挂牌项目 #id");
the person who acted is not told about their own action. The text is in the platform language.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts import selectors as account_selectors
from techmarket.accounts.policies import principal_of
from techmarket.accounts.types import User
from techmarket.core.workflow import Fired
from techmarket.notifications.services import notice_hook, notify_each
from techmarket.trading import policies
from techmarket.trading.models import Listing, Objection


def sellers(listing: Listing) -> list[User]:
    """The listing's filer, the owner organisation's administrators and, for a listing made under an
    authorisation, the agency's administrators."""
    people = [listing.created_by, *account_selectors.org_admins(listing.owner_organisation_id)]
    if listing.authorisation is not None:
        people += account_selectors.org_admins(listing.authorisation.agency_id)
    return people


def label_for(user: User, listing: Listing) -> str:
    """The listing's name as ``user`` may read it."""
    if "achievement_name" in policies.shown_fields(principal_of(user), listing):
        return listing.title
    return _("挂牌项目 #%(id)s") % {"id": listing.pk}


def _tell(
    users: list[User], listing: Listing, actor: Any, kind: str, title: str, body: str, **data: Any
) -> None:
    """One notice to each user who may open the listing; the texts are formatted with ``name``, the
    listing's name as that user may read it."""
    readers = [user for user in users if policies.can_view(principal_of(user), listing)]
    by_label: dict[str, list[User]] = {}
    for user in readers:
        by_label.setdefault(label_for(user, listing), []).append(user)
    for label, group in by_label.items():
        names = {"name": label, **data}
        notify_each(
            group,
            actor=actor,
            kind=kind,
            title=title % names,
            body=body % names,
            link=reverse("trading:listing_detail", args=[listing.pk]),
            data={"listing": listing.pk},
        )


def _listing(fired: Fired[Any]) -> Listing:
    obj = fired.obj
    listing = obj.listing if isinstance(obj, Objection) else obj
    return Listing.objects.select_related("authorisation", "achievement", "created_by").get(pk=listing.pk)


@notice_hook
def submitted(fired: Fired[Listing]) -> None:
    """Submitted (or resubmitted): the trading administrators review it."""
    listing = _listing(fired)
    _tell(
        account_selectors.platform_admins(),
        listing,
        fired.actor,
        "listing.review",
        _("待审核挂牌：%(name)s"),
        _("%(organisation)s 提交了挂牌项目“%(name)s”，等待您审核。"),
        organisation=listing.owner_organisation.name,
    )


@notice_hook
def approved(fired: Fired[Listing]) -> None:
    """Approved: the notice period (公示期) runs until the date given."""
    listing = _listing(fired)
    _tell(
        sellers(listing),
        listing,
        fired.actor,
        "listing.approved",
        _("挂牌已通过审核，进入公示：%(name)s"),
        _("挂牌项目“%(name)s”已通过审核，公示期至 %(until)s。公示期内无异议或异议处理完毕后即正式挂牌。"),
        until=_local(listing.notice_ends_at),
    )


@notice_hook
def returned(fired: Fired[Listing]) -> None:
    listing = _listing(fired)
    _tell(
        sellers(listing),
        listing,
        fired.actor,
        "listing.returned",
        _("挂牌被退回修改：%(name)s"),
        _("挂牌项目“%(name)s”被退回修改。\n退回理由：%(reason)s\n请修改后重新提交。"),
        reason=fired.reason,
    )


@notice_hook
def opened(fired: Fired[Listing]) -> None:
    listing = _listing(fired)
    _tell(
        sellers(listing),
        listing,
        fired.actor,
        "listing.opened",
        _("公示期满，已正式挂牌：%(name)s"),
        _("挂牌项目“%(name)s”公示期满，现已正式挂牌交易，挂牌截止 %(until)s。"),
        until=_local(listing.open_until),
    )


@notice_hook
def suspended(fired: Fired[Listing]) -> None:
    listing = _listing(fired)
    _tell(
        sellers(listing),
        listing,
        fired.actor,
        "listing.suspended",
        _("挂牌已中止：%(name)s"),
        _("挂牌项目“%(name)s”已中止。\n理由：%(reason)s"),
        reason=fired.reason,
    )


@notice_hook
def expired(fired: Fired[Listing]) -> None:
    listing = _listing(fired)
    _tell(
        sellers(listing),
        listing,
        fired.actor,
        "listing.expired",
        _("挂牌期满：%(name)s"),
        _("挂牌项目“%(name)s”挂牌期已满，未成交，已结束挂牌。"),
    )


@notice_hook
def objection_filed(fired: Fired[Objection]) -> None:
    """An objection during the notice: the administrators decide; the seller learns of it."""
    listing = _listing(fired)
    _tell(
        [*account_selectors.platform_admins(), *sellers(listing)],
        listing,
        fired.actor,
        "listing.objection",
        _("挂牌项目收到异议：%(name)s"),
        _("公示中的挂牌项目“%(name)s”收到一项异议，处理完毕前不能成交或竞价。\n异议理由：%(reason)s"),
        reason=fired.reason,
    )


@notice_hook
def objection_resolved(fired: Fired[Objection]) -> None:
    """Upheld (the listing is suspended) or dismissed: the filer and the seller."""
    listing = _listing(fired)
    objection = fired.obj
    upheld = fired.transition == "uphold"
    _tell(
        [objection.filed_by, *sellers(listing)],
        listing,
        fired.actor,
        "listing.objection_resolved",
        _("异议处理结果：%(name)s"),
        (
            _("对挂牌项目“%(name)s”的异议经审查成立，该挂牌已中止。\n处理理由：%(reason)s")
            if upheld
            else _("对挂牌项目“%(name)s”的异议经审查不成立，挂牌继续。\n处理理由：%(reason)s")
        ),
        reason=fired.reason,
    )


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"
