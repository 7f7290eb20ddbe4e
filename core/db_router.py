"""Dashboards read from a PostgreSQL read replica when the province runs one.

The statistics pages (the Home Affairs dashboards, rankings, breakdowns, reports: GET requests that only read
pre-aggregated tables and the catalogue) are wrapped in `statistics_reads()` by `reads_statistics`; while that
context is active, every read goes to the alias named by `READ_REPLICA_ALIAS` (settings: set when
`DATABASE_REPLICA_URL` is given). Everything else — every write, every read of a page that changes data, the
Celery jobs that refresh the statistics — stays on the primary, so nothing ever reads its own write from a
lagging copy. Without a replica the router does nothing.
"""

from __future__ import annotations

import contextvars
import functools
from contextlib import contextmanager

from django.conf import settings

_statistics = contextvars.ContextVar("statistics_reads", default=False)


def replica_alias() -> str | None:
    alias = getattr(settings, "READ_REPLICA_ALIAS", None)
    return alias if alias and alias in settings.DATABASES else None


@contextmanager
def statistics_reads():
    token = _statistics.set(True)
    try:
        yield
    finally:
        _statistics.reset(token)


def reads_statistics(view):
    """A page whose GET only reads statistics: its reads may come from the replica."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with statistics_reads():
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()  # a lazy template response reads while it renders
            return response

    return wrapped


class StatisticsRouter:
    def db_for_read(self, model, **hints):
        if _statistics.get():
            return replica_alias()
        return None

    def db_for_write(self, model, **hints):
        return None  # the primary

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database and its copy

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db != "default" and db == getattr(settings, "READ_REPLICA_ALIAS", None):
            return False  # a replica is migrated by replication, never by us
        return None
