"""Settings for the test suite: PostgreSQL and Redis, as in production.

`make test` runs against PostgreSQL (DATABASE_URL, default the local server) and Redis
(REDIS_URL). Running the suite on SQLite by accident would hide real bugs (locking,
concurrency, unaccent search), so it is refused unless ALLOW_SQLITE_TESTS=1.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/portal")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="portal-test-var-"))

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, env

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not env.bool(
    "ALLOW_SQLITE_TESTS", default=False
):
    raise ImproperlyConfigured(
        "Bộ kiểm thử phải chạy trên PostgreSQL (DATABASE_URL=postgres://...). "
        "Đặt ALLOW_SQLITE_TESTS=1 nếu thật sự muốn chạy trên SQLite."
    )

# A second connection alias that mirrors the primary, to test the dashboards' replica routing
# (core/db_router.py); it is used only where a test sets READ_REPLICA_ALIAS.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
READ_REPLICA_ALIAS = None

REDIS_URL = env.str("REDIS_URL")
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = env.str("TEST_CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("TEST_CELERY_RESULT_BACKEND", default=REDIS_URL)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# Static files straight from the apps' folders (no collectstatic, no manifest) in tests.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = VAR_DIR / "static"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
PAYMENT_GATEWAY = "simulator"  # the VNPay protocol against the portal's own stand-in
NATIONAL_PORTAL_SECRET = "test-national-portal-secret"
NATIONAL_PORTAL_SIMULATOR = True
# A developer's .env turns DEBUG on, which points the outbox and the API at the simulator (base.py): the
# suite starts with neither (no outbox, no national portal to ask); a test that needs them sets them.
SYNC_TARGET_URL = ""
NATIONAL_PORTAL_API_URL = ""
