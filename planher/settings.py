"""PlanHer settings, driven entirely by environment variables.

Every variable is listed, with its default, in the README's configuration
table. With nothing set, PlanHer runs in the "embedded default": DEBUG off,
SQLite under ``var/``, the local-memory cache and Celery tasks run in-process.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_rate(name: str, default: str) -> str | None:
    """A DRF throttle rate such as ``10/min``; ``off`` disables the throttle."""
    value = os.environ.get(name, default).strip()
    return None if value.lower() in {"off", "none", ""} else value


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # Fail fast: tokens and model-file signatures hang on this key.
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (`make run` writes a local one to .env)."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

# Keys of the notes encrypted at rest (core.fields): Fernet keys, comma-separated;
# the first encrypts, every one decrypts (rotation: README "Encrypted notes").
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off (`make run` writes a local "
            "one to .env); without it her notes could be neither written nor read."
        )
    FIELD_ENCRYPTION_KEYS = ["ZGV2ZWxvcG1lbnQtb25seS1rZXktZG8tbm90LXVzZTA="]
for _number, _key in enumerate(FIELD_ENCRYPTION_KEYS, start=1):
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS: key {_number} is not a Fernet key (32 url-safe "
            "base64-encoded bytes: `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`)."
        ) from None

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "core",
    "accounts",
    "cycles",
    "moods",
    "signs",
    "predictions",
    "imports",
    "notifications",
    "insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.NoStoreApiMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Django's session user and messages stand aside under /api/ (bearer tokens
    # there): core/middleware.py. Sessions and CSRF stay Django's own, by name:
    # the deploy checks (security.W003, W010-W017) look for them so.
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "core.middleware.AuthenticationMiddleware",
    "core.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked admin login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "planher.urls"
WSGI_APPLICATION = "planher.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'planher.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that needs no round trip while the
    # connection is quiet (core/db/backends/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "core.db.backends.postgresql"
# Statements run on every request (her user row) are prepared on PostgreSQL; off
# behind a pooler in transaction mode that cannot keep them (PgBouncer < 1.21).
DATABASE_PREPARED_STATEMENTS = os.environ.get("DATABASE_PREPARED_STATEMENTS", "1") == "1"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if "DATABASE_URL" not in os.environ:
        VAR_DIR.mkdir(exist_ok=True)  # the embedded default works on a fresh clone
    # Wait for a writer instead of failing at once with "database is locked";
    # IMMEDIATE makes a write transaction take the lock when it begins, so
    # concurrent upserts queue up rather than deadlock on lock upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
    # SQLite connections are cheap, and a persistent one would hold the lock.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file, not shared-cache memory, whose table locks fail at once
    # instead of waiting: the concurrency tests need real SQLite locking.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"planher-test-{os.getpid()}.sqlite3")
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# django-axes first: it refuses a locked account before a password is checked.
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

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"  # never routed: model files are not served over HTTP
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Cache: local memory by default; Redis when REDIS_URL is set, so throttle
# counters and the like are shared by every worker.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Each process keeps the answers it served lately (core.userdata.LocalAnswers), in
# front of Redis: keys name her data version, so no copy outlives a change to her data.
# Pointless in front of a cache in this process's own memory: off without Redis.
ANSWER_LOCAL_CACHE_BYTES = int(
    float(os.environ.get("ANSWER_LOCAL_CACHE_MB", "16" if REDIS_URL else "0")) * 1024 * 1024
)
ANSWER_LOCAL_CACHE_SECONDS = int(os.environ.get("ANSWER_LOCAL_CACHE_SECONDS", "60"))

# --- Failed logins per account (django-axes; accounts/lockout.py) ------------

# 10 failures for one account within 15 minutes, from any addresses, lock its
# logins (the JWT login and the admin's) until 15 minutes after the 10th.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Per account only: the per-IP limit is THROTTLE_AUTH_RATE.
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "email"
# The address in its normal form: look-alike spellings share one counter.
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
# Counters in the default cache (Redis when REDIS_URL is set): nothing about an
# attempt is stored in the database, and a counter expires with its window.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_ENABLE_ADMIN = False  # no attempt rows to show with the cache handler
# Her successful login does not wipe the failures: someone guessing gets 10
# tries per window whether or not she logs in meanwhile.
AXES_RESET_ON_SUCCESS = False
# Attempts refused during a lock do not extend it: it ends when Retry-After says.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False

# --- REST framework, JWT, schema -------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.SessionJWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["core.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.schema.PlanHerAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["core.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "auth": env_rate("THROTTLE_AUTH_RATE", "10/min"),
        "user": env_rate("THROTTLE_USER_RATE", "600/min"),
        "calendar_feed": env_rate("THROTTLE_FEED_RATE", "60/hour"),
    },
    "NUM_PROXIES": int(os.environ["NUM_PROXIES"]) if os.environ.get("NUM_PROXIES") else 0,
    "EXCEPTION_HANDLER": "core.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Decimals (weight, BMI) travel as JSON numbers, as a frontend expects.
    "COERCE_DECIMAL_TO_STRING": False,
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    # Carries the session claims checked at each request (accounts.tokens).
    "AUTH_TOKEN_CLASSES": ("accounts.tokens.SessionAccessToken",),
}
# A login's chain of refreshes ends this many days after it, refreshed or not.
SESSION_MAX_DAYS = int(os.environ.get("SESSION_MAX_DAYS", "30"))

SPECTACULAR_SETTINGS = {
    "TITLE": "PlanHer API",
    "DESCRIPTION": (
        "Plan your days around your cycle: periods, daily energy, cycle and energy "
        "predictions. Authenticate with `Authorization: Bearer <access>` from "
        "`/api/v1/auth/login`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "EnergySourceEnum": "core.vocabulary.ENERGY_SOURCES",
        # Logged and predicted levels are one type for a generated client.
        "EnergyLevelEnum": "moods.models.EnergyLevel",
        "BasisMethodEnum": "core.vocabulary.BASIS_METHODS",
        "ImportStatusEnum": "imports.models.Import.Status",
        "OvulationSignEnum": "cycles.engine.SIGNS",
        "AlertCodeEnum": "cycles.engine.alerts.ALERT_CODES",
    },
    # Swagger UI and ReDoc come from the drf-spectacular-sidecar package, served
    # as this project's static files: pinned, and no CDN (they work offline).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Swagger UI would otherwise send the schema to swagger.io's online validator.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "PREPROCESSING_HOOKS": ["core.schema.spell_auth_paths_without_slash"],
    # DRF's own error answers (400, 401, 404, 429) are documented on every
    # operation that can give them (core/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.document_error_responses",
    ],
}

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
if DEBUG:
    # The usual dev servers (Vite, Create React App / Next) work with no setup;
    # production names its frontend in CORS_ALLOWED_ORIGINS.
    CORS_ALLOWED_ORIGINS += [
        f"http://{host}:{port}"
        for host in ("localhost", "127.0.0.1")
        for port in (5173, 3000)
        if f"http://{host}:{port}" not in CORS_ALLOWED_ORIGINS
    ]
CORS_URLS_REGEX = r"^/api/.*$"

# --- Email (account mail: password reset, address verification) -----------

# Django's own names. Without EMAIL_HOST mail is printed to the console (local
# development); messages are sent after the request, never inside it.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
# A mail server that stops answering must not hold a worker for ever.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "PlanHer <no-reply@localhost>")
# Where the links in those emails point (the web app's pages).
FRONTEND_URL = os.environ.get("FRONTEND_URL", "http://localhost:5173").rstrip("/")
# A reset link works for one hour, once; a verification link for three days.
PASSWORD_RESET_TIMEOUT = 3600
EMAIL_VERIFICATION_MAX_AGE = 3 * 24 * 3600
# Reset requests per address, and verification resends per account.
THROTTLE_EMAIL_RATE = env_rate("THROTTLE_EMAIL_RATE", "5/hour")

# --- Celery (without a broker, tasks run on a background thread per process) ---

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
# Without a broker, trainings go to ``core.background`` (never the request);
# eager mode only marks that no broker is configured.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Threads per process that run them (at a lower CPU priority).
BACKGROUND_THREADS = int(os.environ.get("BACKGROUND_THREADS", "1"))
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-training leaves the task queued
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "300"))
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
# Each worker child is replaced after this many tasks, capping memory growth.
CELERY_WORKER_MAX_TASKS_PER_CHILD = int(os.environ.get("CELERY_MAX_TASKS_PER_CHILD", "200"))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis hands an unacknowledged task (its worker died) to another worker after
# this many seconds: longer than a retraining's countdown plus its time limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "900"))
}
# Seconds a retraining waits after the first change of a burst, so that a
# burst of logs leads to one training.
RETRAIN_DELAY_SECONDS = int(os.environ.get("RETRAIN_DELAY_SECONDS", "5"))
# The nightly sweep that retrains stale models: a crontab "minute hour", or off.
RETRAIN_SWEEP_SCHEDULE = os.environ.get("RETRAIN_SWEEP_SCHEDULE", "0 3").strip()
CELERY_BEAT_SCHEDULE = {}
if RETRAIN_SWEEP_SCHEDULE.lower() not in {"off", "none", ""}:
    from celery.schedules import crontab

    _minute, _hour = RETRAIN_SWEEP_SCHEDULE.split()
    CELERY_BEAT_SCHEDULE["retrain-stale-models"] = {
        "task": "predictions.tasks.retrain_stale_models",
        "schedule": crontab(minute=_minute, hour=_hour),
    }
# Expired refresh tokens leave the blacklist tables daily (without a broker the
# operator runs `manage.py flushexpiredtokens` from cron, see README).
CELERY_BEAT_SCHEDULE["flush-expired-tokens"] = {
    "task": "accounts.tasks.flush_expired_tokens",
    "schedule": 24 * 60 * 60,
}

# --- Notifications (reminders, Web Push, the calendar feed) -------------------

# This server's own address, for links in reminder emails (the unsubscribe page).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
# Web Push (VAPID): both keys, or Web Push is off (POST /notifications/push-subscriptions
# answers 409). The private key as base64url DER or PEM text; the subject a mailto: or https: URL.
VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY", "")
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:admin@localhost")
# Push endpoints must be https; tests point them at a local http server.
WEB_PUSH_ALLOW_HTTP = env_bool("WEB_PUSH_ALLOW_HTTP")
# Where alerts come from: dotted paths of callables
# ``source(*, user, today) -> [{code, title, detail, since}]`` (notifications/alerts.py);
# by default the irregularities /insights shows (Apple's cycle-deviation thresholds).
NOTIFICATION_ALERT_SOURCES = env_list("NOTIFICATION_ALERT_SOURCES", "insights.services.alerts_for")
# The beat task that sends due reminders, every this many seconds (0: off; without
# a broker run `manage.py send_reminders` from cron instead).
REMINDERS_EVERY_SECONDS = int(os.environ.get("REMINDERS_EVERY_SECONDS", "300"))
if REMINDERS_EVERY_SECONDS > 0:
    CELERY_BEAT_SCHEDULE["send-due-reminders"] = {
        "task": "notifications.tasks.send_due_reminders",
        "schedule": REMINDERS_EVERY_SECONDS,
        # A run that waited longer than its period is skipped: the next one catches up.
        "options": {"expires": REMINDERS_EVERY_SECONDS},
    }

# --- Production hardening (active whenever DEBUG is off) --------------------

# TLS terminates at the reverse proxy in front of gunicorn, which redirects
# plain HTTP and sets X-Forwarded-Proto; Django trusts that header only there.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Off by default so health probes and local checks can speak plain HTTP to
# gunicorn; turn it on when Django itself faces the internet.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$"]
SILENCED_SYSTEM_CHECKS = [
    # security.W008 (SECURE_SSL_REDIRECT off): the proxy redirects to HTTPS, see above.
    *([] if SECURE_SSL_REDIRECT else ["security.W008"]),
    # axes.W001 (its counters in a per-process cache): right for one process;
    # planher.E003 refuses several workers without REDIS_URL instead.
    "axes.W001",
    # axes.W006 (no ip_address in AXES_LOCKOUT_PARAMETERS): the lock is per
    # account on purpose; the per-IP limit is THROTTLE_AUTH_RATE.
    "axes.W006",
]
if not DEBUG:
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # JSON bodies here are tiny
# Imports: the largest file taken (Apple Health exports run to hundreds of MB);
# files over FILE_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB) are spooled to disk.
IMPORT_MAX_MB = int(os.environ.get("IMPORT_MAX_MB", "512"))

# --- Logging -----------------------------------------------------------------

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default config gives "django" its own console handler (with
        # DEBUG on) on top of propagating to the root's: every line came twice.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "INFO"},  # never log SQL parameters
    },
}
