"""新挂牌匹配提醒 (ADR 0011): when a listing opens, the enterprises whose open demands match its achievement
are told — unless they turned the demand's switch off, and never about a 受限 achievement they may not
see."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.achievements import services as achievement_services
from techmarket.achievements.choices import AchievementState, Confidentiality
from techmarket.achievements.tests.factories import achievement_in_state, applicant_of
from techmarket.core.errors import NotPermitted
from techmarket.core.models import AuditEvent
from techmarket.demands.choices import DemandState
from techmarket.demands.tests.factories import demand_in_state, enterprise_user
from techmarket.matching import listing_alerts, selectors, services
from techmarket.matching.models import ListingAlert
from techmarket.notifications.choices import NoticeGroup, group_of
from techmarket.notifications.models import Notification
from techmarket.trading.choices import ListingState
from techmarket.trading.tests.factories import admin_user, listing_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _zh() -> Any:
    """The labels are compared in the source language, whatever an earlier test left active."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def setting(regions: Any, reviewers: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    enterprise = enterprise_user(regions["county"])
    with django_capture_on_commit_callbacks(execute=True):
        demand = demand_in_state(
            DemandState.PUBLISHED,
            enterprise=enterprise,
            region=regions["county"],
            reviewer=reviewers["county"],
        )
    applicant = applicant_of(region=regions["county"])
    return {"enterprise": enterprise, "demand": demand, "applicant": applicant, "admin": admin_user()}


def _achievement(setting: dict[str, Any], regions: Any, reviewers: Any, **overrides: Any) -> Any:
    return achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=setting["applicant"],
        region=regions["county"],
        reviewers=reviewers,
        **overrides,
    )


def _open(setting: dict[str, Any], achievement: Any, capture: Any) -> Any:
    with capture(execute=True):
        return listing_in_state(
            ListingState.OPEN, seller=setting["applicant"], achievement=achievement, admin=setting["admin"]
        )


def _told(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=listing_alerts.KIND))


def test_a_matching_demands_enterprise_is_told_once(
    setting: dict[str, Any], regions: Any, reviewers: Any, django_capture_on_commit_callbacks: Any
) -> None:
    achievement = _achievement(setting, regions, reviewers)
    assert [d.pk for d, _level in selectors.demands_for_new_listing(achievement)] == [setting["demand"].pk]
    listing = _open(setting, achievement, django_capture_on_commit_callbacks)
    notices = _told(setting["enterprise"])
    assert len(notices) == 1
    assert achievement.name in notices[0].title
    assert notices[0].data["listing"] == listing.pk
    assert notices[0].data["demand"] == setting["demand"].pk
    assert "80.00" not in notices[0].body  # no listing field beyond the achievement's name
    assert not _told(setting["applicant"])  # never the seller's own organisation
    assert group_of(listing_alerts.KIND) == NoticeGroup.LISTING


def test_switched_off_no_notice(
    setting: dict[str, Any], regions: Any, reviewers: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assert (
        services.listing_alert_set(actor=setting["enterprise"], demand=setting["demand"], enabled=False)
        is False
    )
    assert AuditEvent.objects.filter(action="matching.listingalert.set").exists()
    _open(setting, _achievement(setting, regions, reviewers), django_capture_on_commit_callbacks)
    assert not _told(setting["enterprise"])
    services.listing_alert_set(actor=setting["enterprise"], demand=setting["demand"], enabled=True)
    _open(setting, _achievement(setting, regions, reviewers), django_capture_on_commit_callbacks)
    assert len(_told(setting["enterprise"])) == 1


def test_a_restricted_achievement_is_announced_only_to_its_audience(
    setting: dict[str, Any], regions: Any, reviewers: Any, django_capture_on_commit_callbacks: Any
) -> None:
    restricted = _achievement(setting, regions, reviewers, confidentiality=Confidentiality.RESTRICTED)
    _open(setting, restricted, django_capture_on_commit_callbacks)
    assert not _told(setting["enterprise"])
    assert not Notification.objects.filter(kind=listing_alerts.KIND).exists()
    granted = _achievement(setting, regions, reviewers, confidentiality=Confidentiality.RESTRICTED)
    achievement_services.access_grant(
        actor=setting["applicant"], achievement=granted, user=setting["enterprise"]
    )
    _open(setting, granted, django_capture_on_commit_callbacks)
    assert [n.data["achievement"] for n in _told(setting["enterprise"])] == [granted.pk]


def test_only_the_demands_enterprise_switches(setting: dict[str, Any], regions: Any) -> None:
    stranger = enterprise_user(regions["county"])
    with pytest.raises(NotPermitted):
        services.listing_alert_set(actor=stranger, demand=setting["demand"], enabled=False)
    assert not ListingAlert.objects.exists()


def test_the_switch_on_the_demand_page(client: Client, setting: dict[str, Any], reviewers: Any) -> None:
    url = reverse("demands:detail", args=[setting["demand"].pk])
    client.force_login(setting["enterprise"])
    page = client.get(url).content.decode()
    assert 'id="listing-alert"' in page
    assert "关闭提醒" in page
    response = client.post(reverse("matching:listing_alert", args=[setting["demand"].pk]), {"enabled": "0"})
    assert response.status_code == 302
    assert not selectors.listing_alert_enabled(setting["demand"])
    assert "开启提醒" in client.get(url).content.decode()
    # The reviewer sees the demand but not the switch, and may not post it.
    client.force_login(reviewers["county"])
    assert 'id="listing-alert"' not in client.get(url).content.decode()
    client.post(reverse("matching:listing_alert", args=[setting["demand"].pk]), {"enabled": "1"})
    assert not selectors.listing_alert_enabled(setting["demand"])
    # Someone who may not see the demand gets a 404.
    client.force_login(user_with_role(Role.APPLICANT))
    response = client.post(reverse("matching:listing_alert", args=[setting["demand"].pk]), {"enabled": "1"})
    assert response.status_code in (302, 404)
    assert not selectors.listing_alert_enabled(setting["demand"])


def test_the_switch_in_the_api(setting: dict[str, Any], reviewers: Any) -> None:
    url = f"/api/v1/demand-listing-alerts/{setting['demand'].pk}/"
    api = APIClient()
    api.force_authenticate(setting["enterprise"])
    assert api.get(url).json() == {"demand": setting["demand"].pk, "enabled": True}
    assert api.patch(url, {"enabled": False}, format="json").json()["enabled"] is False
    bad = api.patch(url, {"enabled": "maybe"}, format="json")
    assert bad.status_code == 400
    assert not selectors.listing_alert_enabled(setting["demand"])
    api.force_authenticate(reviewers["county"])
    assert api.patch(url, {"enabled": True}, format="json").status_code == 403
    assert api.get("/api/v1/demand-listing-alerts/999999/").status_code == 404
    assert not selectors.listing_alert_enabled(setting["demand"])
