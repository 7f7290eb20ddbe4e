"""Printed forms (WeasyPrint; Times New Roman → Liberation Serif, Vietnamese glyphs embedded)."""

from __future__ import annotations

import segno
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.validators import display_phone


def qr_svg(data: str) -> str:
    return segno.make(data, error="m").svg_inline(scale=3, border=1)


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html).write_pdf()


def render_receipt(dossier, track_url: str) -> bytes:
    """Mẫu 01 (Circular 01/2018): the receipt and appointment slip (A4), with the PIN and a QR code."""
    option = dossier.channel_option
    receive = dossier.events.filter(type="receive").select_related("actor").first()
    return render_pdf("dossiers/print/receipt.html", {
        "dossier": dossier, "qr": qr_svg(track_url), "track_url": track_url, "channel": option,
        "documents": dossier.procedure_version.documents.all(), "now": timezone.localtime(),
        "received": timezone.localtime(dossier.received_at), "due": timezone.localtime(dossier.due_at),
        "receiver": receive.actor if receive else None, "phone": display_phone(dossier.applicant_phone),
        "fees": list(dossier.fees.all()),
    })


FORMS = {
    "02": ("dossiers/print/form02.html", ("guide", "request_supplement")),
    "03": ("dossiers/print/form03.html", ("refuse_at_reception",)),
    "05": ("dossiers/print/form05.html", ("receive",)),
}


def render_form(dossier, number: str, *, applicant: str | None = None) -> bytes | None:
    """Mẫu 02 (supplement guidance) or Mẫu 03 (refusal), from the latest matching event; Mẫu 05.
    `applicant`: what to print instead of the applicant's name (initials, for a reader without
    access to personal data)."""
    template, types = FORMS[number]
    event = dossier.events.filter(type__in=types).select_related("actor").order_by("-at", "-id").first()
    if event is None:
        return None
    place = dossier.receiving_agency.name.replace("Ủy ban nhân dân ", "").replace("phường ", "").replace("xã ", "")
    context = {"dossier": dossier, "event": event, "officer": event.actor, "now": timezone.localtime(event.at),
               "place": place, "applicant": dossier.applicant_name if applicant is None else applicant,
               "masked": applicant is not None}
    if number == "05":  # the control sheet: every hand-over since reception, from the events
        rows = list(dossier.events.exclude(type__in=("create", "attachment_added")).select_related(
            "actor", "from_agency").order_by("at", "id"))
        consulted = [e.payload.get("agency_name") for e in rows if e.type == "consult"]
        context.update(rows=rows, consulted=", ".join(c for c in consulted if c), now=timezone.localtime())
    return render_pdf(template, context)


def render_apology(letter) -> bytes:
    """Mẫu 04: Phiếu xin lỗi và hẹn lại ngày trả kết quả, signed by the head of the handling agency.
    A draft renders with a 'DỰ THẢO' banner and the proposed date, for the head to review."""
    from .models import ApologyReason, LetterStatus

    dossier = letter.dossier
    agency = letter.agency
    draft = letter.status != LetterStatus.ISSUED
    moment = timezone.localtime(letter.issued_at or timezone.now())
    place = agency.name.replace("Ủy ban nhân dân ", "").replace("phường ", "").replace("xã ", "")
    head = agency.head
    return render_pdf("dossiers/print/form04.html", {
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
    })
