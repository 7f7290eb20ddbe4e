"""The ranking's per-agency rows (the 766 score of a period, the previous period's, the key rates) and the
stored rows of the dashboard presets (this month, quarter, year), recomputed after each snapshot refresh so
the overview reads a few hundred rows instead of scoring every agency on every request."""

from __future__ import annotations

import datetime as dt

from django.db import router, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Agency

from . import metrics
from .models import RankedPeriod, RankedScore
from .portal766 import config_for, portal_total


def previous_period(first: dt.date, last: dt.date, preset: str = "") -> tuple[dt.date, dt.date]:
    """What a period is compared with: the previous month, the previous full quarter, the same months of
    last year; for the last twelve months and a custom range, the same number of months just before."""
    if preset == "quy":
        start = (first.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        start = start.replace(month=(start.month - 1) // 3 * 3 + 1)
        return start, start.replace(month=start.month + 2)
    if preset == "nam":
        return first.replace(year=first.year - 1), last.replace(year=last.year - 1)
    n = (last.year - first.year) * 12 + last.month - first.month + 1
    month = first.replace(day=1)
    for _step in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    end = first.replace(day=1) - dt.timedelta(days=1)
    return month, end.replace(day=1)


PRESETS = ("thang", "quy", "nam", "12-thang")
CUSTOM = "tuy-chon"  # a period chosen by hand: stored when first scored, dropped by the next refresh


def preset_period(preset: str, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The months of a dashboard preset: this month, this quarter so far, this year so far, the last twelve months
    (this one and the eleven before it)."""
    today = today or timezone.localdate()
    if preset == "thang":
        return today.replace(day=1), today.replace(day=1)
    if preset == "quy":
        return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), today.replace(day=1)
    if preset == "12-thang":
        year, month = divmod(today.year * 12 + today.month - 12, 12)  # eleven months before this one
        return dt.date(year, month + 1, 1), today.replace(day=1)
    return today.replace(month=1, day=1), today.replace(day=1)


def agency_scores(agency_ids, first: dt.date, last: dt.date, preset: str = "") -> dict[int, dict]:
    """{agency id: its row of the ranking (766 score of the period, the previous period's, the change, the key
    rates, receptions)} for the agencies with data in the period; each row depends on its agency alone."""
    now_values = metrics.period_values(first=first, last=last, agency_ids=agency_ids)
    before_first, before_last = previous_period(first, last, preset)
    before = metrics.period_values(first=before_first, last=before_last, agency_ids=agency_ids)
    config = config_for(last.replace(day=1))
    out = {}
    for agency_id, values in now_values.items():
        total, most = portal_total(values, config)
        previous = portal_total(before[agency_id], config)[0] if agency_id in before else None
        out[agency_id] = {
            "agency_id": agency_id, "score": total, "max": most, "previous": previous,
            "change": None if previous is None else round(total - previous, 2),
            "rates": {code: list(metrics.rate(values, code)) for code in ("on_time_rate", "online_share",
                                                                         "digitized_rate", "paid_online_rate",
                                                                         "survey_satisfaction")},
            "received": values.get("received", (0, None))[0],
            "received_for_others": values.get("received_for_others", (0, None))[0],
        }
    return out


@transaction.atomic
def ranked_periods_refresh(*, now: dt.datetime | None = None, agencies=None) -> int:
    """Store the scores of every agency for this month, this quarter and this year (as of `now`), replacing
    the stored periods; the presets of earlier days are dropped. With `agencies` (those whose figures changed),
    only their rows are scored again, where the three periods are already stored. Returns the rows written."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    periods = {p: preset_period(p, today) for p in PRESETS}
    if agencies is not None:
        stored = {(p.preset, p.first, p.last) for p in RankedPeriod.objects.filter(preset__in=PRESETS)}
        if stored != {(p, *period) for p, period in periods.items()}:
            agencies = None  # a new day's periods: every agency
    agency_ids = list(agencies) if agencies is not None else list(Agency.objects.values_list("pk", flat=True))
    keep, written = [], 0
    for preset in PRESETS:
        first, last = periods[preset]
        scores = agency_scores(agency_ids, first, last, preset)
        period, _created = RankedPeriod.objects.update_or_create(preset=preset, first=first, last=last,
                                                                 defaults={"computed_at": now})
        period.scores.filter(agency_id__in=agency_ids).delete()
        RankedScore.objects.bulk_create([RankedScore(period=period, agency_id=a, row=row) for a, row in scores.items()])
        keep.append(period.pk)
        written += len(scores)
    stale = RankedPeriod.objects.exclude(pk__in=keep)
    if agencies is not None:  # the periods chosen by hand keep the rows of the agencies not counted again
        stale = stale.filter(preset__in=PRESETS)
    stale.delete()
    return written


def custom_scores(agency_ids, first: dt.date, last: dt.date) -> dict[int, dict]:
    """The rows of a period chosen by hand (not a preset): read from the stored rows of that period where an earlier
    request scored them since the last refresh, the missing agencies scored now and stored. Sorting the ranking,
    exporting it or coming back to it does not score the province again.

    Stored rows never outlive the figures they were scored from: every refresh drops them (`ranked_periods_refresh`,
    `metrics.snapshots_refresh`; the refresh of the touched agencies, those agencies' rows), and rows scored while
    a refresh was committing are not stored (the presets' time is read before scoring and checked again, under the
    presets' row locks, before storing). Before the first refresh, nothing is stored."""
    stored: dict[int, dict] = {}
    period = RankedPeriod.objects.filter(preset=CUSTOM, first=first, last=last).first()
    if period is not None:
        stored = dict(period.scores.filter(agency_id__in=agency_ids).values_list("agency_id", "row"))
    missing = [a for a in agency_ids if a not in stored]
    if missing:
        generation = RankedPeriod.objects.filter(preset__in=PRESETS).aggregate(at=Max("computed_at"))["at"]
        scored = agency_scores(missing, first, last)
        rows = {a: scored.get(a, {}) for a in missing}  # {}: no dossier in the period (stored too: not scored again)
        if generation is not None:
            _custom_store(first, last, rows, generation)
        stored.update(rows)
    return {a: row for a, row in stored.items() if row}


def _custom_store(first: dt.date, last: dt.date, rows: dict[int, dict], generation: dt.datetime) -> None:
    using = router.db_for_write(RankedPeriod)  # the primary, even while the page reads from a replica
    with transaction.atomic(using=using):
        presets = RankedPeriod.objects.using(using).select_for_update().filter(preset__in=PRESETS)
        if max((p.computed_at for p in presets), default=None) != generation:
            return  # a refresh committed meanwhile: these rows may predate it
        period, _created = RankedPeriod.objects.using(using).get_or_create(
            preset=CUSTOM, first=first, last=last, defaults={"computed_at": timezone.now()})
        RankedScore.objects.using(using).bulk_create(
            [RankedScore(period=period, agency_id=a, row=row) for a, row in rows.items()], ignore_conflicts=True)
