"""Fees and charges of a dossier (phí, lệ phí; legal.md §1.8).

The lines come from the procedure version's channel the dossier was received through; the reception
officer may apply an exemption ground to a line (with the proof's number), and the amount due is
fixed at that moment: later changes to the catalogue never change what a received dossier owes.
Payment itself is recorded by the `payments` app, which sets `fee_status` to paid.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.errors import DomainError
from procedures.models import FeeExemption

from .models import Dossier, DossierFee, FeeStatus


def fee_lines(dossier: Dossier, exemptions: dict[int, dict] | None = None) -> list[DossierFee]:
    """The fee lines of `dossier` (unsaved), with the exemptions applied; refuses any exemption that
    the fee does not allow, one without its proof, or a fee item of another procedure."""
    option = dossier.channel_option
    items = list(option.fees.prefetch_related("allowed_exemptions")) if option else []
    exemptions = dict(exemptions or {})
    unknown = set(exemptions) - {item.pk for item in items}
    if unknown:
        raise DomainError("wrong_fee", _("Miễn, giảm đã chọn cho khoản phí của hình thức nộp khác (%s): hãy chọn "
                                         "lại ở khoản phí của hình thức nộp này.") % dossier.get_channel_display(),
                          field="fees")
    grounds = {g.pk: g for g in FeeExemption.objects.filter(pk__in=[c["exemption"] for c in exemptions.values()])}
    lines = []
    for item in items:
        line = DossierFee(dossier=dossier, fee_item=item, name=item.name, amount=item.amount,
                          amount_due=item.amount, refundable=item.refundable)
        choice = exemptions.get(item.pk)
        if choice and item.amount > 0:
            ground = grounds.get(choice["exemption"])
            if ground is None or ground not in item.exemption_choices():
                raise DomainError("exemption_not_allowed", _("“%s” không áp dụng đối tượng miễn, giảm đã chọn.")
                                  % item.name, field="fees")
            note = (choice.get("note") or "").strip()
            if not note:
                raise DomainError("exemption_proof_required", _(
                    "Miễn, giảm “%(fee)s” cho %(ground)s: hãy ghi số, ngày của giấy tờ chứng minh (%(proof)s).")
                    % {"fee": item.name, "ground": ground.name, "proof": ground.proof or _("giấy tờ")}, field="fees")
            line.exemption, line.exemption_name, line.exemption_percent = ground, ground.name, ground.percent
            line.exemption_note = note[:255]
            line.amount_due = ground.reduce(item.amount)
        lines.append(line)
    return lines


def fees_fix(dossier: Dossier, exemptions: dict[int, dict] | None = None) -> list[DossierFee]:
    """At reception (inside the receiving transaction): store the lines and the amount due."""
    lines = fee_lines(dossier, exemptions)
    DossierFee.objects.filter(dossier=dossier).delete()
    DossierFee.objects.bulk_create(lines)
    dossier.fee_total = sum(line.amount_due for line in lines)
    dossier.fee_status = FeeStatus.UNPAID if dossier.fee_total > 0 else ""
    return lines


def fees_on_refusal(dossier: Dossier) -> None:
    """The dossier ended without a result: an unpaid fee is no longer owed; a paid one is flagged for
    refund (the refundable lines)."""
    if dossier.fee_status == FeeStatus.UNPAID and dossier.fee_prepaid:
        dossier.fee_status, dossier.refund_amount = FeeStatus.REFUND_DUE, dossier.fee_prepaid  # paid in part before
    elif dossier.fee_status == FeeStatus.UNPAID:
        dossier.fee_status = FeeStatus.CANCELLED
    elif dossier.fee_status == FeeStatus.PAID:
        refund = sum(f.amount_due for f in dossier.fees.all() if f.refundable)
        if refund:
            dossier.fee_status, dossier.refund_amount = FeeStatus.REFUND_DUE, refund


def mark_paid(dossier: Dossier, *, method: str, at) -> None:
    """The fee was collected (called by the payments app with the dossier row locked)."""
    dossier.fee_status, dossier.fee_paid_at, dossier.fee_paid_via = FeeStatus.PAID, at, method
    dossier.save(update_fields=["fee_status", "fee_paid_at", "fee_paid_via"])


def require_paid(dossier: Dossier) -> None:
    if dossier.fee_status == FeeStatus.UNPAID:
        raise DomainError("fee_unpaid", _(
            "Hồ sơ còn chưa nộp %(amount)s đồng phí, lệ phí: hãy thu phí (hoặc chờ công dân thanh toán trực "
            "tuyến) trước khi trả kết quả.") % {"amount": f"{dossier.fee_to_collect:,}".replace(",", ".")},
            field="fee")
