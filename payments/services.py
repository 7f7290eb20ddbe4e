"""Every write on a payment: desk payments, online payments (start, gateway callbacks, reconciliation),
e-receipts and refunds. One code path for the pages, the gateway's IPN and the Celery task.

Rules that keep money safe:
- the amount is the dossier's fee fixed at reception; a callback for another amount changes nothing;
- callbacks are verified (signature, merchant, order, amount) and idempotent: a repeated one is
  answered "already confirmed" and changes nothing;
- a dossier is paid once (a unique index); a second successful online payment is kept as
  "duplicate" and flagged for refund, never lost;
- a failed, cancelled or abandoned payment leaves the dossier as it was: the citizen can try again.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, DomainError
from dossiers import codes, events, fees
from dossiers.models import Dossier, FeeStatus, PaymentMethod
from dossiers.workflow import Status
from notifications.services import email_queue

from . import gateways, policies
from .configured import get_gateway
from .models import FINAL, Payment, PaymentLog, PaymentStatus, ReceiptCounter
from .receipts import receipt_issue

log = logging.getLogger(__name__)

DESK_METHODS = (PaymentMethod.CASH, PaymentMethod.TRANSFER, PaymentMethod.POSTAL)
PAYABLE_STATES = {Status.RECEIVED, Status.IN_APPRAISAL, Status.SUPPLEMENT_REQUESTED, Status.CONSULTING,
                  Status.AWAITING_APPROVAL, Status.APPROVED, Status.RESULT_READY}
RECONCILE_AFTER = dt.timedelta(minutes=5)  # give the IPN time to arrive before asking the gateway
MAX_CHECKS = 12


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def _lock_dossier(dossier_id: int) -> Dossier:
    return Dossier.objects.select_for_update().select_related("receiving_agency").get(pk=dossier_id)


def _check_payable(dossier: Dossier) -> None:
    if dossier.fee_status != FeeStatus.UNPAID:
        if dossier.fee_status == FeeStatus.PAID:
            raise Conflict("already_paid", _("Hồ sơ đã nộp đủ phí, lệ phí."))
        raise DomainError("nothing_to_pay", _("Hồ sơ không có khoản phí, lệ phí nào phải nộp."))
    if dossier.status not in PAYABLE_STATES:
        raise DomainError("not_payable", _("Không nộp phí cho hồ sơ ở trạng thái “%s”.")
                          % dossier.get_status_display())


def _receipt_number(dossier: Dossier, when: dt.datetime) -> str:
    agency, year = dossier.receiving_agency, timezone.localtime(when).year
    return f"BL{year % 100:02d}-{agency.code}-{codes.next_in(ReceiptCounter, agency=agency, year=year):06d}"


def _settle(payment: Payment, dossier: Dossier, *, when: dt.datetime, actor: User | None) -> Payment:
    """Mark `payment` paid (both rows locked by the caller): the dossier's fee becomes paid, an event
    and an e-receipt number are written, the PDF and the citizen's notice follow the commit."""
    if dossier.fee_status != FeeStatus.UNPAID:  # already paid, or no longer owed (refused, withdrawn)
        payment.status, payment.paid_at = PaymentStatus.DUPLICATE, when
        payment.save()
        events.fee_paid_twice(dossier=dossier, actor=actor, at=when,
                              payload={"payment": payment.pk, "amount": payment.amount, "method": payment.method},
                              reason=_("Đã nhận %s đồng khi hồ sơ không còn phải nộp: cần hoàn trả.")
                              % _vnd(payment.amount))
        return payment
    payment.status, payment.paid_at = PaymentStatus.PAID, when
    payment.receipt_number = _receipt_number(dossier, when)
    payment.save()
    fees.mark_paid(dossier, method=payment.method, at=when)
    events.fee_paid(dossier=dossier, actor=actor, at=when,
                    payload={"payment": payment.pk, "amount": payment.amount, "method": payment.method,
                             "receipt": payment.receipt_number},
                    reason=_("Đã nộp %(amount)s đồng (%(method)s), biên lai %(number)s.") % {
                        "amount": _vnd(payment.amount), "method": payment.get_method_display(),
                        "number": payment.receipt_number})
    payment_id = payment.pk
    # Robust: the payment stands even when the e-receipt cannot be issued now (an agency key that cannot be
    # used); the receipt page issues it on the first download and says what to fix until then.
    transaction.on_commit(lambda: receipt_store(payment_id), robust=True)
    return payment


# -- at the desk -----------------------------------------------------------------------------------

@transaction.atomic
def payment_record_desk(*, dossier: Dossier, actor: User, method: str, reference: str = "", payer_name: str = "",
                        at: dt.datetime | None = None) -> Payment:
    """The reception officer takes the fee in cash, or records a bank transfer or the post's collection."""
    if method not in DESK_METHODS:
        raise DomainError("invalid_method", _("Hình thức nộp tiền không hợp lệ."), field="method")
    reference = (reference or "").strip()
    if method in (PaymentMethod.TRANSFER, PaymentMethod.POSTAL) and not reference:
        raise DomainError("reference_required", _("Hãy ghi số giao dịch chuyển khoản hoặc số phiếu của bưu chính."),
                          field="reference")
    dossier = _lock_dossier(dossier.pk)
    if not policies.can_record_payment(actor, dossier):
        raise PermissionDenied(_("Chỉ cán bộ Bộ phận Một cửa của %s (nơi tiếp nhận) hoặc nơi trả kết quả mới thu phí "
                                 "hồ sơ này.") % dossier.receiving_agency.name)
    _check_payable(dossier)
    at = at or timezone.now()
    payment = Payment.objects.create(dossier=dossier, method=method, amount=dossier.fee_to_collect, created_at=at,
                                     created_by=actor, reference=reference[:100],
                                     payer_name=(payer_name or dossier.applicant_name).strip()[:255])
    return _settle(payment, dossier, when=at, actor=actor)


# -- online --------------------------------------------------------------------------------------

def order_info(dossier: Dossier) -> str:
    return f"Nop phi le phi ho so {dossier.code}"


@transaction.atomic
def payment_start_online(*, dossier: Dossier, actor: User, return_url: str, ip: str = "",
                         at: dt.datetime | None = None) -> tuple[Payment, str]:
    """The citizen chooses to pay online: a pending payment and the signed address of the gateway."""
    if not gateways.enabled():
        raise DomainError("payment_off", _("Thanh toán trực tuyến chưa được cấu hình; hãy nộp tại Bộ phận Một cửa."))
    dossier = _lock_dossier(dossier.pk)
    if not policies.can_pay_online(actor, dossier):
        raise PermissionDenied(_("Chỉ người nộp hồ sơ mới thanh toán trực tuyến cho hồ sơ này."))
    _check_payable(dossier)
    at = at or timezone.now()
    gateway = get_gateway()
    payment = Payment.objects.create(
        dossier=dossier, method=PaymentMethod.ONLINE, provider=gateway.code, amount=dossier.fee_to_collect,
        txn_ref=f"HS{dossier.pk}X{secrets.token_hex(5).upper()}", created_at=at, created_by=actor,
        expires_at=at + dt.timedelta(minutes=gateway.expire_minutes), payer_name=dossier.applicant_name[:255])
    url = gateway.payment_url(txn_ref=payment.txn_ref, amount=payment.amount, order_info=order_info(dossier),
                              return_url=return_url, ip=ip, created=at)
    return payment, url


IPN_MESSAGES = {"00": "Confirm Success", "01": "Order not found", "02": "Order already confirmed",
                "04": "Invalid amount", "97": "Invalid signature", "99": "Unknown error"}


@transaction.atomic
def payment_callback(*, params, source: str, ip: str | None = None) -> tuple[str, Payment | None]:
    """A signed return or IPN from the gateway. Returns (VNPay answer code, payment or None):
    00 applied, 01 unknown order, 02 already final (nothing changed), 04 amount differs, 97 forged."""
    gateway = get_gateway()
    flat = {k: (v[-1] if isinstance(v, list) else v) for k, v in dict(params).items()}
    message = gateway.parse_callback(flat)

    def done(code: str, payment: Payment | None, note: str = "") -> tuple[str, Payment | None]:
        PaymentLog.objects.create(payment=payment, source=source, params=flat, outcome=code, ip=ip,
                                  message=(note or IPN_MESSAGES.get(code, ""))[:255])
        return code, payment

    if not message.valid:
        log.warning("payment callback with an invalid signature (%s, ref %s)", source, message.txn_ref)
        return done("97", None)
    payment = Payment.objects.select_for_update().filter(txn_ref=message.txn_ref).first()
    if payment is None:
        return done("01", None)
    if message.amount != payment.amount:
        return done("04", payment, f"amount {message.amount} != {payment.amount}")
    if payment.status in FINAL:
        return done("02", payment)
    dossier = _lock_dossier(payment.dossier_id)
    payment.gateway_txn_no, payment.bank_code = message.transaction_no[:40], message.bank_code[:20]
    payment.response_code = message.response_code[:4]
    if message.success:
        _settle(payment, dossier, when=message.pay_date or timezone.now(), actor=None)
    else:
        payment.status = PaymentStatus.CANCELLED if message.response_code == "24" else PaymentStatus.FAILED
        payment.save()
    return done("00", payment)


@transaction.atomic
def payment_check(*, payment: Payment, now: dt.datetime | None = None) -> Payment:
    """Ask the gateway what became of a pending payment (the IPN may have been lost)."""
    now = now or timezone.now()
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != PaymentStatus.PENDING or payment.method != PaymentMethod.ONLINE:
        return payment
    dossier = Dossier.objects.get(pk=payment.dossier_id)
    answer = get_gateway().query(txn_ref=payment.txn_ref, order_info=order_info(dossier),
                                 created=payment.created_at, now=now)
    payment.checked_at, payment.check_count = now, payment.check_count + 1
    outcome = "00"
    if not answer.valid:
        outcome = "97"
    elif answer.found and answer.status == "success":
        if answer.amount != payment.amount:
            outcome = "04"
        else:
            payment.gateway_txn_no, payment.bank_code = answer.transaction_no[:40], answer.bank_code[:20]
            payment.response_code = answer.response_code[:4]
            _settle(payment, _lock_dossier(payment.dossier_id), when=answer.pay_date or now, actor=None)
    elif answer.found and answer.status == "failed":
        payment.status, payment.response_code = PaymentStatus.FAILED, answer.response_code[:4]
    elif payment.expires_at and now > payment.expires_at + RECONCILE_AFTER and (
            not answer.found or payment.check_count >= MAX_CHECKS):
        payment.status = PaymentStatus.EXPIRED  # abandoned: the citizen never paid
    payment.save()
    PaymentLog.objects.create(payment=payment, source="query", outcome=outcome,
                              params={"found": answer.found, "status": answer.status, "amount": answer.amount,
                                      "response_code": answer.response_code})
    return payment


def payments_reconcile(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """The Celery task's body: every online payment still pending after a few minutes is queried."""
    now = now or timezone.now()
    counts = {"checked": 0, "paid": 0, "failed": 0, "expired": 0, "pending": 0}
    if not gateways.enabled():
        return counts
    due = (Payment.objects.filter(status=PaymentStatus.PENDING, method=PaymentMethod.ONLINE,
                                  created_at__lt=now - RECONCILE_AFTER).order_by("created_at")
           .values_list("pk", flat=True)[:limit])
    for pk in list(due):
        try:
            payment = payment_check(payment=Payment(pk=pk), now=now)
        except Exception:  # a gateway that is down: try again on the next run
            log.exception("payment %s: query failed", pk)
            counts["pending"] += 1
            continue
        counts["checked"] += 1
        key = {PaymentStatus.PAID: "paid", PaymentStatus.DUPLICATE: "paid", PaymentStatus.FAILED: "failed",
               PaymentStatus.EXPIRED: "expired"}.get(payment.status, "pending")
        counts[key] += 1
    return counts


# -- receipts and refunds -------------------------------------------------------------------------

def receipt_store(payment_id: int) -> None:
    """Issue the e-receipt once (signed, see receipts.receipt_issue), keep that file, and send it to the
    citizen. Raises SigningUnavailable when the agency's key cannot be used: nothing is kept then."""
    payment = Payment.objects.select_related("dossier__receiving_agency", "dossier__procedure_version__procedure",
                                             "created_by").get(pk=payment_id)
    if payment.status != PaymentStatus.PAID or payment.receipt_pdf:
        return
    document = receipt_issue(payment=payment)
    with document.file.open("rb") as handle:
        payment.receipt_pdf.save(f"{payment.dossier_id}-{payment.pk}.pdf", ContentFile(handle.read()), save=False)
    Payment.objects.filter(pk=payment.pk, receipt_pdf="").update(receipt_pdf=payment.receipt_pdf.name)
    dossier = payment.dossier
    if dossier.applicant_email:
        email_queue(to=dossier.applicant_email, template="notifications/email/fee_paid", key=f"fee-paid:{payment.pk}",
                    user_id=dossier.citizen_id, link=dossier.citizen_url(),
                    context={"dossier": dossier, "payment": payment, "amount": _vnd(payment.amount)})


@transaction.atomic
def refund_record(*, dossier: Dossier, actor: User, note: str, at: dt.datetime | None = None) -> Dossier:
    """The agency paid the refundable fee of a refused dossier back (or a duplicate payment)."""
    dossier = _lock_dossier(dossier.pk)
    if not policies.can_record_refund(actor, dossier):
        raise PermissionDenied(_("Chỉ cán bộ Bộ phận Một cửa mới ghi nhận hoàn trả."))
    note = (note or "").strip()
    if not note:
        raise DomainError("note_required", _("Hãy ghi hình thức và số chứng từ hoàn trả."), field="note")
    at = at or timezone.now()
    duplicates = list(Payment.objects.select_for_update().filter(dossier=dossier, status=PaymentStatus.DUPLICATE,
                                                                 refunded_at__isnull=True))
    if dossier.fee_status != FeeStatus.REFUND_DUE and not duplicates:
        raise DomainError("nothing_to_refund", _("Hồ sơ không có khoản nào chờ hoàn trả."))
    amount = sum(p.amount for p in duplicates)
    if dossier.fee_status == FeeStatus.REFUND_DUE:
        amount += dossier.refund_amount
        dossier.fee_status = FeeStatus.REFUNDED
        dossier.save(update_fields=["fee_status"])
        Payment.objects.filter(dossier=dossier, status=PaymentStatus.PAID).update(
            refunded_at=at, refunded_by=actor, refund_note=note[:255])
    Payment.objects.filter(pk__in=[p.pk for p in duplicates]).update(refunded_at=at, refunded_by=actor,
                                                                      refund_note=note[:255])
    events.fee_refunded(dossier=dossier, actor=actor, at=at, reason=note, amount=amount)
    return dossier
