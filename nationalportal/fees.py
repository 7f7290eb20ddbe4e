"""Fees paid on the national portal (its payment platform) for a dossier filed there.

The amount due is fixed at reception, here, with the exemptions the desk applies (dossiers.fees). When the
dossier is received, what the citizen paid on the national portal is set against it: enough, and the fee is
recorded as paid "qua Cổng Dịch vụ công quốc gia" on the control sheet; less, and it stays unpaid with the
amount paid there recorded as prepaid (`Dossier.fee_prepaid`): the desk collects, and the citizen pays online,
only the difference (`Dossier.fee_to_collect`); a dossier refused then has that amount to refund. The receipt
for the payment is the national payment platform's; no receipt of ours is issued for it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dossiers import events
from dossiers.fees import mark_paid
from dossiers.models import FeeStatus, PaymentMethod


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def settle_on_receipt(dossier, event) -> None:
    """Inside the receiving transaction (the dossier row locked by the service)."""
    record = getattr(dossier, "national_intake", None)
    if record is None or not record.fees_paid or dossier.fee_status != FeeStatus.UNPAID:
        return
    payload = {"amount": record.fees_paid, "method": PaymentMethod.NATIONAL_PORTAL,
               "reference": record.payment_reference, "due": dossier.fee_total}
    if record.fees_paid < dossier.fee_total:  # the desk collects the difference
        dossier.fee_prepaid = record.fees_paid
        dossier.save(update_fields=["fee_prepaid"])
        return
    mark_paid(dossier, method=PaymentMethod.NATIONAL_PORTAL, at=event.at)
    events.fee_paid(dossier=dossier, actor=None, at=event.at, payload=payload, reason=_(
        "Đã nộp %(amount)s đồng qua Cổng Dịch vụ công quốc gia (mã giao dịch %(ref)s).") % {
        "amount": _vnd(record.fees_paid), "ref": record.payment_reference or "—"})
