"""The official 2025/2026 civil-service schedules, pinned: an upgrade of `holidays` that changes
them must fail here (dependencies.md §2)."""

import datetime as dt

import pytest

from workcalendar.calendar import WorkCalendar

D = dt.date


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar()


def _span(a: dt.date, b: dt.date):
    return [a + dt.timedelta(days=i) for i in range((b - a).days + 1)]


def test_tet_2025_nine_days_off(cal):
    assert not any(cal.is_working_day(d) for d in _span(D(2025, 1, 25), D(2025, 2, 2)))
    assert cal.is_working_day(D(2025, 1, 24)) and cal.is_working_day(D(2025, 2, 3))


def test_2025_swap_26_april_worked_2_may_off(cal):
    assert cal.is_working_day(D(2025, 4, 26))  # a Saturday, worked
    assert not cal.is_working_day(D(2025, 5, 2))
    assert not cal.is_working_day(D(2025, 4, 30)) and not cal.is_working_day(D(2025, 5, 1))
    assert "02/05/2025" in cal.day_name(D(2025, 4, 26))


def test_hung_kings_2025(cal):
    assert not cal.is_working_day(D(2025, 4, 7))


def test_tet_2026_fourteenth_to_twenty_second_february(cal):
    assert not any(cal.is_working_day(d) for d in _span(D(2026, 2, 14), D(2026, 2, 22)))
    assert cal.is_working_day(D(2026, 2, 13)) and cal.is_working_day(D(2026, 2, 23))


def test_2026_hung_kings_compensatory_monday(cal):
    assert not cal.is_working_day(D(2026, 4, 27))
    assert "nghỉ bù" in cal.day_name(D(2026, 4, 27))


def test_2026_national_day_swap(cal):
    assert not cal.is_working_day(D(2026, 8, 31))
    assert cal.is_working_day(D(2026, 8, 22))  # Saturday worked in exchange
    assert not cal.is_working_day(D(2026, 9, 1)) and not cal.is_working_day(D(2026, 9, 2))


def test_vietnamese_culture_day_from_2026(cal):
    assert not cal.is_working_day(D(2026, 11, 24))
    assert cal.day_name(D(2026, 11, 24)) == "Ngày Văn hóa Việt Nam"
    assert cal.is_working_day(D(2025, 11, 24))  # a Monday, before the new holiday


def test_special_days_2026_lists_weekday_holidays_and_makeup_saturday(cal):
    days = cal.special_days(2026)
    off = [d for d, kind, _ in days if kind == "day_off"]
    worked = [d for d, kind, _ in days if kind == "working_weekend"]
    assert worked == [D(2026, 8, 22)]
    assert D(2026, 2, 16) in off and D(2026, 11, 24) in off and D(2026, 4, 26) not in off  # 26/4 is a Sunday
    assert len(off) == 13
