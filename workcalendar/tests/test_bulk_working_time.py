"""Working time in bulk (workcalendar.bulk): the same office seconds as `working_seconds_between` and the
same instants as `add_working_time`, row by row, holidays, lunch breaks and nights included."""

import datetime as dt
import random

import numpy as np
import pytest

from core.errors import DomainError
from workcalendar.bulk import as_datetimes, from_working_position, working_position, working_seconds_many
from workcalendar.calendar import TZ, Override, WorkCalendar
from workcalendar.units import OverrideKind


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar(overrides=[Override(dt.date(2026, 3, 4), OverrideKind.DAY_OFF, "Nghỉ thêm")])


def _moments(seed, n=2000):
    rng = random.Random(seed)
    start = [dt.datetime(2026, 1, 1, tzinfo=TZ) + dt.timedelta(minutes=rng.randint(0, 400 * 1440)) for _ in range(n)]
    end = [s + dt.timedelta(minutes=rng.randint(0, 40 * 1440)) for s in start]
    return rng, start, end


def test_office_seconds_between_match_the_calendar(cal):
    _, start, end = _moments(1)
    got = working_seconds_many(cal, start, end)
    expected = [cal.working_seconds_between(a, b) for a, b in zip(start, end, strict=True)]
    assert got.tolist() == pytest.approx(expected, abs=1e-6)
    assert working_seconds_many(cal, end[:5], start[:5]).tolist() == pytest.approx([-x for x in expected[:5]])
    # over the extra day off: Tue 3/3 16:00 to Thu 5/3 08:00 is 1 + 1 office hours
    assert working_seconds_many(cal, [dt.datetime(2026, 3, 3, 16, tzinfo=TZ)],
                                [dt.datetime(2026, 3, 5, 8, tzinfo=TZ)])[0] == 2 * 3600


def test_positions_go_back_to_the_instants_add_working_time_gives(cal):
    rng, start, _ = _moments(2)
    seconds = np.array([rng.uniform(0, 300 * 3600) for _ in start])
    got = as_datetimes(from_working_position(cal, working_position(cal, start) + seconds))
    for a, s, moment in zip(start, seconds, got, strict=True):
        expected = cal.add_working_time(a, float(s))
        assert abs(cal.working_seconds_between(expected, moment)) < 1e-3


def test_negative_positions_are_refused(cal):
    with pytest.raises(DomainError):
        from_working_position(cal, np.array([-1.0]))
