"""Each step of a listing and of an objection tells the people it concerns, after commit, and never writes
a 受限 achievement's hidden name into a notice to an outsider."""

from __future__ import annotations

import datetime
import logging
from typing import Any

import pytest
from django.utils import timezone

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.notifications.models import Notification
from techmarket.trading import services
from techmarket.trading.choices import ListingState
from techmarket.trading.tests.factories import (
    agency_with_broker,
    listing_data,
    listing_in_state,
    published_achievement,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_lost_notices(caplog: Any) -> Any:
    caplog.set_level(logging.ERROR, logger="techmarket.notifications.services")
    yield
    assert not [r for r in caplog.records if "notice hook" in r.getMessage()]


def kinds(user: Any) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


def test_every_step_tells_the_seller_the_agency_and_the_administrators(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    admin = world["admin"]
    owner_admin = user_with_role(Role.ORG_ADMIN, organisation=world["university"])
    agency, broker = agency_with_broker(world["regions"]["city"])
    agency_admin = user_with_role(Role.ORG_ADMIN, organisation=agency)
    authorisation = services.authorisation_grant(
        actor=owner_admin,
        achievement=world["achievement"],
        agency=agency,
        scope="list",
        ends_on=timezone.localdate() + datetime.timedelta(days=60),
    )
    with django_capture_on_commit_callbacks(execute=True):
        listing = services.listing_create(
            actor=broker, achievement=world["achievement"], data=listing_data(), authorisation=authorisation
        )
        listing = services.listing_submit(actor=broker, listing=listing)
    assert kinds(admin) == ["listing.review"]
    assert kinds(broker) == []  # not told of their own action
    with django_capture_on_commit_callbacks(execute=True):
        listing = services.listing_approve(actor=admin, listing=listing)
    for person in (broker, owner_admin, agency_admin):
        assert "listing.approved" in kinds(person)
    with django_capture_on_commit_callbacks(execute=True):
        services.objection_file(actor=world["buyer"], listing=listing, reason="争议", evidence="证据")
    assert "listing.objection" in kinds(admin)
    assert "listing.objection" in kinds(owner_admin)
    objection = listing.objections.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.objection_dismiss(actor=admin, objection=objection, reason="不成立")
    assert kinds(world["buyer"]) == ["listing.objection_resolved"]
    with django_capture_on_commit_callbacks(execute=True):
        services.trading_tick(listing.notice_ends_at)
    assert "listing.opened" in kinds(owner_admin)
    listing.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.trading_tick(listing.open_until)
    assert "listing.expired" in kinds(agency_admin)


def test_a_restricted_name_never_reaches_the_objector(
    world: dict[str, Any], reviewers: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    achievement = published_achievement(
        applicant=world["seller"],
        region=world["regions"]["county"],
        reviewers=reviewers,
        confidentiality="restricted",
    )
    listing = listing_in_state(
        ListingState.NOTICE,
        seller=world["seller"],
        achievement=achievement,
        admin=world["admin"],
        title="受限的内部挂牌名称",
        public_fields=["summary"],
    )
    objection = services.objection_file(actor=world["buyer"], listing=listing, reason="争议", evidence="证据")
    with django_capture_on_commit_callbacks(execute=True):
        services.objection_uphold(actor=world["admin"], objection=objection, reason="属实")
    note = Notification.objects.get(recipient=world["buyer"])
    assert "受限的内部挂牌名称" not in note.title + note.body
    assert f"#{listing.pk}" in note.title
    seller_notes = Notification.objects.filter(recipient=world["seller"], kind="listing.objection_resolved")
    assert "受限的内部挂牌名称" in seller_notes.get().title
    assert Notification.objects.filter(recipient=world["seller"], kind="listing.suspended").exists()
