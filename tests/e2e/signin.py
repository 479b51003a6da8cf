"""Signing in as a user does in the browser, second factor included.

Reviewers and platform administrators sign in with a TOTP code (TECHMARKET_2FA_ROLES, switched on for
every browser journey in conftest.py). The first time, the page shows the secret to add to an
authenticator app: the test reads it from the page and computes the code as the app would.
"""

from __future__ import annotations

import time

from playwright.sync_api import Page

from techmarket.accounts import totp
from techmarket.accounts.models import TwoFactorDevice, User
from techmarket.accounts.tests.factories import PASSWORD


def code_for(username: str, secret: str) -> str:
    """The code an authenticator shows now, or the next step's when now's was used (signing in twice within
    30 seconds); waits for the next step when both were used."""
    device = TwoFactorDevice.objects.filter(user__username=username).first()
    step = totp.step_at()
    last = device.last_used_step if device is not None else None
    if last is not None and last >= step + 1:
        time.sleep(totp.STEP_SECONDS - time.time() % totp.STEP_SECONDS + 0.1)
        step = totp.step_at()
    if last is not None and last >= step:
        step = last + 1
    return totp.hotp(secret, step)


def log_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Password step, then (for users who need it) enrol an authenticator or type its code."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/login/enrol/" in page.url:
        secret = page.get_attribute("#totp-secret", "data-secret") or ""
        page.fill("#id_code", code_for(username, secret))
        page.click("#two-factor-enrol-form button[type=submit]")
        page.wait_for_selector("#recovery-codes")
        page.click("text=我已保存，继续")
    elif "/accounts/login/code/" in page.url:
        device = TwoFactorDevice.objects.get(user=User.objects.get(username=username))
        page.fill("#id_code", code_for(username, device.secret))
        page.click("#two-factor-form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
