"""Supplement requests during processing: restart (Decree 61/2018 Art. 19(4)) and pause."""

import datetime as dt

import pytest

from core.errors import DomainError
from workcalendar.calendar import TZ, WorkCalendar
from workcalendar.deadlines import ClockEvent, ClockEventKind, clock
from workcalendar.units import ClockPolicy, DurationUnit

K = ClockEventKind
WD = DurationUnit.WORKING_DAYS


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar()


TIMELINE = [
    ClockEvent(K.RECEIVED, at(2026, 3, 2, 10)),  # Mon; 5 working days -> Mon 9/3 17:00
    ClockEvent(K.SUPPLEMENT_REQUESTED, at(2026, 3, 4, 10)),  # Wed
    ClockEvent(K.SUPPLEMENT_RECEIVED, at(2026, 3, 12, 9)),  # the next Thursday
]


def test_restart_counts_the_whole_limit_again(cal):
    state = clock(cal, TIMELINE, 5, WD, ClockPolicy.RESTART)
    assert state.original_due_at == at(2026, 3, 9, 17)
    assert state.due_at == at(2026, 3, 19, 17)  # Thu 12/3 + 5 working days
    assert not state.stopped


def test_pause_continues_with_the_time_that_was_left(cal):
    state = clock(cal, TIMELINE, 5, WD, ClockPolicy.PAUSE)
    # Left at the request: Wed 10:00-17:00 (5h) + Thu, Fri, Mon (24h) = 29h.
    # From Thu 12/3 09:00: Thu 6h, Fri 8h, Mon 8h, Tue 7h -> Tue 17/3 16:00, rounded to the end of Tuesday.
    assert state.due_at == at(2026, 3, 17, 17)
    assert state.waited == dt.timedelta(hours=5 + 8 * 5 + 2)  # Wed 10:00 .. Thu(12/3) 09:00 in office time


def test_clock_is_stopped_while_waiting(cal):
    state = clock(cal, TIMELINE[:2], 5, WD, ClockPolicy.PAUSE)
    assert state.stopped and state.due_at is None


def test_pause_across_tet_and_a_late_supplement_after_cut_off(cal):
    events = [ClockEvent(K.RECEIVED, at(2026, 2, 9, 10)), ClockEvent(K.SUPPLEMENT_REQUESTED, at(2026, 2, 11, 17)),
              ClockEvent(K.SUPPLEMENT_RECEIVED, at(2026, 2, 23, 16))]
    restart = clock(cal, events, 3, WD, ClockPolicy.RESTART)
    assert restart.due_at == at(2026, 2, 27, 17)  # received after 15:00 on Mon 23/2 -> counts from Tue
    pause = clock(cal, events, 3, WD, ClockPolicy.PAUSE)
    # Due Thu 12/2 17:00; at the request (Wed 11/2 17:00) one office day was left -> Tue 24/2 16:00 -> end of day.
    assert pause.due_at == at(2026, 2, 24, 17)


def test_extension_after_supplement(cal):
    events = [*TIMELINE, ClockEvent(K.EXTENDED, at(2026, 3, 20, 9), new_due=at(2026, 3, 25, 17))]
    assert clock(cal, events, 5, WD, ClockPolicy.RESTART).due_at == at(2026, 3, 25, 17)
    bad = [*TIMELINE, ClockEvent(K.EXTENDED, at(2026, 3, 20, 9), new_due=at(2026, 3, 18, 17))]
    with pytest.raises(DomainError):
        clock(cal, bad, 5, WD, ClockPolicy.RESTART)


def test_events_before_reception_or_unknown_are_refused(cal):
    with pytest.raises(DomainError):
        clock(cal, [ClockEvent(K.SUPPLEMENT_REQUESTED, at(2026, 3, 2))], 5, WD)
    with pytest.raises(DomainError):
        clock(cal, [ClockEvent(K.RECEIVED, at(2026, 3, 2)), ClockEvent("lost", at(2026, 3, 3))], 5, WD)
    with pytest.raises(DomainError):
        clock(cal, TIMELINE, 5, WD, "stop")


def test_event_order_does_not_matter(cal):
    shuffled = [TIMELINE[2], TIMELINE[0], TIMELINE[1]]
    assert clock(cal, shuffled, 5, WD, ClockPolicy.PAUSE).due_at == at(2026, 3, 17, 17)
