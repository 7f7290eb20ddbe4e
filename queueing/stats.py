"""The desk floor's statistics for one centre and a period of days: tickets, waiting and service times,
no-shows, abandoned tickets, appointments kept, and the satisfaction of the answers linked to tickets.

Definitions (README "Queue statistics"):

- a ticket belongs to the period by its `day` (the local day it was issued);
- served: status done; no-show: status no_show; abandoned: status abandoned (never called, closed with the
  day); still open: waiting, called or serving (only today's tickets before the day is closed);
- waiting time: first call − issue (`called_at − issued_at`), over the tickets ever called;
- service time: end − start of service (`finished_at − serving_at`, `serving_at` falling back to
  `called_at`), over the tickets served;
- median and 90th percentile are the continuous percentiles (linear interpolation between the two nearest
  values, PostgreSQL's `percentile_cont`), computed in Python;
- by counter / officer: the counter and officer that called the ticket last (a transferred ticket counts at
  the counter that finished it); tickets never called fall in the row "not called";
- by field: through the ticket's service (`Service.fields`): a service of two fields counts its tickets in
  both, so the field rows may add up to more than the total; a service with no field is the row "no field";
- appointments kept: checked_in / (checked_in + missed) of the appointments booked for a day of the period;
  cancelled ones (and those still booked) are left out;
- satisfaction: the survey answers whose `ticket` is one of the period's tickets (a rating source that the
  satisfaction app registers: this app never imports it).

Limit: the rows of the period are read into memory (a few hundred bytes a ticket). The page accepts at most
MAX_DAYS days of one centre: a centre issuing 1,000 tickets a working day reads ~250,000 rows for a year
(a second or two); dashboards that need more should read a pre-aggregated table.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from accounts import access
from accounts.models import Agency, User
from procedures.models import Field

from . import policies
from .models import Appointment, AppointmentStatus, Counter, Service, Ticket, TicketStatus

MAX_DAYS = 366
BREAKDOWNS = ("counter", "field", "officer")
NONE = 0  # the key of the row "not called" / "no field" (no object has id 0)

# A rating source: ticket ids -> {ticket id: satisfied (bool)} for the survey answers linked to them.
RatingSource = Callable[[list[int]], dict[int, bool]]
_RATING_SOURCES: list[RatingSource] = []


def register_rating_source(source: RatingSource) -> None:
    """A higher app (satisfaction) tells how tickets were rated, from its `AppConfig.ready()`."""
    if source not in _RATING_SOURCES:
        _RATING_SOURCES.append(source)


def ratings_available() -> bool:
    return bool(_RATING_SOURCES)


def percentile(values: list[float], q: float) -> float | None:
    """The continuous percentile `q` (0..1) of `values` (PostgreSQL's percentile_cont); None when empty."""
    if not values:
        return None
    s = sorted(values)
    pos = q * (len(s) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 60


@dataclass
class Row:
    key: int
    label: str
    tickets: int = 0
    served: int = 0
    no_show: int = 0
    abandoned: int = 0
    open: int = 0
    waits: list[float] = field(default_factory=list, repr=False)  # seconds
    services: list[float] = field(default_factory=list, repr=False)  # seconds
    rated: int = 0
    satisfied: int = 0
    appointments_kept: int = 0
    appointments_missed: int = 0

    # minutes, for the page
    @property
    def wait_median(self) -> float | None:
        return _minutes(percentile(self.waits, 0.5))

    @property
    def wait_p90(self) -> float | None:
        return _minutes(percentile(self.waits, 0.9))

    @property
    def service_median(self) -> float | None:
        return _minutes(percentile(self.services, 0.5))

    @property
    def service_p90(self) -> float | None:
        return _minutes(percentile(self.services, 0.9))

    @property
    def satisfied_share(self) -> float | None:
        return 100 * self.satisfied / self.rated if self.rated else None

    @property
    def appointments_kept_share(self) -> float | None:
        """Percent of the appointments that came (checked in) among those that came or missed."""
        den = self.appointments_kept + self.appointments_missed
        return 100 * self.appointments_kept / den if den else None

    def add(self, status: str, wait: float | None, service: float | None, rating: bool | None) -> None:
        self.tickets += 1
        if status == TicketStatus.DONE:
            self.served += 1
        elif status == TicketStatus.NO_SHOW:
            self.no_show += 1
        elif status == TicketStatus.ABANDONED:
            self.abandoned += 1
        else:
            self.open += 1
        if wait is not None:
            self.waits.append(wait)
        if service is not None:
            self.services.append(service)
        if rating is not None:
            self.rated += 1
            self.satisfied += int(rating)


@dataclass
class QueueStats:
    agency: Agency
    start: dt.date
    end: dt.date
    total: Row
    tables: dict[str, list[Row]]
    appointments_cancelled: int = 0
    with_ratings: bool = False


def _durations(status, issued_at, called_at, serving_at, finished_at) -> tuple[float | None, float | None]:
    wait = (called_at - issued_at).total_seconds() if called_at else None
    start = serving_at or called_at
    service = ((finished_at - start).total_seconds()
               if status == TicketStatus.DONE and finished_at and start else None)
    return wait, service


def period_tickets(agency, start: dt.date, end: dt.date) -> QuerySet[Ticket]:
    """The tickets of the centre issued on a day of [start, end] (both included): what every number counts."""
    return Ticket.objects.filter(agency=agency, day__range=(start, end))


def _service_fields(agency) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for service_id, field_id in Service.fields.through.objects.filter(service__agency=agency).values_list(
            "service_id", "field_id"):
        out[service_id].append(field_id)
    return out


def _ratings(ticket_ids: list[int]) -> dict[int, bool]:
    out: dict[int, bool] = {}
    for source in _RATING_SOURCES:
        out.update(source(ticket_ids))
    return out


def _labels(agency, keys: dict[str, set[int]]) -> dict[str, dict[int, str]]:
    counters = {c.pk: str(c) for c in Counter.objects.filter(pk__in=keys["counter"])}
    officers = {u.pk: u.full_name or u.email for u in User.objects.filter(pk__in=keys["officer"])}
    fields = {f.pk: f.name for f in Field.objects.filter(pk__in=keys["field"])}
    none = {"counter": _("Chưa được gọi"), "officer": _("Chưa được gọi"), "field": _("Không gắn lĩnh vực")}
    return {name: {NONE: none[name], **labels} for name, labels in
            (("counter", counters), ("officer", officers), ("field", fields))}


def queue_stats(agency, start: dt.date, end: dt.date) -> QueueStats:
    """Every number of the statistics page for one centre and a period (see the module's definitions)."""
    rows = list(period_tickets(agency, start, end).values_list(
        "id", "service_id", "counter_id", "officer_id", "status", "issued_at", "called_at", "serving_at",
        "finished_at"))
    fields_of = _service_fields(agency)
    ratings = _ratings([r[0] for r in rows]) if _RATING_SOURCES else {}
    total = Row(key=NONE, label=_("Cả trung tâm"))
    buckets: dict[str, dict[int, Row]] = {name: {} for name in BREAKDOWNS}

    def bucket(name: str, key: int | None) -> Row:
        key = key or NONE
        row = buckets[name].get(key)
        if row is None:
            row = buckets[name][key] = Row(key=key, label="")
        return row

    for pk, service_id, counter_id, officer_id, status, issued_at, called_at, serving_at, finished_at in rows:
        wait, service = _durations(status, issued_at, called_at, serving_at, finished_at)
        rating = ratings.get(pk)
        total.add(status, wait, service, rating)
        bucket("counter", counter_id).add(status, wait, service, rating)
        bucket("officer", officer_id).add(status, wait, service, rating)
        for field_id in fields_of.get(service_id) or [NONE]:
            bucket("field", field_id).add(status, wait, service, rating)

    cancelled = 0
    for service_id, status in Appointment.objects.filter(agency=agency, day__range=(start, end)).values_list(
            "service_id", "status"):
        if status == AppointmentStatus.CANCELLED:
            cancelled += 1
            continue
        if status not in (AppointmentStatus.CHECKED_IN, AppointmentStatus.MISSED):
            continue  # still booked: neither kept nor missed yet
        targets = [total] + [bucket("field", f) for f in fields_of.get(service_id) or [NONE]]
        for row in targets:
            if status == AppointmentStatus.CHECKED_IN:
                row.appointments_kept += 1
            else:
                row.appointments_missed += 1

    labels = _labels(agency, {name: set(b) - {NONE} for name, b in buckets.items()})
    tables = {}
    for name, rows_by_key in buckets.items():
        for key, row in rows_by_key.items():
            row.label = labels[name].get(key, "—")
        # named rows by name, the "not called" / "no field" row last
        tables[name] = sorted(rows_by_key.values(), key=lambda r: (r.key == NONE, r.label))
    return QueueStats(agency=agency, start=start, end=end, total=total, tables=tables,
                      appointments_cancelled=cancelled, with_ratings=bool(_RATING_SOURCES))


def centre_summary(agency, start: dt.date, end: dt.date) -> dict | None:
    """The two numbers other dashboards show (median wait in minutes, appointments kept in percent), None
    when the centre issued no ticket and had no appointment in the period."""
    waits = [(c - i).total_seconds() for i, c in period_tickets(agency, start, end).filter(
        called_at__isnull=False).values_list("issued_at", "called_at")]
    appts = dict(Appointment.objects.filter(agency=agency, day__range=(start, end), status__in=(
        AppointmentStatus.CHECKED_IN, AppointmentStatus.MISSED)).values_list("status").annotate(n=Count("id"))
        .values_list("status", "n"))
    issued = period_tickets(agency, start, end).count()
    kept, missed = appts.get(AppointmentStatus.CHECKED_IN, 0), appts.get(AppointmentStatus.MISSED, 0)
    if not issued and not (kept + missed):
        return None
    return {"issued": issued, "wait_median": _minutes(percentile(waits, 0.5)), "appointments_kept": kept,
            "appointments_missed": missed, "appointments_kept_share": 100 * kept / (kept + missed)
            if kept + missed else None}


# -- the tickets behind a number ----------------------------------------------------------------------

STATUS_FILTERS = {s.value for s in TicketStatus} | {"open"}


def tickets_behind(agency, start: dt.date, end: dt.date, *, counter: int | None = None, officer: int | None = None,
                   field_id: int | None = None, status: str = "") -> QuerySet[Ticket]:
    """Exactly the tickets a number of `queue_stats` counts: `counter` / `officer` / `field_id` select a row of
    a table (NONE: the row "not called" / "no field"; None: any), `status` a column ("" for all tickets,
    "open" for waiting, called or serving)."""
    qs = period_tickets(agency, start, end)
    if counter is not None:
        qs = qs.filter(counter__isnull=True) if counter == NONE else qs.filter(counter_id=counter)
    if officer is not None:
        qs = qs.filter(officer__isnull=True) if officer == NONE else qs.filter(officer_id=officer)
    if field_id is not None:
        qs = qs.filter(service__fields__isnull=True) if field_id == NONE else qs.filter(service__fields=field_id)
    if status == "open":
        qs = qs.filter(status__in=(TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING))
    elif status:
        qs = qs.filter(status=status)
    return qs


def ticket_rows(qs: QuerySet[Ticket], limit: int = 500) -> list[Ticket]:
    """The drill-down list: times, counter, officer, service and the linked dossiers' codes."""
    rows = list(qs.select_related("service", "counter", "officer").prefetch_related("dossiers")
                .order_by("day", "issued_at", "id")[:limit])
    for t in rows:
        t.wait_minutes, t.service_minutes = (_minutes(x) for x in _durations(
            t.status, t.issued_at, t.called_at, t.serving_at, t.finished_at))
    return rows


# -- who may see which centre ------------------------------------------------------------------------

def stats_agency_list(user) -> list[Agency]:
    """The centres (agencies with a queue service) whose statistics `user` may see."""
    candidates = Agency.objects.filter(pk__in=Service.objects.values("agency_id")).filter(
        pk__in=access.visible_agency_ids(user))
    return [a for a in candidates.order_by("name") if policies.can_see_queue_stats(user, a)]
