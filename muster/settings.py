"""Django settings for Muster, read from environment variables.

Every variable is listed, with a comment, in `.env.example`. Unset variables fall
back to development defaults (SQLite, console email); a malformed value raises
`ImproperlyConfigured` naming the variable.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def env_str(name: str, default: str = "") -> str:
    """The variable's value with surrounding spaces removed, or `default` if unset."""
    value = os.environ.get(name)
    return default if value is None else value.strip()


def env_bool(name: str, default: bool) -> bool:
    """A yes/no variable: 1/true/yes/on or 0/false/no/off, any case."""
    value = env_str(name).lower()
    if not value:
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of {', '.join(TRUE_WORDS + FALSE_WORDS)}, not {value!r}."
    )


def env_int(name: str, default: int) -> int:
    """A whole-number variable, such as a port or a number of seconds."""
    value = env_str(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {value!r}."
        ) from None


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated variable, as a list without empty items."""
    value = env_str(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """A secret from `NAME`, or from the file named by `NAME_FILE` (Docker secrets)."""
    path = env_str(f"{name}_FILE")
    if not path:
        return env_str(name, default)
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ImproperlyConfigured(
            f"{name}_FILE names {path!r}, which cannot be read: {error.strerror}."
        ) from None


DEBUG = env_bool("MUSTER_DEBUG", True)

SECRET_KEY = env_secret("MUSTER_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "MUSTER_SECRET_KEY must be set when MUSTER_DEBUG is off. Generate one "
            "with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    # Only ever used with DEBUG on, which is never a deployment.
    SECRET_KEY = "insecure-development-key-do-not-deploy"

# Seal the audit trail: an HMAC over each entry and over checkpoints, with keys
# kept outside the database ("id:secret" pairs, the first current; see
# docs/security.md). `check --deploy` refuses a deployment without them.
AUDIT_KEYS = env_secret("MUSTER_AUDIT_KEYS")
if not AUDIT_KEYS and DEBUG:
    AUDIT_KEYS = "dev:insecure-development-audit-key-do-not-deploy"
# Where checkpoints of the trail's head are appended (a file an operator ships
# elsewhere), and every how many entries one is written. Unset: only on demand.
AUDIT_CHECKPOINT_FILE = env_str("MUSTER_AUDIT_CHECKPOINT_FILE")
AUDIT_CHECKPOINT_EVERY = env_int("MUSTER_AUDIT_CHECKPOINT_EVERY", 1000)

ALLOWED_HOSTS = env_list("MUSTER_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "muster.accounts",
    "muster.agencies",
    "muster.audit",
    "muster.catalog",
    "muster.learning",
    "muster.badges",
    "muster.packages",
    "muster.transfers",
    "muster.reminders",
    "muster.plans",
    "muster.state",
    "muster.health",
    "muster.xapi",
    "muster.lti",
    "muster.api",
    # django-ninja's templates and static files: the API docs page is served from
    # here, not from a CDN, so it runs under the Content Security Policy.
    "ninja",
    "django_tasks",
    "django_tasks_db",
]

AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    # First, so that it times and numbers everything below (muster/logs.py).
    "muster.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Every error answer under /api/ as RFC 9457 problem+json (docs/api.md).
    "muster.api.problems.ProblemMiddleware",
    # Static files before sessions and sign-in: they need neither.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Package content only on its own host, and only there (docs/packages.md).
    "muster.packages.middleware.ContentOriginMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After SessionMiddleware, so that it runs first on the way out: it decides
    # whether the session row is rewritten (muster/accounts/sessions.py).
    "muster.accounts.sessions.SlidingSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "muster.accounts.middleware.RequireMFAMiddleware",
    "muster.learning.middleware.ActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "muster.urls"
WSGI_APPLICATION = "muster.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "muster" / "templates"],
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

# PostgreSQL in deployment (DATABASE_URL=postgres://user:password@host:5432/name);
# a SQLite file under var/ for development.
DATABASE_URL = env_secret("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {
            "default": dj_database_url.parse(
                DATABASE_URL,
                conn_max_age=env_int("MUSTER_DB_CONN_MAX_AGE", 0),
                # A kept connection is checked before a request reuses it, so
                # that after a database restart no request fails on a dead one.
                conn_health_checks=True,
            )
        }
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL is not usable: {error}") from None
    # Reports (the exports) read from a replica when one is given: docs/deploy.md.
    DATABASE_REPLICA_URL = env_secret("DATABASE_REPLICA_URL")
    if DATABASE_REPLICA_URL:
        DATABASES["replica"] = dj_database_url.parse(
            DATABASE_REPLICA_URL,
            conn_max_age=env_int("MUSTER_DB_CONN_MAX_AGE", 0),
            conn_health_checks=True,
        )
        # Under test the replica alias mirrors the test database.
        DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
        DATABASE_ROUTERS = ["muster.replica.ReplicaRouter"]
else:
    VAR_DIR = BASE_DIR / "var"
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "muster.sqlite3",
            "OPTIONS": {
                # SQLite has one writer at a time. A transaction that reads first
                # and writes later (every action: lock the row, read the audit
                # chain's end, insert) cannot wait for a busy writer: SQLite
                # fails it at once with "database is locked" rather than risk a
                # deadlock. Starting every transaction as a writer makes the
                # others wait their turn, for up to `timeout` seconds; it also
                # does what select_for_update and the audit chain's lock do on
                # PostgreSQL: one writer holds the chain's end at a time.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                # Write-ahead log: pages read while another request writes
                # (heartbeats every 15 s), and a commit is an append to the log.
                # With synchronous=NORMAL a crash of the program loses nothing
                # and a power cut may lose the last commits but never corrupts
                # the file: fine for the demonstration and development database
                # (deployments use PostgreSQL). Foreign keys are on, as Django
                # already sets them, so that nobody reads this list as complete
                # without them.
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sign-in, MFA, passwords and sessions: see docs/security.md.
# Argon2id first; the others only read hashes made before a switch, and Django
# rehashes those with Argon2 at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

# NIST SP 800-63B: a minimum length and a list of common passwords, no
# composition rules (no "one digit and one symbol").
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
]

AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: username sign-in; accounts are made by administrators, never by
# sign-up. Failed sign-ins are limited per address and per account (rate limits
# below); a password reset answers the same whether or not the address is known.
ACCOUNT_ADAPTER = "muster.accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"reset_password": "muster.accounts.forms.ResetPasswordForm"}
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Ask for the password again before changing email addresses (as allauth already
# does before changing authenticators), and email the owner about every change of
# password, email address or authenticator.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_RATE_LIMITS = {
    # Per address: 20 failures an hour; per account: 5 failures in 15 minutes.
    "login_failed": "20/h/ip,5/15m/key",
    "reset_password": "20/m/ip,3/h/key",
}
MFA_ADAPTER = "muster.accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Muster"
# Accounts are created by administrators, so no stranger can claim an address and
# lock its owner out by enrolling an authenticator first (allauth's concern here).
MFA_ALLOW_UNVERIFIED_EMAIL = True
# Users whose roles need MFA must enrol before doing anything else
# (muster.accounts.middleware). Deliberately not read from the environment.
MUSTER_REQUIRE_MFA = True

# Rate-limit counters live in the database so that every worker process shares
# them (and tests roll them back); the table comes from an accounts migration.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "muster_cache",
    }
}

# CJIS session lock: a session ends after 30 minutes without a request. The
# expiry slides with each request, but the session row is rewritten at most once
# a minute unless it changed (muster/accounts/sessions.py): the lock then falls
# between 29 and 30 minutes after the last request, never later.
SESSION_COOKIE_AGE = env_int("MUSTER_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# ISO dates on every page, matching the mandate files and the engine's explanations.
FORMAT_MODULE_PATH = ["muster.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "muster" / "static"]
STATIC_ROOT = Path(env_str("MUSTER_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
# `manage.py collectstatic` (run by `make serve`) writes each file under a name
# with a hash of its content, plus gzip (and Brotli, if installed) copies;
# WhiteNoise serves them from the application server with a year-long cache
# lifetime, since a changed file gets a new name. With MUSTER_DEBUG on,
# templates link the plain names and runserver serves them from the apps.
# Source maps are fetched only by a developer's browser tools, never by a page:
# compressing them (django-ninja's Swagger UI and ReDoc maps are 5 MB, kept twice,
# hashed and plain) took most of collectstatic's minute for nothing.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploaded evidence (sign-in sheets, certificates). Served only through views that
# check access, never directly by the web server.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MUSTER_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

# Bounds on an import file (roster, training), checked before and while it is
# parsed; see muster/tabular/limits.py and docs/imports.md.
IMPORT_MAX_UPLOAD_BYTES = env_int("MUSTER_IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("MUSTER_IMPORT_MAX_ROWS", 20_000)
IMPORT_MAX_COLUMNS = env_int("MUSTER_IMPORT_MAX_COLUMNS", 200)
IMPORT_MAX_CELLS = env_int("MUSTER_IMPORT_MAX_CELLS", 500_000)
IMPORT_MAX_UNZIPPED_BYTES = env_int(
    "MUSTER_IMPORT_MAX_UNZIPPED_BYTES", 100 * 1024 * 1024
)
IMPORT_MAX_ZIP_RATIO = env_int("MUSTER_IMPORT_MAX_ZIP_RATIO", 100)
IMPORT_MAX_SECONDS = env_int("MUSTER_IMPORT_MAX_SECONDS", 60)

# Open Badges (docs/badges.md): the public https:// address of this site, whose
# host names each provider's did:web identifier (did:web:<host>:issuers:<code>)
# and is written into every credential. Set it before the first badge: a badge
# names its issuer by it for good.
BADGE_ORIGIN = env_str("MUSTER_BADGE_ORIGIN", "https://localhost:8000")

# Outbound requests (muster/outbound.py, docs/security.md): LTI platforms and an
# agency's other LRS are never fetched at loopback, private, link-local or
# reserved addresses. On lets development and the tests reach doubles on
# 127.0.0.1 and ::1; leave it off in production. Private ranges stay refused.
OUTBOUND_ALLOW_LOOPBACK = env_bool("MUSTER_OUTBOUND_ALLOW_LOOPBACK", False)

# Content packages (SCORM, cmi5; docs/packages.md). Their content is served from
# another origin than Muster's, such as https://content.muster.example, whose
# host must not share Muster's cookies (leave SESSION_COOKIE_DOMAIN unset).
# Empty: packages can be imported but not played.
PACKAGE_CONTENT_ORIGIN = env_str("MUSTER_PACKAGE_ORIGIN", "")
if PACKAGE_CONTENT_ORIGIN:
    ALLOWED_HOSTS.append(urlsplit(PACKAGE_CONTENT_ORIGIN).hostname or "")
PACKAGE_MAX_UPLOAD_BYTES = env_int("MUSTER_PACKAGE_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
PACKAGE_MAX_UNZIPPED_BYTES = env_int(
    "MUSTER_PACKAGE_MAX_UNZIPPED_BYTES", 1024 * 1024 * 1024
)
PACKAGE_MAX_ENTRIES = env_int("MUSTER_PACKAGE_MAX_ENTRIES", 10_000)
PACKAGE_MAX_ZIP_RATIO = env_int("MUSTER_PACKAGE_MAX_ZIP_RATIO", 100)
# The largest request the xAPI LRS takes (statements with their attachments, or
# a document); larger ones get 413 (docs/xapi.md).
XAPI_MAX_REQUEST_BYTES = env_int("MUSTER_XAPI_MAX_REQUEST_BYTES", 16 * 1024 * 1024)

EMAIL_BACKEND = env_str(
    "MUSTER_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("MUSTER_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("MUSTER_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("MUSTER_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("MUSTER_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("MUSTER_EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("MUSTER_DEFAULT_FROM_EMAIL", "muster@localhost")

# Cookies travel over HTTPS only, except in development.
SESSION_COOKIE_SECURE = env_bool("MUSTER_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True

# HTTPS and browser protections (docs/security.md). Off in development, where the
# site runs on plain http://127.0.0.1.
SECURE_SSL_REDIRECT = env_bool("MUSTER_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("MUSTER_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("MUSTER_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
# How many proxies in front of Muster append to X-Forwarded-For: the client's
# address, for sign-in limits and the audit trail, is the one the outermost of
# them saw. 0 (the default) uses the connection's address.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("MUSTER_TRUSTED_PROXY_COUNT", 0)
if env_bool("MUSTER_BEHIND_TLS_PROXY", False):
    # Only behind a proxy that sets this header itself and drops a client's copy.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Origins allowed to post forms besides this site's own host, as
# https://name[:port]; needed only when the proxy changes the Host header or
# the port that browsers see.
CSRF_TRUSTED_ORIGINS = env_list("MUSTER_CSRF_TRUSTED_ORIGINS", [])
# Health checks come from inside the network over plain HTTP: answer them
# rather than redirecting to https://.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy (django-csp): scripts, styles and everything else from
# this site only; no inline script or style. Images may be data: URIs for the
# QR code on the authenticator enrolment page.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Logs: one line per request and every warning, to standard output, where the
# process manager (systemd, Docker) collects them. "json" (the default when
# MUSTER_DEBUG is off) writes one JSON object per line for a log collector;
# "text" is for reading in a terminal. Each line carries the request's id
# (muster/logs.py), also sent back in the X-Request-ID response header.
LOG_FORMAT = env_str("MUSTER_LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(
        f"MUSTER_LOG_FORMAT must be json or text, not {LOG_FORMAT!r}."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "muster.logs.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level"},
        },
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["stdout"], "level": env_str("MUSTER_LOG_LEVEL", "INFO")},
    "loggers": {
        # runserver prints its own line per request; ours would repeat it.
        "muster.requests": {"level": "WARNING" if DEBUG else "INFO"},
        # Django's own request errors reach the root handler once, with tracebacks.
        "django": {"level": "INFO", "handlers": [], "propagate": True},
    },
}

# `/health/` answers 503 when a queued task has waited longer than this (seconds):
# the task worker is stopped or stuck.
MUSTER_HEALTH_QUEUE_MAX_AGE = env_int("MUSTER_HEALTH_QUEUE_MAX_AGE", 600)

# Background work (reminder emails) goes through a database-backed queue, so it
# runs on SQLite and PostgreSQL alike; `manage.py task_worker` works through it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# A task RUNNING longer than this (seconds) is taken to have lost its worker and is
# put back in the queue when a task worker starts (muster/health/orphans.py); a
# dead worker on the same host is known at once. Every task takes seconds.
MUSTER_TASK_ORPHAN_AFTER = env_int("MUSTER_TASK_ORPHAN_AFTER", 900)

# A what-if run of a state with more people than this waits for a task worker
# (its page shows the progress); a smaller one is evaluated in the request.
MUSTER_WHAT_IF_INLINE = env_int("MUSTER_WHAT_IF_INLINE", 2000)

# A compliance report of a year older than the stored standings, for an agency
# with more people on staff than this, is made by a task worker (its page shows
# the progress); a smaller one is made in the request, as the what-if runs are.
MUSTER_EXPORT_INLINE = env_int("MUSTER_EXPORT_INLINE", 2000)

# Days before a mandate's deadline at which people who are short get a reminder.
# Comma-separated, such as 90,30,7; Missouri's grace period gets its own reminders.
MUSTER_REMINDER_DAYS = env_list("MUSTER_REMINDER_DAYS", ["90", "30", "7"])
if not all(day.isdigit() for day in MUSTER_REMINDER_DAYS):
    raise ImproperlyConfigured(
        "MUSTER_REMINDER_DAYS must be whole numbers of days separated by commas, "
        f"such as 90,30,7, not {','.join(MUSTER_REMINDER_DAYS)!r}."
    )
