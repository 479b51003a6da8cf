"""The Django admin changes nothing that has a service: every model is read-only there, except the
few whose admin saves through the service (region review setting, response hours) and a user's
personal details (no service owns them; privileges stay read-only)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from techmarket.accounts.choices import Role
from techmarket.accounts.models import RoleAssignment, User
from techmarket.accounts.tests.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.django_db

# Model admins whose change form saves through the owning app's service.
SAVES_THROUGH_SERVICE = {"core.Region", "core.CalendarDay", "docking.ClockPolicy"}


@pytest.fixture
def superuser() -> User:
    return user_with_role(Role.PLATFORM_ADMIN, is_staff=True, is_superuser=True, username="root")


def _request(user: User) -> object:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_no_admin_adds_deletes_or_edits_behind_the_services(superuser):
    request = _request(superuser)
    for model, model_admin in admin.site._registry.items():
        label = f"{model._meta.app_label}.{model.__name__}"
        if label in SAVES_THROUGH_SERVICE or not model.__module__.startswith("techmarket."):
            continue
        assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_delete_permission(request), label
        if model is not User:  # personal details stay editable; privileges are read-only below
            assert not model_admin.has_change_permission(request), label


def test_user_admin_keeps_privileges_and_roles_read_only(superuser):
    request = _request(superuser)
    user_admin = admin.site._registry[User]
    read_only = set(user_admin.get_readonly_fields(request))
    assert {"organisation", "is_staff", "is_superuser", "groups", "user_permissions"} <= read_only
    for inline in user_admin.get_inline_instances(request, superuser):
        assert inline.model is RoleAssignment
        assert not inline.has_add_permission(request, superuser)
        assert not inline.has_change_permission(request, superuser)
        assert not inline.has_delete_permission(request, superuser)


def test_saving_a_user_in_the_admin_does_not_touch_roles(superuser, applicant):
    client = Client()
    client.login(username=superuser.username, password=PASSWORD)
    url = reverse("admin:accounts_user_change", args=[applicant.pk])
    assert client.get(url).status_code == 200
    page = client.post(
        url,
        {
            "username": applicant.username,
            "display_name": "改过的名字",
            "email": applicant.email,
            "phone": applicant.phone,
            "is_active": "on",
            "is_superuser": "on",  # read-only: ignored
            # An inline row cannot be added: the formset is not even rendered.
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "0",
            "roles-0-role": Role.PLATFORM_ADMIN,
        },
    )
    assert page.status_code == 302
    applicant.refresh_from_db()
    assert applicant.display_name == "改过的名字"
    assert not applicant.is_superuser
    assert list(applicant.roles.values_list("role", flat=True)) == [Role.APPLICANT]


def test_every_changelist_opens(superuser):
    client = Client()
    client.login(username=superuser.username, password=PASSWORD)
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
