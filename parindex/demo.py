"""Demo: compute the monthly tables and snapshots of the last twelve months, so the dashboards open
with numbers (the nightly tasks keep them fresh afterwards)."""

from __future__ import annotations

from django.utils import timezone

from dossiers.stats import monthly_stats_refresh, recent_months
from nationalportal.stats import monthly_sync_refresh
from satisfaction.stats import monthly_satisfaction_refresh

from .models import MetricSnapshot
from .services import figures_refresh


def seed(context: dict) -> None:
    if MetricSnapshot.objects.exists():
        return
    first, last = recent_months(11, timezone.localdate())
    monthly_stats_refresh(first=first, last=last)
    monthly_sync_refresh(first=first, last=last)
    monthly_satisfaction_refresh(first=first, last=last)
    context["metric_rows"] = figures_refresh(first=first, last=last)
