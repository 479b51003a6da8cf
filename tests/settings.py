"""Test settings: the real settings with an in-process task queue, fast hashing and throw-away files.

``TEST_DATABASE_URL`` selects the database under test (SQLite in memory when unset).
"""

import os
import tempfile

import dj_database_url

os.environ.setdefault("TECHMARKET_VAR_DIR", tempfile.mkdtemp(prefix="techmarket-test-"))
os.environ["TECHMARKET_TASK_BACKEND"] = "immediate"

from techmarket.settings import *  # noqa: F403
from techmarket.settings import HUEY, VAR_DIR

_test_url = os.environ.get("TEST_DATABASE_URL", "")
if _test_url:
    DATABASES = {"default": dj_database_url.parse(_test_url)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "test.sqlite3"),
            "TEST": {"NAME": ""},
        }
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
MEDIA_ROOT = VAR_DIR / "media"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
LANGUAGE_CODE = "zh-hans"

# Most tests sign users in with ``client.force_login``, which has no second step: two-factor sign-in is off
# here and switched on by the tests of it (accounts/tests/test_two_factor.py) and by the browser journeys
# (tests/e2e/conftest.py), which pass the second step as a user would.
TECHMARKET = {**TECHMARKET, "TWO_FACTOR_ROLES": ()}  # noqa: F405
