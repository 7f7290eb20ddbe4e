"""The pure rule of lateness: on track, due soon (within one working day) or overdue. No database:
the working calendar is built from the holiday package alone."""

import pytest

from dossiers.lateness.classify import classify, due_soon_limit
from dossiers.models import DeadlineState
from workcalendar.calendar import OfficeHours, WorkCalendar

from .conftest import at


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar(hours=OfficeHours.from_settings())


def test_due_soon_means_within_one_working_day_and_skips_holidays(cal):
    assert due_soon_limit(cal, at(2026, 3, 2, 9)) == at(2026, 3, 3, 17)  # Mon -> end of Tue
    assert due_soon_limit(cal, at(2026, 2, 13, 9)) == at(2026, 2, 23, 17)  # Fri before Tết -> Mon after it
    assert due_soon_limit(cal, at(2026, 2, 14, 9)) == at(2026, 2, 24, 17)  # on a holiday: from the next working day


@pytest.mark.parametrize(("due", "state"), [
    (None, ""),  # the clock is stopped (waiting for the citizen)
    (at(2026, 3, 2, 8, 59), DeadlineState.OVERDUE),
    (at(2026, 3, 2, 9), DeadlineState.DUE_SOON),  # due this very moment: not yet overdue
    (at(2026, 3, 3, 17), DeadlineState.DUE_SOON),  # the end of the next working day
    (at(2026, 3, 4, 7), DeadlineState.ON_TRACK),
])
def test_an_appointment_is_on_track_due_soon_or_overdue(cal, due, state):
    now = at(2026, 3, 2, 9)  # Monday
    assert classify(due, now, soon=due_soon_limit(cal, now)) == state
