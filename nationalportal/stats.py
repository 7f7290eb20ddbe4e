"""The status-sync counts per handling agency and month, stored in MonthlySyncStats for the index
dashboards (the Decision-766 "dossier sync" indicator):

- dossiers_to_sync: dossiers with a status change (a sync item) in the month;
- dossiers_synced: of those, the ones whose every change of the month was delivered.

One aggregate query per month (grouped by agency); re-running gives identical rows.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q

from dossiers.models import Dossier
from dossiers.stats import _bounds, only, store_months

from .models import MonthlySyncStats, SyncItem, SyncStatus

FIELDS = ("dossiers_to_sync", "dossiers_synced")


def compute_month(month: dt.date, *, now: dt.datetime | None = None, agencies=None) -> dict[int, dict[str, int]]:
    """{agency_id: {field: count}} for one month (with `agencies`, those agencies' rows only)."""
    start, end = _bounds(month)
    unsent = SyncItem.objects.filter(dossier=OuterRef("pk"), created_at__gte=start, created_at__lt=end).exclude(
        status=SyncStatus.SENT)
    dossiers = only(Dossier.objects.all(), "handling_agency", agencies)
    rows = (dossiers.filter(sync_items__created_at__gte=start, sync_items__created_at__lt=end).distinct()
            .annotate(unsent=Exists(unsent)).values("handling_agency")
            .annotate(dossiers_to_sync=Count("id", distinct=True),
                      dossiers_synced=Count("id", filter=Q(unsent=False), distinct=True)).order_by())
    return {r.pop("handling_agency"): r for r in rows}


@transaction.atomic
def monthly_sync_refresh(*, first: dt.date, last: dt.date, now: dt.datetime | None = None, agencies=None) -> int:
    """Recompute and store the months from `first` to `last` (inclusive), for every agency or only `agencies`;
    returns the rows written."""
    return store_months(MonthlySyncStats, FIELDS, compute_month, first=first, last=last, now=now,
                        agencies=agencies)
