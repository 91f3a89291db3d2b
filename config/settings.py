"""One settings module, driven by environment variables (see .env.example).

Development needs nothing set: SQLite under var/, dev-only keys derived from a dev secret.
Production (DEBUG off) refuses to start without a real SECRET_KEY and PII keys.
"""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CHELUN_VAR_DIR", BASE_DIR / "var"))
SHARED_DATA_DIR = Path(os.environ.get("CHELUN_SHARED_DATA", BASE_DIR.parent / "shared" / "data" / "sichuan"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
_DEV_SECRET = "dev-only-insecure-secret-key-never-use-in-production-0000000000"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY or (not DEBUG and SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")


def _dev_key(label: str) -> str:
    # Deterministic dev-only keys so a fresh clone runs with nothing set; never used when DEBUG is off.
    return base64.urlsafe_b64encode(hashlib.sha256(f"{SECRET_KEY}:{label}".encode()).digest()).decode()


# Fernet keys, comma separated, newest first (older keys still decrypt: rotation).
PII_ENCRYPTION_KEYS = env_list("PII_ENCRYPTION_KEYS") or ([_dev_key("pii-enc")] if DEBUG else [])
PII_HASH_KEY = os.environ.get("PII_HASH_KEY", _dev_key("pii-hash") if DEBUG else "")
if not PII_ENCRYPTION_KEYS or not PII_HASH_KEY:
    raise ImproperlyConfigured("PII_ENCRYPTION_KEYS and PII_HASH_KEY must be set when DEBUG is off.")


def _check_pii_keys(keys: list[str], hash_key: str) -> None:
    """Build the cipher once at start-up, so a malformed Fernet key or a short hash key stops the server here
    with its name, instead of failing the first request that reads an ID number."""
    from chelun.core.pii import PiiCipher  # pure module (no Django): safe to import while settings load

    for index, key in enumerate(keys):
        try:
            PiiCipher([key], hash_key="x" * 32)
        except ValueError:
            raise ImproperlyConfigured(
                f"PII_ENCRYPTION_KEYS: key {index + 1} of {len(keys)} is not a Fernet key (32 url-safe base64 bytes;"
                ' generate one with: python -c "from cryptography.fernet import Fernet;'
                ' print(Fernet.generate_key().decode())").'
            ) from None
    try:
        PiiCipher(keys, hash_key)
    except ValueError as exc:
        raise ImproperlyConfigured(f"PII_HASH_KEY is unusable: {exc}.") from None


_check_pii_keys(PII_ENCRYPTION_KEYS, PII_HASH_KEY)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves Swagger UI from its own static files (no CDN)
    "auditlog",
    "axes",
    "huey.contrib.djhuey",
    "chelun.core",
    "chelun.accounts",
    "chelun.orgs",
    "chelun.members",
    "chelun.stations",
    "chelun.appeals",
    "chelun.grid",
    "chelun.demo",  # seed_demo: last, since it fills every app above
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Size, content type and text checks for every API request, before anything (axes, sessions) reads the body.
    "chelun.core.guards.ApiRequestGuard",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "chelun" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'chelun.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE avoids lock-upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "orgs:tree"

# Staff lock-out (django-axes): 5 failures for one username from one address lock that pair for 15 minutes. Locking
# the username alone let anyone lock `sichuan` out with five anonymous tries; locking the address alone would lock a
# whole county office behind one NAT address. An admin unlocks at once: 用户 → 解除登录锁定 in the admin, or
# `manage.py axes_reset_username <name>`.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "chelun.accounts.views.lockout_response"
AXES_VERBOSE = False
# Behind N reverse proxies the client address is the N-th from the right in X-Forwarded-For; with none (0), the
# socket's address. Without this, every request would come "from" the proxy and share one lock.
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_IPWARE_PROXY_COUNT", "0")) or None
if AXES_IPWARE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
# Station search keeps the directory and recent status history per process; other workers' edits show within this.
STATION_SEARCH_RECHECK_SECONDS = float(os.environ.get("STATION_SEARCH_RECHECK_SECONDS", "5"))
# The open feed is rewritten at most this often per process, however often stations report (polls in between are
# answered the last snapshot, with no query).
STATION_FEED_REFRESH_SECONDS = float(os.environ.get("STATION_FEED_REFRESH_SECONDS", "5"))
# The demo's synthetic benchmark stations stay out of every product read (pages, API, feed, figures) unless this is
# on: benchmarks and load tests over the synthetic set turn it on (chelun.stations.access.shows_synthetic).
STATIONS_SHOW_SYNTHETIC = os.environ.get("STATIONS_SHOW_SYNTHETIC", "0") == "1"

# The JSON API (config/api.py) and its request guards (chelun.core.guards). Bodies above the limit answer 413.
API_PATH_PREFIX = "/api/"
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440)))  # Django's 2.5 MB

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "chelun" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# SMS gateway for driver one-time codes: "console" prints the code (development only); "http" posts to SMS_HTTP_URL.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "console" if DEBUG else "http")
SMS_HTTP_URL = os.environ.get("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = os.environ.get("SMS_HTTP_TOKEN", "")
if SMS_BACKEND not in {"console", "http"}:
    raise ImproperlyConfigured(f'SMS_BACKEND must be "console" or "http", not {SMS_BACKEND!r}.')
if not DEBUG and SMS_BACKEND != "http":
    # The console backend prints every phone number and login code to the log: never with real drivers.
    raise ImproperlyConfigured('SMS_BACKEND must be "http" when DEBUG is off (the console backend prints codes).')
if SMS_BACKEND == "http" and not SMS_HTTP_URL.startswith("https://" if not DEBUG else ("https://", "http://")):
    raise ImproperlyConfigured(
        "SMS_HTTP_URL must be the https:// address of the SMS adapter when SMS_BACKEND is http"
        + (" and DEBUG is off." if not DEBUG else ".")
    )
OTP_TTL_SECONDS = 300
OTP_RESEND_SECONDS = 60
OTP_MAX_ATTEMPTS = 5

# Background jobs (huey): SQLite file by default, Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Rate limits (anonymous confirmations) live in the cache: shared by every worker through Redis when REDIS_URL is
# set; otherwise each process keeps its own (fine for one process, approximate for several).
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "chelun"}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
HUEY = {
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    "name": "chelun",
    "immediate": env_bool("HUEY_IMMEDIATE", DEBUG),
    "connection": {"url": REDIS_URL} if REDIS_URL else {"filename": str(VAR_DIR / "huey.sqlite3")},
}

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
