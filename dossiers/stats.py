"""Monthly counts per agency (legal.md §2.5), stored in MonthlyAgencyStats for the index dashboards to read.

Which agency a count goes to (reception regardless of administrative boundaries, Decree 118/2025; see
`dossiers/routing.py`): a dossier has a receiving desk (`receiving_agency`) and a competent agency
(`handling_agency`), usually the same.

- **The receiving desk** gets what happens at reception: `received`, the channel share
  (`received_online_766`), `dossiers_reusing_data` (the desk checks the citizen's document store and
  digitises at reception; its denominator is `received`, so both sit here), `dossiers_fee_obligation`,
  `dossiers_paid_online` and `procedures_paid_online` (fees and charges are fixed and collected at the
  desk that receives the dossier, online or at the counter; `paid_online / fee_obligation` keeps its
  numerator and denominator on this side), and `received_for_others` (received here for another
  competent agency, a part of `received`, shown on the dashboards as its own line and never added to
  `received` again).
- **The competent agency** gets what it is judged on: finished early / on time / late, in progress,
  the Decision-766 progress population and its on-time part, electronic results and digitised dossiers
  (their denominator is the dossiers it finished), apology letters (it issues them), and
  `received_from_others` (dossiers it handles that another desk received in the month; not part of its
  `received`).

So the province's totals count every dossier once on each side.

- received: dossiers received in the month;
- finished early / on time / late: the result reached the one-stop desk (`resolved_at`) in the
  month, judged against the legal time (late even with an apology letter); `finished_late`
  includes `finished_late_twice` (finished after the re-appointment as well);
- in progress within time / overdue: at the end of the month (now, for the current month),
  received and neither finished nor closed, against the legal appointment (before any re-appointment);
  a dossier waiting for the citizen's supplement has no running clock and counts as within time;
- apology letters issued in the month, and those issued less than a day before the appointment;
- of the dossiers received in the month: those reusing a document from the citizen's store, those
  owing a fee, those paid online (here or on the national portal's payment platform), and the procedures
  with at least one online payment;
- of the dossiers finished in the month: an electronic result (its result document digitally signed, by
  the agency or a leader, and not revoked: `E_RESULT`) and digitised ones (every required component on
  file as well).

Every number is one aggregate query per month (grouped by agency), so a month of a province with
millions of dossiers is a few index range scans. Re-running gives identical rows.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.fields import DateTimeRangeField
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from psycopg2.extras import DateTimeTZRange

from core.bulk import bulk_insert
from core.errors import DomainError
from procedures.models import RequiredDocument
from signing.models import DocumentStatus, SignatureState
from workcalendar.calendar import TZ

from .models import (
    ApologyLetter,
    Attachment,
    AttachmentKind,
    ClosedMonth,
    Dossier,
    LetterStatus,
    MonthlyAgencyStats,
    MonthlyBreakdown,
    PaymentMethod,
    Punctuality,
)

FIELDS = ("received", "finished_early", "finished_on_time", "finished_late", "finished_late_twice",
          "in_progress_on_time", "in_progress_overdue", "apologies_issued", "apologies_issued_late",
          "dossiers_digitized", "dossiers_e_result", "dossiers_reusing_data", "dossiers_fee_obligation",
          "dossiers_paid_online", "procedures_paid_online", "dossiers_766", "dossiers_766_on_time",
          "received_online_766", "received_for_others", "received_from_others")

RECEIVING, HANDLING = "receiving_agency", "handling_agency"
ROUTED = ~Q(receiving_agency=F("handling_agency"))  # received at one desk for another competent agency


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, m = [], month_start(first)
    while m <= month_start(last):
        out.append(m)
        m = next_month(m)
    return out


def recent_months(months_back: int, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """(first, last) months for a nightly refresh: this month and `months_back` before it."""
    if not isinstance(months_back, int) or isinstance(months_back, bool) or not 0 <= months_back <= 24:
        raise ValueError("months_back phải là số nguyên từ 0 đến 24.")
    last = (today or timezone.localdate()).replace(day=1)
    first = last
    for _ in range(months_back):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first, last


def _bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(month, dt.time.min, tzinfo=TZ),
            dt.datetime.combine(next_month(month), dt.time.min, tzinfo=TZ))


def received_between(start: dt.datetime, end: dt.datetime):
    return Dossier.objects.filter(received_at__gte=start, received_at__lt=end)


def finished_between(start: dt.datetime, end: dt.datetime):
    """The result reached the desk in [start, end) (the end of processing for the index)."""
    return Dossier.objects.filter(resolved_at__gte=start, resolved_at__lt=end)


def open_at(cutoff: dt.datetime):
    """Received before `cutoff` and neither finished nor closed at that moment, with `legal_due`
    (the appointment before any re-appointment) annotated. Written as three cases, each served by an index
    (finished after the cutoff; still unfinished; closed after it without a result), so a month's count reads
    the dossiers open then, not every dossier ever received."""
    later = Q(resolved_at__gte=cutoff) & (Q(closed_at__isnull=True) | Q(closed_at__gte=cutoff))
    unfinished = Q(resolved_at__isnull=True) & Q(closed_at__isnull=True)
    closed_later = Q(resolved_at__isnull=True) & Q(closed_at__gte=cutoff)
    qs = Dossier.objects.filter(received_at__lt=cutoff).filter(later | unfinished | closed_later)
    if connection.vendor == "postgresql":  # the dossiers whose span holds the cutoff: a superset, served by an index
        qs = qs.alias(span=open_span()).filter(span__contains=cutoff)
    return qs.annotate(legal_due=Coalesce("extended_from", "due_at"))


def open_span():
    """A dossier's span from its reception to the end of processing (the result, else the closing; unbounded while
    neither happened): `tstzrange(received_at, COALESCE(resolved_at, closed_at), '[]')`, its end never before its
    start. PostgreSQL indexes it (GiST, `dossier_open_span`, migration 0042), so "open at a moment" and "open during
    a month" read the dossiers open then. Without it, every count of an earlier month read every dossier received
    before it (the planner took the reception-date index and filtered), O(history) per month: 0.25 s for each of
    three counts per month at 1,000,000 dossiers (issue #21). Used only as a pre-filter implied by the exact
    conditions, so the counts are the same with or without it; this expression must stay the migration's."""
    ended = Coalesce("resolved_at", "closed_at")
    return Func(F("received_at"), Case(When(GreaterThan(F("received_at"), ended), then=F("received_at")),
                                       default=ended),
                Value("[]"), function="tstzrange", output_field=DateTimeRangeField())


LATE = Q(punctuality__in=(Punctuality.LATE, Punctuality.LATE_TWICE))
# A result issued electronically: the dossier's result document (signing.IssuedDocument) carries a digital
# signature (the agency's or a leader's) and has not been revoked. A PDF approved without a signature, or a
# scan of the paper result, is not one.
E_RESULT = Q(e_result_document__signature__in=(SignatureState.AGENCY, SignatureState.OFFICER),
             e_result_document__status__in=(DocumentStatus.VALID, DocumentStatus.REPLACED))


def with_components(qs):
    """Annotate `req` (required components of the version) and `att` (those on file electronically)."""
    required = (RequiredDocument.objects.filter(version=OuterRef("procedure_version"), requirement="required")
                .values("version").annotate(c=Count("id")).values("c"))
    attached = (Attachment.objects.filter(dossier=OuterRef("pk"), kind=AttachmentKind.COMPONENT, is_active=True,
                                          document__requirement="required")
                .values("dossier").annotate(c=Count("document", distinct=True)).values("c"))
    return qs.annotate(req=Coalesce(Subquery(required), 0), att=Coalesce(Subquery(attached), 0))


DIGITIZED = E_RESULT & Q(att__gte=F("req"))  # on a queryset from with_components()


def counted_766(start: dt.datetime, end: dt.datetime, cutoff: dt.datetime):
    """The Decision-766 progress population of [start, end) with `on_time_766` annotated (indices.md §4.3):
    received before the end and not ended before the start; the end of processing is the first of the
    result reaching the desk and the dossier closing (stopped, withdrawn …), except that a single request
    for a supplement ends it at that request; more than one request is late; a dossier still in process
    at the end of the period is judged at `cutoff`. Supplement time is already out of `due_at` (the clock).
    The requests are counted on the dossier row (`supplement_requests`, `first_supplement_request_at`, kept with
    their events), so the month reads dossier rows only: no probe of the events per dossier."""
    # Only dossiers not finished nor closed before the start can have ended after it (one supplement request
    # ends processing earlier, never later, than the result or the closing): an index-served pre-filter, so the
    # month reads its own dossiers and those open at its start, not the whole history.
    not_ended_before = (Q(resolved_at__gte=start) | Q(resolved_at__isnull=True, closed_at__isnull=True)
                        | Q(resolved_at__isnull=True, closed_at__gte=start))
    qs = Dossier.objects.filter(received_at__lt=end).filter(not_ended_before)
    if connection.vendor == "postgresql":  # the spans that meet the month: a superset, served by an index
        qs = qs.alias(span=open_span()).filter(span__overlap=DateTimeTZRange(start, end, "[)"))
    qs = (qs
          .annotate(legal_due=Coalesce("extended_from", "due_at"))
          .annotate(ended=Case(When(supplement_requests=1, then=F("first_supplement_request_at")),
                               default=Coalesce("resolved_at", "closed_at")))
          .filter(Q(ended__isnull=True) | Q(ended__gte=start))
          .annotate(judged=Case(When(ended__lt=end, then=F("ended")), default=Value(cutoff),
                                output_field=DateTimeField())))
    return qs.annotate(on_time_766=Case(When(Q(supplement_requests__lte=1) & Q(judged__lte=F("legal_due")),
                                             then=Value(True)),
                                        default=Value(False), output_field=BooleanField()))


ONLINE_766 = Q(channel="online") & (~Q(procedure_version__result_kind="paper") | E_RESULT)
# Paid online (the 766 payment indicators): through the portal's own gateway or on the national portal's
# payment platform for a dossier filed there (indices.md: DuocThanhToanTrucTuyen 1 and 2 are both online).
PAID_ONLINE = Q(fee_paid_via__in=(PaymentMethod.ONLINE, PaymentMethod.NATIONAL_PORTAL))


def only(qs, field: str, agencies):
    """The queryset restricted to the agencies in `field` (a refresh of the agencies touched since the last run);
    unchanged when `agencies` is None (every agency)."""
    return qs if agencies is None else qs.filter(**{f"{field}__in": agencies})


def compute_month(month: dt.date, *, now: dt.datetime | None = None, agencies=None) -> dict[int, dict[str, int]]:
    """{agency_id: {field: count}} for one month (the current month is counted up to now); with `agencies`, the
    rows of those agencies only (each row depends on the dossiers of its own agency alone)."""
    now = now or timezone.now()
    start, end = _bounds(month)
    cutoff = min(end, now)
    rows: dict[int, dict[str, int]] = {}

    def add(qs, agency_field: str = HANDLING):
        for r in only(qs, agency_field, agencies):
            counts = rows.setdefault(r.pop(agency_field), dict.fromkeys(FIELDS, 0))
            for key, value in r.items():
                counts[key] += value

    reused = Attachment.objects.filter(dossier=OuterRef("pk"), reused=True, is_active=True)
    # The reception side: counted with the desk that received the dossier (see the module docstring).
    add(received_between(start, end).annotate(reuse=Exists(reused))
        .values(RECEIVING).annotate(
            received=Count("id"),
            received_for_others=Count("id", filter=ROUTED),
            dossiers_reusing_data=Count("id", filter=Q(reuse=True)),
            dossiers_fee_obligation=Count("id", filter=Q(fee_total__gt=0)),
            dossiers_paid_online=Count("id", filter=PAID_ONLINE),
            procedures_paid_online=Count("procedure_version__procedure", distinct=True,
                                         filter=PAID_ONLINE)).order_by(),
        agency_field=RECEIVING)
    add(received_between(start, end).filter(ROUTED).values(HANDLING)
        .annotate(received_from_others=Count("id")).order_by())
    add(received_between(start, end).filter(ONLINE_766).values(RECEIVING)
        .annotate(received_online_766=Count("id")).order_by(), agency_field=RECEIVING)
    # The competent agency's side: progress, punctuality, results, apologies.
    late = LATE
    if start < now:
        add(counted_766(start, end, cutoff).values(HANDLING).annotate(
            dossiers_766=Count("id"), dossiers_766_on_time=Count("id", filter=Q(on_time_766=True))).order_by())
    add(finished_between(start, end).values(HANDLING).annotate(
        finished_early=Count("id", filter=Q(punctuality=Punctuality.EARLY)),
        finished_on_time=Count("id", filter=Q(punctuality=Punctuality.ON_TIME)),
        finished_late=Count("id", filter=late),
        finished_late_twice=Count("id", filter=Q(punctuality=Punctuality.LATE_TWICE))).order_by())
    if start < now:
        add(open_at(cutoff).values(HANDLING).annotate(
            in_progress_overdue=Count("id", filter=Q(legal_due__lt=cutoff)),
            in_progress_on_time=Count("id", filter=Q(legal_due__gte=cutoff) | Q(legal_due__isnull=True))).order_by())
    add(ApologyLetter.objects.filter(status=LetterStatus.ISSUED, issued_at__gte=start, issued_at__lt=end)
        .values("agency").annotate(apologies_issued=Count("id"),
                                   apologies_issued_late=Count("id", filter=Q(issued_late=True))).order_by(),
        agency_field="agency")
    # Digitisation (766): of the dossiers finished in the month, those with an electronic result, and
    # those whose every required component is also on file electronically.
    # The components are counted (two subqueries per dossier) for the electronic results only: a digitised dossier
    # has one, and the month's other finished dossiers are not read twice (0.9 s -> 0.1 s a month at 5,000,000).
    add(finished_between(start, end).values(HANDLING)
        .annotate(dossiers_e_result=Count("id", filter=E_RESULT)).order_by())
    add(with_components(finished_between(start, end).filter(E_RESULT)).filter(att__gte=F("req"))
        .values(HANDLING).annotate(dossiers_digitized=Count("id")).order_by())
    return rows


def store_months(model, fields, compute, *, first: dt.date, last: dt.date, now: dt.datetime | None = None,
                 agencies=None) -> int:
    """Recompute the months from `first` to `last` with `compute(month, now=, agencies=)` -> {agency_id: counts}
    and upsert one `model` row per agency and month (agencies no longer counted are zeroed, so a re-run gives
    identical rows). With `agencies`, only their rows are counted and written. Shared by the monthly tables of
    dossiers, national-portal sync and satisfaction."""
    if first > last:
        raise DomainError("invalid_range", "Tháng bắt đầu phải trước hoặc bằng tháng kết thúc.")
    now = now or timezone.now()
    written = 0
    closed = closed_months(first, last)
    for month in months(first, last):
        if month in closed:  # kept as counted when the month was closed (months_close)
            continue
        computed = compute(month, now=now, agencies=agencies)
        only(model.objects.filter(month=month), "agency_id", agencies).exclude(agency_id__in=computed).update(
            **dict.fromkeys(fields, 0), computed_at=now)
        bulk_insert(model, [{"agency_id": agency_id, "month": month, "computed_at": now, **counts}
                            for agency_id, counts in computed.items()],
                    unique=["agency", "month"], update=[*fields, "computed_at"])
        written += len(computed)
    return written


def closed_months(first: dt.date, last: dt.date) -> set[dt.date]:
    return set(ClosedMonth.objects.filter(month__gte=first, month__lte=last).values_list("month", flat=True))


@transaction.atomic
def months_close(*, months: list[dt.date], now: dt.datetime | None = None) -> list[dt.date]:
    """Close these months (their tables were just counted after their end, by the caller): from now on the
    refreshes keep their rows as they are. A month not yet ended is refused. Returns the months newly closed."""
    now = now or timezone.now()
    for month in months:
        if _bounds(month.replace(day=1))[1] > now:
            raise DomainError("month_open", f"Tháng {month:%m/%Y} chưa kết thúc, không thể chốt số liệu.")
    done = {m for m in ClosedMonth.objects.filter(month__in=months).values_list("month", flat=True)}
    newly = sorted({m.replace(day=1) for m in months} - done)
    ClosedMonth.objects.bulk_create([ClosedMonth(month=m, closed_at=now) for m in newly], ignore_conflicts=True)
    return newly


# -- the breakdown rollup (MonthlyBreakdown) ----------------------------------------------------------------
# The monthly counts above split per agency, procedure and officer, so the breakdown page (parindex) sums a few
# stored rows instead of grouping the dossier table. Same querysets (received_between, finished_between,
# open_at), so its numbers are those of a direct count when the month was computed.

BY_PROCEDURE, BY_OFFICER = "procedure_version__procedure", "assignee"
BREAKDOWN_COUNTS = ("received", "for_others", "online", "fee_due", "paid_online", "early", "on_time", "late",
                    "e_result", "overdue")


def compute_breakdown_month(month: dt.date, *, now: dt.datetime, agencies=None) -> dict[tuple, dict[str, int]]:
    """{(agency_id, procedure_id, officer_id): counts} of one month (the current month up to `now`); with
    `agencies`, those agencies' rows only."""
    start, end = _bounds(month)
    cutoff = min(end, now)
    rows: dict[tuple, dict[str, int]] = {}

    def add(qs, agency_field, **counts):
        for r in only(qs, agency_field, agencies).values(agency_field, BY_PROCEDURE, BY_OFFICER).annotate(
                **counts).order_by():
            key = (r.pop(agency_field), r.pop(BY_PROCEDURE), r.pop(BY_OFFICER))
            row = rows.setdefault(key, dict.fromkeys(BREAKDOWN_COUNTS, 0))
            for name, value in r.items():
                row[name] += value

    # the reception side: the desk that received the dossier in the month
    add(received_between(start, end), "receiving_agency", received=Count("id"), for_others=Count("id", filter=ROUTED),
        online=Count("id", filter=Q(channel="online")), paid_online=Count("id", filter=PAID_ONLINE),
        fee_due=Count("id", filter=Q(fee_total__gt=0)))
    # the competent agency: finished in the month, and still open past the legal appointment at its end
    add(finished_between(start, end), "handling_agency", early=Count("id", filter=Q(punctuality="early")),
        on_time=Count("id", filter=Q(punctuality="on_time")), late=Count("id", filter=LATE),
        e_result=Count("id", filter=E_RESULT))
    if start < now:
        add(open_at(cutoff).filter(legal_due__lt=cutoff), "handling_agency", overdue=Count("id"))
    return rows


def breakdown_store_month(month: dt.date, *, now: dt.datetime, agencies=None) -> int:
    """Replace the month's rows (those of `agencies`, if given) with a fresh count (inside the caller's
    transaction); re-running gives identical rows but for `computed_at`."""
    computed = compute_breakdown_month(month, now=now, agencies=agencies)
    only(MonthlyBreakdown.objects.filter(month=month), "agency_id", agencies).delete()
    bulk_insert(MonthlyBreakdown, [{"agency_id": agency, "procedure_id": procedure, "officer_id": officer,
                                    "month": month, "computed_at": now, **counts}
                                   for (agency, procedure, officer), counts in computed.items()])
    return len(computed)


@transaction.atomic
def monthly_stats_refresh(*, first: dt.date, last: dt.date, now: dt.datetime | None = None, agencies=None) -> int:
    """Recompute and store the months from `first` to `last` (inclusive), with their split by procedure and
    officer (MonthlyBreakdown, the breakdown page's rows), for every agency or only `agencies`; returns the
    MonthlyAgencyStats rows written."""
    now = now or timezone.now()
    written = store_months(MonthlyAgencyStats, FIELDS, compute_month, first=first, last=last, now=now,
                           agencies=agencies)
    closed = closed_months(first, last)  # kept as counted, like the table above
    for month in months(first, last):
        if month not in closed:
            breakdown_store_month(month, now=now, agencies=agencies)
    return written

