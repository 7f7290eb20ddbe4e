"""The Celery application. Tasks live in each app's tasks.py (autodiscovered)."""

import os

from celery import Celery
from django.core.cache import cache
from django.utils import timezone

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

HEARTBEAT_CACHE_KEY = "celery:heartbeat"


@app.task(name="portal.celery.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Run by beat every CELERY_HEARTBEAT_SECONDS; /healthz reports how old the last beat is."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=None)
    return now
