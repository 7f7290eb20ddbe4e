"""The e-receipt (biên lai điện tử) of a paid fee: issued once (signed with the receiving agency's key, with
the QR code of its verification page) and kept."""

from __future__ import annotations

from django.utils import timezone

from dossiers.printing import render_document
from signing.models import DocumentKind, IssuedDocument
from signing.services import document_issue

TEMPLATE = "payments/print/receipt.html"  # under print/: a PDF template, not a page (tests/test_csp.py)


def receipt_context(payment) -> dict:
    dossier = payment.dossier
    agency = dossier.receiving_agency
    paid = timezone.localtime(payment.paid_at)
    symbol, _sep, number = payment.receipt_number.rpartition("-")
    place = agency.name.replace("Ủy ban nhân dân ", "").replace("phường ", "").replace("xã ", "")
    return {
        "payment": payment, "dossier": dossier, "agency": agency, "issuer": agency, "fees": list(dossier.fees.all()),
        "paid": paid, "now": paid, "place": place, "symbol": symbol, "number": number,
        "provider": "VNPAY" if payment.provider == "vnpay" else payment.provider,
    }


def render_receipt(payment, *, verify_url: str = "") -> bytes:
    return render_document(TEMPLATE, receipt_context(payment), verify_url=verify_url).pdf


def receipt_issue(*, payment) -> IssuedDocument:
    """The e-receipt as an issued document of the collecting (receiving) agency, under its receipt number."""
    context = receipt_context(payment)
    return document_issue(kind=DocumentKind.E_RECEIPT, ref=f"payment:{payment.pk}",
                          agency=payment.dossier.receiving_agency, number=payment.receipt_number,
                          render=lambda url: render_document(TEMPLATE, context, verify_url=url))
