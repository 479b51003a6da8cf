"""A province's extra review step: set only through core.services, by platform admins, audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from techmarket.accounts.choices import Role
from techmarket.accounts.policies import principal_of
from techmarket.accounts.tests.factories import PASSWORD, user_with_role
from techmarket.core import policies, services
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.core.models import AuditEvent, Region

pytestmark = pytest.mark.django_db


def _snapshot(region: Region) -> tuple[bool, int]:
    return Region.objects.get(pk=region.pk).requires_province_review, AuditEvent.objects.count()


def test_only_platform_admins_may_set_it(regions, reviewers, applicant):
    admin = user_with_role(Role.PLATFORM_ADMIN)
    allowed = {
        name
        for name, user in {"admin": admin, "applicant": applicant, **reviewers}.items()
        if policies.can_set_province_review(principal_of(user))
    }
    assert allowed == {"admin"}


@pytest.mark.parametrize("role", ["province", "city", "county"])
def test_reviewers_are_refused_and_nothing_changes(regions, reviewers, role):
    before = _snapshot(regions["province"])
    with pytest.raises(NotPermitted):
        services.region_set_province_review(
            actor=reviewers[role], region=regions["province"], required=True, reason="试点"
        )
    assert _snapshot(regions["province"]) == before


def test_admin_sets_it_with_one_audit_event(regions):
    admin = user_with_role(Role.PLATFORM_ADMIN)
    region = services.region_set_province_review(
        actor=admin, region=regions["province"], required=True, reason="省里要求复核"
    )
    assert region.requires_province_review
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.target_id, event.reason) == (
        "core.region.update",
        admin,
        regions["province"].pk,
        "省里要求复核",
    )
    assert event.data == {"requires_province_review": True}
    # Setting it to what it already is records nothing.
    services.region_set_province_review(actor=admin, region=region, required=True, reason="再次")
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("level", "reason", "code"),
    [("province", "  ", "reason_required"), ("city", "理由", "not_a_province")],
)
def test_bad_input_changes_nothing(regions, level, reason, code):
    admin = user_with_role(Role.PLATFORM_ADMIN)
    before = _snapshot(regions[level])
    with pytest.raises(DomainError) as raised:
        services.region_set_province_review(actor=admin, region=regions[level], required=True, reason=reason)
    assert raised.value.code == code
    assert _snapshot(regions[level]) == before


def _admin_client() -> Client:
    superuser = user_with_role(Role.PLATFORM_ADMIN, is_staff=True, is_superuser=True, username="root")
    client = Client()
    assert client.login(username=superuser.username, password=PASSWORD)
    return client


def test_the_admin_form_calls_the_service(regions):
    client = _admin_client()
    url = reverse("admin:core_region_change", args=[regions["province"].pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"requires_province_review": "on", "reason": ""})
    assert refused.status_code == 200  # the form again, with the reason's error
    assert _snapshot(regions["province"]) == (False, 0)
    client.post(url, {"requires_province_review": "on", "reason": "省里要求复核"})
    assert _snapshot(regions["province"]) == (True, 1)
    assert AuditEvent.objects.get().reason == "省里要求复核"


def test_the_admin_cannot_add_or_delete_regions_or_set_it_below_a_province(regions):
    client = _admin_client()
    assert client.get(reverse("admin:core_region_add")).status_code == 403
    assert client.get(reverse("admin:core_region_delete", args=[regions["city"].pk])).status_code == 403
    url = reverse("admin:core_region_change", args=[regions["city"].pk])
    client.post(url, {"requires_province_review": "on", "reason": "试试"})
    assert _snapshot(regions["city"]) == (False, 0)
