"""Reads for the index dashboards: who may see what, the period, rankings, and the dossiers behind a
number (built from the same querysets the monthly counts use, so a drill-down lists exactly the
dossiers counted)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as agency_selectors
from accounts.models import Agency, User
from dossiers.models import Attachment, Dossier, MonthlyAgencyStats, MonthlyBreakdown, Punctuality
from dossiers.stats import (
    DIGITIZED,
    E_RESULT,
    LATE,
    PAID_ONLINE,
    ROUTED,
    _bounds,
    finished_between,
    next_month,
    open_at,
    received_between,
    with_components,
)
from satisfaction.models import SurveyResponse

from . import metrics, policies
from .models import (
    AssessmentRound,
    Criterion,
    Evidence,
    ExternalResult,
    MetricSnapshot,
    RankedPeriod,
    Scope,
    SelfScore,
)
from .ranking import (  # noqa: F401 (the views' names)
    PRESETS,
    agency_scores,
    custom_scores,
    preset_period,
    previous_period,
)


def dashboard_agencies(user: User) -> tuple[list[int], bool]:
    """(agency ids the user may see on the dashboards, whether the user sees the whole province view).
    Home Affairs officers and administrators: their scope; agency heads: their own agency, read-only."""
    scope = policies.dashboard_scope(user)
    if scope is not None:
        return scope
    raise PermissionDenied(_("Bảng chỉ số dành cho cán bộ Nội vụ và lãnh đạo cơ quan."))


def period_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start of the first month, start of the month after the last month)."""
    return _bounds(first.replace(day=1))[0], _bounds(next_month(last.replace(day=1)))[0]


def stored_scores(preset: str, first: dt.date, last: dt.date) -> tuple[dict[int, dict], dt.datetime] | None:
    """The stored rows of a preset period and when they were computed, or None when that period is not
    stored (a custom range, or the first minutes of a new month before the refresh)."""
    if preset not in PRESETS:
        return None
    period = RankedPeriod.objects.filter(preset=preset, first=first, last=last).first()
    if period is None:
        return None
    return {agency_id: row for agency_id, row in period.scores.values_list("agency_id", "row")}, period.computed_at


def figures_time(preset: str, first: dt.date, last: dt.date) -> dt.datetime | None:
    """When the figures of a period were computed: the stored ranking's time for a preset, else the time of
    the province totals of the period's last month (the refresh writes them last)."""
    stored = RankedPeriod.objects.filter(preset=preset, first=first, last=last).values_list("computed_at", flat=True)
    if preset in PRESETS and stored:
        return stored[0]
    return MetricSnapshot.objects.filter(scope=Scope.PROVINCE, month=last.replace(day=1)).aggregate(
        at=Max("computed_at"))["at"]


def ranking(agency_ids: list[int], first: dt.date, last: dt.date, preset: str = "") -> list[dict]:
    """Agencies by the portal-measured 766 total of the period, with the change against the previous
    period and the key rates (numerator / denominator kept for display). This month, quarter and year are read
    from the stored scores (`RankedPeriod`, recomputed with every snapshot refresh); a period chosen by hand is
    scored when first asked for and stored until the next refresh (`custom_scores`). Ranks are given among
    `agency_ids` alone."""
    stored = stored_scores(preset, first, last)
    wanted = set(agency_ids)
    if stored is not None:
        scores = {a: row for a, row in stored[0].items() if a in wanted}
    elif preset in PRESETS:  # the first minutes of a new period, before its refresh
        scores = agency_scores(agency_ids, first, last, preset)
    else:
        scores = custom_scores(agency_ids, first, last)
    names = agency_selectors.agency_names(agency_ids)
    rows = []
    for agency_id, row in scores.items():
        rows.append({**row, "name": names.get(agency_id, "?"),
                     "rates": {code: tuple(pair) for code, pair in row["rates"].items()}})
    rows.sort(key=lambda r: (-r["score"], r["name"]))
    rank, last_score = 0, None
    for position, row in enumerate(rows, 1):  # ties share a rank (1, 2, 2, 4)
        if row["score"] != last_score:
            rank, last_score = position, row["score"]
        row["rank"] = rank
    for agency_id in sorted(wanted - set(scores), key=lambda a: names.get(a, "")):
        if agency_id in names:  # no dossier in the period: listed, not ranked
            rows.append({"agency_id": agency_id, "name": names[agency_id], "score": None, "max": None,
                         "previous": None, "change": None, "rates": {}, "received": 0, "received_for_others": 0,
                         "rank": None})
    return rows


def province_values(root_ids: list[int], first: dt.date, last: dt.date) -> dict:
    return metrics.period_values(first=first, last=last, scope=Scope.PROVINCE, agency_ids=root_ids)


# -- the dossiers behind a number -------------------------------------------------------------------

DRILLABLE = {
    "received", "received_online", "received_postal", "received_for_others", "received_from_others",
    "finished_early", "finished_on_time", "finished_late",
    "in_progress_on_time", "in_progress_overdue", "e_result", "digitized", "paid_online", "reusing_data",
}


def dossiers_behind(metric: str, agency_ids: list[int], first: dt.date, last: dt.date,
                    now: dt.datetime | None = None) -> QuerySet[Dossier]:
    """The dossiers counted in `metric` (its numerator) for these agencies over the period: the reception counts
    by the receiving desk, the others (and `received_from_others`) by the competent agency, as the monthly
    counts do (dossiers/stats.py)."""
    if metric not in DRILLABLE:
        raise ValueError(metric)
    start, end = period_bounds(first, last)
    now = now or timezone.now()
    agency_field = "handling_agency_id__in"
    if metric == "received_from_others":
        qs = received_between(start, end).filter(ROUTED)
    elif metric.startswith("received") or metric in ("paid_online", "reusing_data"):
        agency_field = "receiving_agency_id__in"
        qs = received_between(start, end)
        qs = {"received_online": qs.filter(channel="online"), "received_postal": qs.filter(channel="postal"),
              "received_for_others": qs.filter(ROUTED),
              "paid_online": qs.filter(PAID_ONLINE),
              "reusing_data": qs.filter(pk__in=Attachment.objects.filter(reused=True, is_active=True)
                                        .values("dossier_id"))}.get(metric, qs)
    elif metric.startswith("finished") or metric in ("e_result", "digitized"):
        qs = finished_between(start, end)
        if metric == "finished_early":
            qs = qs.filter(punctuality=Punctuality.EARLY)
        elif metric == "finished_on_time":
            qs = qs.filter(punctuality=Punctuality.ON_TIME)
        elif metric == "finished_late":
            qs = qs.filter(LATE)
        elif metric == "e_result":
            qs = qs.filter(E_RESULT)
        else:  # digitised: an e-result and every required component on file
            qs = with_components(qs).filter(DIGITIZED)
    else:  # in progress at the end of the period
        cutoff = min(end, now)
        qs = open_at(cutoff)
        qs = qs.filter(legal_due__lt=cutoff) if metric == "in_progress_overdue" else qs.filter(
            Q(legal_due__gte=cutoff) | Q(legal_due__isnull=True))
    return qs.filter(**{agency_field: agency_ids}).select_related(
        "procedure_version__procedure", "handling_agency", "assignee")


# -- breakdown of one agency ------------------------------------------------------------------------

BREAKDOWN_KEYS = {  # (rollup field, survey answer field)
    "linh-vuc": ("procedure__field__name", "procedure__field__name"),
    "thu-tuc": ("procedure__name", "procedure__name"),
    "can-bo": ("officer__full_name", "officer__full_name"),
}
EMPTY_ROW = dict.fromkeys(("received", "for_others", "online", "fee_due", "paid_online", "early", "on_time", "late",
                           "e_result", "overdue", "responses", "satisfied"), 0)
SUMMED = ("received", "for_others", "online", "fee_due", "paid_online", "early", "on_time", "late", "e_result")


def breakdown(agency: Agency, by: str, first: dt.date, last: dt.date) -> tuple[list[dict], dict, dt.datetime | None]:
    """One agency's counts over the period by field, procedure or officer, worst first, the total row, and when the
    counts of the period's last month were computed (the earlier months are closed; None when never computed).

    Read from the monthly rollup `MonthlyBreakdown` (per agency, month, procedure and officer, refreshed with the
    monthly tables): a few hundred stored rows, whatever the number of dossiers. The reception columns (received,
    online, fees, of which for other agencies) count what this agency's desk received, the processing columns
    what it handles, as the monthly counts do; "overdue" is the last month's (open and past the legal appointment
    at the end of the period). Survey satisfaction is grouped the same way (per officer: the officer rated, see
    satisfaction.services.invitation_create), read from the answers of the period."""
    key, survey_key = BREAKDOWN_KEYS[by]
    start, end = period_bounds(first, last)
    rows: dict = {}

    def add(qs, field):
        for r in qs:
            name = r.pop(field) or "—"
            row = rows.setdefault(name, dict(EMPTY_ROW, name=name))
            for column, value in r.items():
                row[column] += value or 0

    stored = MonthlyBreakdown.objects.filter(agency=agency, month__gte=first.replace(day=1),
                                             month__lte=last.replace(day=1))
    add(stored.values(key).annotate(**{c: Sum(c) for c in SUMMED},
                                    overdue=Sum("overdue", filter=Q(month=last.replace(day=1)))).order_by(), key)
    add(SurveyResponse.objects.filter(agency=agency, submitted_at__gte=start, submitted_at__lt=end)
        .values(survey_key).annotate(responses=Count("id"), satisfied=Count("id", filter=Q(satisfied=True)))
        .order_by(), survey_key)
    # when the period's last month was counted (for every agency at once: one with no dossier then has no rows)
    computed_at = MonthlyAgencyStats.objects.filter(month=last.replace(day=1)).aggregate(at=Min("computed_at"))["at"]
    table = sorted(rows.values(), key=lambda r: (-(r["late"] + r["overdue"]), r["name"]))
    total = {"name": _("Tổng cộng"), **{k: sum(r[k] for r in table) for k in EMPTY_ROW}}
    for r in [*table, total]:
        r["finished"] = r["early"] + r["on_time"] + r["late"]
        if r["name"] == "—" and by == "can-bo":
            r["name"] = _("(chưa phân công)")
    return table, total, computed_at


# -- the dashboards' snapshot rows ----------------------------------------------------------------------------

SNAPSHOT_FIELDS = ("month", "metric", "numerator", "denominator")


def province_snapshot_rows(root_ids: list[int], first: dt.date, last: dt.date):
    """The province totals (scope province) of the trees `root_ids`, month by month, as plain rows."""
    return MetricSnapshot.objects.filter(scope=Scope.PROVINCE, agency_id__in=root_ids, month__gte=first,
                                         month__lte=last).values(*SNAPSHOT_FIELDS)


def agency_snapshot_rows(scope: str, agency_id: int, first: dt.date, last: dt.date):
    """One agency's (or, with scope province, its tree's) snapshots of the months first..last, as plain rows."""
    return MetricSnapshot.objects.filter(scope=scope, agency_id=agency_id, month__gte=first,
                                         month__lte=last).values(*SNAPSHOT_FIELDS)


# -- the PAR self-assessment pages (who may see what, the views ask) -----------------------------------------

def assessment_round_list() -> list[AssessmentRound]:
    return list(AssessmentRound.objects.select_related("config"))


def assessment_round_get(pk: int) -> AssessmentRound | None:
    return AssessmentRound.objects.select_related("config").filter(pk=pk).first()


def criterion_list(round_: AssessmentRound, method: str):
    """The criteria of the round's configuration scored by `method` (self-assessed, survey …)."""
    return round_.config.criteria.filter(method=method)


def criterion_get(round_: AssessmentRound, pk: int) -> Criterion | None:
    return round_.config.criteria.filter(pk=pk).first()


def self_score_map(round_: AssessmentRound, agency) -> dict[int, SelfScore]:
    """{criterion id: the agency's self-score} of the round, with who appraised it and the evidence."""
    return {s.criterion_id: s for s in SelfScore.objects.filter(round=round_, agency=agency)
            .select_related("appraised_by").prefetch_related("evidence")}


def self_score_get(round_: AssessmentRound, agency, criterion: Criterion) -> SelfScore | None:
    return SelfScore.objects.filter(round=round_, agency=agency, criterion=criterion).first()


def evidence_get(pk: int) -> Evidence | None:
    return Evidence.objects.select_related("score__agency").filter(pk=pk).first()


def external_result_list() -> list[ExternalResult]:
    return list(ExternalResult.objects.all())
