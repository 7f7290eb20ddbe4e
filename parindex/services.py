"""Writes on index configurations, and the refresh of the figures the dashboards read."""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dossiers.models import DossierEvent
from dossiers.stats import closed_months, monthly_stats_refresh, months_close
from feedback.models import FeedbackEvent
from nationalportal.stats import monthly_sync_refresh
from satisfaction.models import Invitation, SurveyResponse
from satisfaction.stats import monthly_satisfaction_refresh

from .metrics import snapshots_refresh
from .models import Criterion, FiguresRun, IndexConfig
from .ranking import ranked_periods_refresh


@transaction.atomic
def config_copy(*, config: IndexConfig) -> IndexConfig:
    """A draft copy of a configuration with its whole tree of criteria."""
    base, n = f"{config.version}-ban-sao", 1
    version = base
    while IndexConfig.objects.filter(code=config.code, version=version).exists():
        n += 1
        version = f"{base}-{n}"
    copy = IndexConfig.objects.create(code=config.code, version=version, name=f"{config.name} (bản sao)"[:300],
                                      kind=config.kind,
                                      effective_from=config.effective_from, status="draft", source=config.source)
    mapping = {}
    pending = list(config.criteria.all())  # parents before their children, whatever the order read
    while pending:
        rest = []
        for c in pending:
            if c.parent_id and c.parent_id not in mapping:
                rest.append(c)
                continue
            mapping[c.pk] = Criterion.objects.create(
                config=copy, parent=mapping.get(c.parent_id), code=c.code, name=c.name, order=c.order,
                max_points=c.max_points, method=c.method, metric=c.metric, rule=c.rule)
        pending = rest
    return copy


@transaction.atomic
def figures_refresh(*, first: dt.date, last: dt.date, now: dt.datetime | None = None) -> int:
    """Recompute the metric snapshots of the months first..last (with their quarter and year totals), then the
    stored rankings of this month, quarter and year, in one transaction: a reader sees the old figures or the
    new ones, never a mix. Returns the snapshot rows written."""
    now = now or timezone.now()
    written = snapshots_refresh(first=first, last=last, now=now)
    ranked_periods_refresh(now=now)
    return written


ACTIVITY = {"dossier_events": DossierEvent, "feedback_events": FeedbackEvent, "survey_responses": SurveyResponse,
            "invitations": Invitation}


def _activity() -> dict[str, int]:
    """The highest id of each kind of record whose arrival changes the month's counts (dossier events include the
    sweep's due-soon and overdue marks, apology letters, results): one index read each."""
    return {name: model.objects.aggregate(m=Max("pk"))["m"] or 0 for name, model in ACTIVITY.items()}


@transaction.atomic
def figures_refresh_current(*, now: dt.datetime | None = None) -> dict:
    """Every FIGURES_REFRESH_MINUTES (beat): count this month's tables again from the records, then its snapshots,
    quarter and year totals and the stored rankings, so the dashboards show an action within one run. The month
    that just ended is counted one last time and closed (kept as it was from then on). Nothing new since the last
    run (and less than FIGURES_REFRESH_IDLE_MINUTES since it): one read, nothing written."""
    now = now or timezone.now()
    t0 = time.perf_counter()
    month = timezone.localtime(now).date().replace(day=1)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    run = FiguresRun.objects.select_for_update().filter(key="current").first()
    seen = _activity()
    idle = dt.timedelta(minutes=settings.FIGURES_REFRESH_IDLE_MINUTES)
    to_close = previous not in closed_months(previous, previous)
    if run is not None and run.seen == seen and now - run.ran_at < idle and not to_close:
        return {"skipped": True}
    first = previous if to_close else month
    for refresh in (monthly_stats_refresh, monthly_sync_refresh, monthly_satisfaction_refresh):
        refresh(first=first, last=month, now=now)
    closed = months_close(months=[previous], now=now) if to_close else []
    written = figures_refresh(first=first, last=month, now=now)
    seconds = time.perf_counter() - t0
    FiguresRun.objects.update_or_create(key="current", defaults={"seen": seen, "ran_at": now, "seconds": seconds})
    return {"skipped": False, "months": [first.isoformat(), month.isoformat()],
            "closed": [m.isoformat() for m in closed], "rows": written, "seconds": round(seconds, 2)}
