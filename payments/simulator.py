"""A local stand-in for the VNPay gateway (PAYMENT_GATEWAY = "simulator": tests and `make run`).

It checks the signed order like the gateway does, shows a payment page where the tester pays,
cancels or walks away, then — like the gateway — calls the portal's IPN address (in-process, through
the real IPN view) and sends the browser back to the return address with signed parameters. It keeps
its own books, so the reconciliation task's `querydr` gets the answer the gateway would give. A tick
box drops the IPN, to try the reconciliation path.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets as pysecrets
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from . import gateways
from .models import SimulatedTransaction

TMN_CODE = "MOTCUA01"
BANKS = [("NCB", "Ngân hàng NCB"), ("VCB", "Vietcombank"), ("BIDV", "BIDV"), ("AGRIBANK", "Agribank")]


def secret() -> str:
    configured = getattr(settings, "VNPAY_HASH_SECRET", "")
    if configured:
        return configured
    return hashlib.sha256(f"simulator:{settings.SECRET_KEY}".encode()).hexdigest()[:32].upper()


def gateway() -> gateways.VNPayGateway:
    """The VNPay protocol pointed at this stand-in: its page instead of the gateway's, its books for
    `querydr` (what `configured.get_gateway()` returns when PAYMENT_GATEWAY = "simulator")."""
    return gateways.VNPayGateway(tmn_code=TMN_CODE, secret=secret(), pay_url=reverse("payments:simulator"),
                                 api_url="simulator:querydr", transport=querydr_transport)


def _answer(gw: gateways.VNPayGateway, fields: dict) -> dict:
    data = "|".join(str(fields.get(f, "")) for f in gateways.QUERY_RESPONSE_FIELDS)
    return {**fields, "vnp_SecureHash": gateways.hmac_sha512(gw.secret, data)}


def querydr_transport(url: str, body: dict) -> dict:
    """What the gateway's querydr API answers, computed from the simulator's books."""
    gw = gateway()
    expected = gateways.hmac_sha512(gw.secret, "|".join(str(body.get(f, ""))
                                                         for f in gateways.QUERY_REQUEST_FIELDS))
    base = {"vnp_ResponseId": pysecrets.token_hex(8), "vnp_Command": "querydr", "vnp_TmnCode": gw.tmn_code,
            "vnp_TxnRef": body.get("vnp_TxnRef", "")}
    if not hmac.compare_digest(str(body.get("vnp_SecureHash", "")), expected):
        return _answer(gw, {**base, "vnp_ResponseCode": "97", "vnp_Message": "Invalid Checksum"})
    txn = SimulatedTransaction.objects.filter(txn_ref=body.get("vnp_TxnRef", "")).first()
    if txn is None:
        return _answer(gw, {**base, "vnp_ResponseCode": "91", "vnp_Message": "Not found transaction"})
    status = {"success": "00", "pending": "01"}.get(txn.status, "02")
    return _answer(gw, {**base, "vnp_ResponseCode": "00", "vnp_Message": "QueryDR Success",
                        "vnp_Amount": str(txn.amount), "vnp_BankCode": "NCB", "vnp_PayDate": txn.pay_date,
                        "vnp_TransactionNo": txn.transaction_no, "vnp_TransactionType": "01",
                        "vnp_TransactionStatus": status, "vnp_OrderInfo": txn.order_info})


def _deliver_ipn(params: dict) -> dict:
    """Call the portal's IPN address the way the gateway would (GET with signed parameters)."""
    path = reverse("payments:vnpay_ipn")
    request = RequestFactory().get(path, params, REMOTE_ADDR="127.0.0.2")
    response = resolve(path).func(request)
    return json.loads(response.content.decode())


@require_http_methods(["GET", "POST"])
def gateway_page(request):
    if gateways.mode() != "simulator":
        raise Http404("Cổng thanh toán mô phỏng không bật.")
    gw = gateway()
    params = {k: v for k, v in (request.GET if request.method == "GET" else request.POST).items()
              if k.startswith("vnp_")}
    if not gw.verify(params) or params.get("vnp_TmnCode") != gw.tmn_code:
        return HttpResponseBadRequest("Sai chữ ký hoặc mã website (mã lỗi 70).".encode(), content_type="text/plain; "
                                                                                                  "charset=utf-8")
    expire = gateways.parse_gateway_time(params.get("vnp_ExpireDate", ""))
    expired = expire is not None and timezone.now() > expire
    txn, _created = SimulatedTransaction.objects.get_or_create(
        txn_ref=params["vnp_TxnRef"], defaults={"amount": int(params["vnp_Amount"]),
                                                 "order_info": params.get("vnp_OrderInfo", "")[:255],
                                                 "create_date": params.get("vnp_CreateDate", "")})
    if request.method == "GET" or txn.status != "pending":
        return render(request, "payments/simulator.html", {
            "params": params, "amount": int(params["vnp_Amount"]) // 100, "txn": txn, "expired": expired,
            "banks": BANKS, "done": txn.status != "pending"})
    outcome = request.POST.get("outcome")
    code = {"pay": "00", "cancel": "24", "insufficient": "51"}.get(outcome)
    if code is None or (expired and code == "00"):
        code = "11" if expired else "99"  # 11: payment time expired
    now = timezone.now()
    txn.status = "success" if code == "00" else "cancelled" if code == "24" else "failed"
    txn.response_code = code
    txn.transaction_no = f"{pysecrets.randbelow(10**8):08d}"
    txn.pay_date = gateways.gateway_time(now)
    result = gw.sign({
        "vnp_Amount": str(txn.amount), "vnp_BankCode": request.POST.get("bank", "NCB")[:20],
        "vnp_BankTranNo": f"VNP{txn.transaction_no}", "vnp_CardType": "ATM", "vnp_OrderInfo": txn.order_info,
        "vnp_PayDate": txn.pay_date, "vnp_ResponseCode": code, "vnp_TmnCode": gw.tmn_code,
        "vnp_TransactionNo": txn.transaction_no, "vnp_TransactionStatus": "00" if code == "00" else "02",
        "vnp_TxnRef": txn.txn_ref})
    txn.save()
    if not request.POST.get("drop_ipn"):
        txn.ipn_answer = _deliver_ipn(result)
        txn.save(update_fields=["ipn_answer"])
    return redirect(f"{params['vnp_ReturnUrl']}?{urlencode(result)}")


def signed_result(payment, *, code: str = "00", amount: int | None = None, when=None, bank: str = "NCB") -> dict:
    """The signed parameters the gateway sends back for `payment` (for the demo data and the tests)."""
    gw = gateway()
    when = when or timezone.now()
    number = f"{payment.pk % 10**8:08d}"
    return gw.sign({
        "vnp_Amount": str((payment.amount if amount is None else amount) * 100), "vnp_BankCode": bank,
        "vnp_BankTranNo": f"VNP{number}", "vnp_CardType": "ATM", "vnp_OrderInfo": "Nop phi le phi",
        "vnp_PayDate": gateways.gateway_time(when), "vnp_ResponseCode": code, "vnp_TmnCode": gw.tmn_code,
        "vnp_TransactionNo": number, "vnp_TransactionStatus": "00" if code == "00" else "02",
        "vnp_TxnRef": payment.txn_ref})
