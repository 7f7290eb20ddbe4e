"""Settings for every environment, read from the process environment (django-environ).

The defaults run on a laptop with nothing installed: SQLite under var/, an embedded
Celery broker (kombu's filesystem transport under var/celery/), a file cache, local
private media, e-mail printed to the console. Production sets DATABASE_URL,
CELERY_BROKER_URL, CACHE_URL, SECRET_KEY, ... and uses portal.settings.production.
"""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
# A .env file beside manage.py is read when present (never committed; `make` writes one with
# DEBUG=true for a developer checkout). ENV_FILE points elsewhere; the process environment wins.
ENV_FILE = Path(environ.Env().str("ENV_FILE", default=str(BASE_DIR / ".env")))
if ENV_FILE.is_file():
    environ.Env.read_env(ENV_FILE)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY phải được đặt khi DEBUG tắt (SECRET_KEY must be set when DEBUG is off)."
        )
    SECRET_KEY = "django-insecure-local-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Applications (layers, lowest first; see ARCHITECTURE.md §1) ---------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "csp",
    "accounts",
    "regulations",
    "notifications",
    "signing",
    "workcalendar",
    "eforms",
    "procedures",
    "dossiers",
    "nationalportal",
    "queueing",
    "payments",
    "docstore",
    "feedback",
    "satisfaction",
    "parindex",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.RefuseNulMiddleware",  # %00 in a URL: a 400, not a 500 from PostgreSQL
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.VietnameseFirstLocaleMiddleware",  # a LocaleMiddleware
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.NoStorePersonalDataMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # django-axes must be the last middleware (it turns lockouts into responses).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
                "notifications.context_processors.inbox",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat share one file: wait for locks instead of
    # failing, take the write lock up front, and let readers run beside a writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # No JIT compilation: the portal's statements are short, and on the monthly counts' correlated subqueries the
    # planner's estimate made PostgreSQL spend 6.8 s of a 9.2 s statement compiling (bench_dashboard, 100k dossiers).
    if env.bool("POSTGRES_JIT_OFF", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

# A read replica for the dashboards (core/db_router.py): PostgreSQL streaming replication of the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    DATABASES["replica"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["replica"].setdefault("CONN_HEALTH_CHECKS", True)
    if env.bool("POSTGRES_JIT_OFF", default=True):
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
READ_REPLICA_ALIAS = "replica" if "replica" in DATABASES else None
DATABASE_ROUTERS = ["core.db_router.StatisticsRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------
CACHES = {"default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}
# The catalogue search's pages and the procedures' pages (public, the same for everyone) are cached this long under
# the catalogue's generation, renewed by every write to it (procedures/receivers.py); 0 turns the cache off.
CATALOGUE_SEARCH_CACHE_SECONDS = env.int("CATALOGUE_SEARCH_CACHE_SECONDS", default=600)

# --- Users, login, lockout ----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out credentials
    "accounts.backends.EmailOrPhoneBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
EMAIL_VERIFICATION_TIMEOUT = env.int("EMAIL_VERIFICATION_TIMEOUT", default=60 * 60 * 24 * 3)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# A commune office shares one public IP: lock the account *from that address*, not the office.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AXES_VERBOSE = False

# --- Internationalisation ------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "portal_language"
# Dates are typed and shown day first (dd/mm/yyyy) in every language, never month first: see portal/formats/.
FORMAT_MODULE_PATH = ["portal.formats"]
from core.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS  # noqa: E402,F401

# --- Static and media -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG

# Uploaded dossier files are private: they are never published under MEDIA_URL and are
# served only through views that pass the access gate (accounts/access.py).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/private-media/"  # never routed; PrivateFileSystemStorage refuses to build URLs
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,  # only short-lived signed URLs, never public ones
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "portal.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- E-mail -------------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587 ; default: the console.
_email = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Cổng dịch vụ công <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# EMAIL_URL=filemail:///absolute/path writes each message as a file there (handy for staging).
# django-environ drops the leading "/" of the path: put it back.
EMAIL_FILE_PATH = (
    "/" + _email["EMAIL_FILE_PATH"].lstrip("/") if _email.get("EMAIL_FILE_PATH") else str(VAR_DIR / "mail")
)

# SMS: a dotted path to a notifications.sms.BaseSmsBackend (a real gateway in production).
SMS_BACKEND = env.str("SMS_BACKEND", default="notifications.sms.ConsoleSmsBackend")
# FileSmsBackend: a directory, one file per message (staging, tests).
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms"))

# --- Celery -------------------------------------------------------------------
CELERY_DATA_DIR = VAR_DIR / "celery"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=f"file://{CELERY_DATA_DIR / 'results'}")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: messages are files under var/celery/queue (no server needed).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "control", "results"):
        (CELERY_DATA_DIR / _folder).mkdir(parents=True, exist_ok=True)
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A task taken by a worker that dies (SIGKILL, OOM, a lost host) is not acknowledged (acks late,
    # below); Redis hands it to a worker again once `visibility_timeout` seconds have passed since it
    # was taken. It must be longer than the longest task and the longest retry countdown (1 hour).
    CELERY_BROKER_TRANSPORT_OPTIONS = env.json("CELERY_BROKER_TRANSPORT_OPTIONS",
                                               default={"visibility_timeout": 3900})
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Exactly-once effects with at-least-once delivery: a task is acknowledged only after it ran, a
# task whose worker process died is given back to the broker and runs again, a worker reserves one
# task at a time; every task is idempotent (checked in each app's tasks.py), so a second run of a
# task that was half done or done changes nothing more.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True  # the broker redelivers them anyway
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_HEARTBEAT_SECONDS = env.int("CELERY_HEARTBEAT_SECONDS", default=60)
DEADLINE_SWEEP_SECONDS = env.int("DEADLINE_SWEEP_SECONDS", default=300)
# The dashboards' current month: counted again every FIGURES_REFRESH_MINUTES when something happened since the last
# run (and at least every FIGURES_REFRESH_IDLE_MINUTES, for what changes with time alone).
FIGURES_REFRESH_MINUTES = env.int("FIGURES_REFRESH_MINUTES", default=5)
FIGURES_REFRESH_IDLE_MINUTES = env.int("FIGURES_REFRESH_IDLE_MINUTES", default=60)
# Status sync to the national portal (Decree 224/2026): a JSON webhook signed with HMAC-SHA256.
SYNC_TARGET_URL = env.str("SYNC_TARGET_URL", default="")  # empty: no sync
SYNC_SECRET = env.str("SYNC_SECRET", default="")
SYNC_MAX_ATTEMPTS = env.int("SYNC_MAX_ATTEMPTS", default=10)
SYNC_RECEIVER_ENABLED = env.bool("SYNC_RECEIVER_ENABLED", default=DEBUG)  # the local stand-in receiver
# Dossiers filed on the national portal (Cổng Dịch vụ công quốc gia) arrive at /api/national-portal/dossiers/,
# signed with HMAC-SHA256 under NATIONAL_PORTAL_SECRET (headers X-Timestamp, X-Signature) and refused outside
# the replay window. Files sent as links are fetched only from NATIONAL_PORTAL_FILE_HOSTS. The national
# portal's own API (nationalportal.client: the list reconciliation compares, new dossiers to pull) is at
# NATIONAL_PORTAL_API_URL; a province that polls an integration platform instead of being pushed to sets
# NATIONAL_PORTAL_PULL=true (nationalportal.pull_intake, every 5 minutes).
NATIONAL_PORTAL_SECRET = env.str("NATIONAL_PORTAL_SECRET", default="")
NATIONAL_PORTAL_REPLAY_SECONDS = env.int("NATIONAL_PORTAL_REPLAY_SECONDS", default=300)
NATIONAL_PORTAL_FILE_HOSTS = env.list("NATIONAL_PORTAL_FILE_HOSTS", default=[])
NATIONAL_PORTAL_FILE_ALLOW_HTTP = env.bool("NATIONAL_PORTAL_FILE_ALLOW_HTTP", default=DEBUG)  # else HTTPS only
NATIONAL_PORTAL_FETCH_SECONDS = env.int("NATIONAL_PORTAL_FETCH_SECONDS", default=120)  # all files of one intake
NATIONAL_PORTAL_MAX_FILES = env.int("NATIONAL_PORTAL_MAX_FILES", default=30)
NATIONAL_PORTAL_MAX_REQUEST_MB = env.int("NATIONAL_PORTAL_MAX_REQUEST_MB", default=64)  # files inline in base64
NATIONAL_PORTAL_API_URL = env.str("NATIONAL_PORTAL_API_URL", default="")
NATIONAL_PORTAL_PULL = env.bool("NATIONAL_PORTAL_PULL", default=False)
# The national-portal simulator (files demo dossiers, records the statuses it receives): tests and
# `make run` only, refused in production. It posts its dossiers to NATIONAL_PORTAL_INTAKE_URL (empty:
# SITE_URL + the intake's path, /api/national-portal/dossiers/).
NATIONAL_PORTAL_SIMULATOR = env.bool("NATIONAL_PORTAL_SIMULATOR", default=DEBUG)
NATIONAL_PORTAL_INTAKE_URL = env.str("NATIONAL_PORTAL_INTAKE_URL", default="")
if DEBUG and NATIONAL_PORTAL_SIMULATOR:
    # `make run` shows the whole loop: the statuses go back to the simulator (through the local receiver) and
    # the portal asks the simulator's API, unless the environment says otherwise (an empty value turns it off).
    SYNC_TARGET_URL = env.str("SYNC_TARGET_URL", default=SITE_URL.rstrip("/") + "/ho-so/dong-bo/nhan/")
    NATIONAL_PORTAL_API_URL = env.str("NATIONAL_PORTAL_API_URL",
                                      default=SITE_URL.rstrip("/") + "/gia-lap/cong-dvc-quoc-gia/api")
# The header bell counts unread notices of the last INBOX_BELL_DAYS days (older ones stay on the notices page).
INBOX_BELL_DAYS = env.int("INBOX_BELL_DAYS", default=30)
INBOX_KEEP_DAYS = env.int("INBOX_KEEP_DAYS", default=180)  # older notices are deleted nightly
SURVEY_EXPIRY_DAYS = env.int("SURVEY_EXPIRY_DAYS", default=14)  # the survey link's life after the return
SURVEY_UNHAPPY_BELOW = env.int("SURVEY_UNHAPPY_BELOW", default=3)  # a mark below this opens a follow-up
SURVEY_FOLLOW_UP_DAYS = env.int("SURVEY_FOLLOW_UP_DAYS", default=5)  # working days for the head's reply
# The lateness forecast (dossiers.lateness): an open dossier whose stored probability of missing its appointment
# (`Dossier.risk`) is at least FORECAST_RISK_THRESHOLD is "at risk" — the worklist's "Có nguy cơ trễ hẹn" queue, the
# head's page and the morning digest (at most FORECAST_DIGEST_LIMIT dossiers per agency). An operational tuning of
# the forecast, not a rule of law (those are versioned rows in `regulations`).
FORECAST_RISK_THRESHOLD = env.float("FORECAST_RISK_THRESHOLD", default=0.5)
FORECAST_DIGEST_LIMIT = env.int("FORECAST_DIGEST_LIMIT", default=20)
# One sweep run stops starting new batches after this many seconds; the next run continues.
DEADLINE_SWEEP_BUDGET_SECONDS = env.int("DEADLINE_SWEEP_BUDGET_SECONDS", default=50)
# The lateness risk forecast (dossiers.lateness.risk): a (procedure, field, agency) level of the learned step
# durations is used from this many samples; each sweep recomputes a dossier's risk when older than this.
FORECAST_MIN_SAMPLES = env.int("FORECAST_MIN_SAMPLES", default=20)
FORECAST_MAX_AGE_SECONDS = env.int("FORECAST_MAX_AGE_SECONDS", default=1800)
# Wrong tracking PINs per dossier code (page, API, desk kiosk together) before the code is locked,
# and the window they are counted in (from the first wrong PIN); the desk can lift a lock.
TRACK_PIN_MAX_FAILURES = env.int("TRACK_PIN_MAX_FAILURES", default=10)
TRACK_PIN_WINDOW_SECONDS = env.int("TRACK_PIN_WINDOW_SECONDS", default=3600)
# Online payment of fees: "vnpay" (the addresses and keys below), "simulator" (the portal's own
# stand-in speaking the same protocol: tests and `make run`; never in production), "" (off).
PAYMENT_GATEWAY = env.str("PAYMENT_GATEWAY", default="simulator" if DEBUG else "")
VNPAY_TMN_CODE = env.str("VNPAY_TMN_CODE", default="")
VNPAY_HASH_SECRET = env.str("VNPAY_HASH_SECRET", default="")
VNPAY_PAY_URL = env.str("VNPAY_PAY_URL", default="")  # the gateway's payment page (vpcpay.html)
VNPAY_API_URL = env.str("VNPAY_API_URL", default="")  # the merchant web API (querydr)
PAYMENT_RECONCILE_SECONDS = env.int("PAYMENT_RECONCILE_SECONDS", default=300)
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "portal.celery.heartbeat", "schedule": CELERY_HEARTBEAT_SECONDS},
    "sweep-deadlines": {"task": "dossiers.sweep_deadlines", "schedule": DEADLINE_SWEEP_SECONDS},
    # The heads' morning digest of dossiers at risk of missing their appointment (CELERY_TIMEZONE: Vietnam).
    "risk-digest": {"task": "dossiers.risk_digest", "schedule": crontab(hour=7, minute=30)},
    "monthly-stats": {"task": "dossiers.refresh_monthly_stats", "schedule": crontab(hour=1, minute=30)},
    "forecast-refresh": {"task": "dossiers.forecast_refresh", "schedule": crontab(hour=1, minute=50)},
    "monthly-sync": {"task": "nationalportal.refresh_monthly_stats", "schedule": crontab(hour=1, minute=40)},
    "monthly-satisfaction": {"task": "satisfaction.refresh_monthly_stats", "schedule": crontab(hour=1, minute=45)},
    "push-sync": {"task": "nationalportal.push_sync", "schedule": 60},
    "national-pull": {"task": "nationalportal.pull_intake", "schedule": 300},  # does nothing unless pulling
    "national-reconcile": {"task": "nationalportal.reconcile", "schedule": crontab(hour=3, minute=10)},
    "payments-reconcile": {"task": "payments.reconcile", "schedule": PAYMENT_RECONCILE_SECONDS},
    "index-metrics": {"task": "parindex.refresh_metrics", "schedule": crontab(hour=2, minute=0)},
    "index-current-month": {"task": "parindex.refresh_current_month", "schedule": FIGURES_REFRESH_MINUTES * 60},
    "purge-idempotency-keys": {"task": "dossiers.purge_idempotency_keys", "schedule": crontab(hour=2, minute=30)},
    "purge-inbox": {"task": "notifications.purge_inbox", "schedule": crontab(hour=2, minute=40)},
    # Online appointments (queueing.booking): tomorrow's reminders from 15:00, missed ones after closing.
    "appointment-reminders": {"task": "queueing.remind_appointments",
                              "schedule": crontab(hour="15-20", minute="5,35")},
    "appointments-missed": {"task": "queueing.mark_missed_appointments", "schedule": crontab(hour=21, minute=15)},
    "queue-day-close": {"task": "queueing.close_day", "schedule": crontab(hour=21, minute=10)},
}

# --- REST framework -----------------------------------------------------------
REST_FRAMEWORK = {
    # Pages use the session; integrations send "Authorization: Token <key>" (keys made by administrators).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # JSON nested deeper than the API needs is a 400 (portal.drf.JSONParser), never a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "portal.drf.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_METADATA_CLASS": "portal.drf.Metadata",
    # The schema lists each operation's error answers (one error body: core.api.ErrorSerializer).
    "DEFAULT_SCHEMA_CLASS": "core.api.PortalAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "core.api.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cổng dịch vụ công một cửa — API",
    "DESCRIPTION": "API của cổng dịch vụ công một cửa: danh mục thủ tục hành chính (đọc công khai; "
                   "quản trị viên được tạo, sửa bản nháp và công bố).",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc are served from drf-spectacular-sidecar's static files (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "DossierStatusEnum": "dossiers.workflow.Status.choices",
        "DossierStepEnum": "dossiers.workflow.Step.choices",
        "VersionStatusEnum": "procedures.models.VersionStatus.choices",
        "StepKindEnum": "procedures.models.StepKind.choices",
        "ReturnChannelEnum": "dossiers.models.ReturnChannel.choices",
        "HandoverKindEnum": "dossiers.models.HandoverKind.choices",
        "AttachmentKindEnum": "dossiers.models.AttachmentKind.choices",
    },
}

# --- Logging (structured: LOG_FORMAT=json in production) -------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # a file signed by an untrusted CA is a verdict on the page, not a server problem worth a traceback
        "pyhanko.sign.validation": {"level": "ERROR"},
        "pyhanko.sign.diff_analysis": {"level": "ERROR"},
    },
}

# --- Security (tightened further in portal.settings.production) ---------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"


# Content-Security-Policy (django-csp 4): everything from the portal itself, no inline script nor
# inline style attribute, no framing. Scripts live in static/js and are bound to data-* attributes.
# The one page that needs more (the Swagger UI of the API) adds it with a csp_update decorator
# (portal.urls). form-action also admits the payment gateway: a form posted to the portal that
# redirects there is checked against form-action.
def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, *filter(None, [_origin(VNPAY_PAY_URL)])],
    },
}

# --- Portal ---------------------------------------------------------------------
PORTAL_NAME = env.str("PORTAL_NAME", default="Cổng dịch vụ công một cửa")

# Default office hours of a new agency and of the national calendar (each agency can change its own):
# OFFICE_HOURS="07:00-11:30,13:30-17:00", RECEPTION_CUTOFF="15:00" (Decree 61/2018 Art. 18).
def _office_hours(text: str, cutoff: str) -> dict:
    try:
        (m1, m2), (a1, a2) = (part.split("-") for part in text.split(","))
        times = [time.fromisoformat(t.strip()) for t in (m1, m2, a1, a2, cutoff)]
    except ValueError:
        raise ImproperlyConfigured(
            f"OFFICE_HOURS/RECEPTION_CUTOFF không hợp lệ: {text!r}, {cutoff!r} "
            "(dạng 07:00-11:30,13:30-17:00 và 15:00)."
        ) from None
    if not (times[0] < times[1] <= times[2] < times[3]):
        raise ImproperlyConfigured(f"OFFICE_HOURS phải theo thứ tự sáng < chiều: {text!r}.")
    return dict(zip(("morning_start", "morning_end", "afternoon_start", "afternoon_end", "cutoff"), times,
                    strict=True))


OFFICE_HOURS = _office_hours(env.str("OFFICE_HOURS", default="07:00-11:30,13:30-17:00"),
                             env.str("RECEPTION_CUTOFF", default="15:00"))

# Digital signatures (signing/): each agency's key (PKCS#12 + password from the environment, or a PKCS#11
# token), the CAs the province trusts and the RFC 3161 timestamp server, in one JSON file (signing/config.py
# documents it; `make run` writes a demo one with a demo CA). No file: forms are issued unsigned, each with
# its verification QR code.
SIGNING_CONFIG = env.str("SIGNING_CONFIG", default=str(VAR_DIR / "signing" / "signing.json"))
SIGNING_TSA_URL = env.str("SIGNING_TSA_URL", default="")
SIGNING_UPLOAD_MAX_MB = env.int("SIGNING_UPLOAD_MAX_MB", default=20)  # a file dropped on /xac-minh/
