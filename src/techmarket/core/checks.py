"""Deployment checks (``techmarket check --deploy``; ``techmarket serve`` runs them when DEBUG is off).

Each unsafe production setting is an Error, so the check fails and the server refuses to start rather
than run with a development configuration.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

from techmarket.core import config

DEVELOPMENT_HOSTS = {"127.0.0.1", "localhost", "testserver", "::1", "[::1]"}
DEVELOPMENT_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


def unsafe_settings() -> list[Error]:
    """The production settings that are unsafe, each as an Error with its remedy."""
    errors = []
    if settings.DEBUG:
        errors.append(
            Error(
                "DEBUG is on.",
                hint="Unset DEBUG in production (it is for the demo only).",
                id="techmarket.E001",
            )
        )
    configured_key = str(config.read("SECRET_KEY") or "")
    if (
        len(configured_key) < 50
        or configured_key.startswith("django-insecure")
        or len(set(configured_key)) < 5
    ):
        errors.append(
            Error(
                "SECRET_KEY is not configured (or too short, or Django's insecure placeholder).",
                hint="Set SECRET_KEY to a random value of at least 50 characters, kept out of the repository.",
                id="techmarket.E002",
            )
        )
    if settings.EMAIL_BACKEND in DEVELOPMENT_EMAIL_BACKENDS:
        errors.append(
            Error(
                f"The e-mail backend {settings.EMAIL_BACKEND} never delivers mail.",
                hint="Leave TECHMARKET_EMAIL_BACKEND empty (SMTP) or name a real backend.",
                id="techmarket.E003",
            )
        )
    if not set(config.read("ALLOWED_HOSTS")) - DEVELOPMENT_HOSTS:
        errors.append(
            Error(
                "ALLOWED_HOSTS names no public host.",
                hint="Set ALLOWED_HOSTS to the site's host names, comma-separated.",
                id="techmarket.E004",
            )
        )
    if not getattr(settings, "HTTPS", False):
        errors.append(
            Error(
                "TECHMARKET_HTTPS is off: cookies are not Secure and no HSTS or Content-Security-Policy is sent.",
                hint="Serve over TLS and set TECHMARKET_HTTPS=1.",
                id="techmarket.E005",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def deployment_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Registered with Django's deploy checks: ``techmarket check --deploy`` fails on unsafe settings."""
    return unsafe_settings()
