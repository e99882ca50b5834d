"""MộtCửa settings: one module, read from environment variables.

Every value has a default that runs the demo (SQLite, in-process work, simulators). Production
sets the variables listed in docs/operations.md. Bad values fail fast with ImproperlyConfigured.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import csp.constants
import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# pyHanko 0.38 imports cryptography's DSA key type, which cryptography deprecates; we never make
# or accept DSA keys (the PKI is RSA), and the notice would open every command's output.
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"pyhanko\.")

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("MOTCUA_VAR_DIR", BASE_DIR / "var"))


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envnetworks(name: str, default: str) -> list[str]:
    """Comma-separated IP addresses or networks ("10.0.0.0/8,127.0.0.1")."""
    values = envlist(name, default)
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{name}: {value!r} is not an IP address or network"
            ) from exc
    return values


def envsecret(name: str) -> str | None:
    """A secret from NAME, or from the file named by NAME_FILE (Docker/Kubernetes secrets)."""
    if os.environ.get(f"{name}_FILE"):
        return Path(os.environ[f"{name}_FILE"]).read_text(encoding="utf-8").strip()
    return os.environ.get(name) or None


def _demo_secret_key() -> str:
    # The demo gets a random key kept beside its database, so sessions survive restarts and no
    # key is ever shared between installations. Production must set SECRET_KEY.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


DEBUG = envbool("DEBUG", False)
SECRET_KEY = envsecret("SECRET_KEY") or _demo_secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "ninja",
    "motcua.core",
    "motcua.territory",
    "motcua.organizations",
    "motcua.accounts",
    "motcua.catalog",
    "motcua.printing",
    "motcua.workflows",
    "motcua.outbox",
    "motcua.dossiers",
    "motcua.exports",
    "motcua.reconciliation",
    "motcua.reports",
    "motcua.migration",
    "motcua.portal",
    "motcua.demo",
    "motcua.people",
    "motcua.notifications",
    "motcua.coordination",
    "motcua.feedback",
    "motcua.citizens",
    "motcua.signing",
    "motcua.documents",
    "motcua.payments",
    "motcua.certification",
    "motcua.simulators.national_portal",
    "motcua.simulators.population",
    "motcua.simulators.messaging",
    "motcua.simulators.ministry",
    "motcua.simulators.vneid",
    "motcua.simulators.tsa",
    "motcua.simulators.payment_platform",
    "motcua.simulators.remote_signing",
]

MIDDLEWARE = [
    "motcua.core.logging.RequestLogMiddleware",
    "motcua.core.uploads.RequestSizeLimitMiddleware",
    # Before anything reads the request, after the size gate: PostgreSQL cannot take NUL in
    # text (core/nul.py).
    "motcua.core.nul.RejectNulMiddleware",
    # One read of the shared caches' revision numbers per request (core/revisions.py).
    "motcua.core.revisions.RevisionsPerRequest",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "motcua.core.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused log-in into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"
ASGI_APPLICATION = "motcua.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "src" / "motcua" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "motcua.core.context_processors.navigation",
            ],
        },
    },
]

# The embedded default is SQLite in var/; production sets DATABASE_URL=postgres://…
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'motcua.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and envbool(
    "DB_PREPARED_STATEMENTS", False
):
    # Parameters bound by the server, and statements run five times on a connection prepared:
    # PostgreSQL then parses and plans each of the app's few query shapes once per connection.
    # Not through PgBouncer in transaction mode (prepared statements belong to a session).
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the demo's web server read while a command writes; IMMEDIATE avoids
        # "database is locked" on write upgrades inside transactions.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# The shared cache. The embedded default is Django's per-process memory cache (demo, tests).
# Production sets CACHE_URL=redis://host:6379/1: the tracking rate limit then counts per
# installation, not per process, and sessions are read from the cache rather than from the
# database on every request (written through to the database, so a cache flush logs no one out).
CACHE_URL = envstr("CACHE_URL", "")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CACHE_URL must be a redis://, rediss:// or unix:// URL")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": envstr("CACHE_KEY_PREFIX", "motcua"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
# After logging in: an official's work desk, anyone else the home page (core.views.after_login).
LOGIN_REDIRECT_URL = "after_login"
LOGOUT_REDIRECT_URL = "home"

# "Sắp đến hạn" (near due): the last DEADLINE_NEAR_PERCENT per cent of a step's or an
# appointment's length (dossiers/deadlines.py), for the desk's badges and tabs and the due-warning
# scan alike. A step keeps the moment it became near (`Dossier.step_near_at`, indexed), so a
# change applies to steps entered afterwards.
DEADLINE_NEAR_PERCENT = envint("DEADLINE_NEAR_PERCENT", 20)
if not 1 <= DEADLINE_NEAR_PERCENT <= 99:
    raise ImproperlyConfigured("DEADLINE_NEAR_PERCENT must be between 1 and 99")

# Login throttling (django-axes; accounts/throttling.py). LOGIN_FAILURE_LIMIT failed log-ins of
# one username, or from one client address (behind TRUSTED_PROXIES), within
# LOGIN_COOLOFF_MINUTES lock it for LOGIN_COOLOFF_MINUTES after the last counted failure, even
# for the right password; `manage.py axes_reset_username <name>` / `axes_reset_ip <address>`
# unlock earlier. Counts live in the database, shared by every worker and app server.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = envbool("LOGIN_THROTTLE", True)
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "motcua.core.proxies.client_address"
AXES_USERNAME_CALLABLE = "motcua.accounts.throttling.login_username"
AXES_HANDLER = "motcua.accounts.throttling.AuditedAxesHandler"
AXES_LOCKOUT_CALLABLE = "motcua.accounts.throttling.login_locked_out"
# Failed log-ins go to our audit trail; successful ones are in the request log. Axes' own admin
# pages would register on Django's default admin site, which is not mounted.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["motcua.formats"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "src" / "motcua" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if envbool("STATIC_MANIFEST", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Serve straight from the app folders unless production ran collectstatic with STATIC_MANIFEST.
WHITENOISE_USE_FINDERS = not envbool("STATIC_MANIFEST", False)
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
# WhiteNoise warns on every start when the collectstatic target is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# The papers of dossiers (motcua.documents, docs/operations.md "Document storage"), kept
# immutably under their SHA-256 in the "documents" storage: the local file system under
# MEDIA_ROOT/documents (DOCUMENTS_STORAGE=local, the default), or an S3-compatible object store
# (DOCUMENTS_STORAGE=s3, django-storages) named by the AWS_* variables below, all required.
DOCUMENTS_STORAGE = envstr("DOCUMENTS_STORAGE", "local")
if DOCUMENTS_STORAGE == "local":
    STORAGES["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT / "documents"), "base_url": None},
    }
elif DOCUMENTS_STORAGE == "s3":
    _S3 = {
        "AWS_S3_ENDPOINT_URL": envstr("AWS_S3_ENDPOINT_URL", ""),
        "AWS_STORAGE_BUCKET_NAME": envstr("AWS_STORAGE_BUCKET_NAME", ""),
        "AWS_ACCESS_KEY_ID": envsecret("AWS_ACCESS_KEY_ID") or "",
        "AWS_SECRET_ACCESS_KEY": envsecret("AWS_SECRET_ACCESS_KEY") or "",
    }
    _missing = [name for name, value in _S3.items() if not value]
    if _missing:
        raise ImproperlyConfigured(f"DOCUMENTS_STORAGE=s3 needs {', '.join(_missing)}")
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "endpoint_url": _S3["AWS_S3_ENDPOINT_URL"],
            "bucket_name": _S3["AWS_STORAGE_BUCKET_NAME"],
            "access_key": _S3["AWS_ACCESS_KEY_ID"],
            "secret_key": _S3["AWS_SECRET_ACCESS_KEY"],
            "region_name": envstr("AWS_S3_REGION_NAME", "us-east-1"),
            "location": envstr("AWS_LOCATION", "documents"),
            # Papers are served only through can() (documents/views.py), never by a public or
            # signed address; a name is a SHA-256, so the same name always holds the same bytes.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": True,
        },
    }
else:
    raise ImproperlyConfigured("DOCUMENTS_STORAGE must be local or s3")
# Checks of every paper by its content (documents/inspection.py): the largest file of each type
# and of any one component (a catalog component may narrow it later), a PDF's pages, a ZIP-based
# office file's total uncompressed size and ratio, an image's pixels; office types besides PDF,
# JPEG and PNG, and whether macro-enabled ones (.docm, .xlsm) are taken.
DOCUMENTS_MAX_BYTES = {
    "pdf": envint("DOCUMENTS_MAX_BYTES_PDF", 20 * 1024**2),
    "image": envint("DOCUMENTS_MAX_BYTES_IMAGE", 10 * 1024**2),
    "office": envint("DOCUMENTS_MAX_BYTES_OFFICE", 10 * 1024**2),
}
DOCUMENTS_COMPONENT_MAX_BYTES = envint("DOCUMENTS_COMPONENT_MAX_BYTES", 20 * 1024**2)
DOCUMENTS_MAX_PAGES = envint("DOCUMENTS_MAX_PAGES", 300)
DOCUMENTS_PDF_MAX_OBJECTS = envint("DOCUMENTS_PDF_MAX_OBJECTS", 200_000)
DOCUMENTS_IMAGE_MAX_PIXELS = envint("DOCUMENTS_IMAGE_MAX_PIXELS", 60_000_000)
DOCUMENTS_ZIP_MAX_UNCOMPRESSED = envint("DOCUMENTS_ZIP_MAX_UNCOMPRESSED", 100 * 1024**2)
DOCUMENTS_ZIP_MAX_RATIO = envint("DOCUMENTS_ZIP_MAX_RATIO", 100)
DOCUMENTS_ZIP_MAX_ENTRIES = envint("DOCUMENTS_ZIP_MAX_ENTRIES", 5000)
DOCUMENTS_OFFICE_TYPES = envlist("DOCUMENTS_OFFICE_TYPES", "docx,xlsx,odt,ods")
if not set(DOCUMENTS_OFFICE_TYPES) <= {"docx", "xlsx", "odt", "ods"}:
    raise ImproperlyConfigured("DOCUMENTS_OFFICE_TYPES may list docx, xlsx, odt and ods")
DOCUMENTS_ALLOW_MACROS = envbool("DOCUMENTS_ALLOW_MACROS", False)
# The antivirus daemon every paper is scanned by before it is kept (clamd's INSTREAM over TCP,
# adapters/antivirus/): "host:port"; empty: no scan. A daemon that does not answer refuses the
# upload (retryable), never lets it through unscanned.
ANTIVIRUS_CLAMD = envstr("ANTIVIRUS_CLAMD", "")
if ANTIVIRUS_CLAMD and not re.match(
    r"^[\w.\-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$", ANTIVIRUS_CLAMD
):
    raise ImproperlyConfigured("ANTIVIRUS_CLAMD must be host:port")
ANTIVIRUS_TIMEOUT = float(envint("ANTIVIRUS_TIMEOUT", 30))

# Production (docs/operations.md, "Production"): PRODUCTION=true turns every HTTPS protection
# on (each can still be set on its own); the demo and the tests serve plain HTTP on 127.0.0.1.
PRODUCTION = envbool("PRODUCTION", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when PRODUCTION is on")
if PRODUCTION and not envsecret("SECRET_KEY"):
    raise ImproperlyConfigured("PRODUCTION needs SECRET_KEY or SECRET_KEY_FILE")
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", PRODUCTION)
# The load balancer's probes may speak plain HTTP to the app server.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
# Preloading commits the whole domain to HTTPS in browsers for good: the province decides it.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if envbool("BEHIND_TLS_PROXY", False):
    # The proxy terminates TLS and says so (it must always set, never pass on, this header).
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + envstr("TLS_PROXY_HEADER", "X-Forwarded-Proto").upper().replace("-", "_"),
        "https",
    )
# `check --deploy` asks for preloading (W021); not preloading is a decision, not an oversight.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Content-Security-Policy (django-csp 4), on every page in every environment: every script,
# style, image and font comes from this site; an inline <script>/<style> runs only with the
# request's nonce (`{{ request.csp_nonce }}`), and no style="" attribute applies at all. Form
# templates (uploaded HTML) are served with their own `sandbox` policy. data: images are Swagger
# UI's icons (/api/v1/docs).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.constants.SELF],
        "script-src": [csp.constants.SELF, csp.constants.NONCE],
        "style-src": [csp.constants.SELF, csp.constants.NONCE],
        "img-src": [csp.constants.SELF, "data:"],
        "font-src": [csp.constants.SELF],
        "connect-src": [csp.constants.SELF],
        "object-src": [csp.constants.NONE],
        "base-uri": [csp.constants.SELF],
        "form-action": [csp.constants.SELF],
        "frame-ancestors": [csp.constants.NONE],
        **({"upgrade-insecure-requests": True} if PRODUCTION else {}),
    },
}
# The reverse proxies (addresses or networks) whose X-Forwarded-For is believed; empty: none,
# the client is REMOTE_ADDR (core/proxies.py). Behind nginx: its address, e.g. "127.0.0.1" or
# "10.0.0.0/8". Never a network that clients can send from.
TRUSTED_PROXIES = envnetworks("TRUSTED_PROXIES", "")

# Uploads (issue 11 §5, core/uploads.py). UPLOAD_MAX_BYTES is the largest file any page or
# endpoint accepts (the catalog import: 20 MB; officials imports and form templates stop at
# 10 MB); a request declaring a larger body (plus 1 MB for the form around the file) gets 413
# before anything is read. Each feature checks its own limit on the upload's size before
# reading it. Files above FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to a temporary file that
# Django deletes at the end of the request; non-file bodies (JSON) stop at 10 MB.
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
REQUEST_MAX_BYTES = UPLOAD_MAX_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB, Django's default

LOG_FORMAT = envstr("LOG_FORMAT", "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("LOG_FORMAT must be json or text")
LOG_LEVEL = envstr("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "motcua.core.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Our request middleware logs every request once; runserver's own line would repeat it.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        # WeasyPrint logs every stylesheet it parses at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Domain settings.
MOTCUA_DEMO_PROVINCE_CODE = envint("MOTCUA_DEMO_PROVINCE_CODE", 82)

# External systems: simulators are mounted under /sim/ for the demo and tests; production turns
# them off and points each adapter at the real system.
SIMULATORS_ENABLED = envbool("SIMULATORS_ENABLED", not PRODUCTION)
NATIONAL_PORTAL_URL = envstr("NATIONAL_PORTAL_URL", SITE_URL + "/sim/dvcqg")

# Dossier sync to the national portal (DOMAIN-integration.md §1, §9.3; docs/integration.md).
# Style A (default): login at {NATIONAL_PORTAL_SYNC_URL}{NATIONAL_PORTAL_AUTH_ENDPOINT}, then
# every service through {…}{NATIONAL_PORTAL_SERVICE_ENDPOINT}. Style B: the separate URLs below.
NATIONAL_PORTAL_SYNC_STYLE = envstr("NATIONAL_PORTAL_SYNC_STYLE", "A").upper()
if NATIONAL_PORTAL_SYNC_STYLE not in {"A", "B"}:
    raise ImproperlyConfigured("NATIONAL_PORTAL_SYNC_STYLE must be A or B")
NATIONAL_PORTAL_SYNC_URL = envstr("NATIONAL_PORTAL_SYNC_URL", NATIONAL_PORTAL_URL + "/lgsp")
NATIONAL_PORTAL_AUTH_ENDPOINT = envstr("NATIONAL_PORTAL_AUTH_ENDPOINT", "/auth")
NATIONAL_PORTAL_SERVICE_ENDPOINT = envstr("NATIONAL_PORTAL_SERVICE_ENDPOINT", "/service")
NATIONAL_PORTAL_USERNAME = envstr("NATIONAL_PORTAL_USERNAME", "motcua")
# The demo's password is known to the simulator only; production sets the real one.
NATIONAL_PORTAL_PASSWORD = envsecret("NATIONAL_PORTAL_PASSWORD") or (
    "" if PRODUCTION else "demo-only"
)
NATIONAL_PORTAL_DSTCODE = envstr("NATIONAL_PORTAL_DSTCODE", "DVCQG")
NATIONAL_PORTAL_MADONVI = envstr("NATIONAL_PORTAL_MADONVI", "000.00.00.H20")
_STYLE_B = NATIONAL_PORTAL_URL + "/KetNoiMotCuaQuocGia"
NATIONAL_PORTAL_B_CREATE_URL = envstr("NATIONAL_PORTAL_B_CREATE_URL", _STYLE_B + "/ThemMoiHoSo")
NATIONAL_PORTAL_B_UPDATE_URL = envstr("NATIONAL_PORTAL_B_UPDATE_URL", _STYLE_B + "/CapNhatHoSo")
NATIONAL_PORTAL_B_PROGRESS_URL = envstr(
    "NATIONAL_PORTAL_B_PROGRESS_URL", _STYLE_B + "/DongBoTienTrinh"
)
NATIONAL_PORTAL_B_STATUS_URL = envstr(
    "NATIONAL_PORTAL_B_STATUS_URL", _STYLE_B + "/DongBoTrangThaiHoSoKM"
)
NATIONAL_PORTAL_SYNC_TIMEOUT = float(envint("NATIONAL_PORTAL_SYNC_TIMEOUT", 10))
# A portal session is renewed after this many seconds even if the portal has not said so.
NATIONAL_PORTAL_SESSION_SECONDS = envint("NATIONAL_PORTAL_SESSION_SECONDS", 1800)
# The account the simulated portal accepts (the demo's; never the real portal's).
SIM_NATIONAL_PORTAL_USERNAME = envstr("SIM_NATIONAL_PORTAL_USERNAME", "motcua")
SIM_NATIONAL_PORTAL_PASSWORD = envsecret("SIM_NATIONAL_PORTAL_PASSWORD") or "demo-only"
# The simulators' fault switch (/sim/…/_faults) answers only with this token (empty: refused).
SIMULATOR_CONTROL_TOKEN = envsecret("SIMULATOR_CONTROL_TOKEN") or ""

# Population database (CSDL quốc gia về dân cư, DOMAIN-integration.md §6) and business
# registration look-ups through the province's LGSP (docs/integration.md). The demo's tokens are
# known to the simulators only; production sets the real ones (or *_FILE).
POPULATION_DB_URL = envstr("POPULATION_DB_URL", SITE_URL + "/sim/dancu/tra-cuu")
POPULATION_DB_TOKEN = envsecret("POPULATION_DB_TOKEN") or ("" if PRODUCTION else "demo-dancu")
# MaTichHop: the integration code the national service assigned to the province.
POPULATION_DB_INTEGRATION_CODE = envstr("POPULATION_DB_INTEGRATION_CODE", "000.00.00.H20")
POPULATION_DB_TIMEOUT = float(envint("POPULATION_DB_TIMEOUT", 5))
# A desk look-up verifies the applicant of a dossier registered within this many minutes after.
POPULATION_VERIFY_MINUTES = envint("POPULATION_VERIFY_MINUTES", 60)
BUSINESS_REGISTRY_URL = envstr("BUSINESS_REGISTRY_URL", SITE_URL + "/sim/dkkd/tra-cuu")
BUSINESS_REGISTRY_TOKEN = envsecret("BUSINESS_REGISTRY_TOKEN") or (
    "" if PRODUCTION else "demo-dkkd"
)
BUSINESS_REGISTRY_TIMEOUT = float(envint("BUSINESS_REGISTRY_TIMEOUT", 5))
SIM_POPULATION_TOKEN = envsecret("SIM_POPULATION_TOKEN") or "demo-dancu"
SIM_BUSINESS_REGISTRY_TOKEN = envsecret("SIM_BUSINESS_REGISTRY_TOKEN") or "demo-dkkd"

# Citizens' login through the national identity provider (VNeID, OpenID Connect: authorization
# code + PKCE; DOMAIN.md decision 11, DOMAIN-integration.md §3.1; docs/integration.md). The demo
# points at the simulator; production sets the provider's issuer and the province's client.
VNEID_ISSUER = envstr("VNEID_ISSUER", SITE_URL + "/sim/vneid").rstrip("/")
VNEID_CLIENT_ID = envstr("VNEID_CLIENT_ID", "motcua")
VNEID_CLIENT_SECRET = envsecret("VNEID_CLIENT_SECRET") or ("" if PRODUCTION else "demo-vneid")
VNEID_SCOPE = envstr("VNEID_SCOPE", "openid profile")
# Where the provider sends the browser back: registered with the provider, exactly.
VNEID_REDIRECT_URI = envstr("VNEID_REDIRECT_URI", SITE_URL + "/dang-nhap/vneid/ket-qua/")
VNEID_POST_LOGOUT_URI = envstr("VNEID_POST_LOGOUT_URI", SITE_URL + "/")
VNEID_TIMEOUT = float(envint("VNEID_TIMEOUT", 10))
# The simulated provider's one client (the demo's; never the real provider's).
SIM_VNEID_CLIENT_ID = envstr("SIM_VNEID_CLIENT_ID", "motcua")
SIM_VNEID_CLIENT_SECRET = envsecret("SIM_VNEID_CLIENT_SECRET") or "demo-vneid"
SIM_VNEID_REDIRECT_URIS = envlist(
    "SIM_VNEID_REDIRECT_URIS", f"{VNEID_REDIRECT_URI},{VNEID_POST_LOGOUT_URI}"
)

# Online payment through the national portal's payment platform (DOMAIN-integration.md §4,
# message-type design; docs/integration.md "Online payment"). PAYMENT_PARTNER_CODE (MaDoiTac) and
# PAYMENT_SECRET (the hash key of every MaXacThuc, also *_FILE) are issued by the platform; the
# demo's are known to the simulator only. PAYMENT_CALLBACK_BASE_URL is this installation's public
# address registered with the platform: the browser comes back to {…}/thanh-toan/ket-qua/ and
# the platform confirms (IPN) to {…}/api/v1/payments/ipn. Production must set PAYMENT_SECRET:
# empty, every confirmation is refused as forged and the platform refuses our requests.
PAYMENT_PLATFORM_URL = envstr("PAYMENT_PLATFORM_URL", SITE_URL + "/sim/thanh-toan").rstrip("/")
PAYMENT_PARTNER_CODE = envstr("PAYMENT_PARTNER_CODE", "MOTCUA-DT")
PAYMENT_SECRET = envsecret("PAYMENT_SECRET") or ("" if PRODUCTION else "demo-payment-hash-key")
PAYMENT_PLATFORM_TOKEN = envsecret("PAYMENT_PLATFORM_TOKEN") or ""  # optional gateway bearer
PAYMENT_CALLBACK_BASE_URL = envstr("PAYMENT_CALLBACK_BASE_URL", SITE_URL).rstrip("/")
PAYMENT_PLATFORM_TIMEOUT = float(envint("PAYMENT_PLATFORM_TIMEOUT", 10))
# The system account the platform's confirmations move dossiers as (created when first needed).
PAYMENT_PLATFORM_ACCOUNT = envstr("PAYMENT_PLATFORM_ACCOUNT", "nen-tang-thanh-toan")
# Payments still pending this many minutes after INIT are asked about (status check).
PAYMENT_CHECK_AFTER_MINUTES = envint("PAYMENT_CHECK_AFTER_MINUTES", 15)
# The beneficiary account sent in ThongTinBienLai (the demo's are invented).
PAYMENT_BENEFICIARY_ACCOUNT = envstr("PAYMENT_BENEFICIARY_ACCOUNT", "0000000000")
PAYMENT_BENEFICIARY_BANK = envstr("PAYMENT_BENEFICIARY_BANK", "970415")
PAYMENT_BENEFICIARY_NAME = envstr("PAYMENT_BENEFICIARY_NAME", "KBNN TINH DONG THAP")
# The simulated platform's one partner (the demo's; never the real platform's).
SIM_PAYMENT_PARTNER_CODE = envstr("SIM_PAYMENT_PARTNER_CODE", "MOTCUA-DT")
SIM_PAYMENT_SECRET = envsecret("SIM_PAYMENT_SECRET") or "demo-payment-hash-key"
SIM_PAYMENT_RETURN_URL = envstr(
    "SIM_PAYMENT_RETURN_URL", PAYMENT_CALLBACK_BASE_URL + "/thanh-toan/ket-qua/"
)
SIM_PAYMENT_IPN_URL = envstr(
    "SIM_PAYMENT_IPN_URL", PAYMENT_CALLBACK_BASE_URL + "/api/v1/payments/ipn"
)

# Notifications to applicants (notifications/): one SMS and one e-mail per status change of a
# dossier with a phone / an e-mail, delivered through the outbox (destinations "sms", "email").
NOTIFY_APPLICANTS = envbool("NOTIFY_APPLICANTS", True)
SMS_GATEWAY_URL = envstr("SMS_GATEWAY_URL", SITE_URL + "/sim/tin-nhan/sms")
SMS_GATEWAY_TOKEN = envsecret("SMS_GATEWAY_TOKEN") or ("" if PRODUCTION else "demo-tin-nhan")
SMS_BRANDNAME = envstr("SMS_BRANDNAME", "MOTCUA")
EMAIL_GATEWAY_URL = envstr("EMAIL_GATEWAY_URL", SITE_URL + "/sim/tin-nhan/email")
EMAIL_GATEWAY_TOKEN = envsecret("EMAIL_GATEWAY_TOKEN") or ("" if PRODUCTION else "demo-tin-nhan")
NOTIFY_EMAIL_FROM = envstr("NOTIFY_EMAIL_FROM", "motcua@dongthap.gov.vn")
MESSAGING_TIMEOUT = float(envint("MESSAGING_TIMEOUT", 10))
SIM_MESSAGING_TOKEN = envsecret("SIM_MESSAGING_TOKEN") or "demo-tin-nhan"

# Ministries' centralized systems and the national coordination system (DOMAIN-integration.md
# §5; docs/integration.md "Ministries' systems and the coordination system"). EXTERNAL_SYSTEMS
# names them (lower-case letters, digits, _); each NAME is configured by EXTERNAL_<NAME>_*:
# URL (its API's base), TOKEN (our bearer token there), CALLBACK_SECRET (the HMAC secret it signs
# its reports to us with), MODE ("callback": it calls POST /api/v1/coordination/<name>/reports;
# "pull": we ask it every EXTERNAL_PULL_SECONDS), ACCOUNT (the system account its reports are
# recorded as), LABEL (its name for people), TIMEOUT, INBOUND (how it hands dossiers to us, the
# §5 inbound flow: "push" = it calls POST /api/v1/coordination/<name>/dossiers, "pull" = we take
# its list every EXTERNAL_PULL_SECONDS; both, or none: production default none, demo "push"),
# FILE_HOSTS (the hosts its files handed over by address are fetched from, with our TOKEN;
# default: its URL's host), REPORTS_TO_PORTAL (true, the default: the dossiers it hands us are
# on the national portal through it, and we do not sync them there again; false: we sync them
# like our own).
# Secrets also from *_FILE; the demo's are known to the simulator only (/sim/bo-nganh/<name>/).
_EXTERNAL_SYSTEM_RE = re.compile(r"^[a-z0-9_]{1,30}$")
_EXTERNAL_LABELS = {
    "btxh": "Hệ thống giải quyết TTHC lĩnh vực bảo trợ xã hội của Bộ (mô phỏng)",
    "dieuphoi": "Hệ thống điều phối giải quyết TTHC quốc gia (mô phỏng)",
}


def _external_systems() -> dict[str, dict[str, Any]]:
    systems: dict[str, dict[str, Any]] = {}
    for name in envlist("EXTERNAL_SYSTEMS", "" if PRODUCTION else "btxh,dieuphoi"):
        if not _EXTERNAL_SYSTEM_RE.match(name):
            raise ImproperlyConfigured(
                f"EXTERNAL_SYSTEMS: {name!r} must be lower-case letters, digits or _ (≤ 30)"
            )
        env = f"EXTERNAL_{name.upper()}_"
        mode = envstr(env + "MODE", "callback")
        if mode not in {"callback", "pull"}:
            raise ImproperlyConfigured(f"{env}MODE must be callback or pull")
        inbound = envlist(env + "INBOUND", "" if PRODUCTION else "push")
        if not set(inbound) <= {"push", "pull"}:
            raise ImproperlyConfigured(f"{env}INBOUND must list push and/or pull")
        systems[name] = {
            "label": envstr(env + "LABEL", _EXTERNAL_LABELS.get(name, name)),
            "url": envstr(env + "URL", SITE_URL + f"/sim/bo-nganh/{name}").rstrip("/"),
            "token": envsecret(env + "TOKEN") or ("" if PRODUCTION else "demo-bo-nganh"),
            "callback_secret": envsecret(env + "CALLBACK_SECRET")
            or ("" if PRODUCTION else "demo-bo-nganh-callback"),
            "mode": mode,
            "account": envstr(env + "ACCOUNT", f"he-thong-{name}"),
            "timeout": float(envint(env + "TIMEOUT", 10)),
            "inbound": sorted(set(inbound)),
            # A dossier it hands us is reported to the national portal by it (it holds the
            # dossier there under its own code), so we send its progress to it, not to the
            # portal as a desk-born dossier of ours: the portal would hold it twice.
            "reports_to_portal": envbool(env + "REPORTS_TO_PORTAL", True),
        }
        # Where its files handed over by address may be fetched from (host or host:port):
        # by default the host of its API.
        systems[name]["file_hosts"] = envlist(
            env + "FILE_HOSTS", urlsplit(systems[name]["url"]).netloc
        )
    return systems


EXTERNAL_SYSTEMS = _external_systems()
EXTERNAL_PULL_SECONDS = envint("EXTERNAL_PULL_SECONDS", 600)
# A signed report older or newer than this many seconds is refused.
EXTERNAL_CALLBACK_MAX_SKEW = envint("EXTERNAL_CALLBACK_MAX_SKEW", 300)
# The simulated systems: the bearer token they accept, the secret they sign callbacks with, and
# where they call back ({system} is replaced).
SIM_MINISTRY_TOKEN = envsecret("SIM_MINISTRY_TOKEN") or "demo-bo-nganh"
SIM_MINISTRY_CALLBACK_SECRET = envsecret("SIM_MINISTRY_CALLBACK_SECRET") or "demo-bo-nganh-callback"
SIM_MINISTRY_CALLBACK_URL = envstr(
    "SIM_MINISTRY_CALLBACK_URL", SITE_URL + "/api/v1/coordination/{system}/reports"
)
# Where the simulated systems push the dossiers they hand to the province (`_push`).
SIM_MINISTRY_INBOUND_URL = envstr(
    "SIM_MINISTRY_INBOUND_URL", SITE_URL + "/api/v1/coordination/{system}/dossiers"
)

# Delivery of the outbox (outbox/dispatch.py). Batches of OUTBOX_BATCH_SIZE events; a claim is
# leased for OUTBOX_LEASE_SECONDS (another worker retakes it after); a retryable failure waits
# a random time up to min(cap, base·2^attempts) (full jitter); after OUTBOX_MAX_ATTEMPTS, or a
# permanent error, the event is a dead letter until an operator replays it.
OUTBOX_BATCH_SIZE = envint("OUTBOX_BATCH_SIZE", 100)
OUTBOX_LEASE_SECONDS = envint("OUTBOX_LEASE_SECONDS", 120)
OUTBOX_MAX_ATTEMPTS = envint("OUTBOX_MAX_ATTEMPTS", 25)
# …and at least this old: an outage of a central system shorter than this never makes dead
# letters (a weekend, with the margin of a holiday).
OUTBOX_RETRY_HOURS = envint("OUTBOX_RETRY_HOURS", 72)
OUTBOX_BACKOFF_BASE_SECONDS = envint("OUTBOX_BACKOFF_BASE_SECONDS", 2)
OUTBOX_BACKOFF_CAP_SECONDS = envint("OUTBOX_BACKOFF_CAP_SECONDS", 1800)
OUTBOX_CIRCUIT_THRESHOLD = envint("OUTBOX_CIRCUIT_THRESHOLD", 5)
OUTBOX_CIRCUIT_COOLDOWN_SECONDS = envint("OUTBOX_CIRCUIT_COOLDOWN_SECONDS", 30)
# One dispatch task works at most this long, then leaves the rest to the next one.
OUTBOX_DISPATCH_BUDGET_SECONDS = envint("OUTBOX_DISPATCH_BUDGET_SECONDS", 25)
OUTBOX_DISPATCH_INTERVAL_SECONDS = envint("OUTBOX_DISPATCH_INTERVAL_SECONDS", 5)
# Delivered events are deleted this many days after delivery (outbox/purge.py); nightly.
OUTBOX_KEEP_DELIVERED_DAYS = envint("OUTBOX_KEEP_DELIVERED_DAYS", 90)

# /metrics (Prometheus text format): from these addresses, or with "Authorization: Bearer
# <METRICS_TOKEN>"; from anywhere else 404.
METRICS_ALLOWED_IPS = envnetworks("METRICS_ALLOWED_IPS", "127.0.0.1,::1")
METRICS_TOKEN = envsecret("METRICS_TOKEN") or ""

# Intake of the dossiers citizens submit on the national portal (DOMAIN-integration.md §9,
# docs/integration.md): "push" (the portal calls POST /api/v1/intake/dvcqg, the default) or
# "pull" (we poll its list every NATIONAL_PORTAL_INTAKE_PULL_SECONDS).
NATIONAL_PORTAL_INTAKE_MODE = envstr("NATIONAL_PORTAL_INTAKE_MODE", "push")
if NATIONAL_PORTAL_INTAKE_MODE not in {"push", "pull"}:
    raise ImproperlyConfigured("NATIONAL_PORTAL_INTAKE_MODE must be push or pull")
# The system account the portal's dossiers are delivered as (role national_portal).
NATIONAL_PORTAL_INTAKE_ACCOUNT = envstr("NATIONAL_PORTAL_INTAKE_ACCOUNT", "dvcqg")
# Push: the shared secret of the HMAC-SHA256 signature over timestamp and body; the demo has a
# fixed one (the simulator signs with it), production must set it (or *_FILE).
NATIONAL_PORTAL_INTAKE_SECRET = envsecret("NATIONAL_PORTAL_INTAKE_SECRET") or (
    "" if PRODUCTION else "demo-intake-secret-not-for-production"
)
# A signature older or newer than this many seconds is refused (replays are harmless anyway:
# the national code is the idempotency key).
NATIONAL_PORTAL_INTAKE_MAX_SKEW = envint("NATIONAL_PORTAL_INTAKE_MAX_SKEW", 300)
# Files: each at most, and a request's body at most (base64 included).
NATIONAL_PORTAL_INTAKE_FILE_MAX_BYTES = envint("NATIONAL_PORTAL_INTAKE_FILE_MAX_BYTES", 5 * 1024**2)
NATIONAL_PORTAL_INTAKE_REQUEST_MAX_BYTES = envint(
    "NATIONAL_PORTAL_INTAKE_REQUEST_MAX_BYTES", 10 * 1024**2
)
# The national portal's page of a procedure, linked from "Nộp trực tuyến" on our procedure
# pages ({code}: the national procedure code); empty: the page says where to submit instead.
# The address pattern is that of dichvucong.gov.vn's procedure pages (UNCONFIRMED as an API:
# it is the public page, not a documented interface).
NATIONAL_PORTAL_PROCEDURE_URL = envstr(
    "NATIONAL_PORTAL_PROCEDURE_URL",
    "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc={code}",
)
# Files handed over by address (§9.2 "Files by URL"): fetched through the province's file
# proxy (TDDVC's KetNoiMotCuaQuocGia/getfile, "proxy", the default) or downloaded directly
# (OCPS, "direct"). Either way only from these hosts (host or host:port; the national
# portal's by default): an address elsewhere is refused, never fetched.
NATIONAL_PORTAL_FILE_FETCH = envstr("NATIONAL_PORTAL_FILE_FETCH", "proxy")
if NATIONAL_PORTAL_FILE_FETCH not in {"proxy", "direct"}:
    raise ImproperlyConfigured("NATIONAL_PORTAL_FILE_FETCH must be proxy or direct")
NATIONAL_PORTAL_FILE_PROXY_URL = envstr(
    "NATIONAL_PORTAL_FILE_PROXY_URL", NATIONAL_PORTAL_URL + "/KetNoiMotCuaQuocGia/getfile"
)
NATIONAL_PORTAL_FILE_HOSTS = envlist(
    "NATIONAL_PORTAL_FILE_HOSTS", urlsplit(NATIONAL_PORTAL_URL).netloc
)
NATIONAL_PORTAL_FILE_TIMEOUT = float(envint("NATIONAL_PORTAL_FILE_TIMEOUT", 30))
# Pull (§9.4): the portal's liên thông API, its account, and the polling period.
NATIONAL_PORTAL_INTAKE_PULL_URL = envstr(
    "NATIONAL_PORTAL_INTAKE_PULL_URL", SITE_URL + "/sim/dvcqg/lienthong"
)
NATIONAL_PORTAL_INTAKE_PULL_USERNAME = envstr("NATIONAL_PORTAL_INTAKE_PULL_USERNAME", "dongthap")
NATIONAL_PORTAL_INTAKE_PULL_PASSWORD = envsecret("NATIONAL_PORTAL_INTAKE_PULL_PASSWORD") or (
    "" if PRODUCTION else "demo-pull-password"
)
NATIONAL_PORTAL_INTAKE_PULL_SECONDS = envint("NATIONAL_PORTAL_INTAKE_PULL_SECONDS", 600)
# The simulator's pusher: where it delivers (this installation's intake endpoint by default).
SIM_INTAKE_TARGET_URL = envstr("SIM_INTAKE_TARGET_URL", SITE_URL + "/api/v1/intake/dvcqg")

# Ratings and the national portal's questions (motcua.feedback, DOMAIN-integration.md §7). A
# question naming no agency we know goes to FEEDBACK_DEFAULT_AGENCY (an electronic identifier;
# empty: NATIONAL_PORTAL_MADONVI, the province's own). Every FEEDBACK_QUESTIONS_PULL_SECONDS the
# questions sent in the last FEEDBACK_QUESTIONS_DAYS are asked for (stored once by their id).
FEEDBACK_DEFAULT_AGENCY = envstr("FEEDBACK_DEFAULT_AGENCY", "")
FEEDBACK_QUESTIONS_DAYS = envint("FEEDBACK_QUESTIONS_DAYS", 7)
FEEDBACK_QUESTIONS_PULL_SECONDS = envint("FEEDBACK_QUESTIONS_PULL_SECONDS", 900)

# Dossier code (DOMAIN.md decision 3): {agency} electronic identifier, {date} yyMMdd, {seq}.
DOSSIER_CODE_PATTERN = envstr("DOSSIER_CODE_PATTERN", "{agency}-{date}-{seq:04d}")
# Public address of the citizen portal, printed as the QR code on every form.
PUBLIC_BASE_URL = envstr("PUBLIC_BASE_URL", SITE_URL)
# Kiosk mode (/ki-ot/): a page left this many seconds goes back to the kiosk's start page.
KIOSK_IDLE_SECONDS = envint("KIOSK_IDLE_SECONDS", 120)
# Public tracking: look-ups per client address per minute before answering 429.
TRACKING_RATE_PER_MINUTE = envint("TRACKING_RATE_PER_MINUTE", 30)
# …and wrong look-ups (unknown code, wrong phone or identity number) per dossier code, from any
# number of addresses, in a fixed window; past it the code answers 429 until the window ends.
TRACKING_CODE_GUESSES = envint("TRACKING_CODE_GUESSES", 10)
TRACKING_CODE_WINDOW_SECONDS = envint("TRACKING_CODE_WINDOW_SECONDS", 15 * 60)
# Accept dossiers of procedures with no active process definition through the built-in one
# (process → sign → return); False refuses them until the province configures a workflow.
DOSSIER_DEFAULT_PROCESS = envbool("DOSSIER_DEFAULT_PROCESS", True)

# Background work (Celery). Without a broker, tasks run in-process (the embedded default).
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", "")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The demo's broker (`make demo`): Kombu's file-system transport, messages as files in
    # var/broker shared by the web server and the worker on one machine, no server to run.
    # Production uses Redis (or RabbitMQ: amqp://).
    _BROKER_DIR = VAR_DIR / "broker"
    (_BROKER_DIR / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR),
        "data_folder_out": str(_BROKER_DIR),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.2,
    }
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Warn officials about dossiers near their appointment or past a step deadline (R15).
    "dossier-due-warnings": {"task": "motcua.dossiers.tasks.due_warnings", "schedule": 900.0},
    # Delete outbox events delivered longer ago than OUTBOX_KEEP_DELIVERED_DAYS.
    "outbox-purge": {"task": "motcua.outbox.tasks.purge", "schedule": crontab(hour=3, minute=15)},
    # Compare yesterday's dossiers with what the national portal holds; re-send differences.
    "reconcile-nightly": {
        "task": "motcua.reconciliation.tasks.reconcile_yesterday",
        "schedule": crontab(hour=2, minute=30),
    },
    # Delete exported files past their keeping time; fail exports whose worker is gone.
    "export-purge": {"task": "motcua.exports.tasks.export_purge", "schedule": 3600.0},
    # Pull mode only: take the national portal's undelivered dossiers (a no-op in push mode).
    "national-portal-intake-pull": {
        "task": "motcua.dossiers.tasks.intake_pull",
        "schedule": float(NATIONAL_PORTAL_INTAKE_PULL_SECONDS),
    },
    # Ask the external systems in pull mode how the dossiers handed over to them are going.
    "coordination-pull": {
        "task": "motcua.coordination.tasks.pull",
        "schedule": float(EXTERNAL_PULL_SECONDS),
    },
    # Take the dossiers the external systems in inbound pull mode hand to the province.
    "coordination-inbound-pull": {
        "task": "motcua.coordination.tasks.inbound_pull",
        "schedule": float(EXTERNAL_PULL_SECONDS),
    },
    # Take the questions citizens sent on the national portal (feedback/tasks.py).
    "feedback-questions-pull": {
        "task": "motcua.feedback.tasks.questions_pull",
        "schedule": float(FEEDBACK_QUESTIONS_PULL_SECONDS),
    },
    # Roll up the counts of a month once it has ended (a no-op the other hours).
    "counts-rollup": {"task": "motcua.reports.tasks.counts_rollup", "schedule": 3600.0},
    # Ask the payment platform about payments whose confirmation (IPN) never came.
    "payments-check-pending": {"task": "motcua.payments.tasks.check_pending", "schedule": 300.0},
    # Void certification numbers whose process ended before the copy was signed.
    "certifications-void-stale": {
        "task": "motcua.certification.tasks.void_stale",
        "schedule": 600.0,
    },
    # Compare yesterday's payments with the payment platform's list of transactions.
    "payments-reconcile": {
        "task": "motcua.payments.tasks.reconcile_yesterday",
        "schedule": crontab(hour=2, minute=45),
    },
    # Deliver the outbox (also kicked on the commit of every transaction that writes to it).
    "outbox-dispatch": {
        "task": "motcua.outbox.tasks.dispatch",
        "schedule": float(OUTBOX_DISPATCH_INTERVAL_SECONDS),
        "options": {"expires": float(OUTBOX_DISPATCH_INTERVAL_SECONDS)},
    },
}
# Wake the dispatcher when a transaction that wrote outbox rows commits. Off when tasks run
# in-process (no broker): the request would wait for the delivery.
OUTBOX_KICK_ON_COMMIT = envbool("OUTBOX_KICK_ON_COMMIT", not CELERY_TASK_ALWAYS_EAGER)

# Digital signatures (motcua.signing; docs/integration.md "Signatures"). SIGNING_MODE:
# "local-test-ca" (a local test CA under SIGNING_PKI_DIR, made on demand; the default with the
# simulators) or "pkcs12" (SIGNING_PKCS12: comma-separated "agency:<electronic identifier>=<path>"
# and "official:<username>=<path>" entries, each with its password in
# SIGNING_PKCS12_PASSWORD_<ENTRY> or *_FILE, ENTRY upper-cased with every other character "_",
# e.g. SIGNING_PKCS12_PASSWORD_AGENCY_000_00_12_H12) or "remote" (a remote signing service holds
# the keys and each signer confirms on their device: SIGNING_REMOTE_*, below; the wire shape is
# UNCONFIRMED, see adapters/remote_signing). SIGNING_TRUST_ROOTS: PEM files of the CA roots
# a signature must chain to (the local test root is trusted in local-test-ca mode, and in remote
# mode with the simulators, whose keys come from it).
SIGNING_MODE = envstr("SIGNING_MODE", "local-test-ca" if SIMULATORS_ENABLED else "pkcs12")
if SIGNING_MODE not in {"local-test-ca", "pkcs12", "remote"}:
    raise ImproperlyConfigured("SIGNING_MODE must be local-test-ca, pkcs12 or remote")
# The remote signing service (CSC API v2 shape): its base URL (the demo's is the simulator,
# /sim/ky-so/), our client id and bearer secret there (or *_FILE), how long a signature waits for
# the signer's confirmation (seconds), how often we ask, and the timeout of each HTTP call.
SIGNING_REMOTE_URL = envstr("SIGNING_REMOTE_URL", SITE_URL + "/sim/ky-so")
SIGNING_REMOTE_CLIENT_ID = envstr("SIGNING_REMOTE_CLIENT_ID", "motcua")
SIGNING_REMOTE_SECRET = envsecret("SIGNING_REMOTE_SECRET") or ("" if PRODUCTION else "demo-ky-so")
SIGNING_REMOTE_TIMEOUT = envint("SIGNING_REMOTE_TIMEOUT", 120)
SIGNING_REMOTE_POLL_SECONDS = envint("SIGNING_REMOTE_POLL_SECONDS", 2)
SIGNING_REMOTE_HTTP_TIMEOUT = envint("SIGNING_REMOTE_HTTP_TIMEOUT", 10)
# A certification's number reserved longer than this (minutes) belongs to a process that ended
# before the copy was signed: the beat task voids it (certification/services.py). It must
# exceed the longest signing, the signer's confirmation included.
CERTIFICATION_STALE_MINUTES = envint("CERTIFICATION_STALE_MINUTES", 30)
if CERTIFICATION_STALE_MINUTES * 60 <= SIGNING_REMOTE_TIMEOUT + 2 * SIGNING_REMOTE_HTTP_TIMEOUT:
    raise ImproperlyConfigured(
        "CERTIFICATION_STALE_MINUTES must exceed the remote signing's timeout (SIGNING_REMOTE_*)"
    )
if SIGNING_MODE == "remote" and not (SIGNING_REMOTE_URL and SIGNING_REMOTE_SECRET):
    raise ImproperlyConfigured(
        "SIGNING_MODE=remote needs SIGNING_REMOTE_URL and SIGNING_REMOTE_SECRET"
    )
if SIGNING_REMOTE_TIMEOUT < 1 or SIGNING_REMOTE_POLL_SECONDS < 1 or SIGNING_REMOTE_HTTP_TIMEOUT < 1:
    raise ImproperlyConfigured(
        "SIGNING_REMOTE_TIMEOUT, _POLL_SECONDS and _HTTP_TIMEOUT must be ≥ 1"
    )
# The simulated service (/sim/ky-so/): the client it accepts, and whether it confirms each
# signature itself (the demo's default) instead of waiting for /sim/ky-so/xac-nhan/<id>/.
SIM_REMOTE_SIGNING_CLIENT_ID = envstr("SIM_REMOTE_SIGNING_CLIENT_ID", "motcua")
SIM_REMOTE_SIGNING_SECRET = envsecret("SIM_REMOTE_SIGNING_SECRET") or "demo-ky-so"
SIM_REMOTE_SIGNING_AUTO_CONFIRM = envbool("SIM_REMOTE_SIGNING_AUTO_CONFIRM", True)
SIM_REMOTE_SIGNING_EXPIRES_SECONDS = envint("SIM_REMOTE_SIGNING_EXPIRES_SECONDS", 300)
SIGNING_PKI_DIR = Path(envstr("SIGNING_PKI_DIR", str(VAR_DIR / "pki")))
# The place written in each signature (/Location), e.g. "Đồng Tháp"; empty: none.
SIGNING_LOCATION = envstr("SIGNING_LOCATION", "")


def _signing_pkcs12() -> dict[str, tuple[str, str | None]]:
    entries: dict[str, tuple[str, str | None]] = {}
    for item in envlist("SIGNING_PKCS12", ""):
        entry, sep, path = item.partition("=")
        if not sep or not path or not re.match(r"^(agency|official):\S+$", entry):
            raise ImproperlyConfigured(
                f"SIGNING_PKCS12: {item!r} must be agency:<code>=<path> or "
                "official:<username>=<path>"
            )
        if not Path(path).is_file():
            raise ImproperlyConfigured(f"SIGNING_PKCS12: {path} does not exist")
        name = "SIGNING_PKCS12_PASSWORD_" + re.sub(r"[^A-Z0-9]", "_", entry.upper())
        entries[entry] = (path, envsecret(name))
    return entries


SIGNING_PKCS12 = _signing_pkcs12()
SIGNING_TRUST_ROOTS = envlist("SIGNING_TRUST_ROOTS", "")
for _root in SIGNING_TRUST_ROOTS:
    if not Path(_root).is_file():
        raise ImproperlyConfigured(f"SIGNING_TRUST_ROOTS: {_root} does not exist")
# The RFC 3161 time-stamping authority every signature is stamped by (PAdES B-T); empty: no
# timestamp (B-B, only for measurements). The demo's is the simulator (/sim/tsa/).
SIGNING_TSA_URL = envstr("SIGNING_TSA_URL", SITE_URL + "/sim/tsa/")
SIGNING_TSA_USERNAME = envstr("SIGNING_TSA_USERNAME", "")
SIGNING_TSA_PASSWORD = envsecret("SIGNING_TSA_PASSWORD") or ""
SIGNING_TSA_TIMEOUT = envint("SIGNING_TSA_TIMEOUT", 10)
# Public verification (/xac-thuc/, POST /api/v1/signatures/verify): the largest PDF accepted,
# and checks per client address per minute before answering 429.
SIGNING_VERIFY_MAX_BYTES = envint("SIGNING_VERIFY_MAX_BYTES", 20 * 1024 * 1024)
if SIGNING_VERIFY_MAX_BYTES > UPLOAD_MAX_BYTES:
    raise ImproperlyConfigured("SIGNING_VERIFY_MAX_BYTES must not exceed UPLOAD_MAX_BYTES")
SIGNING_VERIFY_RATE_PER_MINUTE = envint("SIGNING_VERIFY_RATE_PER_MINUTE", 20)
