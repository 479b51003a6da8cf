"""Issue 9 §5: a reviewer signs in with a second factor. The first sign-in enrols an authenticator (the
secret read from the page, the code computed as an app would); after logging out, the next sign-in asks
for password and code; a wrong code is refused in Chinese; the review queue opens."""

from __future__ import annotations

import re

import pytest

from techmarket.accounts import totp
from techmarket.accounts.models import TwoFactorDevice
from techmarket.accounts.tests.factories import PASSWORD

from .signin import code_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_reviewer_enrols_then_signs_in_with_password_and_code(live_server, new_page, reviewers):
    base = live_server.url
    reviewer = reviewers["county"]
    page = new_page()

    # First sign-in: the password, then the enrolment page with the secret as text, URI and QR code.
    page.goto(f"{base}/achievements/review/")
    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_username", reviewer.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/login/enrol/")
    secret = page.inner_text("#totp-secret").replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert page.inner_text("#totp-uri").startswith("otpauth://totp/")
    assert page.query_selector("#totp-qr svg") is not None
    page.fill("#id_code", code_for(reviewer.username, secret))
    page.click("#two-factor-enrol-form button[type=submit]")
    page.wait_for_selector("#recovery-codes")
    assert len(page.query_selector_all("#recovery-codes li")) == 10
    page.click("text=我已保存，继续")
    page.wait_for_url("**/achievements/review/")

    # Log out; sign in again: password, then a wrong code, then the right one.
    page.click("nav button:has-text('退出')")
    page.wait_for_load_state()
    page.goto(f"{base}/accounts/login/?next=/achievements/review/")
    page.fill("#id_username", reviewer.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/login/code/")
    right = code_for(reviewer.username, secret)
    page.fill("#id_code", "000000" if right != "000000" else "111111")
    page.click("#two-factor-form button[type=submit]")
    page.wait_for_selector("text=验证码不正确或已使用过")
    page.fill("#id_code", right)
    page.click("#two-factor-form button[type=submit]")
    page.wait_for_url("**/achievements/review/")
    assert page.query_selector("#review-queue") is not None
    assert TwoFactorDevice.objects.get(user=reviewer).last_used_step >= totp.step_at() - 1
