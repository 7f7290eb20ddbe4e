"""Mẫu 06: Sổ theo dõi hồ sơ (the reception ledger) per agency and period, as PDF or XLSX.

The XLSX is streamed in the request. The PDF is laid out in the background (`ledger_export_request` queues a
`LedgerExport`, the task `ledger_export_render` lays it out in chunks of `CHUNK` rows, recording its progress
after each, and joins the chunks' pages into one file): a thousand rows take tens of seconds of layout, which
a request must not hold.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency
from accounts.validators import display_phone
from core.errors import DomainError
from core.exports import Sheet, xlsx_bytes

from .models import Dossier, ExportStatus, LedgerExport
from .policies import initials

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


log = logging.getLogger(__name__)
CHUNK = 100
REUSE_MINUTES = 10  # the same ledger asked for again within this time is the same export (a double click)
KEEP_DAYS = 2       # an officer's own exports older than this are deleted when they ask for a new one


def _html(agency, start, end, rows, *, first: bool, last: bool, first_page: int) -> str:
    return render_to_string("dossiers/print/form06.html", {
        "agency": agency, "start": start, "end": end, "columns": COLUMNS, "first": first, "last": last,
        "first_page": first_page, "now": timezone.localtime(),
        "rows": [[_local(v) if isinstance(v, dt.datetime) else v for v in row_values(i, d, personal=personal)]
                 for i, d, personal in rows],
    })


@transaction.atomic
def ledger_export_request(*, actor, agency: Agency, start: dt.date, end: dt.date, personal: bool) -> LedgerExport:
    """Queue the PDF of a ledger (or give back the same one asked for a moment ago). More rows than the PDF can
    hold (`PDF_LIMIT`) is refused at once, nothing queued: the XLSX has no limit."""
    if ledger_rows(agency, start, end)[:PDF_LIMIT + 1].count() > PDF_LIMIT:
        raise DomainError("ledger_too_long", _("Quá %s hồ sơ: hãy chọn khoảng ngắn hơn hoặc tải bản XLSX.") % PDF_LIMIT)
    recent = timezone.now() - dt.timedelta(minutes=REUSE_MINUTES)
    same = (LedgerExport.objects.select_for_update().filter(
        requested_by=actor, agency=agency, start=start, end=end, personal=personal, created_at__gte=recent)
        .exclude(status=ExportStatus.FAILED).order_by("-created_at").first())
    if same is not None:
        return same
    for old in LedgerExport.objects.filter(requested_by=actor,
                                           created_at__lt=timezone.now() - dt.timedelta(days=KEEP_DAYS)):
        if old.file:
            old.file.delete(save=False)
        old.delete()
    export = LedgerExport.objects.create(requested_by=actor, agency=agency, start=start, end=end, personal=personal)
    transaction.on_commit(lambda: ledger_export_render_task.delay(export.pk))
    return export


def ledger_export_render(export_id: int) -> str:
    """Lay the ledger out chunk by chunk, recording the progress; idempotent (a finished export is left alone)."""
    from weasyprint import HTML  # heavy (Pango, fonts): loaded by the worker when it lays out a PDF

    with transaction.atomic():
        export = LedgerExport.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status in (ExportStatus.DONE, ExportStatus.RUNNING):
            return export.status if export else "missing"
        LedgerExport.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING, progress=1)
    try:
        rows = list(ledger_rows(export.agency, export.start, export.end)[:PDF_LIMIT + 1])
        if len(rows) > PDF_LIMIT:
            LedgerExport.objects.filter(pk=export.pk).update(
                status=ExportStatus.FAILED, finished_at=timezone.now(), rows=len(rows) - 1,
                error=_("Quá %s hồ sơ: hãy chọn khoảng ngắn hơn hoặc tải bản XLSX.") % PDF_LIMIT)
            return ExportStatus.FAILED
        numbered = [(i, d, export.personal) for i, d in enumerate(rows, start=1)]
        chunks = [numbered[i:i + CHUNK] for i in range(0, len(numbered), CHUNK)] or [[]]
        documents, pages = [], 0
        for number, chunk in enumerate(chunks):
            document = HTML(string=_html(export.agency, export.start, export.end, chunk, first=number == 0,
                                         last=number == len(chunks) - 1, first_page=pages + 1)).render()
            documents.append(document)
            pages += len(document.pages)
            LedgerExport.objects.filter(pk=export.pk).update(progress=min(95, 5 + 90 * (number + 1) // len(chunks)),
                                                              rows=len(rows), pages=pages)
        pdf = documents[0].copy([page for document in documents for page in document.pages]).write_pdf()
        export.file.save("so-theo-doi.pdf", ContentFile(pdf), save=False)
        LedgerExport.objects.filter(pk=export.pk).update(file=export.file.name, status=ExportStatus.DONE,
                                                          progress=100, finished_at=timezone.now())
        return ExportStatus.DONE
    except Exception:
        log.exception("ledger export %s failed", export.pk)
        LedgerExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, finished_at=timezone.now(),
            error=_("Lỗi khi tạo tệp PDF; hãy thử lại hoặc tải bản XLSX."))
        return ExportStatus.FAILED


@shared_task(name="dossiers.ledger_export_render", ignore_result=True)
def ledger_export_render_task(export_id: int) -> str:
    """Lay out a queued Mẫu 06 PDF; a bad id is refused, a finished export left alone. Declared here, beside the
    service that queues it (dossiers.tasks imports it, so the worker knows it)."""
    if not isinstance(export_id, int) or isinstance(export_id, bool) or export_id < 1:
        raise ValueError("export_id phải là số nguyên dương.")
    return ledger_export_render(export_id)
