"""Two-factor sign-in (TOTP, RFC 6238) for reviewers and platform administrators."""

from __future__ import annotations

import base64
import re

import pytest
from django.test import Client

from techmarket.accounts import services, totp
from techmarket.accounts.choices import Role
from techmarket.accounts.middleware import TWO_FACTOR_VERIFIED
from techmarket.accounts.models import LoginFailure, RecoveryCode, TwoFactorDevice
from techmarket.accounts.tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    UserFactory,
    enrol_two_factor,
    next_totp_code,
    user_with_role,
)
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    settings.TECHMARKET = {**settings.TECHMARKET, "TWO_FACTOR_ROLES": ("reviewer", "platform_admin")}


def password_step(client: Client, username: str, next_url: str = ""):
    data = {"username": username, "password": PASSWORD}
    url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data)


class TestTotp:
    def test_rfc_6238_sha1_vectors(self):
        secret = base64.b32encode(b"12345678901234567890").decode()
        # RFC 6238 appendix B (8 digits) truncated to the last 6 digits, which is what 6-digit TOTP shows.
        for when, expected in (
            (59, "287082"),
            (1111111109, "081804"),
            (1234567890, "005924"),
            (20000000000, "353130"),
        ):
            assert totp.code_at(secret, when) == expected

    def test_window_is_one_step_either_side(self):
        now = 1_700_000_000.0
        step = totp.step_at(now)
        for offset in (-1, 0, 1):
            assert (
                totp.matching_step(TOTP_SECRET, totp.hotp(TOTP_SECRET, step + offset), now) == step + offset
            )
        for offset in (-2, 2):
            assert totp.matching_step(TOTP_SECRET, totp.hotp(TOTP_SECRET, step + offset), now) is None
        assert totp.matching_step(TOTP_SECRET, "12345", now) is None
        assert totp.matching_step(TOTP_SECRET, "abcdef", now) is None

    def test_new_secrets_are_base32_and_distinct(self):
        first, second = totp.new_secret(), totp.new_secret()
        assert first != second
        assert len(first) == 32
        assert re.fullmatch(r"[A-Z2-7]+", first)

    def test_provisioning_uri(self):
        uri = totp.provisioning_uri("ABC", "county_reviewer", "TechMarket")
        assert uri.startswith("otpauth://totp/TechMarket%3Acounty_reviewer?secret=ABC&issuer=TechMarket")


class TestWhoNeedsIt:
    def test_reviewers_and_platform_admins_go_to_a_second_step_others_do_not(self, client, reviewers):
        assert password_step(client, reviewers["county"].username)["Location"] == "/accounts/login/enrol/"
        admin = user_with_role(Role.PLATFORM_ADMIN)
        assert password_step(Client(), admin.username)["Location"] == "/accounts/login/enrol/"
        superuser = UserFactory(is_superuser=True, is_staff=True)
        assert password_step(Client(), superuser.username)["Location"] == "/accounts/login/enrol/"
        applicant = user_with_role(Role.APPLICANT)
        response = password_step(Client(), applicant.username)
        assert response["Location"] == "/todo/"
        # Not signed in before the second step.
        assert Client().get("/todo/").status_code == 302
        pending = Client()
        password_step(pending, reviewers["county"].username)
        assert pending.get("/todo/")["Location"].startswith("/accounts/login/")

    def test_registrars_need_the_second_step_by_default(self, client, regions, settings, monkeypatch):
        from techmarket.core import config

        monkeypatch.delenv("TECHMARKET_2FA_ROLES", raising=False)
        settings.TECHMARKET = {
            **settings.TECHMARKET,
            "TWO_FACTOR_ROLES": tuple(config.read("TECHMARKET_2FA_ROLES")),
        }
        registrar = user_with_role(Role.REGISTRAR, region=regions["city"])
        assert password_step(client, registrar.username)["Location"] == "/accounts/login/enrol/"

    def test_the_setting_decides(self, client, reviewers, settings):
        settings.TECHMARKET = {**settings.TECHMARKET, "TWO_FACTOR_ROLES": ("platform_admin",)}
        assert password_step(client, reviewers["county"].username)["Location"] == "/todo/"


class TestEnrolment:
    def test_first_sign_in_enrols_then_shows_ten_recovery_codes_once(self, client, reviewers):
        reviewer = reviewers["county"]
        password_step(client, reviewer.username, next_url="/achievements/review/")
        page = client.get("/accounts/login/enrol/").content.decode()
        secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)
        assert "otpauth://totp/" in page
        assert "<svg" in page
        # The same secret on reload, until confirmed.
        assert secret in client.get("/accounts/login/enrol/").content.decode()
        wrong = client.post(
            "/accounts/login/enrol/", {"code": "000000" if totp.code_at(secret) != "000000" else "111111"}
        )
        assert "验证码不正确" in wrong.content.decode()
        done = client.post("/accounts/login/enrol/", {"code": totp.code_at(secret)})
        assert done.status_code == 200
        codes = re.findall(r"<li class=\"col\">([a-z0-9]{5}-[a-z0-9]{5})</li>", done.content.decode())
        assert len(codes) == 10
        assert len(set(codes)) == 10
        assert 'href="/achievements/review/"' in done.content.decode()
        assert RecoveryCode.objects.filter(user=reviewer).count() == 10
        assert not RecoveryCode.objects.filter(code_hash__in=codes).exists()  # only hashes stored
        assert client.session[TWO_FACTOR_VERIFIED] == reviewer.pk
        assert client.get("/achievements/review/").status_code == 200
        assert "剩余 10 个恢复码" in client.get("/accounts/profile/").content.decode()
        assert AuditEvent.objects.filter(
            action="accounts.two_factor.enrol", target_id=str(reviewer.pk)
        ).exists()

    def test_enrolment_and_code_pages_need_the_password_step(self, client):
        for url in ("/accounts/login/enrol/", "/accounts/login/code/"):
            assert client.get(url)["Location"] == "/accounts/login/"

    def test_the_password_step_expires(self, client, reviewers, monkeypatch):
        enrol_two_factor(reviewers["county"])
        password_step(client, reviewers["county"].username)
        session = client.session
        session["techmarket_2fa_pending"]["at"] -= 301
        session.save()
        response = client.post("/accounts/login/code/", {"code": next_totp_code(reviewers["county"])})
        assert response["Location"] == "/accounts/login/"


class TestSecondStep:
    def test_password_then_code_signs_in(self, client, reviewers):
        reviewer = enrol_two_factor(reviewers["city"])
        assert password_step(client, reviewer.username)["Location"] == "/accounts/login/code/"
        response = client.post("/accounts/login/code/", {"code": next_totp_code(reviewer)})
        assert response["Location"] == "/todo/"
        assert client.get("/achievements/review/").status_code == 200

    def test_a_wrong_code_is_refused_in_chinese_and_counts_toward_the_lockout(
        self, client, reviewers, settings
    ):
        reviewer = enrol_two_factor(reviewers["city"])
        password_step(client, reviewer.username)
        current = totp.code_at(TOTP_SECRET)
        wrong = "000000" if current != "000000" else "111111"
        for _attempt in range(settings.TECHMARKET["LOGIN_FAILURE_LIMIT"]):
            response = client.post("/accounts/login/code/", {"code": wrong})
            assert "验证码不正确或已使用过" in response.content.decode()
        # Locked: even the right code is refused now, from any address.
        locked = client.post("/accounts/login/code/", {"code": current}, REMOTE_ADDR="10.9.9.9")
        assert "尝试次数过多" in locked.content.decode()
        assert client.get("/todo/").status_code == 302
        # The password's own counter is untouched.
        assert not LoginFailure.objects.filter(username=reviewer.username).exists()

    def test_a_code_is_accepted_once(self, reviewers):
        reviewer = enrol_two_factor(reviewers["city"])
        code = totp.code_at(TOTP_SECRET)
        services.two_factor_verify(user=reviewer, code=code)
        with pytest.raises(DomainError) as caught:
            services.two_factor_verify(user=reviewer, code=code)
        assert caught.value.code == "invalid_code"
        # An older step inside the window is refused too once a later one was used.
        previous = totp.hotp(TOTP_SECRET, totp.step_at() - 1)
        with pytest.raises(DomainError):
            services.two_factor_verify(user=reviewer, code=previous)

    def test_a_recovery_code_works_once_and_is_audited(self, reviewers):
        reviewer = reviewers["city"]
        services.two_factor_start(user=reviewer)
        secret = TwoFactorDevice.objects.get(user=reviewer).secret
        codes = services.two_factor_confirm(user=reviewer, code=totp.code_at(secret))
        services.two_factor_verify(user=reviewer, code=codes[3].upper().replace("-", " "))
        with pytest.raises(DomainError):
            services.two_factor_verify(user=reviewer, code=codes[3])
        event = AuditEvent.objects.get(action="accounts.two_factor.recovery_used")
        assert event.data == {"left": 9}

    def test_a_session_without_the_second_step_is_ended(self, client, reviewers):
        client.force_login(
            reviewers["county"]
        )  # as Django's admin login or a session from before the setting
        response = client.get("/achievements/review/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert client.get("/todo/")["Location"].startswith("/accounts/login/")

    def test_a_role_granted_during_a_session_asks_for_the_second_step(self, client, regions):
        applicant = user_with_role(Role.APPLICANT)
        client.force_login(applicant)
        assert client.get("/todo/").status_code == 200
        services.role_grant(
            actor=user_with_role(Role.PLATFORM_ADMIN),
            user=applicant,
            role=Role.REVIEWER,
            region=regions["city"],
        )
        assert client.get("/todo/").status_code == 302

    def test_the_admin_login_page_is_the_platforms(self, client, settings):
        response = client.get("/" + settings.TECHMARKET["ADMIN_PATH"] + "login/?next=/admin/")
        assert response["Location"] == "/accounts/login/?next=/admin/"


class TestApiToken:
    def test_reviewers_send_the_code_with_their_password(self, reviewers):
        reviewer = enrol_two_factor(reviewers["city"])
        api = Client()
        missing = api.post(TOKEN_URL, {"username": reviewer.username, "password": PASSWORD})
        assert missing.status_code == 400
        assert missing.json()["code"] == "two_factor_code_required"
        wrong = api.post(TOKEN_URL, {"username": reviewer.username, "password": PASSWORD, "code": "12345x"})
        assert wrong.status_code == 400
        assert wrong.json()["code"] == "invalid_code"
        ok = api.post(
            TOKEN_URL, {"username": reviewer.username, "password": PASSWORD, "code": next_totp_code(reviewer)}
        )
        assert ok.status_code == 200
        assert ok.json()["token"]

    def test_not_before_enrolment(self, reviewers):
        response = Client().post(
            TOKEN_URL, {"username": reviewers["city"].username, "password": PASSWORD, "code": "123456"}
        )
        assert response.status_code == 400
        assert response.json()["code"] == "two_factor_enrolment_required"

    def test_other_users_need_no_code(self):
        user = user_with_role(Role.APPLICANT)
        assert Client().post(TOKEN_URL, {"username": user.username, "password": PASSWORD}).status_code == 200


class TestReset:
    def test_a_platform_admin_resets_through_an_audited_service(self, reviewers):
        admin = user_with_role(Role.PLATFORM_ADMIN)
        reviewer = enrol_two_factor(reviewers["city"])
        RecoveryCode.objects.create(user=reviewer, code_hash="x" * 64)
        services.two_factor_reset(actor=admin, user=reviewer, reason="手机丢失，本人来电确认")
        assert not TwoFactorDevice.objects.filter(user=reviewer).exists()
        assert not RecoveryCode.objects.filter(user=reviewer).exists()
        reviewer.refresh_from_db()
        assert reviewer.sessions_revoked_at is not None
        event = AuditEvent.objects.get(action="accounts.two_factor.reset")
        assert (event.actor, event.reason) == (admin, "手机丢失，本人来电确认")
        # Next sign-in enrols again.
        assert password_step(Client(), reviewer.username)["Location"] == "/accounts/login/enrol/"

    def test_only_platform_admins_and_with_a_reason(self, reviewers):
        reviewer = enrol_two_factor(reviewers["city"])
        with pytest.raises(NotPermitted):
            services.two_factor_reset(actor=reviewers["county"], user=reviewer, reason="x")
        with pytest.raises(DomainError):
            services.two_factor_reset(actor=user_with_role(Role.PLATFORM_ADMIN), user=reviewer, reason=" ")
        assert TwoFactorDevice.objects.filter(user=reviewer).exists()

    def test_the_role_page_form(self, reviewers):
        admin = enrol_two_factor(user_with_role(Role.PLATFORM_ADMIN))
        reviewer = enrol_two_factor(reviewers["city"])
        client = Client()
        password_step(client, admin.username)
        client.post("/accounts/login/code/", {"code": next_totp_code(admin)})
        assert "重置两步验证" in client.get("/accounts/roles/").content.decode()
        response = client.post(
            "/accounts/two-factor/reset/", {"reset-username": reviewer.username, "reset-reason": "换手机"}
        )
        assert response["Location"] == "/accounts/roles/"
        assert not TwoFactorDevice.objects.filter(user=reviewer).exists()
        outsider = Client()
        password_step(outsider, user_with_role(Role.APPLICANT).username)
        forbidden = outsider.post(
            "/accounts/two-factor/reset/", {"reset-username": admin.username, "reset-reason": "x"}
        )
        assert forbidden.status_code == 403
