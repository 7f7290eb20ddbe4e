"""Properties of the calendar arithmetic (hypothesis)."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from workcalendar.calendar import TZ, WorkCalendar
from workcalendar.deadlines import due
from workcalendar.units import DurationUnit

CAL = WorkCalendar()
days = st.dates(min_value=dt.date(2010, 1, 1), max_value=dt.date(2040, 12, 31))
moments = st.datetimes(min_value=dt.datetime(2010, 1, 1), max_value=dt.datetime(2040, 12, 31)).map(
    lambda d: d.replace(tzinfo=TZ))
amounts = st.integers(min_value=0, max_value=120)
day_units = st.sampled_from([DurationUnit.WORKING_DAYS, DurationUnit.DAYS])


@settings(max_examples=400, deadline=None)
@given(moments, amounts, day_units)
def test_result_is_always_a_working_day_at_the_end_of_office_hours(received, amount, unit):
    result = due(CAL, received, amount, unit)
    assert CAL.is_working_day(result.date())
    assert result.timetz().replace(tzinfo=None) == dt.time(17, 0)
    assert result >= received


@settings(max_examples=400, deadline=None)
@given(days, st.integers(min_value=1, max_value=200), st.integers(min_value=1, max_value=200))
def test_moving_a_then_b_working_days_equals_moving_a_plus_b(day, a, b):
    assert CAL.add_working_days(CAL.add_working_days(day, a), b) == CAL.add_working_days(day, a + b)


@settings(max_examples=400, deadline=None)
@given(days, st.integers(min_value=0, max_value=300))
def test_working_days_between_inverts_adding(day, n):
    assert CAL.working_days_between(day, CAL.add_working_days(day, n)) == max(n, 0 if CAL.is_working_day(day) else 1)


@settings(max_examples=400, deadline=None)
@given(moments, moments, amounts, st.sampled_from(list(DurationUnit)))
def test_monotonic_in_the_receipt_time(t1, t2, amount, unit):
    early, late = sorted([t1, t2])
    assert due(CAL, early, amount, unit) <= due(CAL, late, amount, unit)


@settings(max_examples=300, deadline=None)
@given(moments, st.integers(min_value=1, max_value=400))
def test_working_hours_round_trip(start, quarter_hours):
    hours = quarter_hours / 4
    end = due(CAL, start, hours, DurationUnit.WORKING_HOURS)
    assert abs(CAL.working_seconds_between(start, end) - hours * 3600) < 1e-6


@settings(max_examples=300, deadline=None)
@given(moments, moments, st.floats(min_value=0, max_value=400 * 3600))
def test_a_proposed_new_appointment_is_a_real_later_working_day(now, current_due, needed):
    from workcalendar.deadlines import propose_new_due

    proposed = propose_new_due(CAL, now, current_due, needed)
    assert CAL.is_working_day(proposed.date()) and proposed.timetz().replace(tzinfo=None) == dt.time(17, 0)
    assert proposed > current_due and proposed > now
    assert proposed >= CAL.add_working_time(now, needed)  # leaves room for the work still needed
