"""A local stand-in for the National Public Service Portal (Cổng Dịch vụ công quốc gia): tests and `make run`
only (NATIONAL_PORTAL_SIMULATOR; portal.settings.production refuses it; off, every page and API is a 404).

It plays the national portal's side of the link, over the real protocol:
- a citizen files a dossier there (`simulator_views.file_page`): the simulator makes a small PDF per component
  handed in (`component_pdf`, the same bytes every time for the same request), builds the intake request
  (`intake.SCHEMA`), records it in its books (`SimulatedNationalDossier`, without the files' content) and posts it,
  signed (`signing.headers`), over HTTP to this portal's intake (NATIONAL_PORTAL_INTAKE_URL, by default
  SITE_URL + the intake's path), then records the answer;
- this portal pushes every status change back (`sync.WebhookAdapter`, to SYNC_TARGET_URL); the local receiver
  (`views.sync_receiver`) hands each push to `record_push`, which keeps it in the national vocabulary;
- this portal asks it (`client.Client`: the list, the new dossiers, one dossier): `summary` and `rebuild`
  answer from the books, the files rebuilt byte for byte (`rebuild` checks their SHA-256), so a dossier pulled
  after it was pushed is the same request (intake is idempotent by national code and fingerprint).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import Agency
from core.errors import DomainError
from dossiers import routing
from procedures.anywhere import portal_province
from procedures.models import ProcedureVersion, Requirement

from . import mapping, signing
from .models import Delivery, NationalDossier, SimulatedNationalDossier

CODE_PREFIX = "G22.99"  # the national portal's codes: G22.99-<yymmdd>-<sequence of the day>
PAYMENT_PREFIX = "PAYGOV"
FILE_FIELDS = ("document_type", "name", "content_base64", "sha256")  # a file of the request, as sent (SCHEMA)
Send = Callable[[bytes], tuple[int | None, dict | None, str]]


def enabled() -> bool:
    return bool(getattr(settings, "NATIONAL_PORTAL_SIMULATOR", False))


def intake_url() -> str:
    return getattr(settings, "NATIONAL_PORTAL_INTAKE_URL", "") or (
        settings.SITE_URL.rstrip("/") + reverse("national-intake"))


# -- the files handed in: a one-page PDF per component ---------------------------------------------------------


def fold(text: str) -> str:
    """ASCII for the PDF's built-in font: "Tờ khai đăng ký" -> "To khai dang ky"."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return " ".join(text.encode("ascii", "ignore").decode().split())


def _pdf_text(text: str) -> str:
    return fold(text)[:100].replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf(lines: list[str]) -> bytes:
    """A valid one-page A4 PDF (Helvetica, one line of text each) with its cross-reference table; no date nor
    identifier in it, so the same lines always give the same bytes."""
    text = " ".join(f"({_pdf_text(line)}) Tj 0 -20 Td" for line in lines)
    stream = f"BT /F1 12 Tf 56 780 Td {text} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start)
    return bytes(out)


def component_pdf(*, national_code: str, title: str, applicant: str, filed_at: str) -> bytes:
    return pdf(["Cong Dich vu cong quoc gia (gia lap)", f"Ho so {national_code}", title,
                f"Nguoi nop: {applicant}", f"Nop luc: {filed_at}"])


# -- reads for the pages -------------------------------------------------------------------------------------


def filing_versions() -> QuerySet[ProcedureVersion]:
    """What a citizen may file on the national portal: the versions in force mapped with it."""
    return mapping.mapped_versions()


def filing_version_get(pk: int) -> ProcedureVersion | None:
    return filing_versions().filter(pk=pk).first()


def desks_for(version: ProcedureVersion) -> list[Agency]:
    """The desks the national portal offers for a procedure: the competent agencies, and for a procedure on the
    province's list of those received anywhere every desk of the province."""
    desks = {a.pk: a for a in routing.competent_agencies(version)}
    province = portal_province()
    if province is not None and routing.on_province_list(version, province):
        desks.update({a.pk: a for a in routing.desks_in_province(province)})
    return sorted(desks.values(), key=lambda a: (a.name, a.code))


def components_for(version: ProcedureVersion) -> list[dict]:
    """The components handed in with their national types (those only shown at the desk are left out)."""
    return [row for row in mapping.document_types(version) if row["requirement"] != Requirement.PRESENT]


def books() -> QuerySet[SimulatedNationalDossier]:
    return SimulatedNationalDossier.objects.order_by("-filed_at", "-id")


def book_rows(limit: int = 200) -> list[SimulatedNationalDossier]:
    """The simulator's dossiers, newest first, each with its statuses' times read (`received`), oldest first."""
    rows = list(books()[:limit])
    for row in rows:
        row.received = [{**s, "at": _moment(s.get("at")), "due_at": _moment(s.get("due_at"))} for s in row.statuses]
        row.detail = (row.answer or {}).get("detail", "") if isinstance(row.answer, dict) else ""
    return rows


def _moment(value) -> dt.datetime | None:
    moment = parse_datetime(value) if isinstance(value, str) else None
    return moment if moment is not None and timezone.is_aware(moment) else None


# -- filing ----------------------------------------------------------------------------------------------------


def new_code(now: dt.datetime | None = None) -> str:
    """The next free national code of the day: G22.99-<yymmdd>-<4 digits>."""
    prefix = f"{CODE_PREFIX}-{timezone.localtime(now or timezone.now()):%y%m%d}-"
    taken = set(SimulatedNationalDossier.objects.filter(national_code__startswith=prefix)
                .values_list("national_code", flat=True))
    taken |= set(NationalDossier.objects.filter(national_code__startswith=prefix).values_list("national_code",
                                                                                               flat=True))
    numbers = [int(code[len(prefix):]) for code in taken if re.fullmatch(r"\d{4}", code[len(prefix):])]
    number = max(numbers, default=0) + 1
    if number > 9999:
        raise DomainError("codes_exhausted", _("Đã hết mã hồ sơ trong ngày của Cổng (giả lập)."))
    return f"{prefix}{number:04d}"


def build(*, national_code: str, version: ProcedureVersion, desk: Agency, applicant: dict, cases: list[int],
          fees_paid: int, filed_at: dt.datetime) -> tuple[dict, dict]:
    """(the intake request as sent, the same as the books keep it: each file by name, size, type, SHA-256 and the
    title its PDF was made from, without its content)."""
    components = components_for(version)
    by_pk = {row["document"].pk: row for row in components}
    unknown = set(cases) - {pk for pk, row in by_pk.items() if row["requirement"] == Requirement.CONDITIONAL}
    if unknown:
        raise DomainError("wrong_case", _("Thành phần đã chọn không phải thành phần theo trường hợp của thủ tục."),
                          field="cases")
    person = {"kind": "person", **{k: v for k, v in applicant.items() if v not in ("", None)}}
    moment = timezone.localtime(filed_at).isoformat(timespec="seconds")
    request = {"national_code": national_code, "procedure_code": version.national_mapping.national_procedure_code,
               "filed_at": moment, "receiving_agency_code": desk.code, "applicant": person,
               "files": []}
    chosen = [row for row in components if row["requirement"] == Requirement.REQUIRED or row["document"].pk in cases]
    if cases:
        request["cases"] = [row["national_type"] for row in components if row["document"].pk in cases]
    if fees_paid:
        request["fees"] = {"paid": fees_paid, "reference": f"{PAYMENT_PREFIX}-{national_code}"}
    kept = []
    for row in chosen:
        title = row["document"].name
        content = component_pdf(national_code=national_code, title=title, applicant=person["name"], filed_at=moment)
        item = {"document_type": row["national_type"], "name": f"{row['national_type'].lower()}.pdf",
                "sha256": hashlib.sha256(content).hexdigest()}
        request["files"].append({**item, "content_base64": base64.b64encode(content).decode()})
        kept.append({**item, "size": len(content), "content_type": "application/pdf", "title": title})
    return request, {**request, "files": kept}


def rebuild(row: SimulatedNationalDossier) -> dict:
    """The intake request as it was sent, its files made again (the same bytes: checked against the SHA-256)."""
    request = dict(row.request)
    files = []
    for item in request.get("files", []):
        content = component_pdf(national_code=request["national_code"], title=item.get("title", ""),
                                applicant=request["applicant"]["name"], filed_at=request["filed_at"])
        if hashlib.sha256(content).hexdigest() != item.get("sha256"):
            raise DomainError("file_changed", _("Không dựng lại được tệp “%s” của hồ sơ: nội dung không khớp mã "
                                                "SHA-256 đã gửi.") % item.get("name", ""), http_status=409)
        files.append({**{k: item[k] for k in FILE_FIELDS if k in item},
                      "content_base64": base64.b64encode(content).decode()})
    request["files"] = files
    return request


def _record(*, version: ProcedureVersion, desk: Agency, kept: dict, filed_at: dt.datetime,
            by) -> SimulatedNationalDossier:
    return SimulatedNationalDossier.objects.create(
        national_code=kept["national_code"], procedure_code=kept["procedure_code"],
        procedure_name=version.procedure.name[:500], agency_code=desk.code, agency_name=desk.name[:255], request=kept,
        filed_at=filed_at, filed_by=by)


def file(*, version: ProcedureVersion, desk: Agency, applicant: dict, cases: list[int] | None = None,
         fees_paid: int = 0, by=None, send: Send | None = None, now: dt.datetime | None = None,
         national_code: str | None = None) -> SimulatedNationalDossier:
    """A citizen files a dossier on the national portal: recorded in the books first (a status pushed while the
    intake is still answering finds it), then sent (`send`: by default signed over HTTP), then the answer kept.
    Refused (DomainError, nothing recorded): a version not mapped, a desk not offered, a case not of it."""
    now = now or timezone.now()
    if not filing_versions().filter(pk=version.pk).exists():
        raise DomainError("procedure_unmapped", _("Thủ tục này chưa được ánh xạ với Cổng DVC quốc gia."),
                          field="version")
    if desk.pk not in {a.pk for a in desks_for(version)}:
        raise DomainError("wrong_desk", _("%s không tiếp nhận thủ tục này.") % desk.name, field="agency")
    for attempt in range(5):
        code = national_code or new_code(now)
        request, kept = build(national_code=code, version=version, desk=desk, applicant=applicant,
                              cases=list(cases or []), fees_paid=fees_paid, filed_at=now)
        try:
            with transaction.atomic():
                row = _record(version=version, desk=desk, kept=kept, filed_at=now, by=by)
            break
        except IntegrityError:
            if national_code or attempt == 4:  # a code given twice, or five filings at the same moment
                raise DomainError("code_taken", _("Mã hồ sơ %s đã có trên Cổng (giả lập).") % code,
                                  field="national_code") from None
    body = json.dumps(request, ensure_ascii=False).encode()
    status, answer, error = (send or post)(body)
    record_answer(row, status, answer, error)
    return row


def post(body: bytes, url: str | None = None, timeout: float = 60) -> tuple[int | None, dict | None, str]:
    """POST the signed request to this portal's intake: (HTTP status, JSON answer, "") or (None, None, the
    reason it could not be delivered)."""
    url = url or intake_url()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "Accept": "application/json",
        **signing.headers(body, method="POST", target=url)})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # the configured intake URL
            return response.status, _json(response.read(1024 * 1024)), ""
    except urllib.error.HTTPError as exc:
        return exc.code, _json(exc.read(1024 * 1024)), ""
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return None, None, str(getattr(exc, "reason", exc))[:500]


def _json(raw: bytes) -> dict | None:
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def record_answer(row: SimulatedNationalDossier, status: int | None, answer: dict | None, error: str) -> None:
    if status is None:
        delivery = Delivery.UNDELIVERED
    else:
        delivery = Delivery.TAKEN if 200 <= status < 300 else Delivery.REFUSED
    fields = {"delivery": delivery, "answer_status": status, "answer": answer, "answer_error": (error or "")[:500]}
    code = (answer or {}).get("dossier_code") if delivery == Delivery.TAKEN else None
    if isinstance(code, str) and code:
        fields["dossier_code"] = code[:40]
    SimulatedNationalDossier.objects.filter(pk=row.pk).update(**fields)
    row.refresh_from_db()


def outcome_message(row: SimulatedNationalDossier) -> tuple[bool, str]:
    """(delivered, what the citizen is told) after filing."""
    if row.delivery == Delivery.TAKEN:
        return True, _("Đã nộp hồ sơ %(code)s trên Cổng DVC quốc gia (giả lập): hệ thống đã nhận, hồ sơ vào hàng chờ "
                       "tiếp nhận của %(desk)s.") % {"code": row.national_code, "desk": row.agency_name}
    if row.delivery == Delivery.REFUSED:
        detail = (row.answer or {}).get("detail") or _("không rõ lý do")
        return False, _("Hệ thống từ chối nhận hồ sơ %(code)s (HTTP %(status)s): %(detail)s") % {
            "code": row.national_code, "status": row.answer_status, "detail": detail}
    return False, _("Không gửi được hồ sơ %(code)s sang hệ thống (%(error)s); hồ sơ được ghi là chưa gửi được.") % {
        "code": row.national_code, "error": row.answer_error or _("không kết nối được")}


# -- statuses pushed back ------------------------------------------------------------------------------------


def _text(value, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def record_push(data: dict) -> SimulatedNationalDossier | None:
    """Keep a status push (sync.payload) on the dossier it names by national code, once per event (a push sent
    again after a worker died carries the same event_id), in the order of the changes. None: not one of ours."""
    code = data.get("national_code") if isinstance(data, dict) else None
    if not isinstance(code, str) or not code:
        return None
    national = data.get("national_status") if isinstance(data.get("national_status"), dict) else {}
    event_id = data.get("event_id") if isinstance(data.get("event_id"), int) else None
    entry = {"code": _text(national.get("code"), 10), "label": _text(national.get("label"), 120),
             "status": _text(data.get("status"), 24), "status_label": _text(data.get("status_label"), 120),
             "at": _text(data.get("at"), 40), "due_at": _text(data.get("due_at"), 40),
             "reason": _text(data.get("reason"), 1000), "apology": bool(data.get("apology")),
             "result": bool(data.get("result")), "event_id": event_id}
    with transaction.atomic():
        row = SimulatedNationalDossier.objects.select_for_update().filter(national_code=code).first()
        if row is None:
            return None
        if event_id is not None and any(s.get("event_id") == event_id for s in row.statuses):
            return row
        epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
        row.statuses = sorted([*row.statuses, entry], key=lambda s: (_moment(s.get("at")) or epoch,
                                                                     s.get("event_id") or 0))
        row.national_status, row.national_label = row.statuses[-1]["code"], row.statuses[-1]["label"]
        dossier_code = data.get("dossier_code")
        if isinstance(dossier_code, str) and dossier_code:
            row.dossier_code = dossier_code[:40]
        row.save(update_fields=["statuses", "national_status", "national_label", "dossier_code"])
    return row


# -- what the national portal's API answers (client.Client) -----------------------------------------------


def since_param(raw: str | None) -> dt.datetime:
    try:
        moment = parse_datetime(raw.strip()) if isinstance(raw, str) and raw.strip() else None
    except ValueError:  # the right shape, not a real moment (30 February, +25:00)
        moment = None
    if moment is None or moment.year < 2000:
        raise DomainError("invalid_since", _("Tham số “since” phải là thời điểm ISO 8601, ví dụ "
                                             "2026-12-01T00:00:00+07:00."), field="since")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def filed_since(since: dt.datetime) -> QuerySet[SimulatedNationalDossier]:
    return SimulatedNationalDossier.objects.filter(filed_at__gte=since).order_by("filed_at", "id")


def book_get(national_code: str) -> SimulatedNationalDossier | None:
    return SimulatedNationalDossier.objects.filter(national_code=national_code).first()


def summary(row: SimulatedNationalDossier) -> dict:
    """One row of the list reconciliation compares (client.Client.list_dossiers)."""
    return {"national_code": row.national_code, "procedure_code": row.procedure_code,
            "filed_at": row.request.get("filed_at") or row.filed_at.isoformat(),
            "receiving_agency_code": row.agency_code, "national_status": row.national_status,
            "dossier_code": row.dossier_code or None}
