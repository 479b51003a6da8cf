"""Login throttling: after the limit of failures a username+address is refused even the right password."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from django.utils import timezone

from techmarket.accounts.models import LoginFailure
from techmarket.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(username: str, password: str, address: str = "10.0.0.1"):
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=address)
    return authenticate(request, username=username, password=password)


def fail(username: str, times: int, address: str = "10.0.0.1") -> None:
    for _ in range(times):
        assert login(username, "wrong-password", address) is None


def test_right_password_logs_in_and_clears_failures(applicant):
    fail(applicant.username, 4)
    assert login(applicant.username, PASSWORD) == applicant
    assert not LoginFailure.objects.exists()
    fail(applicant.username, 4)
    assert login(applicant.username, PASSWORD) == applicant


def test_five_failures_lock_out_even_the_right_password(applicant, settings):
    assert settings.TECHMARKET["LOGIN_FAILURE_LIMIT"] == 5
    fail(applicant.username, 5)
    assert login(applicant.username, PASSWORD) is None
    # The lock is per username and address: the same user elsewhere, or another user here, may log in.
    assert login(applicant.username, PASSWORD, address="10.0.0.2") == applicant
    assert LoginFailure.objects.filter(address="10.0.0.1").count() == 5


def test_locked_attempts_do_not_extend_the_lock(applicant):
    fail(applicant.username, 5)
    for _ in range(10):
        assert login(applicant.username, PASSWORD) is None
    assert LoginFailure.objects.count() == 5


def test_lock_expires(applicant, settings):
    fail(applicant.username, 5)
    expired = timezone.now() - datetime.timedelta(seconds=settings.TECHMARKET["LOGIN_LOCKOUT_SECONDS"] + 1)
    LoginFailure.objects.update(created_at=expired)
    assert login(applicant.username, PASSWORD) == applicant


def test_unknown_usernames_are_throttled_too(db):
    fail("nobody", 6)
    assert LoginFailure.objects.filter(username="nobody").count() == 5


def test_login_page_is_throttled(applicant):
    client = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": applicant.username, "password": "nope"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": applicant.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "锁定" in response.content.decode()
    other = Client(REMOTE_ADDR="10.0.0.10")
    response = other.post("/accounts/login/", {"username": applicant.username, "password": PASSWORD})
    assert response.status_code == 302
    assert other.session["_auth_user_id"] == str(applicant.pk)


def test_empty_username_is_refused_without_a_record(db):
    assert login("", "x") is None
    assert not LoginFailure.objects.exists()


def test_one_address_trying_many_usernames_is_locked_out(applicant, settings):
    settings.TECHMARKET = {**settings.TECHMARKET, "LOGIN_ADDRESS_FAILURE_LIMIT": 6}
    for n in range(6):
        fail(f"guess{n}", 1, address="10.0.0.7")
    # Every username there is below its own limit, but the address as a whole is locked.
    assert login(applicant.username, PASSWORD, address="10.0.0.7") is None
    assert login(applicant.username, PASSWORD, address="10.0.0.8") == applicant
    expired = timezone.now() - datetime.timedelta(seconds=settings.TECHMARKET["LOGIN_LOCKOUT_SECONDS"] + 1)
    LoginFailure.objects.update(created_at=expired)
    assert login(applicant.username, PASSWORD, address="10.0.0.7") == applicant
