"""Build (and cache) the WorkCalendar that applies to an agency.

The cache key includes a fingerprint of the override table (count, newest change, highest id),
read with one small query, so an override saved by an administrator changes every answer at
once in every process, with no restart and no cache to flush by hand.
"""

from __future__ import annotations

import datetime as dt
import threading

from django.db.models import Count, Max, Q
from django.utils import timezone

from accounts.models import Agency

from .calendar import OfficeHours, Override, WorkCalendar
from .models import CalendarOverride, CalendarYear

_lock = threading.Lock()
_cache: dict[tuple, tuple[tuple, WorkCalendar]] = {}


def _province_of(agency: Agency | None) -> int | None:
    return agency.province.pk if agency is not None else None


def _overrides(province_id: int | None):
    qs = CalendarOverride.objects.filter(Q(province__isnull=True) | Q(province_id=province_id))
    return qs


def calendar_for(agency: Agency | None = None) -> WorkCalendar:
    province_id = _province_of(agency)
    hours = OfficeHours.of(agency) if agency is not None else OfficeHours.from_settings()
    qs = _overrides(province_id)
    fingerprint = tuple(qs.aggregate(n=Count("id"), changed=Max("updated_at"), top=Max("id")).values())
    key = (province_id, hours)
    hit = _cache.get(key)
    if hit and hit[0] == fingerprint:
        return hit[1]
    rows = qs.order_by("province_id", "date").values_list("date", "kind", "name", "province_id")
    # National first, then the province's own: a later override of the same day wins.
    ordered = sorted(rows, key=lambda r: (r[3] is not None, r[0]))
    cal = WorkCalendar(hours=hours, overrides=[Override(d, k, n) for d, k, n, _ in ordered])
    with _lock:
        _cache[key] = (fingerprint, cal)
    return cal


def unconfirmed_coming_year(today: dt.date | None = None) -> int | None:
    """The coming year if its official holiday schedule has not been confirmed yet."""
    today = today or timezone.localdate()
    coming = today.year + 1
    if CalendarYear.objects.filter(year=coming, confirmed=True).exists():
        return None
    return coming
