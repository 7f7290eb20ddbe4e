"""Back + send again on the feedback form: the first result, never a second feedback."""

import pytest
import time_machine

from dossiers.models import IdempotencyKey
from dossiers.tests.test_once import once_key
from feedback.models import Feedback

from .conftest import at

pytestmark = pytest.mark.django_db
TEXT = "Cán bộ hẹn đến ba lần mà vẫn chưa giải quyết, đề nghị xem xét."


def test_feedback_sent_twice_with_one_form_is_filed_once(world, client):
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        key = once_key(client.get("/phan-anh/gui/").content.decode())
        data = {"topic": "regulation", "agency": world.pleiku.pk, "title": "Giấy tờ trùng lặp", "content": TEXT,
                "name": "Lê Văn C", "email": "c@example.com", "once_key": key}
        first = client.post("/phan-anh/gui/", data)
        again = client.post("/phan-anh/gui/", data, follow=True)
    item = Feedback.objects.get()  # anonymous: the key alone identifies the form
    assert first["Location"] == f"/phan-anh/{item.code}/?k={item.access_key}"
    assert again.redirect_chain[0][0] == first["Location"]
    assert "kết quả của lần gửi đầu tiên" in again.content.decode() and TEXT in again.content.decode()
    assert item.events.filter(type="submitted").count() == 1
    assert IdempotencyKey.objects.get().owner == ""


def test_a_refused_feedback_leaves_the_key_usable(world, client):
    key = once_key(client.get("/phan-anh/gui/").content.decode())
    data = {"topic": "regulation", "agency": world.pleiku.pk, "title": "", "content": TEXT, "name": "Lê Văn C",
            "email": "c@example.com", "once_key": key}
    refused = client.post("/phan-anh/gui/", data)
    assert refused.status_code == 400 and once_key(refused.content.decode()) == key
    assert not Feedback.objects.exists() and not IdempotencyKey.objects.exists()
    assert client.post("/phan-anh/gui/", {**data, "title": "Giấy tờ trùng lặp"}).status_code == 302
    assert Feedback.objects.count() == 1
