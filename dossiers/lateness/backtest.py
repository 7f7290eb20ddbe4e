"""An honest measure of the risk forecast (`manage.py backtest_forecast`): learn from the control sheet before
a cut date only, then at several moments after it take the dossiers that were running then and not yet past
their appointment, forecast them as the sweep would have, and compare with what really happened (the result
reached the desk after the appointment, or had not reached it when the appointment passed). The current
due-soon rule is scored on the same rows: 1 when due within one working day (`classify.due_soon_limit`), else
0; and, kinder to it, the ordering by working hours left.

The state of each dossier at a moment is rebuilt from its step spans (`risk.spans_sql`): the step it was in,
since when; the assignee's queue is the dossiers running in that step with the same assignee at that moment.
The assignee and the appointment are the dossier's current ones (the generated histories never change them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.utils import timezone

from workcalendar.selectors import calendar_for

from ..models import Dossier
from . import forecast, risk
from .classify import due_soon_limit


@dataclass
class Result:
    rows: int
    late: int
    moments: int
    samples: int
    scores: dict[str, tuple[float, float]]  # name -> (ROC AUC, precision at the top 5 %)


def default_moments(cut: dt.datetime, end: dt.datetime, *, every: int = 5, span_days: int = 61,
                    margin_days: int = 30) -> list[dt.datetime]:
    """Every `every` working days from the cut, at 10:00, for about two months, and no later than
    `margin_days` before the end of the data (so that the dossiers open then have an outcome)."""
    cal = calendar_for(None)
    day = cal.add_working_days(timezone.localtime(cut).date(), 0)
    last = min(timezone.localtime(cut).date() + dt.timedelta(days=span_days),
               timezone.localtime(end).date() - dt.timedelta(days=margin_days))
    out = []
    while day <= last:
        out.append(timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0))))
        day = cal.add_working_days(day, every)
    return out


def _load_spans():
    sql, params = risk.spans_sql(finished_only=False)
    rows = [r for chunk in risk._stream(sql, params) for r in chunk]
    dossier = np.array([r[0] for r in rows], dtype=np.int64)
    step = np.array([r[1] for r in rows], dtype=object)
    start = np.array([r[2] for r in rows], dtype=np.float64)
    end = np.array([np.inf if r[3] is None else r[3] for r in rows], dtype=np.float64)
    return dossier, step, start, end


def run(*, cut: dt.datetime, moments: list[dt.datetime], end: dt.datetime | None = None) -> Result:
    end = end or timezone.now()
    facts = risk.Facts()
    model = risk.fit_model(before=cut, facts=facts)
    span_dossier, span_step, span_start, span_end = _load_spans()
    info = {pk: rest for pk, *rest in Dossier.objects.filter(pk__in=np.unique(span_dossier).tolist()).values_list(
        "pk", "procedure_version_id", "channel", "handling_agency_id", "assignee_id", "due_at", "resolved_at",
        "status")}
    running = np.isin(span_step, list(risk.LATER_STEPS))
    collected = {"risk": [], "due_soon": [], "hours_left": [], "late": []}
    for moment in moments:
        m = moment.timestamp()
        here = running & (span_start <= m) & (span_end > m)
        ids, steps, starts = span_dossier[here], span_step[here], span_start[here]
        # the queue: dossiers running in the step with the same assignee at that moment
        mine: dict[tuple, int] = {}
        agency_of: dict[tuple, int] = {}
        for pk, step in zip(ids.tolist(), steps.tolist(), strict=True):
            who = info[pk][3]
            if who:
                mine[(who, step)] = mine.get((who, step), 0) + 1
                agency_of[(who, step)] = info[pk][2]
        piles: dict[tuple, list[int]] = {}
        for key, n in mine.items():
            piles.setdefault((agency_of[key], key[1]), []).append(n)
        usual = {key: float(np.median(v)) for key, v in piles.items()}
        keep, labels = [], []
        for i, pk in enumerate(ids.tolist()):
            *_, due_at, resolved_at, status = info[pk]
            if due_at is None or due_at.timestamp() <= m:
                continue  # no appointment, or already overdue: nothing left to forecast
            if resolved_at is not None:
                late = resolved_at > due_at
            elif due_at < end and status in risk.RUNNING:
                late = True  # still running after its appointment passed
            else:
                continue  # withdrawn, stopped, waiting for the citizen, or not yet due: outcome unknown
            keep.append(i)
            labels.append(late)
        if not keep:
            continue
        keep = np.array(keep)
        agencies = np.array([info[pk][2] for pk in ids[keep].tolist()], dtype=np.int64)
        now_s = np.full(len(keep), m)
        due_s = np.array([info[pk][4].timestamp() for pk in ids[keep].tolist()])
        spent = risk._working_hours(facts, agencies, starts[keep], now_s)
        left = risk._working_hours(facts, agencies, now_s, due_s)
        assignees = [info[pk][3] for pk in ids[keep].tolist()]
        step_list = steps[keep].tolist()
        queue = np.array([mine.get((a, s), 0) if a else 0 for a, s in zip(assignees, step_list, strict=True)],
                         dtype=np.float64)
        typical = np.array([usual.get((g, s), q) if a else q
                            for a, g, s, q in zip(assignees, agencies.tolist(), step_list, queue, strict=True)])
        got, _reasons = risk.predict(
            facts, model, version=[info[pk][0] for pk in ids[keep].tolist()],
            channel=[info[pk][1] for pk in ids[keep].tolist()], agency=agencies.tolist(), step=step_list,
            spent=spent, left=left, queue=queue, usual=typical)
        soon = due_soon_limit(calendar_for(None), moment).timestamp()
        collected["risk"].append(got)
        collected["due_soon"].append((due_s <= soon).astype(np.float64))
        collected["hours_left"].append(-left)
        collected["late"].append(np.array(labels, dtype=bool))
    if not collected["late"]:
        return Result(rows=0, late=0, moments=len(moments), samples=0, scores={})
    late = np.concatenate(collected["late"])
    scores = {}
    for name in ("risk", "due_soon", "hours_left"):
        values = np.concatenate(collected[name])
        scores[name] = (forecast.roc_auc(values, late), forecast.precision_at(values, late, 0.05))
    samples = sum(n for n, _q, _m in model.groups.get("all", {}).values())
    return Result(rows=len(late), late=int(late.sum()), moments=len(moments), samples=samples, scores=scores)
