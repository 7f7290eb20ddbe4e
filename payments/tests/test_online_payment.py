"""Paying online with the VNPay protocol against the local simulator: success, failure, cancel,
abandoned + reconciliation, a repeated callback, a forged one, a wrong amount, two payments at once."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.utils import timezone

from dossiers.models import Dossier
from payments import configured, gateways, services
from payments.models import Payment, PaymentLog, SimulatedTransaction
from payments.simulator import signed_result

pytestmark = pytest.mark.django_db


def _start(client, dossier):
    reply = client.post(f"/thanh-toan/ho-so/{dossier.pk}/truc-tuyen/")
    assert reply.status_code == 302
    return reply["Location"]


def _gateway_params(url):
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_the_signed_redirect_follows_the_vnpay_scheme(world, online_received, client):
    d = online_received()
    client.force_login(world.citizen)
    url = _start(client, d)
    params = _gateway_params(url)
    assert url.startswith("/thanh-toan/mo-phong/vnpay/?")
    assert (params["vnp_Version"], params["vnp_Command"], params["vnp_CurrCode"]) == ("2.1.0", "pay", "VND")
    assert params["vnp_Amount"] == "5000000"  # 50.000 đ online, in the gateway's unit (× 100)
    gw = configured.get_gateway()
    # The signature is HMAC-SHA512 over the sorted, URL-encoded parameters, as the gateway recomputes it.
    unsigned = {k: v for k, v in params.items() if k != "vnp_SecureHash"}
    assert params["vnp_SecureHash"] == gateways.hmac_sha512(gw.secret, gateways.sign_data(unsigned))
    assert gw.verify(params) and not gw.verify({**params, "vnp_Amount": "100"})
    payment = Payment.objects.get()
    assert (payment.status, payment.amount, payment.txn_ref) == ("pending", 50000, params["vnp_TxnRef"])


def test_paying_through_the_simulator(world, online_received, client, django_capture_on_commit_callbacks):
    d = online_received()
    client.force_login(world.citizen)
    url = _start(client, d)
    page = client.get(url)
    assert page.status_code == 200 and "50.000 đồng" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        back = client.post(url.split("?")[0], {**_gateway_params(url), "outcome": "pay", "bank": "NCB"})
    assert back.status_code == 302 and back["Location"].startswith("http://testserver/thanh-toan/vnpay/ket-qua/?")
    payment = Payment.objects.get()
    assert payment.status == "paid" and payment.bank_code == "NCB" and payment.receipt_number
    assert SimulatedTransaction.objects.get().ipn_answer == {"RspCode": "00", "Message": "Confirm Success"}
    d.refresh_from_db()
    assert (d.fee_status, d.fee_paid_via) == ("paid", "online")
    result = client.get(back["Location"])  # the browser's return: the same message again changes nothing
    assert "Thanh toán thành công" in result.content.decode()
    assert list(PaymentLog.objects.order_by("id").values_list("source", "outcome")) == [("ipn", "00"),
                                                                                      ("return", "02")]
    assert d.events.filter(type="fee_paid").count() == 1
    page = client.get(f"/ho-so/{d.pk}/").content.decode()
    assert 'data-testid="pay-online"' not in page and payment.receipt_number in page
    from pypdf import PdfReader

    payment.refresh_from_db()
    text = "".join(p.extract_text() for p in PdfReader(payment.receipt_pdf.open("rb")).pages)
    assert "Thu qua cổng thanh toán trực tuyến" in text and "VNPAY" in text  # the office collects, not the payer


@pytest.mark.parametrize(("outcome", "status"), [("cancel", "cancelled"), ("insufficient", "failed")])
def test_a_failed_or_cancelled_payment_leaves_the_dossier_and_allows_a_retry(world, online_received, client,
                                                                             outcome, status):
    d = online_received()
    client.force_login(world.citizen)
    url = _start(client, d)
    back = client.post(url.split("?")[0], {**_gateway_params(url), "outcome": outcome})
    assert Payment.objects.get().status == status
    assert "Hồ sơ chưa thay đổi" in client.get(back["Location"]).content.decode()
    d.refresh_from_db()
    assert (d.fee_status, d.fee_paid_at) == ("unpaid", None) and not d.events.filter(type="fee_paid").exists()
    assert 'data-testid="pay-online"' in client.get(f"/ho-so/{d.pk}/").content.decode()
    url = _start(client, d)  # try again
    client.post(url.split("?")[0], {**_gateway_params(url), "outcome": "pay"})
    assert Dossier.objects.get(pk=d.pk).fee_status == "paid"


def test_forged_repeated_and_wrong_amount_callbacks(world, online_received):
    d = online_received()
    payment, _url = services.payment_start_online(dossier=d, actor=world.citizen, return_url="http://x/")
    forged = {**signed_result(payment), "vnp_ResponseCode": "00"}
    forged["vnp_SecureHash"] = "0" * 128
    assert services.payment_callback(params=forged, source="ipn")[0] == "97"
    tampered = {**signed_result(payment, code="24"), "vnp_ResponseCode": "00"}  # flipped after signing
    assert services.payment_callback(params=tampered, source="ipn")[0] == "97"
    assert services.payment_callback(params=signed_result(payment, amount=5000), source="ipn")[0] == "04"
    unknown = signed_result(payment) | {"vnp_TxnRef": "NOPE"}
    assert services.payment_callback(params=configured.get_gateway().sign(unknown), source="ipn")[0] == "01"
    payment.refresh_from_db()
    assert payment.status == "pending" and Dossier.objects.get(pk=d.pk).fee_status == "unpaid"
    assert services.payment_callback(params=signed_result(payment), source="ipn")[0] == "00"
    assert services.payment_callback(params=signed_result(payment), source="ipn")[0] == "02"  # replayed
    assert Payment.objects.filter(status="paid").count() == 1
    assert list(PaymentLog.objects.order_by("id").values_list("outcome", flat=True)) == ["97", "97", "04", "01",
                                                                                          "00", "02"]


def test_the_ipn_view_answers_in_the_gateway_format(world, online_received, client):
    d = online_received()
    payment, _url = services.payment_start_online(dossier=d, actor=world.citizen, return_url="http://x/")
    reply = client.get("/thanh-toan/vnpay/ipn/", {**signed_result(payment), "vnp_SecureHash": "bad"})
    assert reply.json() == {"RspCode": "97", "Message": "Invalid signature"}
    reply = client.get("/thanh-toan/vnpay/ipn/", signed_result(payment))
    assert reply.json() == {"RspCode": "00", "Message": "Confirm Success"}
    reply = client.get("/thanh-toan/vnpay/ipn/", signed_result(payment))
    assert reply.json() == {"RspCode": "02", "Message": "Order already confirmed"}


def test_two_successful_payments_are_never_counted_twice(world, online_received):
    d = online_received()
    first, _ = services.payment_start_online(dossier=d, actor=world.citizen, return_url="http://x/")
    second, _ = services.payment_start_online(dossier=d, actor=world.citizen, return_url="http://x/")  # 2 tabs
    services.payment_callback(params=signed_result(first), source="ipn")
    services.payment_callback(params=signed_result(second), source="ipn")
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == ("paid", "duplicate") and second.receipt_number == ""
    d.refresh_from_db()
    assert d.fee_status == "paid" and d.events.filter(type="fee_paid_twice").count() == 1
    services.refund_record(dossier=d, actor=world.reception, note="Hoàn trả qua VNPAY")
    second.refresh_from_db()
    assert second.refunded_at is not None and Dossier.objects.get(pk=d.pk).fee_status == "paid"


def test_an_abandoned_or_unnotified_payment_is_reconciled(world, online_received, client):
    d = online_received()
    client.force_login(world.citizen)
    start = timezone.now()
    lost = _start(client, d)  # paid, but the IPN is lost and the browser never comes back
    client.post(lost.split("?")[0], {**_gateway_params(lost), "outcome": "pay", "drop_ipn": "1"})
    other = online_received()
    _start(client, other)  # abandoned: the citizen closed the tab on the gateway's page
    assert set(Payment.objects.values_list("status", flat=True)) == {"pending"}
    assert services.payments_reconcile(now=start + dt.timedelta(minutes=1))["checked"] == 0  # too early
    counts = services.payments_reconcile(now=start + dt.timedelta(minutes=6))
    assert (counts["checked"], counts["paid"], counts["pending"]) == (2, 1, 1)
    assert Dossier.objects.get(pk=d.pk).fee_status == "paid"
    abandoned = Payment.objects.get(dossier=other)
    assert abandoned.status == "pending" and abandoned.check_count == 1
    with time_machine.travel(start + dt.timedelta(minutes=25)):
        from payments.tasks import reconcile

        assert reconcile.delay().get()["expired"] == 1
    abandoned.refresh_from_db()
    assert abandoned.status == "expired" and Dossier.objects.get(pk=other.pk).fee_status == "unpaid"
    assert PaymentLog.objects.filter(source="query").count() == 3


def test_only_the_dossier_owner_pays_online_and_only_when_something_is_due(world, online_received, client):
    from dossiers.tests.conftest import APPLICANT  # noqa: F401

    d = online_received()
    client.force_login(world.reception)
    reply = client.post(f"/thanh-toan/ho-so/{d.pk}/truc-tuyen/", follow=True)
    assert "Chỉ người nộp hồ sơ" in reply.content.decode() and not Payment.objects.exists()
    Dossier.objects.filter(pk=d.pk).update(fee_status="")
    client.force_login(world.citizen)
    reply = client.post(f"/thanh-toan/ho-so/{d.pk}/truc-tuyen/", follow=True)
    assert "không có khoản phí" in reply.content.decode() and not Payment.objects.exists()
