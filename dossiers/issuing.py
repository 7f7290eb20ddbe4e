"""The forms a desk hands out, as issued documents (signing.document_issue): rendered once with the QR code
of their verification page, signed with the issuing agency's key when it has one, kept, and served again
as the same file. What a form prints decides its `ref`: a form that would print something else (Mẫu 05
after more steps, a hand-over slip after a confirmation) is a new document that replaces the older one.

A copy that is not an issued document — Mẫu 05 or a hand-over slip with the applicant's initials, for a
reader without access to personal data — is rendered on the spot, unsigned, without a QR code, marked
as a view copy (printing.render_form / render_handover_slip with `applicant`).
"""

from __future__ import annotations

import hashlib

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme

from signing.models import DocumentKind, IssuedDocument
from signing.services import document_issue

from . import printing
from .models import ApologyLetter, Dossier, Handover, LetterStatus

FORM_KINDS = {"02": DocumentKind.FORM02, "03": DocumentKind.FORM03, "05": DocumentKind.CONTROL_SHEET}


def _number(dossier: Dossier) -> str:
    return dossier.code or dossier.national_code or ""


def receipt_issue(*, dossier: Dossier, track_url: str) -> IssuedDocument:
    """Mẫu 01, issued by the receiving desk under the dossier's code. What it states decides its `ref`: once
    the appointment moves (a supplement received, a calendar change) or the components or fees change, the
    next print is a new receipt and the earlier one says it was replaced."""
    context = printing.receipt_context(dossier, track_url)
    # the printing date aside (it is the moment of issue), the same text is the same receipt
    text = render_to_string(printing.RECEIPT, {**context, "now": context["received"], "verify_url": "",
                                               "verify_qr": "", "view_copy": False})
    prefix = f"dossier:{dossier.pk}:receipt:"
    return document_issue(
        kind=DocumentKind.RECEIPT, ref=prefix + hashlib.sha256(text.encode()).hexdigest()[:20],
        agency=dossier.receiving_agency, number=dossier.code, replaces_prefix=prefix,
        render=lambda url: printing.render_document(printing.RECEIPT, context, verify_url=url))


def form_issue(*, dossier: Dossier, number: str) -> IssuedDocument | None:
    """Mẫu 02 / 03 as of the event they print, Mẫu 05 as of its last row (a later one replaces it); issued
    by the receiving desk, whose name heads them. None when the dossier has nothing for this form yet."""
    context = printing.form_context(dossier, number)
    if context is None:
        return None
    kind = FORM_KINDS[number]
    prefix = f"dossier:{dossier.pk}:{kind}:"
    return document_issue(
        kind=kind, ref=f"{prefix}{context['last'].pk}", agency=dossier.receiving_agency, number=_number(dossier),
        replaces_prefix=prefix if number == "05" else "",
        render=lambda url: printing.render_document(printing.FORMS[number][0], context, verify_url=url))


def handover_slip_issue(*, handover: Handover) -> IssuedDocument:
    """The hand-over slip as of the confirmations it prints, issued by the sending desk; a slip printed after
    the receiving side confirmed replaces the one printed before."""
    dossier = handover.dossier
    context = printing.handover_slip_context(handover, applicant=dossier.applicant_name)
    prefix = f"handover:{handover.pk}:"
    suffix = "HS" if handover.kind == "dossier" else "KQ"
    return document_issue(
        kind=DocumentKind.HANDOVER, ref=prefix + printing.handover_slip_state(handover),
        agency=handover.from_agency, number=f"{dossier.code}/BG-{suffix}", replaces_prefix=prefix,
        render=lambda url: printing.render_document(printing.HANDOVER_SLIP, context, verify_url=url))


def apology_letter_document_issue(*, letter: ApologyLetter) -> IssuedDocument:
    """Mẫu 04 once issued by the head of the handling agency (a draft is never an issued document)."""
    if letter.status != LetterStatus.ISSUED:
        raise ValueError(f"apology letter {letter.pk} is not issued")
    context = printing.apology_context(letter)
    return document_issue(
        kind=DocumentKind.APOLOGY, ref=f"apology:{letter.pk}", agency=letter.agency, number=letter.number,
        signer_title=context["signer_title"][:100],
        render=lambda url: printing.render_document(printing.APOLOGY, context, verify_url=url))


def document_response(document: IssuedDocument, filename: str) -> HttpResponse:
    """The issued file, exactly as issued, shown in the browser (a form is a few dozen kilobytes)."""
    with document.file.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def came_from(request, fallback: str) -> str:
    """Where to send the officer back with a message (the page the link was on), else `fallback`."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure()):
        return referer
    return fallback
