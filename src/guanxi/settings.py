"""Guanxi settings: one module, driven by environment variables (GUANXI_*, DATABASE_URL)."""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


GUANXI_ENV = os.environ.get("GUANXI_ENV", "development")
PRODUCTION = GUANXI_ENV == "production"
TESTING = "pytest" in sys.modules or os.environ.get("GUANXI_TESTING") == "1"

DATA_DIR = Path(os.environ.get("GUANXI_DATA_DIR", PROJECT_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := os.environ.get("GUANXI_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("GUANXI_DEBUG", default=False)
ALLOWED_HOSTS = env_list("GUANXI_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("GUANXI_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "django_tasks_db",
    "guanxi.core",
    "guanxi.users",
    "guanxi.web",
    "guanxi.customers",
    "guanxi.costs",
    "guanxi.sales",
    "guanxi.activities",
    "guanxi.transfer",
    "guanxi.reports",
    "guanxi.integrations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "guanxi.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "guanxi.users.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "guanxi.urls"
WSGI_APPLICATION = "guanxi.wsgi.application"
AUTH_USER_MODEL = "users.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "guanxi.web.context_processors.navigation",
            ],
            "builtins": ["django.templatetags.i18n", "guanxi.web.templatetags.guanxi"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
# SQLite (default): WAL, IMMEDIATE transactions so writers queue behind the busy timeout instead of
# failing with "database is locked", and a larger page cache. PostgreSQL through DATABASE_URL.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "PRAGMA busy_timeout=10000;"
    "PRAGMA cache_size=-65536;"
    "PRAGMA temp_store=MEMORY;"
    "PRAGMA mmap_size=268435456;"
    "PRAGMA foreign_keys=ON;"
)

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "guanxi.sqlite3"),
            # Kept open between requests: a new connection per request re-ran the pragmas, re-read the
            # schema and started with an empty page cache (about 8 ms of every API request).
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "init_command": SQLITE_PRAGMAS,
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Caches and background work ------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env_bool("GUANXI_REDIS_CACHE"):
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
# API rate-limit counters, shared by every server process: the database cache table (created by the
# integrations migrations) or Redis; a per-process cache only in tests.
GUANXI_RATELIMIT_CACHE = "ratelimit"
CACHES["ratelimit"] = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "guanxi_cache",
    "OPTIONS": {"MAX_ENTRIES": 100_000, "CULL_FREQUENCY": 4},  # type: ignore[dict-item]
}
if env_bool("GUANXI_REDIS_CACHE") or os.environ.get("GUANXI_TASKS") == "redis":
    CACHES["ratelimit"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
elif TESTING:
    CACHES["ratelimit"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"}

GUANXI_TASKS = os.environ.get("GUANXI_TASKS", "database")
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if GUANXI_TASKS == "redis":
    TASKS = {
        "default": {
            "BACKEND": "guanxi.core.tasks_redis.RedisBackend",
            "OPTIONS": {  # type: ignore[dict-item]
                "url": REDIS_URL,
                "prefix": os.environ.get("GUANXI_TASKS_PREFIX", "guanxi:tasks"),
            },
        }
    }
if TESTING and GUANXI_TASKS == "database":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

# --- Authentication and security ----------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("GUANXI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("GUANXI_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "users/locked_out.html"
AXES_VERBOSE = False

SESSION_COOKIE_AGE = int(os.environ.get("GUANXI_SESSION_HOURS", "12")) * 3600
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("GUANXI_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("GUANXI_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("GUANXI_BEHIND_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("GUANXI_LANGUAGE", "en")
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("GUANXI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
# Ids and versions are never grouped; amounts and counts are, explicitly ({{ x|floatformat:"2g" }}), with the
# separators of guanxi/formats (Django's zh_Hans formats group nothing).
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["guanxi.formats"]
LANGUAGE_COOKIE_NAME = "guanxi_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

GUANXI_DEFAULT_REGION = os.environ.get("GUANXI_DEFAULT_REGION", "CN")
GUANXI_DEFAULT_CURRENCY = os.environ.get("GUANXI_DEFAULT_CURRENCY", "CNY")
GUANXI_CURRENCIES = ["CNY", "USD", "EUR", "HKD", "JPY", "GBP", "SGD", "TWD", "KRW", "AUD", "CAD"]
GUANXI_TIME_ZONES = [
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
]

# --- Static files and uploads ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("GUANXI_STATIC_ROOT", PROJECT_DIR / "staticfiles"))
NODE_MODULES = PROJECT_DIR / "node_modules"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "guanxi.web.staticfinders.VendorFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if TESTING or DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "uploads"
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- REST API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "guanxi.users.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        "guanxi.core.throttling.AnonymousRateLimit",  # last: counts requests nobody authenticated
    ],
    "DEFAULT_THROTTLE_CLASSES": ["guanxi.core.throttling.ApiRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],  # the API takes JSON, as documented
    "DEFAULT_PERMISSION_CLASSES": ["guanxi.core.api_base.ObjectPermission"],
    "DEFAULT_PAGINATION_CLASS": "guanxi.core.api_base.KeysetPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "guanxi.core.openapi.AutoSchema",  # documents the error responses too
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "guanxi.core.api_errors.exception_handler",  # numbers out of range → 400, then core
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Guanxi API",
    "DESCRIPTION": "The REST API of Guanxi (关系), an open-source CRM that knows what it costs.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

GUANXI_LIST_COUNT_CAP = 10_000
GUANXI_SEARCH_CANDIDATES = int(os.environ.get("GUANXI_SEARCH_CANDIDATES", "2000"))

# --- Integrations: webhooks, API limits -----------------------------------------------------------
GUANXI_WEBHOOK_ALLOW = os.environ.get("GUANXI_WEBHOOK_ALLOW", "")  # intranet receivers: hosts, CIDRs
GUANXI_WEBHOOK_RETRIES = int(os.environ.get("GUANXI_WEBHOOK_RETRIES", "8"))
GUANXI_WEBHOOK_RETRY_HOURS = float(os.environ.get("GUANXI_WEBHOOK_RETRY_HOURS", "24"))
GUANXI_WEBHOOK_PAUSE_AFTER = int(os.environ.get("GUANXI_WEBHOOK_PAUSE_AFTER", "3"))  # failed deliveries
GUANXI_WEBHOOK_TIMEOUT = float(os.environ.get("GUANXI_WEBHOOK_TIMEOUT", "10"))
GUANXI_WEBHOOK_ROTATION_HOURS = float(os.environ.get("GUANXI_WEBHOOK_ROTATION_HOURS", "24"))
# Rate limits per token (or signed-in user) and per anonymous address (failed keys count there too); the
# test suite's own limits are high so that only the rate-limit tests, which set theirs, meet them.
GUANXI_API_RATE = os.environ.get("GUANXI_API_RATE", "100000/min" if TESTING else "1200/min")
GUANXI_API_ANON_RATE = os.environ.get("GUANXI_API_ANON_RATE", "100000/min" if TESTING else "60/min")
GUANXI_TRUSTED_PROXIES = os.environ.get("GUANXI_TRUSTED_PROXIES", "")  # proxies whose X-Forwarded-For counts
# E-mail (e.g. telling administrators a webhook was paused) is sent only when GUANXI_EMAIL_HOST is set.
if os.environ.get("GUANXI_EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["GUANXI_EMAIL_HOST"],
                "port": int(os.environ.get("GUANXI_EMAIL_PORT", "587")),
                "username": os.environ.get("GUANXI_EMAIL_USER", ""),
                "password": os.environ.get("GUANXI_EMAIL_PASSWORD", ""),
                "use_tls": env_bool("GUANXI_EMAIL_TLS", default=True),
            },
        }
    }
elif TESTING:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("GUANXI_EMAIL_FROM", "guanxi@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GUANXI_LOG_LEVEL", "WARNING")},
    "loggers": {"guanxi": {"level": os.environ.get("GUANXI_LOG_LEVEL", "INFO")}},
}

GUANXI_APP_NAME = _("Guanxi")
