"""Every environment option TechMarket reads, declared once.

Settings read their values through :func:`read`; ``docs/configuration.md`` is generated from
:data:`OPTIONS` (``techmarket config-doc``) so the documentation cannot drift from the code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Option:
    key: str
    kind: type
    default: Any
    doc: str


OPTIONS: tuple[Option, ...] = (
    Option(
        "DATABASE_URL",
        str,
        "",
        "Database URL. Empty means the embedded SQLite file under the var directory; "
        "`postgres://user@host:5432/name` selects PostgreSQL (production).",
    ),
    Option(
        "SECRET_KEY",
        str,
        "",
        "Django secret key. Required when DEBUG is off; demo mode generates one under var/.",
    ),
    Option(
        "ALLOWED_HOSTS", list, ["127.0.0.1", "localhost"], "Comma-separated host names the server answers to."
    ),
    Option("DEBUG", bool, False, "Development mode. Off unless running the demo."),
    Option(
        "TECHMARKET_VAR_DIR",
        str,
        "",
        "Directory for the SQLite database, uploads, task queue and published "
        "catalogues. Default: `var/` in the working directory of the checkout.",
    ),
    Option("TECHMARKET_LANGUAGE", str, "zh-hans", "Default interface language (`zh-hans` or `en`)."),
    Option(
        "TECHMARKET_TASK_BACKEND",
        str,
        "sqlite",
        "Background task queue: `sqlite` (no extra server), `redis` "
        "(set TECHMARKET_REDIS_URL) or `immediate` (run inline; tests).",
    ),
    Option(
        "TECHMARKET_REDIS_URL", str, "redis://127.0.0.1:6379/0", "Redis URL for the `redis` task backend."
    ),
    Option(
        "TECHMARKET_EMAIL_BACKEND",
        str,
        "",
        "Django e-mail backend used for password reset and notifications. Empty means SMTP "
        "(`EMAIL_HOST`/`EMAIL_PORT` defaults: localhost:25), or the console (printing mail) when DEBUG is on. "
        "The deploy check refuses the console backend in production.",
    ),
    Option("TECHMARKET_EMAIL_HOST", str, "localhost", "SMTP server of the SMTP e-mail backend."),
    Option("TECHMARKET_EMAIL_PORT", int, 25, "SMTP port of the SMTP e-mail backend."),
    Option("TECHMARKET_EMAIL_FROM", str, "techmarket@localhost", "Sender address of platform e-mail."),
    Option(
        "TECHMARKET_SMS_SENDER",
        str,
        "techmarket.notifications.sms.LoggingSmsSender",
        "Dotted path of the class that sends notification text messages. The default only logs "
        "them (number masked) to the `techmarket.sms` logger.",
    ),
    Option(
        "TECHMARKET_FISCAL_REGISTRATION_DAYS",
        int,
        90,
        "Days after completion within which a fiscally funded "
        "achievement must be registered; later ones show on the reviewers' overdue list.",
    ),
    Option("TECHMARKET_MAX_ATTACHMENT_MB", int, 20, "Largest attachment (PDF) accepted, in megabytes."),
    Option(
        "TECHMARKET_LOGIN_FAILURE_LIMIT", int, 5, "Failed logins per username and address before a lock-out."
    ),
    Option(
        "TECHMARKET_LOGIN_ADDRESS_FAILURE_LIMIT",
        int,
        20,
        "Failed logins from one client address, whatever the usernames, before that address is locked out.",
    ),
    Option("TECHMARKET_LOGIN_LOCKOUT_MINUTES", int, 15, "How long a login lock-out lasts."),
    Option(
        "TECHMARKET_DUPLICATE_THRESHOLD",
        float,
        0.6,
        "Title similarity (0–1) at which a submitted achievement "
        "is flagged to the reviewer as a near-duplicate.",
    ),
    Option(
        "TECHMARKET_RESPONSE_HOURS",
        int,
        24,
        "Hours within which a published demand must get a response (the response clock), where no "
        "region on the demand's chain sets its own hours on the docking policy page.",
    ),
    Option(
        "TECHMARKET_SESSION_IDLE_MINUTES",
        int,
        30,
        "Minutes without a request after which a signed-in session ends.",
    ),
    Option(
        "TECHMARKET_SESSION_MAX_HOURS",
        int,
        12,
        "Hours after signing in at which a session ends however active it is (absolute lifetime).",
    ),
    Option(
        "TECHMARKET_API_TOKEN_DAYS",
        int,
        30,
        "Days an API token works after it is issued; its owner can list and revoke tokens earlier.",
    ),
    Option(
        "TECHMARKET_2FA_ROLES",
        list,
        ["reviewer", "registrar", "platform_admin"],
        "Comma-separated roles that must sign in with a second factor (an authenticator app's 6-digit "
        "code, TOTP): `reviewer`, `registrar` (technology contract registrars), `platform_admin` "
        "(superusers count as platform administrators), or any other role name; `none` turns two-factor "
        "sign-in off.",
    ),
    Option(
        "TECHMARKET_HTTPS",
        bool,
        False,
        "Served over TLS (directly or behind a proxy that sets `X-Forwarded-Proto: https`): cookies are "
        "`Secure`, HTTP redirects to HTTPS, HSTS is sent. Required by the deploy check when DEBUG is off.",
    ),
    Option(
        "TECHMARKET_HSTS_SECONDS",
        int,
        31536000,
        "Strict-Transport-Security max-age sent when TECHMARKET_HTTPS is on (0 sends none).",
    ),
    Option(
        "TECHMARKET_ADMIN_PATH",
        str,
        "admin/",
        "URL path of Django's admin site (e.g. `ops-7f3a/`); a less guessable path keeps it off scanners' lists.",
    ),
    Option("TECHMARKET_WEB_WORKERS", int, 3, "Worker processes started by `techmarket serve`."),
)

_BY_KEY = {option.key: option for option in OPTIONS}


def read(key: str) -> Any:
    """Return the option's value from the environment, converted to its declared type."""
    option = _BY_KEY[key]
    raw = os.environ.get(key)
    if raw is None or raw == "":
        return option.default
    if option.kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if option.kind is list:
        return [item.strip() for item in raw.split(",") if item.strip()]
    return option.kind(raw)


def markdown() -> str:
    """The configuration reference, as written to docs/configuration.md."""
    lines = [
        "# Configuration",
        "",
        "TechMarket reads its settings from environment variables only. This page is generated from",
        "`src/techmarket/core/config.py` by `techmarket config-doc`; do not edit it by hand.",
        "",
        "| Variable | Type | Default | Meaning |",
        "|---|---|---|---|",
    ]
    for option in OPTIONS:
        default = ",".join(option.default) if isinstance(option.default, list) else option.default
        lines.append(f"| `{option.key}` | {option.kind.__name__} | `{default}` | {option.doc} |")
    return "\n".join(lines) + "\n"
