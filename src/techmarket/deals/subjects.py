"""What deals tell conversations about negotiation threads on a listing (``conversations.subjects``):
the listing's page, and that the listing's agency broker may join. Registered by ``ready``."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.policies import Principal
from techmarket.conversations import subjects
from techmarket.core.errors import NotFound
from techmarket.deals import policies
from techmarket.deals.services import SUBJECT_KIND
from techmarket.trading import selectors as trading_selectors


def _url(subject_id: int) -> str:
    try:
        return reverse("trading:listing_detail", args=[subject_id])
    except NoReverseMatch:  # the listing pages are not mounted yet
        return ""


def _may_join(principal: Principal, subject_id: int) -> bool:
    try:
        listing = trading_selectors.listing_get(principal, subject_id)
    except NotFound:
        return False
    return policies.may_join_thread(principal, listing)


def register() -> None:
    subjects.register(
        subjects.SubjectKind(key=SUBJECT_KIND, label=_("挂牌项目"), url=_url, may_join=_may_join)
    )
