"""Django settings, read from the environment only (see core/config.py and docs/configuration.md)."""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from techmarket.core import config

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(config.read("TECHMARKET_VAR_DIR") or Path.cwd() / "var").resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = config.read("DEBUG")


def _secret_key() -> str:
    """Use the configured key; without one, keep a generated key under var/ so sessions survive restarts."""
    configured = config.read("SECRET_KEY")
    if configured:
        return str(configured)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [*config.read("ALLOWED_HOSTS"), "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "bootstrap",
    "huey.contrib.djhuey",
    "techmarket.core",
    "techmarket.accounts",
    "techmarket.search",
    "techmarket.achievements",
    "techmarket.experts",
    "techmarket.notifications",
    "techmarket.conversations",
    "techmarket.demands",
    "techmarket.matching",
    "techmarket.docking",
    "techmarket.trading",
    "techmarket.deals",
    "techmarket.contracts",
    "techmarket.subsidies",
    "techmarket.statistics",
    "techmarket.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "techmarket.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "techmarket.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "techmarket.accounts.middleware.SessionTimeoutMiddleware",
    "techmarket.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "techmarket.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "techmarket.urls"
WSGI_APPLICATION = "techmarket.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "techmarket.accounts.context_processors.principal",
                "techmarket.notifications.context_processors.unread",
            ],
        },
    },
]

_database_url = config.read("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'techmarket.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web workers read while the task worker writes. Memory-mapped reads and a 32 MB page
    # cache keep a search's row look-ups off read() calls (docs/benchmarks.md).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA mmap_size=1073741824; PRAGMA cache_size=-32000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "techmarket.accounts.password_validation.LengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "techmarket.accounts.password_validation.ComplexityValidator"},
    {"NAME": "techmarket.accounts.password_validation.NotSimilarToUserValidator"},
    {"NAME": "techmarket.accounts.password_validation.NotCommonValidator"},
    {"NAME": "techmarket.accounts.password_validation.NotNumericValidator"},
]
AUTHENTICATION_BACKENDS = ["techmarket.accounts.backends.ThrottledModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:todo"
LOGOUT_REDIRECT_URL = "core:home"

LANGUAGE_CODE = config.read("TECHMARKET_LANGUAGE")
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

# The console backend (mail printed, never sent) only in development and the demo; production sends SMTP.
EMAIL_BACKEND = config.read("TECHMARKET_EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = config.read("TECHMARKET_EMAIL_HOST")
EMAIL_PORT = config.read("TECHMARKET_EMAIL_PORT")
DEFAULT_FROM_EMAIL = config.read("TECHMARKET_EMAIL_FROM")

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "techmarket_cache"}
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "techmarket.accounts.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": [
        "techmarket.core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "techmarket.core.api.pagination.Pagination",
    "EXCEPTION_HANDLER": "techmarket.core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "120/minute", "user": "600/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "TechMarket API",
    "DESCRIPTION": "科技大市场 REST API. Errors are `{code, message, fields}` in the caller's language.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is served from the drf-spectacular-sidecar package: nothing loads from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several domains have a "state" and a "confidentiality": name each enum after its domain.
    "ENUM_NAME_OVERRIDES": {
        "AchievementStateEnum": "techmarket.achievements.choices.AchievementState",
        "AchievementConfidentialityEnum": "techmarket.achievements.choices.Confidentiality",
        "DemandStateEnum": "techmarket.demands.choices.DemandState",
        "DemandConfidentialityEnum": "techmarket.demands.choices.DemandConfidentiality",
        "SuggestionStateEnum": "techmarket.matching.choices.SuggestionState",
        "NoticeGroupEnum": "techmarket.notifications.choices.NoticeGroup",
        "ContractStateEnum": "techmarket.contracts.choices.ContractState",
        "ReceiptStateEnum": "techmarket.contracts.choices.ReceiptState",
        "AmendmentStateEnum": "techmarket.contracts.choices.AmendmentState",
        "SubsidyRunStateEnum": "techmarket.subsidies.choices.RunState",
        "SubsidyObjectionStateEnum": "techmarket.subsidies.choices.ObjectionState",
    },
}

_task_backend = config.read("TECHMARKET_TASK_BACKEND")
HUEY = {
    "name": "techmarket",
    "immediate": _task_backend == "immediate",
    "results": False,
    "consumer": {"workers": 2, "worker_type": "thread"},
}
if _task_backend == "redis":
    HUEY.update({"huey_class": "huey.RedisHuey", "url": config.read("TECHMARKET_REDIS_URL")})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "tasks.sqlite3")})

TECHMARKET = {
    "FISCAL_REGISTRATION_DAYS": config.read("TECHMARKET_FISCAL_REGISTRATION_DAYS"),
    "MAX_ATTACHMENT_BYTES": config.read("TECHMARKET_MAX_ATTACHMENT_MB") * 1024 * 1024,
    "LOGIN_FAILURE_LIMIT": config.read("TECHMARKET_LOGIN_FAILURE_LIMIT"),
    "LOGIN_ADDRESS_FAILURE_LIMIT": config.read("TECHMARKET_LOGIN_ADDRESS_FAILURE_LIMIT"),
    "LOGIN_LOCKOUT_SECONDS": config.read("TECHMARKET_LOGIN_LOCKOUT_MINUTES") * 60,
    "DUPLICATE_THRESHOLD": config.read("TECHMARKET_DUPLICATE_THRESHOLD"),
    "WEB_WORKERS": config.read("TECHMARKET_WEB_WORKERS"),
    "RESPONSE_HOURS": config.read("TECHMARKET_RESPONSE_HOURS"),
    "SMS_SENDER": config.read("TECHMARKET_SMS_SENDER"),
    "SESSION_IDLE_SECONDS": config.read("TECHMARKET_SESSION_IDLE_MINUTES") * 60,
    "SESSION_MAX_SECONDS": config.read("TECHMARKET_SESSION_MAX_HOURS") * 3600,
    "API_TOKEN_DAYS": config.read("TECHMARKET_API_TOKEN_DAYS"),
    "ADMIN_PATH": config.read("TECHMARKET_ADMIN_PATH").strip("/") + "/",
    "TWO_FACTOR_ROLES": tuple(role for role in config.read("TECHMARKET_2FA_ROLES") if role != "none"),
}

SESSION_COOKIE_HTTPONLY = True
# The cookie lives no longer than the session's absolute lifetime; the idle timeout is enforced per request
# (accounts.middleware.SessionTimeoutMiddleware).
SESSION_COOKIE_AGE = TECHMARKET["SESSION_MAX_SECONDS"]
SESSION_COOKIE_SAMESITE = "Lax"
HTTPS = config.read("TECHMARKET_HTTPS")
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = config.read("TECHMARKET_HSTS_SECONDS")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_REFERRER_POLICY = "same-origin"
    # /healthz stays reachable over plain HTTP for the load balancer's probe.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"techmarket": {"level": "INFO"}},
}
