"""The IPN always answers the gateway in its JSON: an unexpected failure (here the database) is logged and
answered 99 "Unknown error", so the gateway retries, never an HTML error page."""

import logging

import pytest
from django.db import OperationalError

from payments import services
from payments.simulator import signed_result

pytestmark = pytest.mark.django_db


def test_an_unexpected_failure_is_logged_and_answered_99(world, online_received, client, monkeypatch, caplog):
    d = online_received()
    payment, _url = services.payment_start_online(dossier=d, actor=world.citizen, return_url="http://x/")

    def down(**kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(services, "payment_callback", down)
    with caplog.at_level(logging.ERROR, logger="payments.views"):
        reply = client.get("/thanh-toan/vnpay/ipn/", signed_result(payment))
    assert reply.status_code == 200 and reply.json() == {"RspCode": "99", "Message": "Unknown error"}
    assert any(r.getMessage() == "IPN failed" and r.exc_info for r in caplog.records)
    payment.refresh_from_db()
    assert payment.status == "pending"
