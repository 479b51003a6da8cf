"""Hardening of accounts: password rules, session timeouts, expiring API tokens, no user enumeration."""

from __future__ import annotations

import datetime
import types

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from techmarket.accounts import middleware, services
from techmarket.accounts.choices import Role
from techmarket.accounts.models import ApiToken, RoleAssignment, User
from techmarket.accounts.tests.factories import PASSWORD, OrganisationFactory, UserFactory
from techmarket.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
TOKENS_URL = "/api/v1/auth/tokens/"


class TestPasswordRules:
    @pytest.mark.parametrize(
        ("password", "message"),
        [
            ("Ab-3defg", "至少需要 10 个字符"),
            ("abcdefgh-ijk", "中的 3 种"),
            ("zhangsan-2026-X", "不能包含用户名"),
            ("Password123!", "过于常见"),
            ("12345678901234", "全部是数字"),
        ],
    )
    def test_each_rule_refuses_with_its_own_message(self, password, message):
        user = User(username="zhangsan", email="zs@example.org")
        with pytest.raises(ValidationError) as caught:
            validate_password(password, user)
        assert any(message in text for text in caught.value.messages)

    @pytest.mark.parametrize("password", ["Demo-2026!", PASSWORD, "Riverside-Lab-77!", "jiangcheng-lab-77"])
    def test_good_passwords_pass(self, password):
        validate_password(password, User(username="wangwu", email="ww@example.org"))


def signed_in(user) -> Client:
    client = Client()
    assert (
        client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    )
    return client


def at(monkeypatch, moment: datetime.datetime) -> None:
    """Make the session middleware see ``moment`` as now."""
    monkeypatch.setattr(middleware, "timezone", types.SimpleNamespace(now=lambda: moment))


class TestSessionTimeouts:
    START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)

    @pytest.fixture
    def user(self):
        return UserFactory()

    def test_idle_session_ends(self, user, monkeypatch, settings):
        assert settings.TECHMARKET["SESSION_IDLE_SECONDS"] == 30 * 60
        at(monkeypatch, self.START)
        client = signed_in(user)
        assert client.get("/accounts/profile/").status_code == 200
        at(monkeypatch, self.START + datetime.timedelta(minutes=29))
        assert client.get("/accounts/profile/").status_code == 200
        at(monkeypatch, self.START + datetime.timedelta(minutes=29 + 31))
        response = client.get("/accounts/profile/")
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
        assert "_auth_user_id" not in client.session

    def test_active_session_ends_at_its_absolute_lifetime(self, user, monkeypatch, settings):
        settings.TECHMARKET = {**settings.TECHMARKET, "SESSION_MAX_SECONDS": 2 * 3600}
        at(monkeypatch, self.START)
        client = signed_in(user)
        for minutes in range(20, 120, 20):
            at(monkeypatch, self.START + datetime.timedelta(minutes=minutes))
            assert client.get("/accounts/profile/").status_code == 200
        at(monkeypatch, self.START + datetime.timedelta(minutes=121))
        assert client.get("/accounts/profile/").status_code == 302

    def test_log_out_of_all_sessions_ends_every_session_and_optionally_tokens(self, user):
        laptop, phone = signed_in(user), signed_in(user)
        token = services.token_issue(user=user)
        response = laptop.post("/accounts/sessions/end-all/", {"revoke_tokens": "1"})
        assert response.status_code == 302
        assert phone.get("/accounts/profile/").status_code == 302
        assert laptop.get("/accounts/profile/").status_code == 302
        token.refresh_from_db()
        assert token.revoked_at is not None
        assert AuditEvent.objects.filter(action="accounts.sessions.end_all").exists()
        # Signing in again works: the new session starts after the revocation.
        assert signed_in(user).get("/accounts/profile/").status_code == 200

    def test_tokens_survive_when_not_asked(self, user):
        token = services.token_issue(user=user)
        signed_in(user).post("/accounts/sessions/end-all/")
        token.refresh_from_db()
        assert token.revoked_at is None


class TestApiTokens:
    @pytest.fixture
    def user(self):
        return UserFactory()

    def issue(self, user) -> str:
        response = Client().post(
            TOKEN_URL, {"username": user.username, "password": PASSWORD}, content_type="application/json"
        )
        assert response.status_code == 200
        return response.json()["token"]

    def test_issue_is_audited_and_expires(self, user, settings):
        key = self.issue(user)
        token = ApiToken.objects.get(key=key)
        days = settings.TECHMARKET["API_TOKEN_DAYS"]
        assert abs((token.expires_at - token.created_at) - datetime.timedelta(days=days)).total_seconds() < 5
        assert AuditEvent.objects.filter(action="accounts.token.issue", target_id=str(user.pk)).exists()

    def test_expired_and_revoked_tokens_are_refused(self, user):
        key = self.issue(user)
        auth = {"Authorization": f"Token {key}"}
        assert Client().get("/api/v1/me/", headers=auth).status_code == 200
        ApiToken.objects.filter(key=key).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
        assert Client().get("/api/v1/me/", headers=auth).status_code == 401
        fresh = self.issue(user)
        assert fresh != key
        token = ApiToken.objects.get(key=fresh)
        response = Client().post(
            f"{TOKENS_URL}{token.pk}/revoke/", headers={"Authorization": f"Token {fresh}"}
        )
        assert response.status_code == 200
        assert response.json()["revoked_at"]
        assert Client().get("/api/v1/me/", headers={"Authorization": f"Token {fresh}"}).status_code == 401

    def test_owner_lists_only_their_tokens_without_keys(self, user):
        key = self.issue(user)
        services.token_issue(user=UserFactory())
        response = Client().get(TOKENS_URL, headers={"Authorization": f"Token {key}"})
        assert response.status_code == 200
        rows = response.json()["results"]
        assert [row["prefix"] for row in rows] == [key[:8]]
        assert key not in response.content.decode()

    def test_nobody_else_revokes_a_token(self, user):
        token = services.token_issue(user=user)
        other = services.token_issue(user=UserFactory())
        response = Client().post(
            f"{TOKENS_URL}{token.pk}/revoke/", headers={"Authorization": f"Token {other.key}"}
        )
        assert response.status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None

    def test_token_page_lists_and_revokes(self, user):
        token = services.token_issue(user=user)
        client = signed_in(user)
        page = client.get("/accounts/tokens/").content.decode()
        assert token.prefix in page
        assert token.key not in page
        assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
        token.refresh_from_db()
        assert token.revoked_at is not None
        assert "API 令牌" in client.get("/accounts/profile/").content.decode()


class TestNoEnumeration:
    def registration(self, regions, **overrides):
        data = {
            "organisation_name": "江城大学",
            "organisation_kind": "university",
            "credit_code": "91350100M000100Y43",
            "region": regions["city"].pk,
            "username": "jiangcheng",
            "display_name": "钱七",
            "email": "qian@example.org",
            "password": "Riverside-Lab-77!",
            "password_again": "Riverside-Lab-77!",
        }
        data.update(overrides)
        return Client().post("/accounts/register/", data)

    @pytest.mark.parametrize(
        "taken",
        [
            {"credit_code": "91350100M000100Y43"},
            {"username": "taken_name"},
            {"email": "Owner@Example.org"},
            {"phone": "13700009999"},
        ],
        ids=["organisation", "username", "email", "phone"],
    )
    def test_an_existing_account_gets_the_same_answer_as_a_new_one(
        self, regions, taken, django_capture_on_commit_callbacks
    ):
        existing_org = OrganisationFactory(credit_code="91350100M000100Y43")
        owner = UserFactory(username="taken_name", email="owner@example.org", phone="13700009999")
        admin = UserFactory(organisation=existing_org, email="orgadmin@example.org", phone="")
        RoleAssignment.objects.create(user=admin, role=Role.ORG_ADMIN)
        fresh = {"credit_code": "91420100000000001Y", "username": "new_name", "email": "new@example.org"}
        with django_capture_on_commit_callbacks(execute=True):
            new = self.registration(regions, phone="13600000001", **fresh)
        assert [message.to for message in mail.outbox] == [["new@example.org"]]  # the activation link
        mail.outbox.clear()
        users_before = User.objects.count()
        with django_capture_on_commit_callbacks(execute=True):
            collision = self.registration(
                regions, **{**fresh, "username": "other_new", "email": "other@example.org", **taken}
            )
        assert User.objects.count() == users_before  # nothing created
        for response in (new, collision):
            assert response.status_code == 302
            assert response["Location"] == "/accounts/register/done/"
        page = Client().get(new["Location"]).content.decode()
        assert "请打开邮件中的链接完成注册" in page
        # The owner of what was reused is told instead (the organisation's: its administrator).
        told = admin if "credit_code" in taken else owner
        assert [message.to for message in mail.outbox] == [[told.email]]
        assert "有人刚刚尝试" in mail.outbox[0].body
        assert AuditEvent.objects.filter(
            action="accounts.registration.collision", target_id=str(told.pk)
        ).exists()

    def test_form_errors_do_not_depend_on_what_is_registered(self, regions):
        UserFactory(username="taken_name")
        weak = {"password": "Abc-12345", "password_again": "Abc-12345"}
        for username in ("taken_name", "free_name"):
            response = self.registration(regions, username=username, **weak)
            assert response.status_code == 200
            assert "至少需要 10 个字符" in response.content.decode()

    def test_password_reset_answers_the_same_for_known_and_unknown_addresses(self, db):
        user = UserFactory()
        known = Client().post("/accounts/password-reset/", {"email": user.email})
        unknown = Client().post("/accounts/password-reset/", {"email": "nobody@example.org"})
        assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
        assert len(mail.outbox) == 1
