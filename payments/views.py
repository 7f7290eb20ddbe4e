"""Pages of the fee payment: the dossier page's fee panel, paying online (redirect, return, IPN),
recording a desk payment or a refund, and the e-receipt."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from dossiers import idempotency
from dossiers import policies as dossier_policies
from dossiers import selectors as dossier_selectors
from dossiers.issuing import came_from
from dossiers.models import FeeStatus
from signing.config import SigningUnavailable

from . import gateways, policies, selectors, services
from .models import PaymentStatus

log = logging.getLogger(__name__)


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "127.0.0.1"


def fee_panel_context(request, dossier, staff_view: bool):
    """The fee section of the dossier page (None when the dossier owes nothing and never did)."""
    fees = selectors.dossier_fee_list(dossier)
    if not dossier.fee_status and not fees:
        return None
    user = request.user
    payments = selectors.payment_list(dossier)
    payable = dossier.fee_status == FeeStatus.UNPAID and dossier.status in services.PAYABLE_STATES
    return {
        "fees": fees, "payments": payments if staff_view else
        [p for p in payments if p.status in (PaymentStatus.PAID, PaymentStatus.DUPLICATE)],
        "can_pay_online": payable and not staff_view and policies.can_pay_online(user, dossier) and gateways.enabled(),
        "can_record": payable and policies.can_record_payment(user, dossier),
        "can_refund": policies.can_record_refund(user, dossier) and (
            dossier.fee_status == FeeStatus.REFUND_DUE
            or any(p.status == PaymentStatus.DUPLICATE and not p.refunded_at for p in payments)),
        "pending": next((p for p in payments if p.status == PaymentStatus.PENDING), None),
        "desk_methods": [(m.value, m.label) for m in services.DESK_METHODS],
        # the e-receipt names the payer: linked only for whom its download (receipt_pdf) allows
        "can_open_receipt": dossier_policies.can_see_applicant(user, dossier),
    }


@login_required
@require_POST
def pay_online(request, pk: int):
    dossier = dossier_selectors.access_dossier(request.user, pk)
    try:  # pressing Back and "pay" again goes to the first payment's gateway page, not a second payment
        done = idempotency.form_once(request, scope="payment-start", url=lambda started: started[1],
                                     action=lambda: services.payment_start_online(
                                         dossier=dossier, actor=request.user, ip=_client_ip(request),
                                         return_url=request.build_absolute_uri(reverse("payments:vnpay_return"))))
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
        return redirect("dossiers:detail", pk=pk)
    return redirect(done.result["url"])


@require_GET
def vnpay_return(request):
    """The citizen's browser comes back from the gateway. The same verified, idempotent handling as
    the IPN (whichever arrives first applies it), then a page saying what happened."""
    try:
        code, payment = services.payment_callback(params=request.GET, source="return", ip=_client_ip(request))
    except gateways.ImproperlyConfigured:
        raise Http404("Thanh toán trực tuyến không bật.") from None
    if payment is not None:
        payment.refresh_from_db()
    return render(request, "payments/result.html", {"code": code, "payment": payment,
                                                    "dossier": payment.dossier if payment else None},
                  status=400 if code in ("97", "01", "04") else 200)


@csrf_exempt
@require_GET
def vnpay_ipn(request):
    """Server-to-server notice from the gateway; answers in the gateway's JSON."""
    if not gateways.enabled():
        raise Http404("Thanh toán trực tuyến không bật.")
    try:
        code, _payment = services.payment_callback(params=request.GET, source="ipn", ip=_client_ip(request))
    except Exception:  # the gateway must always get its JSON answer: 99 (unknown error) makes it retry; logged
        log.exception("IPN failed")
        code = "99"
    return JsonResponse(gateways.VNPayGateway.ipn_answer(code, services.IPN_MESSAGES[code]))


@login_required
@require_POST
def pay_desk(request, pk: int):
    dossier = dossier_selectors.access_dossier(request.user, pk)
    try:
        payment = services.payment_record_desk(dossier=dossier, actor=request.user,
                                               method=request.POST.get("method", ""),
                                               reference=request.POST.get("reference", ""),
                                               payer_name=request.POST.get("payer_name", ""))
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
    else:
        messages.success(request, _("Đã thu phí, lệ phí; biên lai số %s.") % payment.receipt_number)
    return redirect(reverse("dossiers:detail", args=[pk]) + "#phi-le-phi")


@login_required
@require_POST
def refund(request, pk: int):
    dossier = dossier_selectors.access_dossier(request.user, pk)
    try:
        services.refund_record(dossier=dossier, actor=request.user, note=request.POST.get("note", ""))
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
    else:
        messages.success(request, _("Đã ghi nhận hoàn trả phí, lệ phí."))
    return redirect(reverse("dossiers:detail", args=[pk]) + "#phi-le-phi")


@login_required
def receipt_pdf(request, pk: int):
    payment = selectors.payment_get(pk)
    if payment is None:
        raise Http404("Khoản này không có biên lai.")
    dossier = dossier_selectors.access_dossier(request.user, payment.dossier_id)
    dossier_policies.require_applicant(request.user, dossier)  # the e-receipt names the payer
    if payment.status != PaymentStatus.PAID:
        raise Http404("Khoản này không có biên lai.")
    if not payment.receipt_pdf:
        try:
            services.receipt_store(payment.pk)
        except SigningUnavailable as exc:  # the agency's key cannot be used: nothing was issued
            messages.error(request, exc.message)
            return redirect(came_from(request, reverse("dossiers:detail", args=[dossier.pk]) + "#phi-le-phi"))
        payment.refresh_from_db()
    if dossier_policies.sees_as_staff(request.user, dossier):
        dossier_selectors.log_personal_data_access(request, dossier, "download", f"Biên lai {payment.receipt_number}")
    return FileResponse(payment.receipt_pdf.open("rb"), content_type="application/pdf",
                        filename=f"bien-lai-{payment.receipt_number}.pdf", as_attachment=False)
