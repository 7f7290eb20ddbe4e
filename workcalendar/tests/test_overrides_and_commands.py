"""Database overrides take effect at once; the commands; the admin year page."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from workcalendar.models import CalendarOverride, CalendarYear
from workcalendar.selectors import calendar_for, unconfirmed_coming_year
from workcalendar.units import OverrideKind

pytestmark = pytest.mark.django_db


def run(*args) -> list[str]:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().splitlines()


def test_due_date_command_prints_iso_instant_then_explanation():
    lines = run("due_date", "--received", "2026-02-12T10:00", "--amount", "5", "--unit", "working_days")
    assert lines[0] == "2026-02-26T17:00:00+07:00"
    assert "Tết Nguyên Đán" in lines[1] and len(lines) == 2


def test_due_date_units_and_offsets():
    assert run("due_date", "--received", "2026-04-20T10:00+07:00", "--amount", "10", "--unit", "days")[0] == \
        "2026-05-04T17:00:00+07:00"
    assert run("due_date", "--received", "2026-03-02T03:00Z", "--amount", "1", "--unit", "working_hours")[0] == \
        "2026-03-02T11:00:00+07:00"  # 10:00 in Hanoi


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--received", "2026-02-30T10:00", "--amount", "5"], "Thời điểm nhận không hợp lệ"),
        (["--received", "hôm qua", "--amount", "5"], "Thời điểm nhận không hợp lệ"),
        (["--received", "2026-02-12T10:00", "--amount", "năm"], "Thời hạn không hợp lệ"),
        (["--received", "2026-02-12T10:00", "--amount", "-3"], "không được âm"),
        (["--received", "2026-02-12T10:00", "--amount", "1.5"], "số nguyên"),
        (["--received", "2080-02-12T10:00", "--amount", "1"], "ngoài phạm vi"),
        (["--received", "2026-02-12T10:00", "--amount", "1", "--agency", "X99"], "Không tìm thấy cơ quan"),
    ],
)
def test_due_date_bad_arguments_fail_with_a_clear_message(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("due_date", *args, stdout=io.StringIO())


def test_due_date_bad_unit_exits_non_zero():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "due_date", "--received", "2026-02-12T10:00", "--amount", "5", "--unit", "weeks"],
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "DEBUG": "true", "VAR_DIR": "/tmp/portal-cli"},
        timeout=60,
    )
    assert result.returncode != 0 and "weeks" in result.stderr


def test_a_database_override_changes_the_answer_at_once(demo):
    first = run("due_date", "--received", "2026-03-03T10:00", "--amount", "2", "--agency", "H21.65")[0]
    assert first == "2026-03-05T17:00:00+07:00"
    override = CalendarOverride.objects.create(date=dt.date(2026, 3, 4), kind=OverrideKind.DAY_OFF, name="Bão số 3")
    lines = run("due_date", "--received", "2026-03-03T10:00", "--amount", "2", "--agency", "H21.65")
    assert lines[0] == "2026-03-06T17:00:00+07:00" and "Bão số 3" in lines[1]
    override.delete()
    assert run("due_date", "--received", "2026-03-03T10:00", "--amount", "2", "--agency", "H21.65")[0] == first
    # Editing an existing override is seen too.
    makeup = CalendarOverride.objects.create(date=dt.date(2026, 3, 7), kind=OverrideKind.WORKING_DAY, name="Làm bù")
    assert run("due_date", "--received", "2026-03-06T10:00", "--amount", "1")[0] == "2026-03-07T17:00:00+07:00"
    makeup.date = dt.date(2026, 3, 14)
    makeup.save()
    assert run("due_date", "--received", "2026-03-06T10:00", "--amount", "1")[0] == "2026-03-09T17:00:00+07:00"


def test_province_override_applies_only_to_its_agencies(demo):
    from accounts.tests.factories import AgencyFactory

    other = AgencyFactory(code="H22", name="UBND tỉnh Khác", level="province")
    CalendarOverride.objects.create(date=dt.date(2026, 3, 4), kind=OverrideKind.DAY_OFF, name="Lễ hội tỉnh",
                                    province=demo.agency("H21"))
    assert not calendar_for(demo.agency("H21.65")).is_working_day(dt.date(2026, 3, 4))
    assert calendar_for(other).is_working_day(dt.date(2026, 3, 4))
    assert calendar_for(None).is_working_day(dt.date(2026, 3, 4))


def test_agency_office_hours_used(demo):
    lines = run("due_date", "--received", "2026-03-02T10:00", "--amount", "1", "--agency", "H21.67")
    assert lines[0] == "2026-03-03T17:30:00+07:00"  # Ia Grai closes at 17:30


@pytest.mark.parametrize(
    ("date", "kind"),
    [(dt.date(2026, 3, 4), OverrideKind.WORKING_DAY), (dt.date(2026, 3, 7), OverrideKind.DAY_OFF),
     (dt.date(2026, 3, 8), OverrideKind.REMOVE_DAY_OFF)],
)
def test_nonsense_overrides_are_refused(date, kind):
    with pytest.raises(ValidationError):
        CalendarOverride(date=date, kind=kind).full_clean()


def test_one_national_override_per_day():
    CalendarOverride.objects.create(date=dt.date(2026, 3, 4), kind=OverrideKind.DAY_OFF)
    with pytest.raises(ValidationError, match="đã có điều chỉnh"):
        CalendarOverride(date=dt.date(2026, 3, 4), kind=OverrideKind.DAY_OFF).full_clean()


def test_workdays_lists_the_year():
    lines = run("workdays", "--year", "2026")
    assert "2026-08-22  Thứ Bảy   làm bù  Làm bù cho ngày nghỉ 31/08/2026" in lines
    assert any(line.startswith("2026-11-24") and "Văn hóa" in line for line in lines)
    with pytest.raises(CommandError):
        call_command("workdays", "--year", "1990", stdout=io.StringIO())


def test_unconfirmed_coming_year_warning():
    with time_machine.travel(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC), tick=False):
        assert unconfirmed_coming_year() == 2027
        assert any("chưa được xác nhận" in line for line in run("workdays", "--year", "2027"))
        CalendarYear.objects.create(year=2027, confirmed=True, legal_basis="Thông báo số 1/TB-BNV")
        assert unconfirmed_coming_year() is None


def test_admin_year_page_shows_named_days_and_warning(client, demo):
    client.force_login(demo.user("admin@demo.gov.vn"))
    with time_machine.travel(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC), tick=False):
        page = client.get("/admin/workcalendar/calendaroverride/year/2026/").content.decode()
    assert "Ngày Văn hóa Việt Nam" in page and "Làm bù cho ngày nghỉ 31/08/2026" in page
    assert "Lịch nghỉ năm 2027 chưa được xác nhận" in page
    assert 'class="makeup"' in page and 'class="off"' in page


def test_admin_year_page_is_for_administrators_only(client, demo):
    client.force_login(demo.user("tiepnhan.pleiku@demo.gov.vn"))
    response = client.get("/admin/workcalendar/calendaroverride/year/2026/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_national_default_office_hours_come_from_settings(settings):
    import datetime as dt

    settings.OFFICE_HOURS = {**settings.OFFICE_HOURS, "afternoon_end": dt.time(16, 30)}
    assert run("due_date", "--received", "2026-03-02T10:00", "--amount", "1")[0] == "2026-03-03T16:30:00+07:00"
