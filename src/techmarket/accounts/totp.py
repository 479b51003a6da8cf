"""Time-based one-time passwords (RFC 6238, HOTP of RFC 4226 over 30-second steps, HMAC-SHA1, 6 digits):
what authenticator apps compute from the secret a user enrols, and how the platform checks their codes.

Plain functions of the standard library; the stored device and the replay rule live in the services.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, the HMAC-SHA1 block the RFC recommends


def new_secret() -> str:
    """A fresh random secret, base32 without padding (32 characters), as authenticator apps take it."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(secret: str, counter: int) -> str:
    """RFC 4226: HMAC-SHA1 of the counter, dynamically truncated to DIGITS decimal digits."""
    digest = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def step_at(when: float | None = None) -> int:
    """The 30-second time step containing ``when`` (epoch seconds; now by default)."""
    return int((time.time() if when is None else when) // STEP_SECONDS)


def code_at(secret: str, when: float | None = None) -> str:
    """The code an authenticator app shows at ``when``."""
    return hotp(secret, step_at(when))


def matching_step(secret: str, code: str, when: float | None = None, window: int = 1) -> int | None:
    """The time step (within ``window`` steps either side of now, for clock drift) whose code is ``code``,
    or None. The caller refuses a step it has already accepted once (no replay)."""
    code = (code or "").strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = step_at(when)
    found = None
    for step in range(now - window, now + window + 1):
        # Compare every candidate in constant time and do not stop early.
        if hmac.compare_digest(hotp(secret, step), code):
            found = step
    return found


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://totp/`` URI an authenticator app reads from the enrolment QR code."""
    label = quote(f"{issuer}:{account}", safe="")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP_SECONDS}
    )
    return f"otpauth://totp/{label}?{query}"
