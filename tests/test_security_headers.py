"""Served over TLS: Secure cookies, HSTS and a same-origin Content-Security-Policy that the pages live with;
deployment checks that refuse unsafe production settings; the admin site's path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from techmarket.core import checks

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "techmarket"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"|\son[a-z]+=\"", re.IGNORECASE)
# Rendered to PDF offline, never served to a browser.
NOT_SERVED = {
    "achievements/bulk/catalogue_pdf.html",
    "deals/certificate_pdf.html",
    "contracts/certificate_pdf.html",
    "statistics/annual_report.html",
}


def test_templates_hold_no_inline_scripts_or_styles():
    """The Content-Security-Policy allows scripts and styles from /static/ only."""
    offenders = []
    for template in PACKAGE.rglob("templates/**/*.html"):
        if any(str(template).endswith(name) for name in NOT_SERVED):
            continue
        text = template.read_text(encoding="utf-8")
        if INLINE_SCRIPT.search(text) or INLINE_STYLE.search(text):
            offenders.append(str(template.relative_to(PACKAGE)))
    assert offenders == []


def test_over_tls_cookies_are_secure_and_headers_sent(settings, applicant):
    settings.HTTPS = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client = Client()
    assert client.get("/").status_code == 301  # plain HTTP is redirected
    response = client.get("/accounts/login/", secure=True)
    assert response.status_code == 200
    assert response.cookies["csrftoken"]["secure"]
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    response = client.post(
        "/accounts/login/", {"username": applicant.username, "password": "Tm-test-2026!"}, secure=True
    )
    assert response.cookies["sessionid"]["secure"]


def test_without_tls_no_policy_is_sent(settings):
    settings.HTTPS = False
    assert "Content-Security-Policy" not in Client().get("/accounts/login/")


@pytest.fixture
def production(monkeypatch, settings):
    """Settings a production server may run with; each test spoils one."""
    monkeypatch.setenv("SECRET_KEY", "k" * 20 + "q7Zp-" * 8)
    monkeypatch.setenv("ALLOWED_HOSTS", "kjsc.example.gov.cn")
    settings.DEBUG = False
    settings.HTTPS = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    return settings


def ids() -> set[str]:
    return {error.id for error in checks.unsafe_settings()}


def test_safe_production_settings_pass(production):
    assert ids() == set()


@pytest.mark.parametrize(
    ("spoil", "error"),
    [
        (lambda s, m: setattr(s, "DEBUG", True), "techmarket.E001"),
        (lambda s, m: m.delenv("SECRET_KEY"), "techmarket.E002"),
        (lambda s, m: m.setenv("SECRET_KEY", "django-insecure-" + "x" * 50), "techmarket.E002"),
        (
            lambda s, m: setattr(s, "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
            "techmarket.E003",
        ),
        (lambda s, m: m.delenv("ALLOWED_HOSTS"), "techmarket.E004"),
        (lambda s, m: setattr(s, "HTTPS", False), "techmarket.E005"),
    ],
)
def test_each_unsafe_setting_is_refused(production, monkeypatch, spoil, error):
    spoil(production, monkeypatch)
    assert ids() == {error}


def test_check_deploy_command_fails_on_unsafe_settings(production, monkeypatch):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    monkeypatch.delenv("SECRET_KEY")
    with pytest.raises(SystemCheckError, match=r"techmarket\.E002"):
        call_command("check", deploy=True, fail_level="ERROR")


def test_console_mail_is_not_the_production_default(monkeypatch):
    import importlib

    from techmarket import settings as project_settings

    monkeypatch.delenv("TECHMARKET_EMAIL_BACKEND", raising=False)
    monkeypatch.delenv("DEBUG", raising=False)
    assert importlib.reload(project_settings).EMAIL_BACKEND.endswith("smtp.EmailBackend")
    monkeypatch.setenv("DEBUG", "1")
    assert importlib.reload(project_settings).EMAIL_BACKEND.endswith("console.EmailBackend")
    monkeypatch.delenv("DEBUG")
    importlib.reload(project_settings)


def test_admin_site_is_at_its_configured_path(settings):
    assert settings.TECHMARKET["ADMIN_PATH"] == "admin/"
    response = Client().get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
