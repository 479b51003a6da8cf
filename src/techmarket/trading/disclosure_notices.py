"""Who hears about staged disclosure, and what they read (after-commit hooks of DISCLOSURE_WORKFLOW).

- A request arrives: the listing's filer and the owner organisation's administrators (and the brokers of
  an authorised agency), unless an auto-grant rule already granted it in the same transaction (then the
  seller reads it in the requests page and the log; the requester is told of the grant).
- A request is granted (by hand or by a rule), refused or revoked: the requester.

Nobody is told about a listing they may not open; the notices never carry the confidential detail.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts import selectors as account_selectors
from techmarket.accounts.policies import principal_of
from techmarket.accounts.types import User
from techmarket.core.workflow import Fired
from techmarket.notifications.services import notice_hook, notify_each
from techmarket.trading import policies
from techmarket.trading.choices import DisclosureState
from techmarket.trading.models import DisclosureRequest, Listing


def sellers(listing: Listing) -> list[User]:
    """The listing's filer, the achievement's filer, the owner organisation's administrators and, under a
    running agency authorisation, the agency's administrators."""
    people = [
        listing.created_by,
        listing.achievement.created_by,
        *account_selectors.org_admins(listing.owner_organisation_id),
    ]
    if listing.authorisation is not None and policies.authorisation_active(listing):
        people += account_selectors.org_admins(listing.authorisation.agency_id)
    return people


def _fresh(fired: Fired[DisclosureRequest]) -> DisclosureRequest:
    return DisclosureRequest.objects.select_related(
        "listing",
        "listing__authorisation",
        "listing__created_by",
        "listing__achievement__created_by",
        "user",
        "organisation",
    ).get(pk=fired.obj.pk)


@notice_hook
def requested(fired: Fired[DisclosureRequest]) -> None:
    """A buyer asked for the confidential detail: the seller's side decides."""
    request = _fresh(fired)
    if request.state != DisclosureState.REQUESTED:  # an auto-grant rule already answered it
        return
    listing = request.listing
    names = {"organisation": request.organisation.name, "title": listing.title}
    notify_each(
        sellers(listing),
        actor=fired.actor,
        may_see=lambda user: policies.can_manage_disclosure(principal_of(user), listing),
        kind="trading.disclosure_requested",
        title=_("保密信息查看申请：%(title)s") % names,
        body=_("%(organisation)s 申请查看挂牌项目“%(title)s”的保密信息，并已接受保密协议，请审批。") % names,
        link=reverse("trading:disclosure_requests", args=[listing.pk]),
        data={"listing": listing.pk, "request": request.pk},
    )


@notice_hook
def decided(fired: Fired[DisclosureRequest]) -> None:
    """Granted, refused or revoked: the requester."""
    request = _fresh(fired)
    listing = request.listing
    names = {"title": listing.title, "reason": request.reason or _("（未说明）")}
    if fired.to_state == DisclosureState.GRANTED:
        until = timezone.localtime(request.granted_until) if request.granted_until else None
        names["until"] = until.strftime("%Y-%m-%d %H:%M") if until else ""
        title = _("保密信息查看申请已获授权：%(title)s") % names
        body = _("您可以在 %(until)s 之前查看挂牌项目“%(title)s”的保密信息和保密文件。") % names
    elif fired.to_state == DisclosureState.REFUSED:
        title = _("保密信息查看申请未获同意：%(title)s") % names
        body = _("挂牌方未同意您查看“%(title)s”保密信息的申请。理由：%(reason)s") % names
    else:
        title = _("保密信息查看授权已撤销：%(title)s") % names
        body = _("挂牌方撤销了您查看“%(title)s”保密信息的授权。理由：%(reason)s") % names
    notify_each(
        [request.user],
        actor=fired.actor,
        may_see=lambda user: policies.can_view(principal_of(user), listing),
        kind="trading.disclosure_decided",
        title=title,
        body=body,
        link=reverse("trading:disclosure_request", args=[listing.pk]),
        data={"listing": listing.pk, "request": request.pk, "state": str(fired.to_state)},
    )
