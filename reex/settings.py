"""reex settings: one module, driven by environment variables (12-factor).

Every name an operator may set is read here with a typed helper, so `grep env_` lists them all.
Tests override single values with pytest-django's `settings` fixture; there is no second module.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent
# A local, git-ignored .env (written by `make` for development: DEBUG=1 and a random key) fills
# in names the real environment does not set; the real environment always wins.
load_dotenv(BASE_DIR / ".env", override=False)
VAR_DIR = Path(os.environ.get("REEX_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# pytest (8.2+) sets PYTEST_VERSION for the whole run; the test suite gets the same throwaway
# key as development, and nothing else does.
_TESTING = "PYTEST_VERSION" in os.environ

# Commands that only read the code's migrations (they serve nothing and sign nothing) run in a
# fresh checkout without a key: `manage.py makemigrations --check` is how a reviewer or CI asks
# whether every model change has its migration.
_KEYLESS_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate"}
_COMMAND = sys.argv[1] if len(sys.argv) > 1 and Path(sys.argv[0]).name == "manage.py" else ""

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or _TESTING or _COMMAND in _KEYLESS_COMMANDS):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (for example "
            "`export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')`), "
            "or set DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
elif not DEBUG and (SECRET_KEY.startswith("change-me") or len(set(SECRET_KEY)) < 5):
    # The placeholder of deploy/production.env.example (or a key like "xxxx") would sign
    # sessions and CSRF tokens with a key anyone can read in the repository. (Django's
    # "django-insecure-" prefix is left to `check --deploy`: the test suite's worker processes
    # run with the suite's development key and DEBUG off.)
    raise ImproperlyConfigured(
        f"SECRET_KEY is a placeholder ({SECRET_KEY[:12]}...), not a secret. Set it to a random "
        "value of its own (for example `python -c 'import secrets; "
        "print(secrets.token_urlsafe(50))'`), or set DEBUG=1 for local development."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_htmx",
    "template_partials",
    "ownership",
    "sources",
    "claims",
    "intake",
]

MIDDLEWARE = [
    # A request id for every log line of the request, returned in X-Request-ID.
    "reex.observability.logs.RequestIdMiddleware",
    # Then: health probes come by IP over http (reex/observability/middleware.py).
    "reex.observability.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which reads the form: a body over DATA_UPLOAD_MAX_MEMORY_SIZE gets a page
    # that says so (or the form again, by the field), not Django's bare 400 (issue 15).
    "plumbing.request_size.RequestSizeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns lockouts raised by the backend into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "reex.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "reex" / "templates"],
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

WSGI_APPLICATION = "reex.wsgi.application"

# --- Database ---------------------------------------------------------------------------------
# PostgreSQL wherever DATABASE_URL says so; otherwise an embedded SQLite file under var/.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'reex.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker share one file: WAL lets readers run beside a writer and
    # IMMEDIATE transactions take the write lock up front instead of failing half-way.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not :memory:, so that a real worker process in the tests can open the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-reex.sqlite3")}

# The API's hot statements (plumbing/rows.py) as PostgreSQL prepared statements; turn off behind
# a transaction-pooling PgBouncer.
REEX_PREPARED_STATEMENTS = env_bool("REEX_PREPARED_STATEMENTS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "claims:queue"
LOGOUT_REDIRECT_URL = "login"

# django-axes: repeated failed sign-ins lock the username+address pair for a while.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The sign-in page itself says the account is locked, and for how long (issue 5).
AXES_LOCKOUT_TEMPLATE = "registration/login.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files and storage -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Development and tests serve app static files straight from the apps; production runs
# `collectstatic` (the Dockerfile does) and serves the hashed, compressed copies.
WHITENOISE_USE_FINDERS = DEBUG or _TESTING
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"  # never served directly: archived bodies go through the sandboxed view

# REEX_STORAGE_BACKEND / REEX_STORAGE_OPTIONS (JSON) select where bodies and WARC files live:
# the filesystem by default, any Django storage backend (e.g. django-storages' S3) in production.
STORAGES = {
    "default": {
        "BACKEND": env_str("REEX_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(env_str("REEX_STORAGE_OPTIONS", "{}")),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or _TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}

# --- HTTPS and headers ------------------------------------------------------------------------
# REEX_HTTPS=1 in production (behind TLS): secure cookies, HSTS, redirect to https.
REEX_HTTPS = env_bool("REEX_HTTPS", False)
SECURE_SSL_REDIRECT = REEX_HTTPS
SESSION_COOKIE_SECURE = REEX_HTTPS
CSRF_COOKIE_SECURE = REEX_HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if REEX_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = REEX_HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", REEX_HTTPS)
if env_bool("REEX_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Knox tokens, guarded: a malformed header is a 401, never a 500 (on every DRF view,
        # the schema and docs included).
        "plumbing.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "plumbing.api.ApiPagination",
    # JSON only, bounded in size and nesting: a body the parser cannot take is a JSON 400/413.
    "DEFAULT_PARSER_CLASSES": ["plumbing.parsers.JSONParser"],
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON errors with a `detail` a person can act on, field errors under `errors` (claims/api).
    "EXCEPTION_HANDLER": "claims.api.exceptions.api_exception_handler",
}
# Requests per token (per user for session logins) before 429 + Retry-After: "N/second|minute|hour".
REEX_API_THROTTLE_RATE = env_str("REEX_API_THROTTLE_RATE", "1200/minute")
# How long a web process may keep a token's check (token, user, permissions) before reading the
# database again; any change through Django (admin, commands, services) applies at once anyway
# (plumbing.authentication: the auth generation). Only with a shared cache (REDIS_URL).
REEX_TOKEN_RECHECK_SECONDS = env_int("REEX_TOKEN_RECHECK_SECONDS", 1)
# Webhooks: attempts per notification (the first included) and the first retry's delay in seconds
# (doubling each time, capped at an hour).
REEX_WEBHOOK_MAX_ATTEMPTS = env_int("REEX_WEBHOOK_MAX_ATTEMPTS", 8)
REEX_WEBHOOK_RETRY_BASE_SECONDS = env_int("REEX_WEBHOOK_RETRY_BASE_SECONDS", 30)


def _test_redis_url(url: str) -> str:
    """Each pytest-xdist worker gwN gets Redis database N + 1 of the server REDIS_URL names:
    the suite's `cache.clear()` (FLUSHDB) and its auth generation bumps in one worker never
    reach another worker's keys mid-test. Outside xdist (and outside tests) the URL as given."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not (_TESTING and url and worker.startswith("gw") and worker[2:].isdigit()):
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{(int(worker[2:]) + 1) % 16}"))


REDIS_URL = _test_redis_url(env_str("REDIS_URL"))
# The throttle counts in a cache every web process shares: Redis where REDIS_URL says so.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env_int("REEX_TOKEN_DAYS", 90)),
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "reex claim status API",
    "DESCRIPTION": "Claim status, evidence and ClaimReview markup from the REEx vetting desk.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ClaimStatusEnum": "claims.choices.ClaimStatus",
        "ClaimKindEnum": "claims.choices.ClaimKind",
        "EvidenceStanceEnum": "claims.choices.EvidenceStance",
        "EntityKindEnum": "ownership.models.EntityKind",
        "SnapshotStatusEnum": "sources.models.SnapshotStatus",
    },
}

# --- Celery -----------------------------------------------------------------------------------
# Archiving time budget, innermost first; each must fit inside the next (checked below):
# one fetch's wall time < a task's soft/hard time limit < the age at which the sweep treats a
# `fetching` snapshot as abandoned < Redis's visibility timeout (after which an unacknowledged
# task is handed to another worker). Note: the threads pool does not enforce Celery's time
# limits; the fetch's own wall-time cap is what bounds a task there.
REEX_FETCH_TIMEOUT = env_int("REEX_FETCH_TIMEOUT", 20)
REEX_FETCH_MAX_BYTES = env_int("REEX_FETCH_MAX_BYTES", 15 * 1024 * 1024)
REEX_FETCH_USER_AGENT = env_str(
    "REEX_FETCH_USER_AGENT",
    "reex-archiver/1.0 (Rare Earth Exchanges claim vetting desk; archives sources cited in "
    "its reporting)",
)
REEX_TASK_SOFT_TIME_LIMIT = env_int("REEX_TASK_SOFT_TIME_LIMIT", REEX_FETCH_TIMEOUT + 40)
REEX_TASK_TIME_LIMIT = env_int("REEX_TASK_TIME_LIMIT", REEX_TASK_SOFT_TIME_LIMIT + 30)
REEX_ARCHIVE_STALE_SECONDS = env_int("REEX_ARCHIVE_STALE_SECONDS", 600)
REEX_BROKER_VISIBILITY_TIMEOUT = env_int("REEX_BROKER_VISIBILITY_TIMEOUT", 3600)
REEX_ARCHIVE_SWEEP_SECONDS = env_int("REEX_ARCHIVE_SWEEP_SECONDS", 60)
REEX_ARCHIVE_MAX_ATTEMPTS = env_int("REEX_ARCHIVE_MAX_ATTEMPTS", 5)
# The sweep queues a stuck snapshot again at most this many times, then ends it `failed`.
REEX_ARCHIVE_MAX_REQUEUES = env_int("REEX_ARCHIVE_MAX_REQUEUES", 5)
REEX_ARCHIVE_RETRY_BASE_SECONDS = env_int("REEX_ARCHIVE_RETRY_BASE_SECONDS", 10)
REEX_ARCHIVE_RETRY_MAX_SECONDS = env_int("REEX_ARCHIVE_RETRY_MAX_SECONDS", 300)
if not (
    REEX_FETCH_TIMEOUT
    < REEX_TASK_SOFT_TIME_LIMIT
    < REEX_TASK_TIME_LIMIT
    < REEX_ARCHIVE_STALE_SECONDS
    < REEX_BROKER_VISIBILITY_TIMEOUT
):
    raise ImproperlyConfigured(
        "Archiving limits must nest: REEX_FETCH_TIMEOUT < REEX_TASK_SOFT_TIME_LIMIT < "
        "REEX_TASK_TIME_LIMIT < REEX_ARCHIVE_STALE_SECONDS < REEX_BROKER_VISIBILITY_TIMEOUT"
    )
if REEX_ARCHIVE_RETRY_MAX_SECONDS >= REEX_BROKER_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        "REEX_ARCHIVE_RETRY_MAX_SECONDS must be under the visibility timeout"
    )
# Archived bodies may be served from a separate origin in production, e.g.
# "https://archive.reex.example" (a host name of its own, never a subdomain sharing cookies).
REEX_ARCHIVE_ORIGIN = env_str("REEX_ARCHIVE_ORIGIN").rstrip("/")
REEX_ARCHIVE_LINK_SECONDS = env_int("REEX_ARCHIVE_LINK_SECONDS", 300)

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": REEX_BROKER_VISIBILITY_TIMEOUT,
        "socket_connect_timeout": 2,
    }
else:
    # No Redis: kombu's filesystem transport, an embedded broker that needs no server. A real
    # worker process still consumes it, so archiving never runs inside a web request. The test
    # suite gets a folder of its own (per xdist worker); a test worker process is told it by env.
    _broker_dir = Path(
        env_str(
            "REEX_BROKER_DIR",
            str(
                VAR_DIR / f"broker-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
                if _TESTING
                else VAR_DIR / "broker"
            ),
        )
    )
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    # kombu's filesystem transport, writing each message whole before it is visible
    # (plumbing/broker.py: a worker had read a half-written message and stopped); importing
    # it registers the URL scheme
    from plumbing.broker import SCHEME as _BROKER_SCHEME

    CELERY_BROKER_URL = f"{_BROKER_SCHEME}://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Publishing gives up within about a second when the broker is down: attaching evidence never
# hangs; the snapshot stays `pending` and the sweep queues it once the broker is back.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.4,
}
CELERY_TASK_SOFT_TIME_LIMIT = REEX_TASK_SOFT_TIME_LIMIT
CELERY_TASK_TIME_LIMIT = REEX_TASK_TIME_LIMIT
# A queue of its own for each test process (set REEX_CELERY_QUEUE for its worker), so two
# pytest-xdist workers, or two test runs at once, never consume each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = env_str("REEX_CELERY_QUEUE") or (
    f"reex-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"
    if _TESTING
    else "celery"
)
# Text extraction (CPU-bound: trafilatura, pypdf) and hints run on a queue of their own, for a
# prefork worker pool, so the fetching threads only wait on the network (docs/archiving.md).
REEX_EXTRACT_QUEUE = env_str("REEX_EXTRACT_QUEUE") or (
    "extract" if CELERY_TASK_DEFAULT_QUEUE == "celery" else f"{CELERY_TASK_DEFAULT_QUEUE}-extract"
)
# A page of at most this many bytes (HTML, XML, text; never a PDF) is extracted by the archive
# task that fetched it, on the fetching worker: a millisecond or two of CPU for a news page,
# less than a second message and a second read of the row and body would cost. 0: every page
# goes to the extraction queue.
REEX_EXTRACT_INLINE_BYTES = env_int("REEX_EXTRACT_INLINE_BYTES", 256 * 1024)
# Browser captures (sources/capture.py, docs/archiving.md): headless Chromium on a queue of its
# own, so a slow render never holds a plain fetch. `auto` fetches plainly first and renders a
# page that is a shell (little text, or a script-built body) when a render worker is alive.
REEX_CAPTURE_MODE = env_str("REEX_CAPTURE_MODE", "auto").strip().lower()
if REEX_CAPTURE_MODE not in ("http", "browser", "auto"):
    raise ImproperlyConfigured(
        f"REEX_CAPTURE_MODE must be http, browser or auto (got {REEX_CAPTURE_MODE!r})"
    )
REEX_CHROMIUM = env_str("REEX_CHROMIUM", "/usr/bin/chromium")
REEX_RENDER_QUEUE = env_str("REEX_RENDER_QUEUE") or (
    "render" if CELERY_TASK_DEFAULT_QUEUE == "celery" else f"{CELERY_TASK_DEFAULT_QUEUE}-render"
)
# Pages rendered at once by one render worker (threads, each with its own Chromium).
REEX_RENDER_CONCURRENCY = env_int("REEX_RENDER_CONCURRENCY", 2)
# Load, network settle and scroll of one page end at this cap (seconds); what loaded is kept.
REEX_CAPTURE_TIMEOUT = env_int("REEX_CAPTURE_TIMEOUT", 15)
# Caps on everything one page may load through the fetcher.
REEX_CAPTURE_MAX_BYTES = env_int("REEX_CAPTURE_MAX_BYTES", 50 * 1024 * 1024)
REEX_CAPTURE_MAX_REQUESTS = env_int("REEX_CAPTURE_MAX_REQUESTS", 300)
# A page with scripts and fewer words of text than this is a shell (auto mode renders it).
REEX_CAPTURE_SHELL_WORDS = env_int("REEX_CAPTURE_SHELL_WORDS", 20)
CELERY_TASK_ROUTES = {
    "sources.tasks.extract_snapshot": {"queue": REEX_EXTRACT_QUEUE},
    "sources.capture_tasks.render_snapshot": {"queue": REEX_RENDER_QUEUE},
}
REEX_WEBHOOK_SWEEP_SECONDS = env_int("REEX_WEBHOOK_SWEEP_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {
    "sources-sweep-stuck-snapshots": {
        "task": "sources.tasks.sweep_stuck_snapshots",
        "schedule": float(REEX_ARCHIVE_SWEEP_SECONDS),
    },
    "claims-sweep-unqueued-webhooks": {
        "task": "claims.tasks.sweep_unqueued_webhooks",
        "schedule": float(REEX_WEBHOOK_SWEEP_SECONDS),
    },
}
# Fetching is I/O-bound: a thread pool, as wide as REEX_WORKER_CONCURRENCY says. The pool is
# named on each worker's command line (`--pool threads` to fetch, `--pool prefork` to
# extract: Makefile, bin/devserver, docker-compose.yml), never here: Celery prefers a
# `worker_pool` setting over a `--pool` equal to its default (celery#6711), so a setting of
# "threads" turned the extraction worker's `--pool prefork` into threads.
CELERY_WORKER_CONCURRENCY = env_int("REEX_WORKER_CONCURRENCY", 8)
# A worker imports its task modules and the extraction stack before it takes any task, and
# refuses to start when one fails (reex/celery.py). Off only to watch a broken worker's tasks
# fail their snapshots, as a test does.
REEX_WORKER_IMPORT_CHECK = env_bool("REEX_WORKER_IMPORT_CHECK", True)
# Every worker writes a heartbeat row this often (sources/heartbeat.py); /healthz counts a worker
# alive while its row is younger than REEX_HEALTH_WORKER_MAX_AGE.
REEX_WORKER_HEARTBEAT_SECONDS = env_int("REEX_WORKER_HEARTBEAT_SECONDS", 10)
REEX_HEALTH_WORKER_MAX_AGE = env_int(
    "REEX_HEALTH_WORKER_MAX_AGE", 3 * REEX_WORKER_HEARTBEAT_SECONDS + 5
)
# /healthz is unhealthy when a snapshot has waited (pending or fetching) longer than this...
REEX_HEALTH_PENDING_MAX_AGE = env_int("REEX_HEALTH_PENDING_MAX_AGE", 900)
# ... or when every archive attempt that ended in this window errored on our side (at least
# REEX_HEALTH_MIN_TASKS of them). REEX_HEALTH_TOKEN, sent as `X-Reex-Health-Token`, shows the
# figures to a probe; staff sessions see them too.
REEX_HEALTH_WINDOW_SECONDS = env_int("REEX_HEALTH_WINDOW_SECONDS", 900)
REEX_HEALTH_MIN_TASKS = env_int("REEX_HEALTH_MIN_TASKS", 3)
REEX_HEALTH_TOKEN = env_str("REEX_HEALTH_TOKEN")

# --- The desk's own rules ---------------------------------------------------------------------
REEX_MIN_INDEPENDENT_SOURCES = env_int("REEX_MIN_INDEPENDENT_SOURCES", 2)
if REEX_MIN_INDEPENDENT_SOURCES < 1:
    raise ImproperlyConfigured("REEX_MIN_INDEPENDENT_SOURCES must be at least 1")
# Loopback host:port pairs that fetching may reach: tests and local demos only, empty in production.
REEX_FETCH_ALLOWLIST = env_list("REEX_FETCH_ALLOWLIST")
# Origins (scheme://host[:port], comma-separated) whose pages may frame the status badges at
# /embed/claims/<id>/ and /embed/articles/<key>/ (CSP frame-ancestors); empty: this site only.
REEX_EMBED_ORIGINS = env_list("REEX_EMBED_ORIGINS")
# How long browsers and caches may keep a badge (seconds).
REEX_EMBED_MAX_AGE = env_int("REEX_EMBED_MAX_AGE", 300)
# The public GLEIF API for `import_gleif --refresh LEI` (docs/ownership-data.md).
REEX_GLEIF_API = env_str("REEX_GLEIF_API", "https://api.gleif.org/api/v1")

# Logs: one JSON object a line with the request id or task id (reex/observability/logs.py), or plain
# lines for development. REEX_LOG_FORMAT=json|plain.
REEX_LOG_FORMAT = env_str("REEX_LOG_FORMAT", "plain" if DEBUG else "json")
if REEX_LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"REEX_LOG_FORMAT={REEX_LOG_FORMAT!r}: use json or plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "reex.observability.logs.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "reex.observability.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": REEX_LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # One line per snapshot and stage ("snapshot 12 fetch 201.3 ms store 2.1 ms"), read by
    # bench.archive; off unless REEX_LOG_STAGES is set.
    "loggers": {"sources.stages": {"level": "INFO" if env_bool("REEX_LOG_STAGES") else "WARNING"}},
}

# --- Metrics (reex/observability/metrics.py): GET /metrics, Prometheus text, for operators only
# (REEX_HEALTH_TOKEN as a bearer token or X-Reex-Health-Token, or a staff session).
REEX_METRICS_LATENCY_WINDOW = env_int("REEX_METRICS_LATENCY_WINDOW", 3600)

# --- Object storage for the archive: S3-compatible (MinIO in docker-compose.yml) when
# REEX_S3_BUCKET is set and REEX_STORAGE_BACKEND is not (django-storages' S3Storage).
REEX_S3_BUCKET = env_str("REEX_S3_BUCKET")
if REEX_S3_BUCKET and not env_str("REEX_STORAGE_BACKEND"):
    _s3_endpoint = env_str("REEX_S3_ENDPOINT_URL")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": REEX_S3_BUCKET,
            "endpoint_url": _s3_endpoint or None,
            "region_name": env_str("REEX_S3_REGION", "us-east-1"),
            "access_key": env_str("REEX_S3_ACCESS_KEY") or None,
            "secret_key": env_str("REEX_S3_SECRET_KEY") or None,
            # Archived bodies are evidence: never public, never overwritten in place.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "signature_version": "s3v4",
            # MinIO and most self-hosted stores want path-style addressing.
            "addressing_style": "path" if _s3_endpoint else "auto",
        },
    }
