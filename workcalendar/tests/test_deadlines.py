import datetime as dt

import pytest

from core.errors import DomainError
from workcalendar.calendar import TZ, OfficeHours, Override, WorkCalendar
from workcalendar.deadlines import Punctuality, check_extension, due, explain, punctuality, working_time_between
from workcalendar.units import DurationUnit, OverrideKind

WD, DAYS, HOURS = DurationUnit.WORKING_DAYS, DurationUnit.DAYS, DurationUnit.WORKING_HOURS


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar()


def test_five_working_days_across_tet_2026(cal):
    assert due(cal, at(2026, 2, 12, 10), 5, WD) == at(2026, 2, 26, 17)


def test_the_day_of_receipt_is_not_counted(cal):
    assert due(cal, at(2026, 3, 2, 9), 1, WD) == at(2026, 3, 3, 17)  # Mon -> Tue


def test_cut_off_at_fifteen_hundred(cal):
    assert due(cal, at(2026, 3, 2, 15, 0), 1, WD) == at(2026, 3, 3, 17)  # 15:00 sharp: still today
    assert due(cal, at(2026, 3, 2, 15, 1), 1, WD) == at(2026, 3, 4, 17)  # after: counts from Tue


def test_received_on_a_holiday_counts_from_the_next_working_day(cal):
    # 30/4/2026 (Thu) and 1/5 (Fri) are holidays: effective day Mon 4/5; 3 working days -> Thu 7/5.
    assert due(cal, at(2026, 4, 30, 9), 3, WD) == at(2026, 5, 7, 17)
    assert due(cal, at(2026, 5, 2, 9), 3, WD) == at(2026, 5, 7, 17)  # Saturday likewise


def test_same_day_procedure_and_after_cut_off(cal):
    assert due(cal, at(2026, 3, 2, 10), 0, WD) == at(2026, 3, 2, 17)
    # Birth registration received at 16:00: due the next working day.
    assert due(cal, at(2026, 3, 2, 16), 0, WD) == at(2026, 3, 3, 17)
    # Received on Monday 23/11/2026 at 16:00: Tuesday 24/11 is Culture Day -> Wednesday.
    assert due(cal, at(2026, 11, 23, 16), 0, WD) == at(2026, 11, 25, 17)


def test_make_up_saturday_is_a_working_day_in_the_count(cal):
    # Thu 21/8/2026 + 1 working day = Sat 22/8 (worked in exchange for Mon 31/8).
    assert due(cal, at(2026, 8, 21, 9), 1, WD) == at(2026, 8, 22, 17)
    assert due(cal, at(2026, 8, 28, 9), 1, WD) == at(2026, 9, 3, 17)  # 31/8, 1/9, 2/9 off


def test_calendar_days_ending_on_a_holiday_move_to_the_next_working_day(cal):
    # Mon 20/4/2026 + 10 days = Thu 30/4 (holiday), 1/5 holiday, weekend -> Mon 4/5.
    assert due(cal, at(2026, 4, 20, 10), 10, DAYS) == at(2026, 5, 4, 17)
    assert due(cal, at(2026, 4, 20, 10), 9, DAYS) == at(2026, 4, 29, 17)  # Wed, a working day


def test_working_hours_across_lunch_and_nights(cal):
    assert due(cal, at(2026, 3, 2, 11, 0), 1, HOURS) == at(2026, 3, 2, 14, 0)  # 30 min before lunch
    assert due(cal, at(2026, 3, 6, 16, 0), 2, HOURS) == at(2026, 3, 9, 8, 0)  # Fri evening -> Mon
    assert due(cal, at(2026, 3, 2, 7, 0), 8, HOURS) == at(2026, 3, 2, 17, 0)  # exactly one office day
    assert due(cal, at(2026, 3, 2, 12, 0), 3.5, HOURS) == at(2026, 3, 2, 17, 0)  # started in the lunch break
    assert due(cal, at(2026, 3, 2, 12, 0), 4, HOURS) == at(2026, 3, 3, 7, 30)
    assert due(cal, at(2026, 3, 2, 20, 0), 0.5, HOURS) == at(2026, 3, 3, 7, 30)  # received at night
    assert due(cal, at(2026, 2, 13, 16, 0), 4, HOURS) == at(2026, 2, 23, 10, 0)  # across Tết
    assert due(cal, at(2026, 3, 2, 7, 0), 40, HOURS) == at(2026, 3, 6, 17, 0)  # five whole days


def test_working_time_between(cal):
    assert working_time_between(cal, at(2026, 3, 2, 11), at(2026, 3, 2, 14)) == dt.timedelta(hours=1)
    assert working_time_between(cal, at(2026, 2, 13, 16), at(2026, 2, 23, 10)) == dt.timedelta(hours=4)
    assert working_time_between(cal, at(2026, 3, 2, 7), at(2026, 3, 9, 7)) == dt.timedelta(hours=40)
    assert working_time_between(cal, at(2026, 3, 9, 7), at(2026, 3, 2, 7)) == -dt.timedelta(hours=40)


def test_office_hours_of_an_agency_change_the_due_time():
    late_shift = WorkCalendar(hours=OfficeHours(dt.time(7, 30), dt.time(11, 30), dt.time(14, 0), dt.time(17, 30),
                                                dt.time(16, 0)))
    assert due(late_shift, at(2026, 3, 2, 15, 30), 1, WD) == at(2026, 3, 3, 17, 30)  # cut-off 16:00


@pytest.mark.parametrize(
    ("amount", "unit", "code"),
    [(-1, WD, "negative_amount"), (None, WD, "invalid_amount"), ("5", WD, "invalid_amount"),
     (1.5, WD, "fractional_days"), (5, "weeks", "invalid_unit"), (True, WD, "invalid_amount")],
)
def test_bad_amounts_and_units_are_refused(cal, amount, unit, code):
    with pytest.raises(DomainError) as err:
        due(cal, at(2026, 3, 2), amount, unit)
    assert err.value.code == code


def test_naive_datetime_refused(cal):
    with pytest.raises(DomainError, match="múi giờ"):
        due(cal, dt.datetime(2026, 3, 2, 10), 1, WD)


def test_date_outside_the_calendar_refused(cal):
    with pytest.raises(DomainError, match="ngoài phạm vi"):
        due(cal, at(2070, 1, 5), 1, WD)


def test_overrides_day_off_makeup_and_removal():
    cal = WorkCalendar(overrides=[
        Override(dt.date(2026, 3, 4), OverrideKind.DAY_OFF, "Nghỉ đột xuất"),
        Override(dt.date(2026, 3, 7), OverrideKind.WORKING_DAY, "Làm bù"),
        Override(dt.date(2026, 11, 24), OverrideKind.REMOVE_DAY_OFF, "Đi làm"),
    ])
    assert not cal.is_working_day(dt.date(2026, 3, 4)) and cal.day_name(dt.date(2026, 3, 4)) == "Nghỉ đột xuất"
    assert cal.is_working_day(dt.date(2026, 3, 7))
    assert cal.is_working_day(dt.date(2026, 11, 24))
    # Tue 3/3 + 2 working days: Wed 4/3 off -> Thu 5/3, Fri 6/3.
    assert due(cal, at(2026, 3, 3), 2, WD) == at(2026, 3, 6, 17)


def test_extension_must_be_later_and_on_a_working_day(cal):
    current = at(2026, 3, 6, 17)
    assert check_extension(cal, current, dt.date(2026, 3, 10)) == at(2026, 3, 10, 17)
    with pytest.raises(DomainError) as err:
        check_extension(cal, current, dt.date(2026, 3, 6))
    assert err.value.code == "extension_not_later"
    with pytest.raises(DomainError) as err:
        check_extension(cal, current, dt.date(2026, 3, 7))  # a Saturday
    assert err.value.code == "extension_not_working_day"
    with pytest.raises(DomainError):
        check_extension(cal, current, dt.date(2026, 4, 30))  # a holiday


def test_punctuality(cal):
    due_at = at(2026, 3, 6, 17)
    assert punctuality(at(2026, 3, 5, 9), due_at) == Punctuality.EARLY
    assert punctuality(at(2026, 3, 6, 9), due_at) == Punctuality.ON_TIME
    assert punctuality(at(2026, 3, 6, 17, 1), due_at) == Punctuality.LATE


def test_explanation_names_the_skipped_days(cal):
    line = explain(cal, at(2026, 2, 12, 10), 5, WD)
    assert "12/02/2026" in line and "Tết Nguyên Đán" in line
    line = explain(cal, at(2026, 8, 20, 16), 2, WD)
    assert "nhận sau 15:00" in line and "22/08" in line


def test_proposed_new_appointment_after_tet(cal):
    from workcalendar.deadlines import propose_new_due

    # Friday 13/2/2026 14:00, due 17:00 the same day, 8 office hours still needed: 3 h Friday,
    # then Tết (16-20/2) -> 5 h on Monday 23/2, rounded to the end of that day.
    assert propose_new_due(cal, at(2026, 2, 13, 14), at(2026, 2, 13, 17), 8 * 3600) == at(2026, 2, 23, 17)
    # Nothing left to do still gives a real re-appointment: the next working day.
    assert propose_new_due(cal, at(2026, 3, 9, 9), at(2026, 3, 5, 17), 0) == at(2026, 3, 10, 17)
    with pytest.raises(DomainError):
        propose_new_due(cal, at(2026, 3, 9, 9), at(2026, 3, 5, 17), -1)
