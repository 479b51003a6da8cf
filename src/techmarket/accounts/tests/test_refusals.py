"""Unauthorised POSTs to the organisation and role actions are refused with a status, never a redirect."""

from __future__ import annotations

import pytest
from django.urls import reverse

from techmarket.accounts.choices import OrganisationStatus, Role
from techmarket.accounts.models import Organisation, RoleAssignment
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(regions) -> Organisation:
    return OrganisationFactory(region=regions["county"], status=OrganisationStatus.PENDING)


@pytest.mark.parametrize("decision", ["verify", "reject"])
def test_organisation_decision_by_a_non_administrator_is_forbidden(client, reviewers, pending, decision):
    org_admin = user_with_role(Role.ORG_ADMIN, organisation=pending)
    for user in (reviewers["county"], org_admin):
        client.force_login(user)
        response = client.post(
            reverse("accounts:organisation_decide", args=[pending.pk, decision]), {"reason": "x"}
        )
        assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == OrganisationStatus.PENDING
    assert not AuditEvent.objects.filter(action__startswith="accounts.organisation.v").exists()


def test_organisation_decision_unknown_organisation_or_decision_is_404(client, pending):
    client.force_login(user_with_role(Role.PLATFORM_ADMIN))
    assert client.post(reverse("accounts:organisation_decide", args=[999999, "verify"])).status_code == 404
    assert (
        client.post(reverse("accounts:organisation_decide", args=[pending.pk, "delete"])).status_code == 404
    )


def test_platform_admin_still_decides(client, pending):
    client.force_login(user_with_role(Role.PLATFORM_ADMIN))
    response = client.post(reverse("accounts:organisation_decide", args=[pending.pk, "verify"]))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == OrganisationStatus.VERIFIED


def test_role_revoke_of_another_organisations_member_is_404(client, organisation, regions):
    member = user_with_role(Role.APPLICANT, organisation=organisation)
    assignment = RoleAssignment.objects.get(user=member)
    other_admin = user_with_role(Role.ORG_ADMIN, organisation=OrganisationFactory(region=regions["city"]))
    for user in (other_admin, user_with_role(Role.REVIEWER, region=regions["city"])):
        client.force_login(user)
        assert client.post(reverse("accounts:role_revoke", args=[assignment.pk])).status_code == 404
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_role_revoke_of_a_role_the_org_admin_may_not_grant_is_403(client, organisation, regions):
    admin = user_with_role(Role.ORG_ADMIN, organisation=organisation)
    colleague = user_with_role(Role.APPLICANT, organisation=organisation)
    platform = RoleAssignment.objects.create(user=colleague, role=Role.PLATFORM_ADMIN)
    client.force_login(admin)
    assert client.post(reverse("accounts:role_revoke", args=[platform.pk])).status_code == 403
    assert RoleAssignment.objects.filter(pk=platform.pk).exists()
    # A role the org admin may grant is revoked, and the admin goes back to the profile page.
    applicant_role = RoleAssignment.objects.get(user=colleague, role=Role.APPLICANT)
    response = client.post(reverse("accounts:role_revoke", args=[applicant_role.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    assert not RoleAssignment.objects.filter(pk=applicant_role.pk).exists()
