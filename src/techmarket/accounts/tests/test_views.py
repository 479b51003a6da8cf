"""Account pages: registration, password reset by e-mail, the organisation verification queue."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.test import Client

from techmarket.accounts.choices import OrganisationStatus, Role
from techmarket.accounts.models import Organisation, User
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_registration_page_creates_a_pending_organisation_opened_by_the_emailed_link(
    regions, django_capture_on_commit_callbacks
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/register/",
            {
                "organisation_name": "江城大学",
                "organisation_kind": "university",
                "credit_code": "91350100M000100Y43",
                "region": regions["city"].pk,
                "username": "jiangcheng",
                "display_name": "钱七",
                "email": "qian@example.org",
                "phone": "13700001111",
                "password": "Riverside-Lab-77!",
                "password_again": "Riverside-Lab-77!",
            },
        )
    assert response["Location"] == "/accounts/register/done/"
    user = User.objects.get(username="jiangcheng")
    assert user.organisation.status == OrganisationStatus.PENDING
    # Closed until the e-mailed link is followed; the link opens it and signs its owner in, once.
    assert not user.is_active
    assert "_auth_user_id" not in client.session
    assert (
        client.post(
            "/accounts/login/", {"username": "jiangcheng", "password": "Riverside-Lab-77!"}
        ).status_code
        == 200
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["qian@example.org"]
    link = re.search(r"https?://testserver(/accounts/activate/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(link)
    assert response["Location"] == "/achievements/mine/"
    user.refresh_from_db()
    assert user.is_active
    assert client.session["_auth_user_id"] == str(user.pk)
    assert Client().get(link)["Location"] == "/accounts/login/"  # spent


def test_registration_page_shows_a_bad_check_character(regions):
    response = Client().post(
        "/accounts/register/",
        {
            "organisation_name": "江城大学",
            "organisation_kind": "university",
            "credit_code": "91350100M000100Y44",
            "region": regions["city"].pk,
            "username": "jiangcheng",
            "display_name": "钱七",
            "email": "qian@example.org",
            "password": "Riverside-Lab-77!",
            "password_again": "Riverside-Lab-77!",
        },
    )
    assert response.status_code == 200
    assert "校验位不正确" in response.content.decode()
    assert not Organisation.objects.filter(name="江城大学").exists()


def test_password_reset_mail_has_a_working_link(applicant):
    client = Client()
    response = client.post("/accounts/password-reset/", {"email": applicant.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [applicant.email]
    link = re.search(r"https?://testserver(/accounts/reset/\S+/)", message.body).group(1)
    response = client.get(link)
    assert response.status_code == 302  # Django swaps the token for a session key first
    set_password_url = response["Location"]
    response = client.post(
        set_password_url, {"new_password1": "Brand-new-pass-2026", "new_password2": "Brand-new-pass-2026"}
    )
    assert response.status_code == 302
    assert authenticate(None, username=applicant.username, password="Brand-new-pass-2026") == applicant
    # The link works once only.
    assert "Brand" not in client.get(link).content.decode()
    assert client.get(link).status_code == 200


def test_password_reset_for_an_unknown_address_sends_nothing(db):
    response = Client().post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_profile_masks_the_phone(applicant):
    client = Client()
    client.force_login(applicant)
    page = client.get("/accounts/profile/").content.decode()
    assert "13800138000" not in page
    assert "138****8000" in page


def test_only_platform_admins_decide_organisations(regions, applicant):
    pending = OrganisationFactory(region=regions["county"], status=OrganisationStatus.PENDING)
    client = Client()
    client.force_login(applicant)
    assert client.get("/accounts/organisations/pending/").status_code == 403
    client.post(f"/accounts/organisations/{pending.pk}/verify/")
    assert Organisation.objects.get(pk=pending.pk).status == OrganisationStatus.PENDING
    admin = Client()
    admin.force_login(user_with_role(Role.PLATFORM_ADMIN))
    assert pending.name in admin.get("/accounts/organisations/pending/").content.decode()
    admin.post(f"/accounts/organisations/{pending.pk}/reject/", {"reason": ""})
    assert Organisation.objects.get(pk=pending.pk).status == OrganisationStatus.PENDING
    admin.post(f"/accounts/organisations/{pending.pk}/verify/")
    assert Organisation.objects.get(pk=pending.pk).status == OrganisationStatus.VERIFIED


def test_activation_and_password_reset_links_are_not_interchangeable(db):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from techmarket.accounts.activation import activation_tokens
    from techmarket.accounts.tests.factories import UserFactory

    user = UserFactory(is_active=False)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    assert Client().get(f"/accounts/activate/{uid}/{default_token_generator.make_token(user)}/")[
        "Location"
    ] == ("/accounts/login/")
    user.refresh_from_db()
    assert not user.is_active
    assert not default_token_generator.check_token(user, activation_tokens.make_token(user))
