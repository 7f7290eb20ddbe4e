"""The breakdown rollup (MonthlyBreakdown): the monthly counts of dossiers/stats.py split per agency, procedure
and officer, so the breakdown page (parindex) sums a few stored rows instead of grouping the dossier table.
Refreshed in `stats.monthly_stats_refresh`, with the same querysets (received_between, finished_between,
open_at), so its numbers are those of a direct count when the month was computed."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from .models import MonthlyBreakdown
from .stats import E_RESULT, LATE, PAID_ONLINE, ROUTED, _bounds, finished_between, open_at, received_between

PROCEDURE, OFFICER = "procedure_version__procedure", "assignee"
COUNTS = ("received", "for_others", "online", "fee_due", "paid_online", "early", "on_time", "late", "e_result",
          "overdue")


def compute_breakdown_month(month: dt.date, *, now: dt.datetime) -> dict[tuple, dict[str, int]]:
    """{(agency_id, procedure_id, officer_id): counts} of one month (the current month up to `now`)."""
    start, end = _bounds(month)
    cutoff = min(end, now)
    rows: dict[tuple, dict[str, int]] = {}

    def add(qs, agency_field, **counts):
        for r in qs.values(agency_field, PROCEDURE, OFFICER).annotate(**counts).order_by():
            row = rows.setdefault((r.pop(agency_field), r.pop(PROCEDURE), r.pop(OFFICER)), dict.fromkeys(COUNTS, 0))
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


def breakdown_store_month(month: dt.date, *, now: dt.datetime) -> int:
    """Replace the month's rows with a fresh count (inside the caller's transaction); re-running gives identical
    rows but for `computed_at`."""
    computed = compute_breakdown_month(month, now=now)
    MonthlyBreakdown.objects.filter(month=month).delete()
    MonthlyBreakdown.objects.bulk_create(
        [MonthlyBreakdown(agency_id=agency, procedure_id=procedure, officer_id=officer, month=month,
                          computed_at=now, **counts)
         for (agency, procedure, officer), counts in computed.items()], batch_size=2000)
    return len(computed)
