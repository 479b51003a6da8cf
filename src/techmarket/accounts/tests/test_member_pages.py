"""Pages where organisation administrators open colleagues' accounts and platform admins grant roles."""

import pytest
from django.urls import reverse

from techmarket.accounts.choices import Role
from techmarket.accounts.models import RoleAssignment, User
from techmarket.accounts.tests.factories import user_with_role
from techmarket.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def member_form(**overrides):
    return {
        "username": "wang_wu",
        "display_name": "王五",
        "email": "ww@example.org",
        "phone": "13700001111",
        "password": "Colleague-2026",
        "roles": ["applicant"],
        **overrides,
    }


def test_org_admin_opens_an_applicant_account_for_a_colleague(client, organisation):
    admin = user_with_role(Role.ORG_ADMIN, organisation=organisation)
    client.force_login(admin)
    response = client.post(reverse("accounts:member_create"), member_form())
    assert response.status_code == 302
    colleague = User.objects.get(username="wang_wu")
    assert colleague.organisation == organisation
    assert list(colleague.roles.values_list("role", flat=True)) == ["applicant"]
    assert AuditEvent.objects.filter(action="accounts.user.create", target_id=str(colleague.pk)).exists()


def test_org_admin_cannot_grant_reviewer_role_through_the_form(client, organisation):
    admin = user_with_role(Role.ORG_ADMIN, organisation=organisation)
    client.force_login(admin)
    response = client.post(reverse("accounts:member_create"), member_form(roles=["reviewer"]))
    assert response.status_code == 200
    assert not User.objects.filter(username="wang_wu").exists()


def test_applicant_may_not_open_accounts(client, applicant):
    client.force_login(applicant)
    assert client.get(reverse("accounts:member_create")).status_code == 403
    client.post(reverse("accounts:member_create"), member_form())
    assert not User.objects.filter(username="wang_wu").exists()


def test_platform_admin_grants_and_revokes_a_reviewer_role(client, regions, applicant):
    admin = user_with_role(Role.PLATFORM_ADMIN)
    client.force_login(admin)
    missing_region = client.post(
        reverse("accounts:role_admin"), {"username": applicant.username, "role": "reviewer"}
    )
    assert missing_region.status_code == 200
    assert not RoleAssignment.objects.filter(user=applicant, role="reviewer").exists()
    client.post(
        reverse("accounts:role_admin"),
        {"username": applicant.username, "role": "reviewer", "region": regions["city"].code},
    )
    assignment = RoleAssignment.objects.get(user=applicant, role="reviewer")
    assert assignment.region == regions["city"]
    assert applicant.username in client.get(reverse("accounts:role_admin")).content.decode()
    client.post(reverse("accounts:role_revoke", args=[assignment.pk]))
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEvent.objects.filter(action="accounts.role.revoke").count() == 1


def test_role_page_is_for_platform_admins_only(client, reviewers):
    client.force_login(reviewers["city"])
    assert client.get(reverse("accounts:role_admin")).status_code == 403
