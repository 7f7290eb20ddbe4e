"""due_many (numpy, in bulk) gives exactly what due() gives, row by row."""

import datetime as dt
import random
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import DomainError
from workcalendar.bulk import as_datetimes, due_many
from workcalendar.calendar import TZ, OfficeHours, Override, WorkCalendar
from workcalendar.deadlines import due
from workcalendar.units import DurationUnit, OverrideKind

WD, DAYS, HOURS = DurationUnit.WORKING_DAYS, DurationUnit.DAYS, DurationUnit.WORKING_HOURS

OVERRIDES = [
    Override(dt.date(2026, 3, 4), OverrideKind.DAY_OFF, "Nghỉ đột xuất"),  # a Wednesday
    Override(dt.date(2026, 3, 7), OverrideKind.WORKING_DAY, "Làm bù"),  # a Saturday
    Override(dt.date(2026, 11, 24), OverrideKind.REMOVE_DAY_OFF, "Đi làm"),  # Culture Day worked
    Override(dt.date(2026, 8, 22), OverrideKind.DAY_OFF, "Bỏ làm bù"),  # the package's make-up Saturday, cancelled
    Override(dt.date(2027, 1, 4), OverrideKind.DAY_OFF, "Nghỉ thêm"),  # a Monday
    Override(dt.date(2027, 6, 12), OverrideKind.WORKING_DAY, "Làm bù"),  # a Saturday
]
CAL = WorkCalendar(overrides=OVERRIDES)
PLAIN = WorkCalendar()
LATE_OFFICE = WorkCalendar(hours=OfficeHours(dt.time(7, 30), dt.time(11, 30), dt.time(13, 0), dt.time(17, 30),
                                             dt.time(16, 30)), overrides=OVERRIDES)


def at(y, m, d, hh=10, mm=0, ss=0, us=0):
    return dt.datetime(y, m, d, hh, mm, ss, us, tzinfo=TZ)


def generated(n: int, seed: int) -> tuple[list[dt.datetime], list[int]]:
    """Receipt moments over 2025–2027 at random minutes (some at random microseconds) and 0–30 days."""
    rng = random.Random(seed)
    start = at(2025, 1, 1, 0)
    moments, amounts = [], []
    for _ in range(n):
        moment = start + dt.timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
        if rng.random() < 0.2:
            moment += dt.timedelta(microseconds=rng.randrange(60_000_000))
        moments.append(moment)
        amounts.append(rng.randrange(31))
    return moments, amounts


def check_equal(cal, moments, amounts, unit=WD):
    got = as_datetimes(due_many(cal, moments, amounts, unit))
    expected = [due(cal, m, a, unit) for m, a in zip(moments, amounts, strict=True)]
    diff = [(m, a, g, e) for m, a, g, e in zip(moments, amounts, got, expected, strict=True) if g != e]
    assert not diff, diff[:5]
    assert [g.isoformat() for g in got] == [e.isoformat() for e in expected]  # same wall time and offset too
    return got


@pytest.mark.parametrize("cal", [CAL, PLAIN, LATE_OFFICE], ids=["overrides", "plain", "late-office"])
@pytest.mark.parametrize("unit", [WD, DAYS])
def test_equals_due_on_generated_rows(cal, unit):
    moments, amounts = generated(4000, seed=22)
    got = check_equal(cal, moments, amounts, unit)
    assert len(got) == 4000


def test_generated_rows_touch_the_special_days():
    moments, amounts = generated(4000, seed=22)
    got = {g.date() for g in as_datetimes(due_many(CAL, moments, amounts))}
    assert {dt.date(2026, 3, 7), dt.date(2027, 6, 12)} <= got  # make-up Saturdays are due days
    assert not {dt.date(2026, 3, 4), dt.date(2027, 1, 4), dt.date(2026, 8, 22)} & got  # extra days off never
    assert any(m.date() == dt.date(2026, 3, 7) for m in moments)


EDGES = [
    at(2026, 3, 2, 15, 0),  # exactly at the cut-off: still today
    at(2026, 3, 2, 15, 0, 0, 1),  # one microsecond after
    at(2026, 3, 2, 14, 59, 59, 999_999),
    at(2026, 3, 2, 15, 1),
    at(2026, 3, 2, 0, 0),
    at(2026, 3, 2, 23, 59, 59, 999_999),
    at(2026, 3, 3, 16, 0),  # the day before the extra day off, after the cut-off
    at(2026, 3, 4, 9, 0),  # on the extra day off
    at(2026, 3, 6, 16, 0),  # Friday after the cut-off: the make-up Saturday
    at(2026, 3, 7, 9, 0),  # on the make-up Saturday
    at(2026, 3, 7, 15, 0),
    at(2026, 3, 7, 16, 0),
    at(2026, 8, 22, 9, 0),  # the cancelled make-up Saturday
    at(2025, 4, 26, 9, 0),  # the package's make-up Saturday of 2025
    at(2025, 4, 26, 15, 30),
    at(2026, 4, 30, 9, 0),  # holidays
    at(2026, 2, 16, 9, 0),
    at(2026, 11, 24, 16, 0),  # Culture Day, worked by override
    at(2026, 2, 14, 9, 0),  # Saturday
    dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC),  # 00:30 on Monday 2/3 in Hanoi
    dt.datetime(2026, 3, 2, 8, 0, 0, 1, tzinfo=dt.UTC),  # 15:00:00.000001 in Hanoi
    dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),  # 15:00 in Hanoi
    at(2000, 1, 1, 9, 0),  # the calendar's first day
]


@pytest.mark.parametrize("cal", [CAL, PLAIN, LATE_OFFICE], ids=["overrides", "plain", "late-office"])
@pytest.mark.parametrize("unit", [WD, DAYS])
@pytest.mark.parametrize("amount", [0, 1, 2, 5, 30])
def test_equals_due_on_edge_cases(cal, unit, amount):
    check_equal(cal, EDGES, [amount] * len(EDGES), unit)


def test_edge_values():
    got = as_datetimes(due_many(CAL, [at(2026, 3, 2, 15, 0), at(2026, 3, 2, 15, 0, 0, 1), at(2026, 3, 6, 16, 0),
                                      at(2026, 3, 7, 16, 0), at(2026, 4, 30, 9, 0)], [0, 0, 0, 0, 0]))
    assert got == [at(2026, 3, 2, 17), at(2026, 3, 3, 17), at(2026, 3, 7, 17), at(2026, 3, 9, 17),
                   at(2026, 5, 4, 17)]
    assert all(g.tzinfo is TZ for g in got)


def test_numpy_instants_and_amount_arrays_give_the_same():
    moments, amounts = generated(500, seed=3)
    from_python = due_many(CAL, moments, amounts)
    as_np = np.array([m.astimezone(dt.UTC).replace(tzinfo=None) for m in moments], dtype="datetime64[us]")
    assert (due_many(CAL, as_np, np.array(amounts, dtype=np.int32)) == from_python).all()
    assert (due_many(CAL, as_np.astype("datetime64[s]").astype("datetime64[us]"), np.array(amounts, dtype=float))
            == due_many(CAL, as_np.astype("datetime64[s]"), amounts)).all()
    assert from_python.dtype == np.dtype("datetime64[us]")
    assert due_many(CAL, [], []).shape == (0,)


def test_bad_rows_raise_what_due_raises():
    def codes(moment, amount, unit=WD):
        with pytest.raises(DomainError) as one:
            due(CAL, moment, amount, unit)
        with pytest.raises(DomainError) as many:
            due_many(CAL, [at(2026, 3, 2), moment], [1, amount], unit)
        return one.value.code, many.value.code

    for moment, amount in [
        (dt.datetime(2026, 3, 2, 10), 1),  # naive
        (at(2026, 3, 2), -1),
        (at(2026, 3, 2), 1.5),
        (at(2026, 3, 2), True),
        (at(2080, 3, 2), 1),
        (at(1999, 12, 31, 9), 1),
        (at(2060, 12, 29), 5),
        (at(2060, 12, 31, 16), 0),
    ]:
        for unit in (WD, DAYS):
            one, many = codes(moment, amount, unit)
            assert one == many, (moment, amount, unit)
    with pytest.raises(DomainError, match="NaT"):
        due_many(CAL, np.array(["NaT"], dtype="datetime64[us]"), [1])


def test_other_units_are_refused_by_name():
    with pytest.raises(ValueError, match="working_hours"):
        due_many(CAL, [at(2026, 3, 2)], [1], HOURS)
    with pytest.raises(ValueError, match="weeks"):
        due_many(CAL, [at(2026, 3, 2)], [1], "weeks")
    with pytest.raises(ValueError, match="one value per receipt"):
        due_many(CAL, [at(2026, 3, 2)], [1, 2])


moments = st.datetimes(min_value=dt.datetime(2000, 1, 2), max_value=dt.datetime(2060, 6, 30)).map(
    lambda d: d.replace(tzinfo=TZ))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(moments, st.integers(min_value=0, max_value=120)), min_size=1, max_size=20),
       st.sampled_from([WD, DAYS]), st.sampled_from([CAL, LATE_OFFICE]))
def test_property_equals_due(rows, unit, cal):
    check_equal(cal, [m for m, _ in rows], [a for _, a in rows], unit)


def test_amount_types():
    moment = [at(2026, 3, 2)] * 4
    expected = due_many(CAL, moment, np.array([0, 1, 2, 300], dtype=np.int64))
    assert as_datetimes(expected) == [due(CAL, moment[0], a, WD) for a in (0, 1, 2, 300)]
    for amounts in ([0, 1, 2, 300], np.array([0, 1, 2, 300], dtype=np.uint16), np.array([0, 1, 2, 300], dtype=np.int32),
                    np.array([0, 1, 2, 300], dtype=float), [Decimal(0), 1, 2.0, 300]):
        assert (due_many(CAL, moment, amounts) == expected).all()
    for amounts in (np.array([0, 1, 2, 2**63 - 1]), np.array([0, 1, 2, 1e300]), [0, 1, 2, 10**30]):
        with pytest.raises(DomainError) as exc:
            due_many(CAL, moment, amounts)
        assert exc.value.code == "date_out_of_calendar"
    with pytest.raises(DomainError, match="một số"):
        due_many(CAL, moment[:1], np.array([True]))
