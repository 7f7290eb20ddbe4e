"""The lateness risk forecast against the database: learn step durations from the control sheet
(`forecast_refresh`, nightly), and store the probability of missing the appointment and its main reason on
every open dossier (`risk_sweep`, called by each deadline sweep). The arithmetic is `forecast.py`.

**Step spans from the control sheet.** Every transition event moves the dossier from one status to another;
each status belongs to a step (`workflow.STEP_OF`), except that a result ready at the desk counts as done
(punctuality is judged then). A step starts at the event entering it and ends at the next event leaving it.
One SQL statement keeps only the events where the step changes and pairs each with the next one
(`LEAD() OVER (PARTITION BY dossier ORDER BY at, id)`), so a million dossiers are a single streamed query
with no Python object per dossier. A span counts as a sample when the step was finished, not interrupted:
spans ending with a supplement request, a withdrawal or a stop are left out. Working hours come from each
handling agency's calendar, for whole arrays at once (`workcalendar.bulk.working_seconds_many`).

**Levels.** Per step, the most specific of: procedure at the agency → field at the agency → procedure
(every agency) → field → every procedure, using the first with at least FORECAST_MIN_SAMPLES samples
(default 20; the last level needs 5). Without any: the allotment itself (`forecast.PRIOR`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Agency
from procedures.models import InternalStep, Procedure, ProcedureVersion, StepKind
from workcalendar.bulk import working_seconds_many
from workcalendar.selectors import calendar_for

from ..models import Dossier, DossierEvent, ForecastLevel, StepDuration
from ..workflow import OPEN, STEP_OF, WAITING_FOR_CITIZEN, Status, Step
from . import forecast

# The steps forecast, in the order of the internal process (reception ends before the appointment is given).
STEPS = (Step.RECEPTION, Step.APPRAISAL, Step.APPROVAL, Step.RETURN)
STEP_CODE = {s: i for i, s in enumerate(STEPS)}
LATER_STEPS = (Step.APPRAISAL, Step.APPROVAL, Step.RETURN)
# The step of each status for the forecast: the workflow's, except that a result at the desk is done.
PHASE = {status: (step or "") for status, step in STEP_OF.items()} | {Status.RESULT_READY: ""}
# A step left this way was interrupted, not finished: not a sample of its duration.
INTERRUPTED = (Status.SUPPLEMENT_REQUESTED, Status.GUIDED, Status.WITHDRAWN, Status.STOPPED,
               Status.REFUSED_AT_RECEPTION)
RUNNING = sorted(OPEN - WAITING_FOR_CITIZEN - {Status.RESULT_READY})
PAUSED = sorted(WAITING_FOR_CITIZEN | {Status.RESULT_READY})
DEFAULT_SCALE_HOURS = 8.0  # a step without an allotment in the internal process is measured in working days
MIN_ALL = 5
CHUNK = 50_000
OVERDUE_REASON = gettext_noop("Đã quá hạn hẹn trả")


def parse_cut(value) -> dt.datetime:
    """A cut date given as text (YYYY-MM-DD): the start of that day, local time. ValueError in Vietnamese."""
    try:
        day = dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None:
        raise ValueError(_("Ngày không hợp lệ: %(value)r (cần dạng YYYY-MM-DD, ví dụ 2026-03-01).") % {"value": value})
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0)))


def min_samples() -> int:
    return int(getattr(settings, "FORECAST_MIN_SAMPLES", 20))


# -- the step spans ---------------------------------------------------------------------------------

def _phase_case(column: str) -> str:
    whens = " ".join(f"WHEN '{status}' THEN '{phase}'" for status, phase in sorted(PHASE.items()))
    return f"CASE {column} {whens} ELSE '' END"


def _epoch(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM {column})::float8"
    return f"(julianday({column}) - 2440587.5) * 86400.0"


def spans_sql(*, before: dt.datetime | None = None, finished_only: bool = True) -> tuple[str, list]:
    """One row per step span: dossier id, step, start and end (UTC epoch seconds; end NULL while the span
    is running), the status that ended it, the dossier's procedure version, channel and handling agency.
    Only events before `before` (a backtest's cut) are read."""
    event, dossier = DossierEvent._meta.db_table, Dossier._meta.db_table
    where, params = "e.from_status <> e.to_status AND e.to_status <> ''", []
    if before is not None:
        where += " AND e.at < %s"
        params.append(before)
    sql = f"""
        SELECT s.dossier_id, s.phase, {_epoch('s.at')}, {_epoch('s.next_at')}, s.next_to,
               d.procedure_version_id, d.channel, d.handling_agency_id
        FROM (
            SELECT b.dossier_id, b.phase, b.at,
                   LEAD(b.at) OVER w AS next_at, LEAD(b.to_status) OVER w AS next_to
            FROM (
                SELECT e.dossier_id, e.id, e.at, e.to_status, {_phase_case('e.to_status')} AS phase,
                       {_phase_case('e.from_status')} AS phase_from
                FROM {event} e WHERE {where}
            ) b
            WHERE b.phase <> b.phase_from
            WINDOW w AS (PARTITION BY b.dossier_id ORDER BY b.at, b.id)
        ) s
        JOIN {dossier} d ON d.id = s.dossier_id
        WHERE s.phase <> ''"""
    if finished_only:
        marks = ", ".join(["%s"] * len(INTERRUPTED))
        sql += f" AND s.next_at IS NOT NULL AND s.next_to NOT IN ({marks})"
        params += list(INTERRUPTED)
    return sql, params


def _stream(sql: str, params: list, chunk: int = CHUNK):
    """Rows in chunks (a server-side cursor on PostgreSQL)."""
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            yield rows


class Facts:
    """What the forecast needs to know about procedures, versions and agencies, read once (small tables)."""

    def __init__(self):
        self.allotted: dict[tuple[int, str], dict[str, float]] = defaultdict(dict)
        for version_id, channel, kind, hours in InternalStep.objects.values_list(
                "channel__version_id", "channel__channel", "step", "hours"):
            step = Step.APPRAISAL if kind == StepKind.OTHER else kind
            here = self.allotted[(version_id, channel)]
            here[step] = here.get(step, 0.0) + float(hours or Decimal(0))
        self.procedure_of_version: dict[int, int] = {}
        self.field_of: dict[int, int] = dict(Procedure.objects.values_list("pk", "field_id"))
        self.calendars: dict[int, object] = {}
        self.agencies: dict[int, Agency] = {}

    def version(self, version_id: int) -> int:
        if version_id not in self.procedure_of_version:
            self.procedure_of_version.update(ProcedureVersion.objects.values_list("pk", "procedure_id"))
        return self.procedure_of_version[version_id]

    def scale(self, version_id: int, channel: str, step: str) -> float:
        """The step's allotted working hours (DEFAULT_SCALE_HOURS without an internal process)."""
        hours = self.allotted.get((version_id, channel), {}).get(step, 0.0)
        return hours if hours > 0 else DEFAULT_SCALE_HOURS

    def has_step(self, version_id: int, channel: str, step: str) -> bool:
        steps = self.allotted.get((version_id, channel))
        return step in steps if steps else step in LATER_STEPS  # no internal process: the legal four

    def agency(self, agency_id: int) -> Agency:
        if agency_id not in self.agencies:
            self.agencies.update({a.pk: a for a in Agency.objects.filter(pk=agency_id)})
        return self.agencies[agency_id]

    def calendar(self, agency_id: int):
        if agency_id not in self.calendars:
            self.calendars[agency_id] = calendar_for(self.agency(agency_id))
        return self.calendars[agency_id]


def _working_hours(facts: Facts, agency_ids: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Working hours between epoch seconds `start` and `end`, each row by its agency's calendar."""
    hours = np.zeros(len(start))
    for agency_id in np.unique(agency_ids):
        here = agency_ids == agency_id
        a = (start[here] * 1e6).astype(np.int64).view("datetime64[us]")
        b = (end[here] * 1e6).astype(np.int64).view("datetime64[us]")
        hours[here] = working_seconds_many(facts.calendar(int(agency_id)), a, b) / 3600.0
    return hours


# -- learning -----------------------------------------------------------------------------------------

class Model:
    """Learned distributions: {level: {(procedure, field, agency, step): (n, quantiles, mean)}}."""

    def __init__(self, groups: dict | None = None):
        self.groups: dict[str, dict[tuple, tuple[int, list[float], float]]] = groups or {}

    def lookup(self, procedure_id, field_id, agency_id, step) -> tuple[list[float], str]:
        """(ratio quantiles, level) of the most specific level known; the prior without any."""
        keys = ((ForecastLevel.PROCEDURE_AGENCY, (procedure_id, None, agency_id, step)),
                (ForecastLevel.FIELD_AGENCY, (None, field_id, agency_id, step)),
                (ForecastLevel.PROCEDURE, (procedure_id, None, None, step)),
                (ForecastLevel.FIELD, (None, field_id, None, step)),
                (ForecastLevel.ALL, (None, None, None, step)))
        for level, key in keys:
            hit = self.groups.get(level, {}).get(key)
            if hit:
                return hit[1], level
        return list(forecast.PRIOR), "prior"

    @property
    def size(self) -> int:
        return sum(len(g) for g in self.groups.values())


def fit_model(*, before: dt.datetime | None = None, facts: Facts | None = None,
              minimum: int | None = None) -> Model:
    """Learn the step durations from every finished step span (before `before`), streamed in chunks."""
    facts = facts or Facts()
    minimum = min_samples() if minimum is None else minimum
    sql, params = spans_sql(before=before)
    parts: dict[str, list[np.ndarray]] = defaultdict(list)
    for rows in _stream(sql, params):
        start = np.array([r[2] for r in rows], dtype=np.float64)
        end = np.array([r[3] for r in rows], dtype=np.float64)
        agencies = np.array([r[7] for r in rows], dtype=np.int64)
        hours = _working_hours(facts, agencies, start, end)
        scale = np.array([facts.scale(r[5], r[6], r[1]) for r in rows])
        procedures = np.array([facts.version(r[5]) for r in rows], dtype=np.int64)
        parts["procedure"].append(procedures)
        parts["field"].append(np.array([facts.field_of.get(int(p), 0) for p in procedures], dtype=np.int64))
        parts["agency"].append(agencies)
        parts["step"].append(np.array([STEP_CODE[r[1]] for r in rows], dtype=np.int64))
        parts["ratio"].append(np.maximum(hours, 0.0) / scale)
    if not parts:
        return Model()
    columns = {name: np.concatenate(chunks) for name, chunks in parts.items()}
    plan = {ForecastLevel.PROCEDURE_AGENCY: ("procedure", "agency"), ForecastLevel.FIELD_AGENCY: ("field", "agency"),
            ForecastLevel.PROCEDURE: ("procedure",), ForecastLevel.FIELD: ("field",), ForecastLevel.ALL: ()}
    groups: dict[str, dict] = {}
    for level, names in plan.items():
        table = np.stack([columns["step"], *(columns[name] for name in names)], axis=1)
        distinct, group = np.unique(table, axis=0, return_inverse=True)
        ids, counts, quantiles, means = forecast.group_quantiles(group.ravel(), columns["ratio"])
        floor = MIN_ALL if level == ForecastLevel.ALL else minimum
        out = {}
        for g, n, q, m in zip(ids.tolist(), counts.tolist(), quantiles.tolist(), means.tolist(), strict=True):
            if n < floor:
                continue
            row = dict(zip(("step", *names), distinct[g].tolist(), strict=True))
            out[(row.get("procedure"), row.get("field"), row.get("agency"), STEPS[row["step"]])] = (n, q, m)
        groups[level] = out
    return Model(groups)


@transaction.atomic
def forecast_refresh(*, before: dt.datetime | None = None) -> dict[str, int]:
    """Learn the step durations again and replace the stored ones (`StepDuration`): the nightly job."""
    model = fit_model(before=before)
    now = timezone.now()
    StepDuration.objects.all().delete()
    rows = [StepDuration(level=level, procedure_id=key[0], field_id=key[1], agency_id=key[2], step=key[3], n=n,
                         quantiles=[round(x, 6) for x in q], mean=m, refreshed_at=now)
            for level, groups in model.groups.items() for key, (n, q, m) in groups.items()]
    StepDuration.objects.bulk_create(rows, batch_size=2000)
    _model_cache.clear()
    counts = {level: len(groups) for level, groups in model.groups.items()}
    counts["rows"] = len(rows)
    return counts


_model_cache: dict[tuple, Model] = {}


def load_model() -> Model:
    """The stored model (read once per refresh, kept in the process)."""
    stamp = tuple(StepDuration.objects.aggregate(n=Count("id"), at=Max("refreshed_at")).values())
    if stamp in _model_cache:
        return _model_cache[stamp]
    groups: dict[str, dict] = defaultdict(dict)
    for level, p, f, a, step, n, q, m in StepDuration.objects.values_list(
            "level", "procedure_id", "field_id", "agency_id", "step", "n", "quantiles", "mean"):
        groups[level][(p, f, a, step)] = (n, q, m)
    _model_cache.clear()
    _model_cache[stamp] = Model(dict(groups))
    return _model_cache[stamp]


# -- the probability for open dossiers ------------------------------------------------------------------

def _days(hours: float, per_day: float, separator: str) -> str:
    """Working days for people: halves below ten days, whole days above ("2,5" with the language's separator)."""
    days = max(hours, 0.0) / per_day
    if days >= 10:
        return str(round(days))
    halves = round(days * 2)
    return str(halves // 2) if halves % 2 == 0 else f"{halves // 2}{separator}5"


def predict(facts: Facts, model: Model, *, version, channel, agency, step, spent, left, queue=None,
            usual=None) -> tuple[np.ndarray, list[str]]:
    """Risk and main reason for dossiers running in `step` (arrays of one row per dossier): `spent` working
    hours already in the step, `left` working hours until the appointment (> 0), `queue` the assignee's open
    dossiers in that step and `usual` the agency's median of it (None: no queue effect)."""
    n = len(step)
    if not n:
        return np.zeros(0), []
    spent, left = np.asarray(spent, dtype=np.float64), np.asarray(left, dtype=np.float64)
    factor = np.ones(n) if queue is None else forecast.queue_factor(queue, usual)
    cur_q, cur_scale = np.empty((n, len(forecast.PROBS))), np.empty(n)
    later_q = {s: np.empty((n, len(forecast.PROBS))) for s in LATER_STEPS}
    later_scale = {s: np.zeros(n) for s in LATER_STEPS}
    keys = list(zip(version, channel, agency, step, strict=True))
    rows_of: dict[tuple, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        rows_of[key].append(i)
    for (version_id, chan, agency_id, current), rows in rows_of.items():
        procedure_id = facts.version(version_id)
        field_id = facts.field_of.get(procedure_id)
        cur_q[rows] = model.lookup(procedure_id, field_id, agency_id, current)[0]
        cur_scale[rows] = facts.scale(version_id, chan, current)
        after = STEPS[STEP_CODE[current] + 1:]
        for s in LATER_STEPS:
            later_q[s][rows] = model.lookup(procedure_id, field_id, agency_id, s)[0]
            if s in after and facts.has_step(version_id, chan, s):
                later_scale[s][rows] = facts.scale(version_id, chan, s)
    risk, expected, typical = forecast.risk_many(
        current=forecast.Dists.from_quantiles(cur_q), current_scale=cur_scale, spent=spent, left=left,
        later=[(forecast.Dists.from_quantiles(later_q[s]), later_scale[s]) for s in LATER_STEPS], factor=factor)
    top = expected.argmax(axis=1)
    separator = formats.get_format("DECIMAL_SEPARATOR")
    # the texts and names once per call, not per dossier
    spent_text = _("Bước %(step)s tại %(agency)s thường mất %(typical)s ngày làm việc, hồ sơ đã ở bước này "
                   "%(spent)s ngày, còn %(left)s ngày đến hẹn trả")
    short_text = _("Bước %(step)s tại %(agency)s thường mất %(typical)s ngày làm việc, còn %(left)s ngày "
                   "đến hẹn trả")
    queue_text = _("; cán bộ xử lý đang giữ %(queue)s hồ sơ ở bước này (thường %(usual)s)")
    labels = {s: str(Step(s).label).lower() for s in STEPS}
    places = {}
    for agency_id in {k[2] for k in keys}:
        where = facts.agency(agency_id)
        places[agency_id] = (where.short_name or where.name, facts.calendar(agency_id).hours.seconds_per_day / 3600)
    reasons = []
    for i in range(n):
        agency_id, current = keys[i][2], keys[i][3]
        name, per_day = places[agency_id]
        which = current if top[i] == 0 else LATER_STEPS[top[i] - 1]
        values = {"step": labels[which], "agency": name, "typical": _days(typical[i, top[i]], per_day, separator),
                  "left": _days(left[i], per_day, separator), "spent": _days(spent[i], per_day, separator)}
        text = (spent_text if top[i] == 0 and spent[i] >= per_day / 4 else short_text) % values
        if queue is not None and factor[i] >= 1.5:
            text += queue_text % {"queue": int(queue[i]), "usual": round(float(usual[i]))}
        reasons.append(text[:300])
    return risk, reasons


def queues() -> tuple[dict[tuple[int, str], int], dict[tuple[int, str], float]]:
    """The assignees' open dossiers per step, and per agency and step the median over its assignees (one
    aggregate query over the open dossiers)."""
    mine: dict[tuple[int, str], int] = {}
    piles: dict[tuple[int, str], list[int]] = defaultdict(list)
    for agency_id, user_id, step, n in (Dossier.objects.filter(status__in=RUNNING, assignee__isnull=False)
                                        .values_list("handling_agency_id", "assignee_id", "step")
                                        .annotate(n=Count("id")).order_by()):
        mine[(user_id, step)] = mine.get((user_id, step), 0) + n
        piles[(agency_id, step)].append(n)
    return mine, {key: float(np.median(v)) for key, v in piles.items()}


FIELDS = ("pk", "procedure_version_id", "channel", "handling_agency_id", "assignee_id", "step", "step_started_at",
          "due_at")


def _write(rows: list[tuple[int, float | None, str]], now: dt.datetime) -> None:
    """One UPDATE for the batch: UPDATE ... FROM (VALUES ...) on PostgreSQL, bulk_update elsewhere; a dossier
    that left the running states meanwhile is not touched."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = Dossier._meta.db_table
        values = ", ".join(["(%s::bigint, %s::float8, %s::varchar)"] * len(rows))
        statuses = ", ".join(["%s"] * len(RUNNING))
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} AS d SET risk = v.risk, risk_reason = v.reason, risk_at = %s "
                           f"FROM (VALUES {values}) AS v(id, risk, reason) "
                           f"WHERE d.id = v.id AND d.status IN ({statuses})",
                           [now, *(x for row in rows for x in row), *RUNNING])
        return
    objects = [Dossier(pk=pk, risk=risk, risk_reason=reason, risk_at=now) for pk, risk, reason in rows]
    running = set(Dossier.objects.filter(pk__in=[r[0] for r in rows], status__in=RUNNING).values_list("pk", flat=True))
    Dossier.objects.bulk_update([o for o in objects if o.pk in running], ["risk", "risk_reason", "risk_at"],
                                batch_size=1000)


def _max_age() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "FORECAST_MAX_AGE_SECONDS", 1800)))


def risk_sweep(*, now: dt.datetime, batch: int, out_of_time=lambda: False) -> int:
    """Store risk, reason and time on open dossiers; returns how many were written.

    Waiting for the citizen or with the result at the desk: no forecast (NULL, ''). Past the appointment:
    1.0, "Đã quá hạn hẹn trả". Running: the forecast, recomputed when older than FORECAST_MAX_AGE_SECONDS
    (default 30 minutes), in batches by id (keyset), one UPDATE per batch; no batch starts after the
    sweep's budget (the stale rows wait for the next sweep, which starts with them)."""
    written = Dossier.objects.filter(status__in=PAUSED, risk__isnull=False).update(risk=None, risk_reason="",
                                                                                    risk_at=None)
    overdue_reason = _(OVERDUE_REASON)
    late = Dossier.objects.filter(status__in=RUNNING, due_at__lt=now).exclude(risk=1.0, risk_reason=overdue_reason)
    after = 0
    while True:
        ids = list(late.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:batch])
        written += Dossier.objects.filter(pk__in=ids).update(risk=1.0, risk_reason=overdue_reason, risk_at=now)
        if len(ids) < batch:
            break
        if out_of_time():
            return written
        after = ids[-1]
    return written + _forecast_running(now, batch, out_of_time)


def _forecast_running(now: dt.datetime, batch: int, out_of_time) -> int:
    stale = Dossier.objects.filter(Q(risk_at__isnull=True) | Q(risk_at__lt=now - _max_age()),
                                   status__in=RUNNING, due_at__gte=now).exclude(step="")
    facts, model, queue, written, after = None, None, None, 0, 0
    while True:
        rows = list(stale.filter(pk__gt=after).order_by("pk").values_list(*FIELDS)[:batch])
        if rows:
            if facts is None:
                facts, model, queue = Facts(), load_model(), queues()
            written += _forecast_batch(rows, now, facts, model, queue)
        if len(rows) < batch or out_of_time():
            return written
        after = rows[-1][0]


def _forecast_batch(rows: list[tuple], now: dt.datetime, facts: Facts, model: Model, queue) -> int:
    mine, usual = queue
    pk, version, channel, agency, assignee, step, started, due = (list(c) for c in zip(*rows, strict=True))
    agency_arr = np.array(agency, dtype=np.int64)
    now_s = np.full(len(rows), now.timestamp())
    started_s = np.array([(s or now).timestamp() for s in started])
    due_s = np.array([d.timestamp() for d in due])
    spent = np.maximum(_working_hours(facts, agency_arr, np.minimum(started_s, now_s), now_s), 0.0)
    left = _working_hours(facts, agency_arr, now_s, due_s)
    pile = np.array([mine.get((a, s), 0) if a else 0 for a, s in zip(assignee, step, strict=True)], dtype=np.float64)
    typical = np.array([usual.get((g, s), p) if a else p for a, g, s, p in zip(assignee, agency, step, pile,
                                                                                 strict=True)])
    risk = np.ones(len(rows))
    reasons = [_(OVERDUE_REASON)] * len(rows)
    open_ = left > 0
    idx = np.flatnonzero(open_)
    if len(idx):
        got, texts = predict(facts, model, version=[version[i] for i in idx], channel=[channel[i] for i in idx],
                             agency=[agency[i] for i in idx], step=[step[i] for i in idx], spent=spent[idx],
                             left=left[idx], queue=pile[idx], usual=typical[idx])
        risk[idx] = got
        for j, i in enumerate(idx):
            reasons[i] = texts[j]
    _write([(p, round(float(r), 4), t) for p, r, t in zip(pk, risk, reasons, strict=True)], now)
    return len(rows)
