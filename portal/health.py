"""/healthz: is the portal able to serve? Database, cache and broker, each checked.

200 with {"status": "ok", ...} when all pass; 503 naming each part that failed.
The last Celery beat heartbeat is reported for information (a stopped beat does not
make the web tier unhealthy).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.celery import HEARTBEAT_CACHE_KEY, app

logger = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    key = "healthz:probe"
    value = str(time.time())
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        raise RuntimeError("cache did not return the value just written")


def check_broker() -> None:

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


@never_cache
@require_GET
def healthz(request):
    results: dict[str, str] = {}
    failed: list[str] = []
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure makes that part unhealthy
            logger.warning("healthz: %s failed: %s", name, exc)
            results[name] = f"error: {exc.__class__.__name__}"
            failed.append(name)

    try:
        beat = cache.get(HEARTBEAT_CACHE_KEY)
    except Exception:  # noqa: BLE001
        beat = None
    age = None
    if beat:
        try:
            age = round((timezone.now() - datetime.fromisoformat(beat)).total_seconds())
        except (TypeError, ValueError):
            age = None
    body = {
        "status": "ok" if not failed else "error",
        "checks": results,
        "failed": failed,
        "celery_heartbeat": beat,
        "celery_heartbeat_age_seconds": age,
    }
    return JsonResponse(body, status=200 if not failed else 503)
