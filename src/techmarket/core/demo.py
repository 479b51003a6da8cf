"""What every app's demo shares (``techmarket demo``): the password, the seed, the mail domain, people's
names and the quick password hashing the whole demo runs under.

The demo itself is a ``demo.py`` per app, each creating its own records through its own services, called
in dependency order by the orchestrator above all apps (portal.demo). Nothing here knows a domain.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher
from django.test.utils import override_settings

from techmarket.core import demo_vocabulary as words

DEMO_PASSWORD = "Demo-2026!"  # noqa: S105 (the documented demo accounts' password)
# Randomness is seeded and one random.Random is handed from app to app in a fixed order: every demo
# database holds the same records.
SEED = 2026
PROVINCE_CODE = "420000"
DEMO_EMAIL_DOMAIN = "demo.techmarket.example"


def person_name(rng: random.Random) -> str:
    """A Chinese name: a common surname and one or two given-name characters."""
    given = "".join(rng.choice(words.GIVEN_NAME_CHARACTERS) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(words.SURNAMES) + given


class DemoPasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2 with fewer rounds, used only while the demo creates its accounts.

    The demo passwords are printed for everyone, so full-strength hashing would only cost most of the
    demo's start-up time. The encoded hash names its own round count, so the production hasher verifies
    it and, seeing fewer rounds than it wants, re-hashes the password at full strength at the first login.
    """

    iterations = 10_000


@contextmanager
def quick_password_hashing() -> Iterator[None]:
    if get_hasher().algorithm != PBKDF2PasswordHasher.algorithm:
        yield
        return
    hashers = [f"{__name__}.DemoPasswordHasher", *settings.PASSWORD_HASHERS]
    with override_settings(PASSWORD_HASHERS=hashers):
        yield
