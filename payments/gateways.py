"""Payment gateways: one interface, the VNPay protocol (API version 2.1.0) behind it.

VNPay's documented scheme:
- the portal redirects the citizen to the gateway's page with the order's parameters, sorted by
  name, URL-encoded (spaces as "+") and signed with HMAC-SHA512 of that query string under the
  merchant's secret (`vnp_SecureHash`);
- the gateway calls the portal's IPN address server-to-server (GET, same signing) with the outcome
  and expects JSON `{"RspCode": "00", "Message": "Confirm Success"}` (01 order not found, 02 already
  confirmed, 04 invalid amount, 97 invalid signature, 99 other error); it also sends the citizen's
  browser back to the return address with the same signed parameters;
- `querydr` (POST JSON) answers what became of a transaction; request and answer are signed with
  HMAC-SHA512 over their fields joined by "|".

`PAYMENT_GATEWAY = "vnpay"` talks to the addresses in settings; `"simulator"` uses the same protocol
code against the portal's own stand-in (payments.simulator), in-process; `""` turns online payment off.
`payments.configured.get_gateway()` builds the gateway the setting chooses (this module is the protocol
and knows neither the simulator nor the factory).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote_plus

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from workcalendar.calendar import TZ

SUCCESS = "00"
QUERY_REQUEST_FIELDS = ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef",
                        "vnp_TransactionDate", "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo")
QUERY_RESPONSE_FIELDS = ("vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode",
                         "vnp_TxnRef", "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo",
                         "vnp_TransactionType", "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode",
                         "vnp_PromotionAmount")


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode("utf-8"), hashlib.sha512).hexdigest()


def sign_data(params: dict) -> str:
    """The string VNPay signs: vnp_* parameters sorted by name, URL-encoded, joined by "&"."""
    return "&".join(f"{quote_plus(k)}={quote_plus(str(v))}" for k, v in sorted(params.items())
                    if v not in (None, ""))


def gateway_time(value: dt.datetime) -> str:
    return value.astimezone(TZ).strftime("%Y%m%d%H%M%S")


def parse_gateway_time(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=TZ)
    except (TypeError, ValueError):
        return None


@dataclass
class Callback:
    """What a signed return / IPN says (amount in VND)."""

    valid: bool
    txn_ref: str = ""
    amount: int | None = None
    response_code: str = ""
    transaction_status: str = ""
    transaction_no: str = ""
    bank_code: str = ""
    pay_date: dt.datetime | None = None

    @property
    def success(self) -> bool:
        return self.response_code == SUCCESS and self.transaction_status in (SUCCESS, "")


@dataclass
class QueryResult:
    valid: bool
    found: bool = False
    status: str = ""  # "success", "failed", "pending"
    amount: int | None = None
    response_code: str = ""
    transaction_no: str = ""
    bank_code: str = ""
    pay_date: dt.datetime | None = None


def http_post_json(url: str, body: dict, timeout: float = 15) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


class VNPayGateway:
    code = "vnpay"
    label = "VNPAY"

    def __init__(self, *, tmn_code: str, secret: str, pay_url: str, api_url: str,
                 transport: Callable[[str, dict], dict] = http_post_json, expire_minutes: int = 15):
        if not (tmn_code and secret and pay_url):
            raise ImproperlyConfigured("VNPAY_TMN_CODE, VNPAY_HASH_SECRET and VNPAY_PAY_URL are required.")
        self.tmn_code, self.secret, self.pay_url, self.api_url = tmn_code, secret, pay_url, api_url
        self.transport, self.expire_minutes = transport, expire_minutes

    # -- redirect --------------------------------------------------------------------------------
    def order_params(self, *, txn_ref: str, amount: int, order_info: str, return_url: str, ip: str,
                     created: dt.datetime) -> dict:
        return {
            "vnp_Version": "2.1.0", "vnp_Command": "pay", "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(amount * 100), "vnp_CurrCode": "VND", "vnp_TxnRef": txn_ref,
            "vnp_OrderInfo": order_info, "vnp_OrderType": "other", "vnp_Locale": "vn",
            "vnp_ReturnUrl": return_url, "vnp_IpAddr": ip or "127.0.0.1", "vnp_CreateDate": gateway_time(created),
            "vnp_ExpireDate": gateway_time(created + dt.timedelta(minutes=self.expire_minutes)),
        }

    def payment_url(self, **order) -> str:
        data = sign_data(self.order_params(**order))
        separator = "&" if "?" in self.pay_url else "?"
        return f"{self.pay_url}{separator}{data}&vnp_SecureHash={hmac_sha512(self.secret, data)}"

    def sign(self, params: dict) -> dict:
        """Add the signature to parameters (what the gateway does to its return / IPN)."""
        clean = {k: v for k, v in params.items() if k not in ("vnp_SecureHash", "vnp_SecureHashType")}
        return {**clean, "vnp_SecureHash": hmac_sha512(self.secret, sign_data(clean))}

    def verify(self, params) -> bool:
        given = str(params.get("vnp_SecureHash", ""))
        data = {k: v for k, v in params.items() if k.startswith("vnp_")
                and k not in ("vnp_SecureHash", "vnp_SecureHashType")}
        return bool(given) and hmac.compare_digest(given.lower(), hmac_sha512(self.secret, sign_data(data)))

    # -- return and IPN ---------------------------------------------------------------------------
    def parse_callback(self, params) -> Callback:
        params = {k: (v[-1] if isinstance(v, list) else v) for k, v in dict(params).items()}
        if not self.verify(params) or params.get("vnp_TmnCode") != self.tmn_code:
            return Callback(valid=False, txn_ref=str(params.get("vnp_TxnRef", ""))[:40])
        try:
            raw = int(params.get("vnp_Amount", ""))
            amount = raw // 100 if raw % 100 == 0 else None  # the gateway's unit is VND × 100
        except ValueError:
            amount = None
        return Callback(
            valid=True, txn_ref=params.get("vnp_TxnRef", ""), amount=amount,
            response_code=params.get("vnp_ResponseCode", ""),
            transaction_status=params.get("vnp_TransactionStatus", ""),
            transaction_no=params.get("vnp_TransactionNo", ""), bank_code=params.get("vnp_BankCode", ""),
            pay_date=parse_gateway_time(params.get("vnp_PayDate", "")))

    @staticmethod
    def ipn_answer(code: str, message: str) -> dict:
        return {"RspCode": code, "Message": message}

    # -- querydr ------------------------------------------------------------------------------
    def query(self, *, txn_ref: str, order_info: str, created: dt.datetime, ip: str = "127.0.0.1",
              now: dt.datetime | None = None) -> QueryResult:
        now = now or dt.datetime.now(TZ)
        body = {"vnp_RequestId": secrets.token_hex(16), "vnp_Version": "2.1.0", "vnp_Command": "querydr",
                "vnp_TmnCode": self.tmn_code, "vnp_TxnRef": txn_ref, "vnp_OrderInfo": order_info,
                "vnp_TransactionDate": gateway_time(created), "vnp_CreateDate": gateway_time(now), "vnp_IpAddr": ip}
        body["vnp_SecureHash"] = hmac_sha512(self.secret, "|".join(body[f] for f in QUERY_REQUEST_FIELDS))
        answer = self.transport(self.api_url, body)
        expected = hmac_sha512(self.secret, "|".join(str(answer.get(f, "")) for f in QUERY_RESPONSE_FIELDS))
        if not hmac.compare_digest(str(answer.get("vnp_SecureHash", "")).lower(), expected):
            return QueryResult(valid=False)
        code = answer.get("vnp_ResponseCode", "")
        if code != SUCCESS:  # 91: not found at the gateway (the citizen never reached it)
            return QueryResult(valid=True, found=False, response_code=code)
        status = answer.get("vnp_TransactionStatus", "")
        try:
            amount = int(answer.get("vnp_Amount", "")) // 100
        except ValueError:
            amount = None
        return QueryResult(valid=True, found=True, response_code=status, amount=amount,
                           status="success" if status == SUCCESS else "pending" if status == "01" else "failed",
                           transaction_no=str(answer.get("vnp_TransactionNo", "")),
                           bank_code=answer.get("vnp_BankCode", ""),
                           pay_date=parse_gateway_time(answer.get("vnp_PayDate", "")))


def mode() -> str:
    return getattr(settings, "PAYMENT_GATEWAY", "") or ""


def enabled() -> bool:
    return mode() in ("vnpay", "simulator")
