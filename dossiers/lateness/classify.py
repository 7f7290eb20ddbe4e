"""Where an appointment stands now: on track, due soon or overdue (`DeadlineState`).

Pure: no database. The working calendar is passed in (`workcalendar.selectors.calendar_for`);
the deadline sweep applies the same rule set-based in SQL (`sweep.py`), a re-appointment applies it
to the one dossier (`letters.py`).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from workcalendar.calendar import WorkCalendar

from ..models import DeadlineState


def due_soon_limit(cal: WorkCalendar, now: dt.datetime) -> dt.datetime:
    """'Due soon' = due within one working day: by the end of the next working day."""
    today = timezone.localtime(now).date()
    start = today if cal.is_working_day(today) else cal.next_working_day(today)
    return cal.end_of_day(cal.add_working_days(start, 1))


def classify(due_at: dt.datetime | None, now: dt.datetime, *, soon: dt.datetime) -> str:
    """The state of one appointment at `now`; `soon` is `due_soon_limit(cal, now)`. Blank when
    there is no appointment (the clock is stopped)."""
    if due_at is None:
        return ""
    if due_at < now:
        return DeadlineState.OVERDUE
    return DeadlineState.DUE_SOON if due_at <= soon else DeadlineState.ON_TRACK
