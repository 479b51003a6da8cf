"""Listings: creation by the owner or an authorised agency, review, the notice period on the working-day
calendar, objections, negotiation, expiry and what each role may read."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from techmarket.accounts.choices import Role
from techmarket.accounts.policies import principal_of
from techmarket.accounts.tests.factories import user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.core.errors import DomainError, InvalidTransition, NotPermitted
from techmarket.core.models import AuditEvent
from techmarket.trading import selectors, services
from techmarket.trading.choices import ListingState, ObjectionState
from techmarket.trading.tests.factories import agency_with_broker, listing_data, listing_in_state

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _listing(world: dict[str, Any], state: str, **overrides: Any) -> Any:
    return listing_in_state(
        state, seller=world["seller"], achievement=world["achievement"], admin=world["admin"], **overrides
    )


def test_the_notice_period_counts_working_days_of_the_region(world: dict[str, Any], frozen: Any) -> None:
    # Approved on Friday 2026-09-18 (Shanghai time) with a 5-day notice: Sun 20 is a 调休 working day,
    # 25–27 are 中秋 and 1–7 Oct 国庆, so the fifth working day is Thursday 24 Sep.
    frozen(datetime.datetime(2026, 9, 18, 10, 0, tzinfo=SHANGHAI))
    services.notice_policy_set(actor=world["admin"], region=world["regions"]["city"], working_days=5)
    listing = _listing(world, ListingState.NOTICE)
    assert listing.notice_ends_at == datetime.datetime(2026, 9, 25, 0, 0, tzinfo=SHANGHAI)
    # The county's own setting wins over the city's.
    services.notice_policy_set(actor=world["admin"], region=world["regions"]["county"], working_days=8)
    assert selectors.notice_days_for(world["regions"]["county"]) == 8
    assert selectors.notice_days_for(world["regions"]["other_county"]) == 10  # the default


def test_the_periodic_job_opens_after_the_notice_and_expires_after_the_period(
    world: dict[str, Any], frozen: Any
) -> None:
    clock = frozen(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    listing = _listing(world, ListingState.NOTICE)
    assert services.trading_tick(clock.moment)["opened"] == 0
    with pytest.raises(DomainError):
        services.listing_open(listing_id=listing.pk, now=clock.moment)
    clock.set(listing.notice_ends_at)
    assert services.trading_tick(clock.moment) == {"opened": 1, "expired": 0, "closed": 0}
    assert services.trading_tick(clock.moment)["opened"] == 0  # exactly once
    listing.refresh_from_db()
    assert listing.state == ListingState.OPEN
    assert listing.open_until == clock.moment + datetime.timedelta(days=90)
    clock.set(listing.open_until)
    assert services.trading_tick(clock.moment)["expired"] == 1
    listing.refresh_from_db()
    assert listing.state == ListingState.EXPIRED


def test_only_published_achievements_of_the_own_organisation_are_listed(
    world: dict[str, Any], regions: dict[str, Any], reviewers: dict[str, Any]
) -> None:
    with pytest.raises(NotPermitted):
        services.listing_create(actor=world["buyer"], achievement=world["achievement"], data=listing_data())
    from techmarket.trading.tests.factories import published_achievement

    draft = published_achievement(applicant=world["seller"], region=regions["county"], reviewers=reviewers)
    draft.state = AchievementState.REVOKED  # not through the workflow: an in-memory stand-in
    with pytest.raises(DomainError) as error:
        services.listing_create(actor=world["seller"], achievement=draft, data=listing_data())
    assert error.value.code == "not_published"


def test_bad_listing_forms_are_refused_with_field_errors(world: dict[str, Any]) -> None:
    with pytest.raises(DomainError) as error:
        services.listing_create(
            actor=world["seller"],
            achievement=world["achievement"],
            data=listing_data(
                mode="license", license_kind="", pricing="fixed", price="abc", public_summary=""
            ),
        )
    assert set(error.value.fields) == {"license_kind", "price", "public_summary"}


def test_an_authorised_agency_lists_until_its_authorisation_ends(
    world: dict[str, Any], regions: dict[str, Any]
) -> None:
    agency, broker = agency_with_broker(regions["city"])
    org_admin = user_with_role(Role.ORG_ADMIN, organisation=world["university"])
    with pytest.raises(NotPermitted):  # a filer is not the organisation's administrator
        services.authorisation_grant(
            actor=world["seller"],
            achievement=world["achievement"],
            agency=agency,
            scope="list_and_trade",
            ends_on=timezone.localdate() + datetime.timedelta(days=30),
        )
    authorisation = services.authorisation_grant(
        actor=org_admin,
        achievement=world["achievement"],
        agency=agency,
        scope="list_and_trade",
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    listing = services.listing_create(
        actor=broker, achievement=world["achievement"], data=listing_data(), authorisation=authorisation
    )
    assert listing.owner_organisation_id == world["university"].pk
    listing = services.listing_submit(actor=broker, listing=listing)
    services.authorisation_revoke(actor=org_admin, authorisation=authorisation, reason="合作终止")
    listing.refresh_from_db()
    with pytest.raises(NotPermitted):
        services.listing_withdraw(actor=broker, listing=listing)
    with pytest.raises(NotPermitted):
        services.listing_create(
            actor=broker, achievement=world["achievement"], data=listing_data(), authorisation=authorisation
        )


def test_an_open_objection_blocks_the_deal_until_dismissed(world: dict[str, Any], frozen: Any) -> None:
    clock = frozen(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    listing = _listing(world, ListingState.NOTICE)
    with pytest.raises(DomainError):
        services.objection_file(actor=world["buyer"], listing=listing, reason="", evidence="")
    objection = services.objection_file(
        actor=world["buyer"], listing=listing, reason="该技术与本公司专利冲突", evidence="专利号 ZL2020…"
    )
    assert objection.state == ObjectionState.OPEN
    clock.set(listing.notice_ends_at)
    listing = services.listing_open(listing_id=listing.pk, now=clock.moment)
    with pytest.raises(InvalidTransition):  # only during the notice
        services.objection_file(actor=world["buyer"], listing=listing, reason="再次异议", evidence="无")
    listing = services.listing_start_negotiation(actor=world["buyer"], listing=listing)
    with pytest.raises(DomainError) as error:
        services.listing_deal(actor=world["admin"], listing=listing)
    assert error.value.code == "objection_open"
    services.objection_dismiss(actor=world["admin"], objection=objection, reason="专利不相关")
    listing = services.listing_deal(actor=world["admin"], listing=listing)
    assert listing.state == ListingState.DEALT


def test_an_upheld_objection_suspends_the_listing(world: dict[str, Any]) -> None:
    listing = _listing(world, ListingState.NOTICE)
    objection = services.objection_file(
        actor=world["buyer"], listing=listing, reason="权属存在争议", evidence="合作协议第3条"
    )
    with pytest.raises(NotPermitted):
        services.objection_uphold(actor=world["buyer"], objection=objection, reason="成立")
    services.objection_uphold(actor=world["admin"], objection=objection, reason="权属争议属实")
    listing.refresh_from_db()
    assert listing.state == ListingState.SUSPENDED
    event = AuditEvent.objects.get(action="trading.listing.suspend", target_id=str(listing.pk))
    assert event.reason == "权属争议属实"
    assert event.data == {"objection": objection.pk}


def test_a_restricted_achievement_shows_only_the_public_fields(
    world: dict[str, Any], regions: dict[str, Any], reviewers: dict[str, Any]
) -> None:
    from techmarket.trading.tests.factories import published_achievement

    restricted = published_achievement(
        applicant=world["seller"], region=regions["county"], reviewers=reviewers, confidentiality="restricted"
    )
    listing = listing_in_state(
        ListingState.NOTICE,
        seller=world["seller"],
        achievement=restricted,
        admin=world["admin"],
        public_fields=["mode", "summary"],
    )
    public = selectors.listing_public_view(principal_of(world["buyer"]), listing)
    assert set(public) == {"id", "state", "pricing", "mode", "public_summary"}
    own = selectors.listing_public_view(principal_of(world["seller"]), listing)
    assert {"title", "price", "confidential_detail", "license_kind"} <= set(own)
    # A public achievement's listing shows every field, but the confidential detail to the parties only.
    other = _listing(world, ListingState.NOTICE)
    shown = selectors.listing_public_view(principal_of(world["buyer"]), other)
    assert "title" in shown
    assert "price" in shown
    assert "confidential_detail" not in shown


def test_drafts_are_seen_only_by_the_parties(world: dict[str, Any]) -> None:
    listing = _listing(world, ListingState.DRAFT)
    assert listing not in selectors.listing_visible(principal_of(world["buyer"]))
    assert listing in selectors.listing_visible(principal_of(world["seller"]))
    assert listing in selectors.listing_visible(principal_of(world["admin"]))
    with pytest.raises(DomainError):
        selectors.listing_get(principal_of(world["buyer"]), listing.pk)


def test_the_periodic_task_runs_the_tick(world: dict[str, Any], frozen: Any) -> None:
    from techmarket.trading.tasks import trading_tick

    clock = frozen(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    listing = _listing(world, ListingState.NOTICE)
    clock.set(listing.notice_ends_at)
    trading_tick.call_local()
    listing.refresh_from_db()
    assert listing.state == ListingState.OPEN
    assert AuditEvent.objects.get(action="trading.listing.open", target_id=str(listing.pk)).actor_id is None
