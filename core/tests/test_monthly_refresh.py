"""The shared part of the monthly refresh commands: the months read from --from/--to, the Vietnamese errors,
the refresh called once over the range, the line written."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.monthly_refresh import MonthlyRefreshCommand
from core.periods import month_range

TODAY = dt.date(2026, 3, 15)


def test_default_is_the_previous_and_this_month():
    assert month_range(None, None, today=TODAY) == (dt.date(2026, 2, 1), dt.date(2026, 3, 1))
    assert month_range(None, None, today=dt.date(2026, 1, 5)) == (dt.date(2025, 12, 1), dt.date(2026, 1, 1))
    assert month_range("2025-11", "2026-01", today=TODAY) == (dt.date(2025, 11, 1), dt.date(2026, 1, 1))


@pytest.mark.parametrize("first, last, message", [
    ("tháng 3", None, "Tháng không hợp lệ"),
    ("03/2026", None, "Tháng không hợp lệ"),
    ("2026-04", "2026-03", "Tháng bắt đầu phải trước"),
    (None, "2026-04", "tháng trong tương lai"),
    ("1899-12", "2026-01", "Ngày phải trong khoảng"),
])
def test_bad_months_are_refused_in_vietnamese(first, last, message):
    with pytest.raises(ValueError, match=message):
        month_range(first, last, today=TODAY)


class Refresh(MonthlyRefreshCommand):
    done = "{rows} dòng, {first:%m/%Y} – {last:%m/%Y}"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls = []

    def refresh(self, *, first, last):
        self.calls.append((first, last))
        return 7


def test_the_command_refreshes_the_range_once_and_reports():
    command, out = Refresh(), io.StringIO()
    call_command(command, "--from", "2026-01", "--to", "2026-02", stdout=out)
    assert command.calls == [(dt.date(2026, 1, 1), dt.date(2026, 2, 1))]
    assert out.getvalue().strip() == "7 dòng, 01/2026 – 02/2026"


@pytest.mark.parametrize("args", [["--from", "2026-3x"], ["--from", "2026-04", "--to", "2026-03"], ["--to", "2099-01"]])
def test_a_bad_month_is_a_command_error_and_nothing_is_refreshed(args):
    command = Refresh()
    with pytest.raises(CommandError):
        call_command(command, *args, stdout=io.StringIO())
    assert command.calls == []
