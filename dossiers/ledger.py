"""Mẫu 06: Sổ theo dõi hồ sơ (the reception ledger) per agency and period, as PDF or XLSX."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Agency
from accounts.validators import display_phone
from core.exports import Sheet, xlsx_bytes

from .models import Dossier
from .policies import initials
from .printing import render_pdf

PDF_LIMIT = 2000
COLUMNS = ["TT", "Mã hồ sơ", "Tên thủ tục", "Số lượng hồ sơ (bộ)", "Tên cá nhân, tổ chức", "Địa chỉ, số điện thoại",
           "Cơ quan chủ trì giải quyết", "Ngày, tháng, năm nhận hồ sơ", "Ngày hẹn trả kết quả",
           "Ngày có kết quả", "Ngày trả kết quả", "Ghi chú"]


def ledger_rows(agency: Agency, start: dt.date, end: dt.date) -> QuerySet[Dossier]:
    begin = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    finish = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return (Dossier.objects.filter(receiving_agency=agency, received_at__gte=begin, received_at__lt=finish)
            .select_related("procedure_version__procedure", "handling_agency").order_by("received_at", "id"))


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y") if moment else ""


def row_values(index: int, d: Dossier, *, personal: bool = True) -> list:
    """One ledger line with real datetimes (the XLSX writes date cells; the PDF formats them). Without
    `personal` (a reader who may not see applicants' data): initials, no address or phone."""
    note = d.get_status_display()
    if d.punctuality:
        note += f" ({d.get_punctuality_display().lower()})"
    if personal:
        name = d.applicant_name
        address = ", ".join(x for x in (d.applicant_address, d.applicant_commune, display_phone(d.applicant_phone))
                            if x)
    else:
        name, address = initials(d.applicant_name), ""
    return [index, d.code, d.procedure_version.procedure.name, 1, name, address, d.handling_agency.name,
            d.received_at, d.due_at, d.resolved_at, d.returned_at, note]


def ledger_xlsx(agency: Agency, start: dt.date, end: dt.date, *, personal: bool = True) -> bytes:
    rows = (row_values(index, dossier, personal=personal)
            for index, dossier in enumerate(ledger_rows(agency, start, end).iterator(chunk_size=2000), start=1))
    return xlsx_bytes([Sheet("Mẫu 06", heading=[
        f"SỔ THEO DÕI HỒ SƠ — {agency.name} — từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}"], header=COLUMNS, rows=rows)])


def ledger_pdf(agency: Agency, start: dt.date, end: dt.date, *, personal: bool = True) -> bytes | None:
    rows = list(ledger_rows(agency, start, end)[:PDF_LIMIT + 1])
    if len(rows) > PDF_LIMIT:
        return None
    return render_pdf("dossiers/print/form06.html", {
        "agency": agency, "start": start, "end": end, "columns": COLUMNS,
        "rows": [[_local(v) if isinstance(v, dt.datetime) else v for v in row_values(i, d, personal=personal)]
                 for i, d in enumerate(rows, start=1)], "now": timezone.localtime(),
    })
