"""Statuses go back to the national portal in its vocabulary, in order per dossier, retried after a failure;
a dossier filed there is followed from its submission (guided before it has a code of ours); an issued
apology letter and a released result travel as signed links the national portal can fetch."""

import datetime as dt
import urllib.parse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers import services
from dossiers.attachments import attachment_add
from dossiers.lateness.sweep import sweep_deadlines
from dossiers.models import AttachmentKind, Dossier, LetterStatus
from dossiers.tests.conftest import PDF, at
from dossiers.tests.test_apology import _issue, _received
from dossiers.tests.transitions_helper import drive
from dossiers.workflow import Status
from nationalportal import intake, mapping, sync
from nationalportal.models import SyncItem, SyncStatus
from nationalportal.tests.test_intake import request_body
from nationalportal.tests.test_sync import Recorder
from workcalendar.calendar import TZ

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(settings):
    settings.SYNC_TARGET_URL = "http://127.0.0.1:9/khong-co"  # nothing listens: push() is given an adapter
    settings.SYNC_SECRET = "bi-mat"
    return settings


def _filed(world):
    mapping.map_version(world.birth)
    return Dossier.objects.get(pk=intake.intake(request_body(world.birth)).record.dossier_id)


def test_a_national_dossier_is_followed_from_submission_in_order_after_a_failure(world, target):
    d = _filed(world)
    services.dossier_guide(dossier=d, actor=world.reception, reason="Ảnh tờ khai bị mờ, xin gửi lại.")
    items = list(SyncItem.objects.filter(dossier=d).order_by("id"))
    assert [i.event.to_status for i in items] == [Status.SUBMITTED, Status.GUIDED]  # never the draft
    now = items[-1].created_at + dt.timedelta(seconds=1)
    recorder = Recorder(fail=1)
    assert sync.push(adapter=recorder, now=now) == {"sent": 0, "retry": 1, "failed": 0}
    assert recorder.sent == []  # the guided status waits behind the submission that failed
    first = SyncItem.objects.get(pk=items[0].pk)
    assert (first.attempts, first.last_error, first.next_attempt_at) == (1, "HTTP 503", now + dt.timedelta(minutes=1))
    assert sync.push(adapter=recorder, now=now + dt.timedelta(seconds=30))["sent"] == 0  # backing off
    assert sync.push(adapter=recorder, now=now + dt.timedelta(minutes=2)) == {"sent": 2, "retry": 0, "failed": 0}
    assert [(p["status"], p["national_status"]["code"]) for p in recorder.sent] == [("submitted", "1"),
                                                                                    ("guided", "5")]
    assert {p["national_code"] for p in recorder.sent} == {d.national_code}
    assert recorder.sent[0]["dossier_code"] is None and "mờ" in recorder.sent[1]["reason"]
    assert set(SyncItem.objects.filter(dossier=d).values_list("status", flat=True)) == {SyncStatus.SENT}


def test_reception_pushes_the_appointment_and_our_code(world, target):
    d = _filed(world)
    d = services.dossier_receive(dossier=d, actor=world.reception)
    recorder = Recorder()
    sync.push(adapter=recorder, now=d.received_at + dt.timedelta(seconds=1))
    received = recorder.sent[-1]
    assert (received["status"], received["national_status"]) == ("received", {"code": "2", "label": "Được tiếp nhận"})
    assert received["dossier_code"] == d.code
    assert received["due_at"] == d.due_at.astimezone(TZ).isoformat() and received["due_at"].endswith("+07:00")


def test_an_issued_apology_travels_with_its_new_date_and_a_link(world, target, client):
    d = _received(world, at(2026, 2, 10, 10), assign=True)
    sweep_deadlines(now=at(2026, 2, 13, 14))
    letter = _issue(world, d, at(2026, 2, 13, 15), reason_text="Chờ ý kiến Sở Tư pháp.")
    item = SyncItem.objects.get(event__type="apology_issued", dossier=d)
    data = sync.payload(item)
    assert data["apology"]["number"] == letter.number and data["apology"]["new_due_at"] == "2026-02-23T17:00:00+07:00"
    path = urllib.parse.urlsplit(data["apology"]["url"]).path
    answer = client.get(path)
    assert answer.status_code == 200 and b"".join(answer.streaming_content).startswith(b"%PDF")
    assert client.get(path[:-3] + "xx/").status_code == 404  # a tampered link
    letter.status = LetterStatus.CANCELLED
    letter.save(update_fields=["status"])
    assert client.get(path).status_code == 404


def test_the_released_result_travels_as_a_signed_link(world, target, client):
    d = drive(world, Status.APPROVED)
    attachment_add(dossier=d, actor=world.approver, kind=AttachmentKind.RESULT,
                   upload=SimpleUploadedFile("ket-qua.pdf", PDF, content_type="application/pdf"))
    approved = SyncItem.objects.filter(dossier=d).order_by("-id").first()
    assert "result" not in sync.payload(approved)  # a draft until it reaches the desk
    d = services.dossier_resolve(dossier=d, actor=world.reception, at=at(2026, 3, 4, 10))
    data = sync.payload(SyncItem.objects.filter(dossier=d).order_by("-id").first())
    assert data["status"] == "result_ready" and data["national_status"]["code"] == "9"
    result = d.attachments.get(kind=AttachmentKind.RESULT)
    assert (data["result"]["sha256"], data["result"]["name"]) == (result.sha256, "ket-qua.pdf")
    answer = client.get(urllib.parse.urlsplit(data["result"]["url"]).path)
    assert answer.status_code == 200 and b"".join(answer.streaming_content) == PDF
    assert (answer["Cache-Control"], answer["Referrer-Policy"]) == ("private, no-store", "no-referrer")


class Died(BaseException):
    """The worker is killed while the national portal answers."""


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_no_transaction_is_open_while_the_national_portal_answers(world, target, monkeypatch):
    """SQLite locks the whole database in a transaction: the local receiver (`make run`) could not write while a
    push waited for it. There an item is claimed and leased first, sent with no transaction open, and an item
    whose worker died is due again when the lease ends."""
    from django.db import connection

    from nationalportal import receivers

    monkeypatch.setattr(receivers, "kick", lambda: None)  # this test pushes by hand
    d = _filed(world)
    monkeypatch.setattr(connection, "vendor", "sqlite")
    seen = []

    class Watcher(Recorder):
        def send(self, data):
            seen.append(connection.in_atomic_block)
            super().send(data)

    start = SyncItem.objects.get(dossier=d).created_at + dt.timedelta(seconds=1)

    class Dies(Watcher):
        def send(self, data):
            raise Died

    with pytest.raises(Died):
        sync.push(adapter=Dies(), now=start)
    item = SyncItem.objects.get(dossier=d)
    assert (item.status, item.attempts, item.next_attempt_at) == (SyncStatus.PENDING, 1, start + sync.LEASE)
    assert sync.push(adapter=Watcher(), now=start + dt.timedelta(minutes=1))["sent"] == 0  # leased
    watcher = Watcher()
    assert sync.push(adapter=watcher, now=start + sync.LEASE)["sent"] == 1
    assert seen == [False] and watcher.sent[0]["status"] == "submitted"
    assert SyncItem.objects.get(dossier=d).attempts == 2
