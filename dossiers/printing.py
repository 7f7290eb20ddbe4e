"""Printed forms (WeasyPrint; Times New Roman → Liberation Serif, Vietnamese glyphs embedded)."""

from __future__ import annotations

import segno
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Agency, User
from accounts.validators import display_phone
from signing.pdf import Rendered, render_html

from .components import handed_in, presented
from .models import ApologyReason, EventType, LetterStatus
from .workflow import BY_NAME


def qr_svg(data: str) -> str:
    return segno.make(data, error="m").svg_inline(scale=3, border=1)


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML  # heavy (Pango, fonts): loaded by the first PDF, not by every process

    html = render_to_string(template, context)
    return HTML(string=html).write_pdf()


def render_document(template: str, context: dict, *, verify_url: str = "", view_copy: bool = False) -> Rendered:
    """A form as issued: with the QR code of its verification page (`verify_url`) at the foot of the first
    page, and the box its signature stamp goes in (the `chu-ky-so` element of its signature block). A copy
    that is not an issued document (a masked view) has no QR code and says so (`view_copy`)."""
    context = {**context, "verify_url": verify_url, "verify_qr": qr_svg(verify_url) if verify_url else "",
               "view_copy": view_copy}
    return render_html(render_to_string(template, context))


RECEIPT = "dossiers/print/receipt.html"


def receipt_context(dossier, track_url: str) -> dict:
    """Mẫu 01 (Circular 01/2018): the receipt and appointment slip (A4), with the PIN and a QR code.
    It lists only what was handed in, with the counts recorded at reception (DossierComponent), and
    separately what was only shown for comparison."""
    option = dossier.channel_option
    receive = dossier.events.filter(type=EventType.RECEIVE).select_related("actor").first()
    return {
        "dossier": dossier, "qr": qr_svg(track_url), "track_url": track_url, "channel": option,
        "documents": handed_in(dossier), "presented": presented(dossier), "now": timezone.localtime(),
        "received": timezone.localtime(dossier.received_at), "due": timezone.localtime(dossier.due_at),
        "receiver": receive.actor if receive else None, "phone": display_phone(dossier.applicant_phone),
        "fees": list(dossier.fees.all()),
    }


def render_receipt(dossier, track_url: str, *, verify_url: str = "") -> bytes:
    return render_document(RECEIPT, receipt_context(dossier, track_url), verify_url=verify_url).pdf


def _quantity(row: dict) -> str:
    parts = []
    if row.get("originals"):
        parts.append("%02d bản chính" % row["originals"])
    if row.get("copies"):
        parts.append("%02d bản sao" % row["copies"])
    return ", ".join(parts)


FORMS = {
    "02": ("dossiers/print/form02.html", (EventType.GUIDE, EventType.REQUEST_SUPPLEMENT)),
    "03": ("dossiers/print/form03.html", (EventType.REFUSE_AT_RECEPTION,)),
    "05": ("dossiers/print/form05.html", (EventType.RECEIVE,)),
}


def form_context(dossier, number: str, *, applicant: str | None = None) -> dict | None:
    """Mẫu 02 (supplement guidance) or Mẫu 03 (refusal), from the latest matching event; Mẫu 05.
    `applicant`: what to print instead of the applicant's name (initials, for a reader without
    access to personal data). `last`: the event the form is as of (Mẫu 02/03: the one it prints; Mẫu 05:
    its last row) — a form as of a later event is another document."""
    _template, types = FORMS[number]
    event = dossier.events.filter(type__in=types).select_related("actor").order_by("-at", "-id").first()
    if event is None:
        return None
    place = _place(dossier.receiving_agency)
    context = {"dossier": dossier, "event": event, "officer": event.actor, "now": timezone.localtime(event.at),
               "place": place, "applicant": dossier.applicant_name if applicant is None else applicant,
               "masked": applicant is not None, "last": event}
    if number == "02":  # exactly the components missing when the guidance or the request was made
        context["missing"] = [dict(row, quantity=_quantity(row)) for row in event.payload.get("missing", [])]
    if number == "05":  # the control sheet: every hand-over since reception, from the events
        rows = control_sheet_rows(dossier)
        consulted = [r["event"].payload.get("agency_name") for r in rows if r["event"].type == EventType.CONSULT]
        context.update(rows=rows, consulted=", ".join(c for c in consulted if c), now=timezone.localtime())
        if rows:
            context["last"] = rows[-1]["event"]
    return context


def render_form(dossier, number: str, *, applicant: str | None = None, verify_url: str = "") -> bytes | None:
    """The form as a PDF; with `applicant` (initials) it is a view copy, marked as not an issued document."""
    context = form_context(dossier, number, applicant=applicant)
    if context is None:
        return None
    return render_document(FORMS[number][0], context, verify_url=verify_url, view_copy=applicant is not None).pdf


def _place(agency) -> str:
    """The place name a form is dated at ("Pleiku, ngày …") from the issuing agency's name."""
    return agency.name.replace("Ủy ban nhân dân ", "").replace("phường ", "").replace("xã ", "")


def control_sheet_rows(dossier) -> list[dict]:
    """Mẫu 05's rows: the workflow transitions made at a step of the process, each with the agency, the
    step and the officer who acted. Events that hand nothing over — notifications sent, files added,
    the deadline sweep's marks, fees, apology drafts, the citizen's own submission — are not rows (a
    notification used to print as a row with an agency but no step or officer). Hand-overs between desks
    (reception regardless of administrative boundaries) are rows too: the sending desk, then the receiving
    side's confirmations, each judged against the hand-over's allotment. A dossier given from one appraiser to
    another within the appraisal step (`reassign`) is a row naming both, the officer being who gave it."""
    events = list(dossier.events.filter(Q(type__in=list(BY_NAME)) & ~Q(step="") | Q(type__in=HANDOVER_ROWS)
                                        | Q(type=EventType.REASSIGN))
                  .select_related("actor", "from_agency", "to_agency").order_by("at", "id"))
    answered = {e.payload.get("answered_by") for e in events if e.type == EventType.CONSULTATION_ANSWERED} - {None}
    people = {u.pk: u for u in User.objects.filter(pk__in=answered)}
    consulted = {e.payload.get("agency") for e in events if e.type == EventType.CONSULTATION_ANSWERED} - {None}
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=consulted)}
    rows = []
    for e in events:
        officer, agency = e.actor, e.from_agency or dossier.receiving_agency
        if e.type == EventType.CONSULTATION_ANSWERED and officer is None:  # answered by the consulted agency's officer
            officer = people.get(e.payload.get("answered_by"))
            agency = agencies.get(e.payload.get("agency"), agency)
        if officer is None:
            continue  # no one to name: not a hand-over the sheet can attest
        if e.type in HANDOVER_ROWS:
            due = parse_datetime(e.payload.get("due_at") or "") if e.type == EventType.HANDOVER_SENT else None
            late = e.payload.get("late")
            ends = (e.from_agency.name if e.from_agency else "", e.to_agency.name if e.to_agency else "")
            rows.append({"event": e, "agency": e.from_agency if e.type == EventType.HANDOVER_SENT else e.to_agency,
                         "step": EventType(e.type).label, "officer": officer, "what": f"{ends[0]} → {ends[1]}",
                         "result": "" if late is None else ("Quá hạn" if late else "Đúng hạn"), "due": due})
            continue
        if e.type == EventType.REASSIGN:  # the dossier handed from one appraiser to another within the step
            what = f"Chuyển chuyên viên thẩm định: {e.payload.get('from_name') or '—'} → {e.payload.get('to_name')}"
            rows.append({"event": e, "agency": agency, "step": e.get_step_display(), "officer": officer,
                         "what": what, "result": "", "due": None})
            continue
        rows.append({"event": e, "agency": agency, "step": e.get_step_display(), "officer": officer,
                     "what": e.status_label, "result": e.get_punctuality_display(), "due": e.step_due_at})
    return rows


HANDOVER_ROWS = (EventType.HANDOVER_SENT, EventType.HANDOVER_ACKNOWLEDGED, EventType.PAPER_RECEIVED)


APOLOGY = "dossiers/print/form04.html"


def render_apology(letter, *, verify_url: str = "") -> bytes:
    """Mẫu 04 as a PDF: a draft (no QR code, never signed), or the issued letter (see apology_context)."""
    return render_document(APOLOGY, apology_context(letter), verify_url=verify_url).pdf


def apology_context(letter) -> dict:
    """Mẫu 04: Phiếu xin lỗi và hẹn lại ngày trả kết quả, signed by the head of the handling agency.
    A draft renders with a 'DỰ THẢO' banner and the proposed date, for the head to review."""
    dossier = letter.dossier
    agency = letter.agency
    draft = letter.status != LetterStatus.ISSUED
    moment = timezone.localtime(letter.issued_at or timezone.now())
    place = _place(agency)
    head = agency.head
    return {
        "dossier": dossier, "letter": letter, "draft": draft, "now": moment, "place": place, "issuer": agency,
        "received": timezone.localtime(dossier.received_at) if dossier.received_at else None,
        "due": timezone.localtime(letter.due_at or dossier.due_at) if (letter.due_at or dossier.due_at) else None,
        "new_due": timezone.localtime(letter.proposed_due_at if draft else letter.new_due_at)
        if (letter.proposed_due_at if draft else letter.new_due_at) else None,
        "lost": letter.reason_kind == ApologyReason.LOST_DAMAGED,
        "overdue": bool(letter.due_at and (letter.issued_at or timezone.now()) > letter.due_at),
        "phone": display_phone(dossier.applicant_phone),
        "signer_name": letter.signer_name or (head.full_name if head else ""),
        "signer_title": letter.signer_title or agency.head_title or "Thủ trưởng cơ quan",
    }


HANDOVER_SLIP = "dossiers/print/handover_slip.html"


def render_handover_slip(handover, *, applicant: str, verify_url: str = "", view_copy: bool = False) -> bytes:
    return render_document(HANDOVER_SLIP, handover_slip_context(handover, applicant=applicant),
                           verify_url=verify_url, view_copy=view_copy).pdf


def handover_slip_state(handover) -> str:
    """Which confirmations the slip prints: a slip printed after another one is a new document."""
    done = [name for name, at in (("ack", handover.acknowledged_at), ("paper", handover.paper_received_at)) if at]
    return "-".join(done) or "sent"


def handover_slip_context(handover, *, applicant: str) -> dict:
    """Phiếu bàn giao hồ sơ (or kết quả) between two one-stop desks: the sender, the carrier of the paper
    originals and the receiver, with the times each side confirmed. Printed in two copies, one for each desk.
    The components listed are those handed in at reception (with their counts) for a dossier, the result
    for a result."""
    dossier = handover.dossier
    sent = timezone.localtime(handover.sent_at)
    return {
        "h": handover, "dossier": dossier, "applicant": applicant, "now": sent, "issuer": handover.from_agency,
        "place": _place(handover.from_agency),
        "documents": handed_in(dossier) if handover.kind == "dossier" else [],
        "sent": sent, "due": timezone.localtime(handover.due_at),
        "acknowledged": timezone.localtime(handover.acknowledged_at) if handover.acknowledged_at else None,
        "paper_received": timezone.localtime(handover.paper_received_at) if handover.paper_received_at else None,
    }
