"""Browser journeys: Playwright drives Debian's Chromium (no browser download) against a live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

# Playwright's sync API keeps an event loop in the test thread; the ORM calls made by the test itself
# (setting up preconditions, checking outcomes) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Debian's chromium is required for the browser journeys: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Browser):  # type: ignore[no-untyped-def]
    """Open a fresh browser context (its own cookies) per user; phone-sized when asked."""
    contexts = []

    def open_page(*, phone: bool = False) -> Page:
        options = {"viewport": {"width": 390, "height": 844}, "is_mobile": True} if phone else {}
        context = browser.new_context(locale="zh-CN", **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True)
def two_factor_sign_in(settings):  # type: ignore[no-untyped-def]
    """The journeys sign reviewers and administrators in with their second factor, as in production
    (the unit tests' settings switch it off for ``force_login``); ``signin.log_in`` passes the step."""
    settings.TECHMARKET = {
        **settings.TECHMARKET,
        "TWO_FACTOR_ROLES": ("reviewer", "registrar", "platform_admin"),
    }
