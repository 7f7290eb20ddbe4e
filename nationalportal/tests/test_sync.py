"""Status sync to the national portal: the outbox row per status change, delivery in order,
retries with back-off, failures shown to staff, the signed webhook and its local receiver."""

import datetime as dt
import json
import time

import pytest
from django.core.cache import cache

from dossiers import services
from dossiers.tests.conftest import APPLICANT, at
from nationalportal import signing, sync
from nationalportal.models import MonthlySyncStats, SyncItem, SyncStatus
from nationalportal.stats import monthly_sync_refresh
from nationalportal.tasks import push_sync_task

pytestmark = pytest.mark.django_db


class Recorder:
    def __init__(self, fail: int = 0):
        self.sent, self.fail = [], fail

    def send(self, data):
        if self.fail:
            self.fail -= 1
            raise sync.SyncError("HTTP 503")
        self.sent.append(data)


@pytest.fixture
def target(settings):
    settings.SYNC_TARGET_URL = "http://127.0.0.1:9/khong-co"  # discard port: nothing listens
    settings.SYNC_SECRET = "bi-mat"
    return settings


def _received(world, when=None):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=when or at(2026, 3, 2, 9), **APPLICANT)
    return services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser,
                                   at=when or at(2026, 3, 2, 9))


def test_every_status_change_of_a_received_dossier_is_queued(world, target):
    d = _received(world)
    types = list(SyncItem.objects.filter(dossier=d).values_list("event__type", flat=True))
    assert types == ["receive", "assign"]  # create_at_desk has no code yet; notifications are not changes
    recorder = Recorder()
    assert sync.push(adapter=recorder, now=at(2026, 3, 2, 9, 1)) == {"sent": 2, "retry": 0, "failed": 0}
    first = recorder.sent[0]
    assert (first["dossier_code"], first["status"], first["agency_code"]) == (d.code, "received", "H21.65")
    assert first["procedure_code"] == world.household.procedure.code and first["due_at"]
    assert set(SyncItem.objects.values_list("status", flat=True)) == {SyncStatus.SENT}


def test_no_target_no_outbox(world, settings):
    settings.SYNC_TARGET_URL = ""
    _received(world)
    assert not SyncItem.objects.exists()


def test_a_target_that_is_down_is_retried_with_back_off_then_shown_to_staff(world, target, client):
    target.SYNC_MAX_ATTEMPTS = 3
    d = _received(world)
    now = at(2026, 3, 2, 9, 1)
    assert sync.push(now=now) == {"sent": 0, "retry": 1, "failed": 0}  # the real webhook: connection refused
    item = SyncItem.objects.get(event__type="receive")
    assert item.attempts == 1 and item.next_attempt_at == now + dt.timedelta(minutes=1)
    assert "Không kết nối được" in item.last_error
    assert SyncItem.objects.get(event__type="assign").attempts == 0  # waits behind the first (order)
    assert sync.push(now=now) == {"sent": 0, "retry": 0, "failed": 0}  # not due yet
    sync.push(now=now + dt.timedelta(minutes=1))
    item.refresh_from_db()
    assert item.next_attempt_at == now + dt.timedelta(minutes=1) + dt.timedelta(minutes=2)
    sync.push(now=now + dt.timedelta(minutes=10))
    item.refresh_from_db()
    assert item.status == SyncStatus.FAILED and item.attempts == 3
    client.force_login(world.reception)
    assert 'data-testid="sync-failed"' in client.get(f"/ho-so/{d.pk}/").content.decode()
    assert sync.retry(SyncItem.objects.filter(pk=item.pk), now=now + dt.timedelta(minutes=11)) == 1
    recorder = Recorder()
    sync.push(adapter=recorder, now=now + dt.timedelta(minutes=11))
    assert [x["type"] for x in recorder.sent] == ["receive", "assign"]  # nothing lost, in order
    assert sync.backoff(20) == dt.timedelta(hours=6)


def test_the_signed_webhook_reaches_the_local_receiver(world, target, live_server):
    target.SYNC_TARGET_URL = live_server.url + "/ho-so/dong-bo/nhan/"
    target.SYNC_RECEIVER_ENABLED = True
    cache.delete("sync-receiver")
    d = _received(world)  # live_server is transactional: each commit kicks the push task at once (eager here)
    assert set(SyncItem.objects.values_list("status", flat=True)) == {SyncStatus.SENT}
    assert sync.push(now=at(2026, 3, 2, 9, 1))["sent"] == 0  # nothing left, nothing sent twice
    assert [x["status"] for x in cache.get("sync-receiver")] == ["received", "in_appraisal"]
    assert cache.get("sync-receiver")[0]["dossier_code"] == d.code


def test_the_receiver_refuses_a_forged_signature(target, client):
    target.SYNC_RECEIVER_ENABLED = True
    body = json.dumps({"dossier_code": "X", "status": "received"}).encode()
    signed = signing.headers(body, method="POST", target="/ho-so/dong-bo/nhan/", key="bi-mat")
    forged = client.post("/ho-so/dong-bo/nhan/", body, content_type="application/json",
                         HTTP_X_TIMESTAMP=signed["X-Timestamp"], HTTP_X_SIGNATURE="00")
    stale = signing.headers(body, method="POST", target="/ho-so/dong-bo/nhan/", key="bi-mat",
                            now=time.time() - 3600)
    old = client.post("/ho-so/dong-bo/nhan/", body, content_type="application/json",
                      HTTP_X_TIMESTAMP=stale["X-Timestamp"], HTTP_X_SIGNATURE=stale["X-Signature"])
    good = client.post("/ho-so/dong-bo/nhan/", body, content_type="application/json",
                       HTTP_X_TIMESTAMP=signed["X-Timestamp"], HTTP_X_SIGNATURE=signed["X-Signature"])
    assert (forged.status_code, old.status_code, good.status_code) == (401, 401, 204)
    target.SYNC_RECEIVER_ENABLED = False
    assert client.post("/ho-so/dong-bo/nhan/", body, content_type="application/json").status_code == 404


def test_monthly_sync_counts_and_the_task(world, target):
    done, stuck = _received(world), _received(world)
    sync.push(adapter=Recorder(), now=at(2026, 3, 2, 9, 1))
    services.dossier_propose(dossier=stuck, actor=world.appraiser, proposal="approve", at=at(2026, 3, 3, 9))
    monthly_sync_refresh(first=at(2026, 3, 1).date(), last=at(2026, 3, 1).date(), now=at(2026, 4, 2))
    row = MonthlySyncStats.objects.get(agency=world.pleiku)
    assert (row.dossiers_to_sync, row.dossiers_synced) == (2, 1)
    assert done.sync_items.filter(status=SyncStatus.SENT).count() == 2
    with pytest.raises(ValueError, match="batch"):
        push_sync_task.run(batch=0)
