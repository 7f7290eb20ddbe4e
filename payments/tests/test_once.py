"""Back + "pay online" again from the same page: the first payment's gateway page, not a second payment."""

import pytest

from dossiers.tests.test_once import once_key
from payments.models import Payment

pytestmark = pytest.mark.django_db


def test_paying_twice_from_one_page_starts_one_payment(world, online_received, client):
    d = online_received()
    client.force_login(world.citizen)
    page = client.get(f"/ho-so/{d.pk}/").content.decode()
    key = once_key(page[page.index(f"/thanh-toan/ho-so/{d.pk}/truc-tuyen/"):])
    first = client.post(f"/thanh-toan/ho-so/{d.pk}/truc-tuyen/", {"once_key": key})
    again = client.post(f"/thanh-toan/ho-so/{d.pk}/truc-tuyen/", {"once_key": key})
    payment = Payment.objects.get()
    assert first.status_code == again.status_code == 302 and again["Location"] == first["Location"]
    assert f"vnp_TxnRef={payment.txn_ref}" in first["Location"] and payment.status == "pending"
