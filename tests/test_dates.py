"""Dates typed day first ("06/12/2026" is 6 December) are read that way in every language, in the
admin and on the staff pages; a month-first date is refused with a clear message, never stored."""

import datetime as dt

import pytest

from core.dates import parse_day
from core.errors import DomainError
from core.periods import period_from
from dossiers import services
from dossiers.tests.conftest import APPLICANT, at, world  # noqa: F401 - the shared dossier fixtures
from workcalendar.models import CalendarOverride

pytestmark = pytest.mark.django_db
ADD = "/admin/workcalendar/calendaroverride/add/"


@pytest.mark.parametrize("text", ["06/12/2026", "6/12/2026", "06-12-2026", "2026-12-06", " 06/12/2026 "])
def test_day_first_and_iso_are_read(text):
    assert parse_day(text) == dt.date(2026, 12, 6)


@pytest.mark.parametrize("text", ["12/31/2026", "06/12/26", "2026/12/06", "31/02/2026", "hôm nay"])
def test_month_first_short_years_and_nonsense_are_refused(text):
    with pytest.raises(DomainError) as exc:
        parse_day(text, field="from")
    assert exc.value.code == "invalid_date" and "ngày/tháng/năm" in exc.value.message and exc.value.field == "from"


@pytest.mark.parametrize("text", ["01/01/9999", "01/01/0001", "9999-12-31", "31/12/1899", "01/01/2100"])
def test_well_formed_dates_out_of_range_say_the_range(text):
    with pytest.raises(DomainError) as exc:
        parse_day(text, field="from")
    assert exc.value.code == "date_out_of_range" and exc.value.field == "from"
    assert exc.value.message == "Ngày phải trong khoảng 01/01/1900 – 31/12/2099."


def test_report_periods_read_day_first():
    assert period_from({"from": "01/12/2026", "to": "06/12/2026"}, default_start=dt.date(2026, 1, 1),
                       today=dt.date(2026, 12, 20)) == (dt.date(2026, 12, 1), dt.date(2026, 12, 6))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_admin_stores_a_day_first_date_as_typed_in_both_languages(client, demo, language):
    client.cookies["portal_language"] = language
    client.force_login(demo.user("admin@demo.gov.vn"))
    response = client.post(ADD, {"date": "08/12/2026", "kind": "day_off", "name": "Nghỉ thử", "legal_basis": "",
                                 "province": ""})
    assert response.status_code == 302, response.context["adminform"].form.errors
    override = CalendarOverride.objects.get(name="Nghỉ thử")
    assert override.date == dt.date(2026, 12, 8)  # before: 12 August (Django's month-first fallback)
    page = client.get(f"/admin/workcalendar/calendaroverride/{override.pk}/change/").content.decode()
    assert 'value="08/12/2026"' in page  # shown back in the same order


@pytest.mark.parametrize("language", ["vi", "en"])
def test_admin_refuses_a_month_first_date(client, demo, language):
    client.cookies["portal_language"] = language
    client.force_login(demo.user("admin@demo.gov.vn"))
    response = client.post(ADD, {"date": "12/31/2026", "kind": "day_off", "name": "Nghỉ sai", "province": ""})
    assert response.status_code == 200 and response.context["adminform"].form.errors["date"]
    assert not CalendarOverride.objects.filter(name="Nghỉ sai").exists()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_worklist_filters_by_day_first_dates_and_explains_a_bad_one(client, world, language):  # noqa: F811
    dossier = services.dossier_create_at_desk(actor=world.reception, version=world.birth, agency=world.pleiku,
                                              at=at(2026, 12, 4), **APPLICANT)  # a Friday
    client.cookies["portal_language"] = language
    client.force_login(world.reception)
    page = client.get("/ho-so/can-xu-ly/", {"queue": "agency", "from": "04/12/2026", "to": "04/12/2026"})
    html = page.content.decode()
    assert dossier.code in html and 'value="04/12/2026"' in html  # before: no row (read as 12 April, or dropped)
    later = client.get("/ho-so/can-xu-ly/", {"queue": "agency", "from": "05/12/2026"})
    assert dossier.code not in later.content.decode()
    bad = client.get("/ho-so/can-xu-ly/", {"queue": "agency", "from": "12/31/2026"})
    assert bad.status_code == 200 and 'data-testid="date-error"' in bad.content.decode()
    assert bad.context["date_errors"] and dossier.code in bad.content.decode()  # the bad filter is left off


@pytest.mark.parametrize("language", ["vi", "en"])
def test_report_pages_show_and_read_day_first(client, world, language):  # noqa: F811
    client.cookies["portal_language"] = language
    client.force_login(world.approver)
    page = client.get("/ho-so/bao-cao/tre-han/", {"from": "01/11/2026", "to": "06/12/2026"})
    html = page.content.decode()
    assert page.status_code == 200 and 'value="01/11/2026"' in html and 'value="06/12/2026"' in html
    assert 'type="date"' not in html  # the browser's own date box shows month first to English users
