"""Writes on index configurations, and the refresh of the figures the dashboards read."""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from dossiers.models import ApologyLetter, Dossier, DossierEvent
from dossiers.stats import _bounds, closed_months, monthly_stats_refresh, months_close
from feedback.models import Feedback, FeedbackEvent, FeedbackVote
from nationalportal.models import SyncItem
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
def figures_refresh(*, first: dt.date, last: dt.date, now: dt.datetime | None = None, agencies=None) -> int:
    """Recompute the metric snapshots of the months first..last (with their quarter and year totals), then the
    stored rankings of this month, quarter and year, in one transaction: a reader sees the old figures or the
    new ones, never a mix. With `agencies`, only their rows (and their provinces' totals). Returns the snapshot
    rows written."""
    now = now or timezone.now()
    written = snapshots_refresh(first=first, last=last, now=now, agencies=agencies)
    ranked_periods_refresh(now=now, agencies=agencies)
    return written


ACTIVITY = {"dossier_events": DossierEvent, "feedback_events": FeedbackEvent, "survey_responses": SurveyResponse,
            "invitations": Invitation}


def _activity() -> dict[str, int]:
    """The highest id of each kind of record whose arrival changes the month's counts (dossier events include the
    sweep's due-soon and overdue marks, apology letters, results): one index read each."""
    return {name: model.objects.aggregate(m=Max("pk"))["m"] or 0 for name, model in ACTIVITY.items()}


def _agencies(qs, *fields) -> set[int]:
    return {a for row in qs.values_list(*fields).distinct().order_by() for a in row if a is not None}


def touched_agencies(run: FiguresRun, *, seen: dict[str, int], month: dt.date, now: dt.datetime) -> set[int]:
    """The agencies whose figures of this month (`month`, counted up to `now`) may differ from those the last run
    stored: every count is grouped by an agency (the receiving desk or the competent agency) and depends on that
    agency's records alone, so the others' rows stay as they are.

    - what arrived since (ids above those seen one run earlier, so a record written in a transaction that
      committed just after a run, with an id below what that run read, is still counted by the next one):
      dossier events (both agencies of the dossier, those the event names, the agency of its apology letters),
      feedback events (the agency and the dossier's competent agency), survey responses and invitations;
    - what changes with time alone (since the last run, with one interval of overlap): an open dossier passing its
      legal appointment (in progress overdue, the 766 progress judged now), a feedback passing a deadline while
      pending, a status delivered to the national portal, a like or dislike on a feedback."""
    previous = run.previous_seen or run.seen
    since = {name: previous.get(name, 0) for name in ACTIVITY}
    new = {name for name in ACTIVITY if seen[name] > since[name]}  # no query for a kind with nothing new
    touched: set[int] = set()
    if "dossier_events" in new:
        events = DossierEvent.objects.filter(pk__gt=since["dossier_events"])
        touched |= _agencies(events, "dossier__receiving_agency", "dossier__handling_agency", "from_agency",
                             "to_agency")
        touched |= _agencies(ApologyLetter.objects.filter(dossier__in=events.values("dossier")), "agency")
    if "feedback_events" in new:
        # a forwarded feedback leaves the agency it was with (named in the event)
        touched |= _agencies(FeedbackEvent.objects.filter(pk__gt=since["feedback_events"]), "feedback__agency",
                             "feedback__dossier__handling_agency", "payload__from_agency")
    if "survey_responses" in new:
        touched |= _agencies(SurveyResponse.objects.filter(pk__gt=since["survey_responses"]), "agency",
                             "invitation__dossier__handling_agency")
    if "invitations" in new:
        touched |= _agencies(Invitation.objects.filter(pk__gt=since["invitations"]), "agency")
    return touched | time_touched_agencies(since=run.ran_at - dt.timedelta(minutes=settings.FIGURES_REFRESH_MINUTES),
                                           month=month, now=now)


def time_touched_agencies(*, since: dt.datetime, month: dt.date, now: dt.datetime) -> set[int]:
    """The agencies whose counts of `month` changed between `since` and `now` with no record written: see
    `touched_agencies`. Each is an index range scan over what is open (migrations dossiers 0040, nationalportal
    0008)."""
    window = {"gte": since, "lt": now}
    crossing = (Dossier.objects.filter(resolved_at__isnull=True, closed_at__isnull=True)
                .annotate(legal_due=Coalesce("extended_from", "due_at"))
                .filter(legal_due__gte=since, legal_due__lt=now))
    touched = _agencies(crossing, "handling_agency")
    start, _end = _bounds(month)  # the month as the counts bound it (the working calendar's time zone)
    due = Q()
    for name in ("accept_due", "answer_due", "publish_due"):
        due |= Q(**{f"{name}__{op}": value for op, value in window.items()})
    touched |= _agencies(Feedback.objects.filter(submitted_at__gte=start, late=False).filter(due),
                         "agency", "dossier__handling_agency")
    touched |= _agencies(SyncItem.objects.filter(sent_at__gte=since, sent_at__lte=now), "dossier__handling_agency")
    # a like or dislike (a vote changed in place keeps its row, with a new time): "satisfied" petitions
    touched |= _agencies(FeedbackVote.objects.filter(at__gte=since, at__lte=now), "feedback__agency")
    return touched


@transaction.atomic
def figures_refresh_current(*, now: dt.datetime | None = None) -> dict:
    """Every FIGURES_REFRESH_MINUTES (beat): count this month's tables again, then its snapshots, quarter and year
    totals and the stored rankings, so the dashboards show an action within one run.

    Only the agencies touched since the last run are counted again (`touched_agencies`): the cost follows what
    happened, not the size of the month, and the rows equal a full count (tested). The whole month is counted
    again at least every FIGURES_REFRESH_IDLE_MINUTES (what no record announces, such as a correction
    made in the admin), and on the first run of a month: the month that just ended is counted one last time and closed
    (kept as it was from then on). Nothing new since the last run: a few index reads, nothing written."""
    now = now or timezone.now()
    t0 = time.perf_counter()
    month = timezone.localtime(now).date().replace(day=1)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    run = FiguresRun.objects.select_for_update().filter(key="current").first()
    seen = _activity()
    idle = dt.timedelta(minutes=settings.FIGURES_REFRESH_IDLE_MINUTES)
    to_close = previous not in closed_months(previous, previous)
    full = run is None or to_close or run.full_at is None or now - run.full_at >= idle
    agencies = None
    if not full:
        agencies = touched_agencies(run, seen=seen, month=month, now=now)
        if not agencies:
            if run.seen == seen == (run.previous_seen or run.seen):
                return {"skipped": True}
            FiguresRun.objects.filter(pk=run.pk).update(seen=seen, previous_seen=run.seen)  # nothing to count
            return {"skipped": True}
    first = previous if to_close else month
    for refresh in (monthly_stats_refresh, monthly_sync_refresh, monthly_satisfaction_refresh):
        refresh(first=first, last=month, now=now, agencies=agencies)
    closed = months_close(months=[previous], now=now) if to_close else []
    written = figures_refresh(first=first, last=month, now=now, agencies=agencies)
    seconds = time.perf_counter() - t0
    FiguresRun.objects.update_or_create(key="current", defaults={
        "seen": seen, "previous_seen": run.seen if run is not None else seen, "ran_at": now, "seconds": seconds,
        **({"full_at": now} if full else {})})
    return {"skipped": False, "months": [first.isoformat(), month.isoformat()],
            "closed": [m.isoformat() for m in closed], "rows": written, "seconds": round(seconds, 2),
            "agencies": "all" if agencies is None else len(agencies)}
