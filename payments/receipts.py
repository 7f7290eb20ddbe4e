"""The e-receipt (biên lai điện tử) of a paid fee, rendered once with WeasyPrint and kept."""

from __future__ import annotations

from django.utils import timezone

from dossiers.printing import render_pdf


def render_receipt(payment) -> bytes:
    dossier = payment.dossier
    agency = dossier.receiving_agency
    paid = timezone.localtime(payment.paid_at)
    symbol, _sep, number = payment.receipt_number.rpartition("-")
    place = agency.name.replace("Ủy ban nhân dân ", "").replace("phường ", "").replace("xã ", "")
    return render_pdf("payments/receipt.html", {
        "payment": payment, "dossier": dossier, "agency": agency, "issuer": agency, "fees": list(dossier.fees.all()),
        "paid": paid, "now": paid, "place": place, "symbol": symbol, "number": number,
        "provider": "VNPAY" if payment.provider == "vnpay" else payment.provider,
    })
