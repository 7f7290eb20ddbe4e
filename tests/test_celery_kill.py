"""A worker killed with SIGKILL in the middle of a task: the task is not lost (acks late, Redis hands
it out again after the visibility timeout) and runs again on the next worker, and its effect exists
exactly once. Real worker processes against Redis, no eager mode."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection, transaction

from dossiers.tests.conftest import world  # noqa: F401 - the shared dossier fixture
from notifications.models import DeliveryStatus, EmailMessage, SmsMessage

from .test_celery_integration import ROOT, _stop, _wait_for, _worker_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# Hand an unacknowledged task out again 2 s after it was taken, and look for such tasks every second
# (production: about an hour, see CELERY_BROKER_TRANSPORT_OPTIONS in settings).
FAST_REDELIVERY = json.dumps({"visibility_timeout": 2, "unacked_restore_interval": 1,
                              "unacked_restore_throttle": 1})


def _worker(env: dict, queue: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", queue, "--pool", "solo",
         "--without-mingle", "--without-gossip", "--without-heartbeat", "-l", "INFO"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def _send(name: str, args: list, queue: str) -> None:
    from portal.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # the unit-test default; here the message must cross Redis
    try:
        app.send_task(name, args=args, queue=queue)
    finally:
        app.conf.task_always_eager = eager


def _waiting_on(table: str) -> bool:
    """A session other than ours waits for a row lock on `table` (the worker is in the task)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is a snapshot
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                       "AND pid <> pg_backend_pid() AND query ILIKE %s", [f"%{table}%"])
        return cursor.fetchone()[0] > 0


def _in_a_transaction() -> bool:
    """A session other than ours still has a transaction open on this database (a killed worker's
    backend lives on until PostgreSQL notices the closed connection)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL")
        return cursor.fetchone()[0] > 0


def test_an_email_task_killed_mid_delivery_runs_again_and_sends_once(tmp_path, settings):
    queue = f"test-kill-{uuid.uuid4().hex[:8]}"
    env = _worker_env(tmp_path, CELERY_BROKER_URL=settings.REDIS_URL, CELERY_RESULT_BACKEND=settings.REDIS_URL,
                      CELERY_BROKER_TRANSPORT_OPTIONS=FAST_REDELIVERY)
    mail_dir, first_log, second_log = tmp_path / "mail", tmp_path / "first.log", tmp_path / "second.log"
    message = EmailMessage.objects.create(to="dan@example.com", subject="Giấy hẹn trả kết quả", body_text="Xin chào")
    first = _worker(env, queue, first_log)
    try:
        with transaction.atomic():
            # Hold the message's row: the worker takes the task and waits inside it, mid-delivery.
            EmailMessage.objects.select_for_update().get(pk=message.pk)
            _send("notifications.deliver_email", [message.pk], queue)
            _wait_for(lambda: _waiting_on(EmailMessage._meta.db_table), timeout=40,
                      what="the worker to be inside the e-mail task", log=first_log)
            first.send_signal(signal.SIGKILL)
            assert first.wait(timeout=10) == -signal.SIGKILL
        # The killed worker sent nothing and its transaction never committed.
        message.refresh_from_db()
        assert message.status == DeliveryStatus.QUEUED and message.attempts == 0
        assert not list(mail_dir.glob("*.log"))
    finally:
        if first.poll() is None:
            _stop(first)
    second = _worker(env, queue, second_log)  # a new worker: the task comes back from Redis
    try:
        _wait_for(lambda: EmailMessage.objects.get(pk=message.pk).status == DeliveryStatus.SENT, timeout=40,
                  what="the next worker to deliver the e-mail", log=second_log)
        # The broker delivers a task at least once: a second delivery of the same task changes nothing.
        _send("notifications.deliver_email", [message.pk], queue)
        _wait_for(lambda: second_log.read_text().count("succeeded") >= 2, timeout=30,
                  what="the repeated task to finish", log=second_log)
    finally:
        _stop(second)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (DeliveryStatus.SENT, 1)
    files = list(mail_dir.glob("*.log"))
    assert len(files) == 1 and files[0].read_text().count("To: dan@example.com") == 1
    assert EmailMessage.objects.filter(to="dan@example.com").count() == 1


def test_an_sms_task_killed_after_the_gateway_took_it_runs_again_and_the_phone_gets_it_once(tmp_path, settings):
    """The gateway accepted the SMS, then the worker died before the row was marked sent: the task runs
    again on the next worker and sends again with the same reference, which the gateway (here the file
    backend, one file per reference) recognises, so the citizen gets one SMS."""
    queue = f"test-kill-{uuid.uuid4().hex[:8]}"
    sms_dir, first_log, second_log = tmp_path / "sms", tmp_path / "first.log", tmp_path / "second.log"
    env = _worker_env(tmp_path, CELERY_BROKER_URL=settings.REDIS_URL, CELERY_RESULT_BACKEND=settings.REDIS_URL,
                      CELERY_BROKER_TRANSPORT_OPTIONS=FAST_REDELIVERY, SMS_FILE_PATH=str(sms_dir),
                      SMS_BACKEND="notifications.sms.FileSmsBackend")
    message = SmsMessage.objects.create(to="+84912345678", body="H21.65-261206-0001: Đã có kết quả.")
    first = _worker({**env, "SMS_BACKEND": "tests.kill_hooks.FileSmsBackendThenHang"}, queue, first_log)
    try:
        _send("notifications.deliver_sms", [message.pk], queue)
        _wait_for(lambda: (sms_dir / f"portal-sms-{message.pk}.json").exists(), timeout=40,
                  what="the gateway to take the SMS", log=first_log)
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL
    finally:
        if first.poll() is None:
            _stop(first)
    _wait_for(lambda: not _in_a_transaction(), timeout=20, what="the killed worker's session to end")
    message.refresh_from_db()
    assert (message.status, message.attempts, message.provider_id) == (DeliveryStatus.QUEUED, 0, "")
    first_id = json.loads((sms_dir / f"portal-sms-{message.pk}.json").read_text(encoding="utf-8"))["id"]
    second = _worker(env, queue, second_log)  # a new worker: the task comes back from Redis
    try:
        _wait_for(lambda: SmsMessage.objects.get(pk=message.pk).status == DeliveryStatus.SENT, timeout=40,
                  what="the next worker to deliver the SMS", log=second_log)
        _send("notifications.deliver_sms", [message.pk], queue)  # at least once: a second delivery of the task
        _wait_for(lambda: second_log.read_text().count("succeeded") >= 2, timeout=30,
                  what="the repeated task to finish", log=second_log)
    finally:
        _stop(second)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.provider_id) == (DeliveryStatus.SENT, 1, first_id)
    files = list(sms_dir.iterdir())
    assert [f.name for f in files] == [f"portal-sms-{message.pk}.json"]
    assert json.loads(files[0].read_text(encoding="utf-8"))["to"] == "+84912345678"
    assert SmsMessage.objects.filter(to="+84912345678").count() == 1


def test_a_sync_push_killed_mid_batch_keeps_what_it_delivered_and_finishes_on_the_next_worker(
        tmp_path, settings, world):  # noqa: F811 - the imported fixture
    """Three status changes to push; the worker is killed while the national portal is answering
    the second. The first stays delivered (never pushed again); the next worker delivers the rest."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from dossiers import services
    from dossiers.tests.conftest import APPLICANT
    from nationalportal.models import SyncItem, SyncStatus

    settings.SYNC_TARGET_URL = ""  # build the outbox by hand below, with nothing pushed from here
    events = []
    for name in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"):
        d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                            **{**APPLICANT, "applicant_name": name})
        event = d.events.get(type="receive")
        SyncItem.objects.create(dossier=d, event=event, created_at=event.at, next_attempt_at=event.at)
        events.append(event.pk)

    hits, arrived, release = [], threading.Event(), threading.Event()

    class Portal(BaseHTTPRequestHandler):
        def do_POST(self):
            hits.append(json.loads(self.rfile.read(int(self.headers["Content-Length"])))["event_id"])
            if len(hits) == 2 and not release.is_set():
                arrived.set()
                release.wait(30)
            try:
                self.send_response(204)
                self.end_headers()
            except OSError:
                pass  # the worker is gone

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    queue = f"test-kill-{uuid.uuid4().hex[:8]}"
    env = _worker_env(tmp_path, CELERY_BROKER_URL=settings.REDIS_URL, CELERY_RESULT_BACKEND=settings.REDIS_URL,
                      CELERY_BROKER_TRANSPORT_OPTIONS=FAST_REDELIVERY, SYNC_SECRET="bi-mat",
                      SYNC_TARGET_URL=f"http://127.0.0.1:{server.server_address[1]}/")
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    try:
        first = _worker(env, queue, first_log)
        try:
            _send("nationalportal.push_sync", [], queue)
            _wait_for(arrived.is_set, timeout=40, what="the second push to reach the portal", log=first_log)
            first.send_signal(signal.SIGKILL)
            assert first.wait(timeout=10) == -signal.SIGKILL
        finally:
            release.set()
            if first.poll() is None:
                _stop(first)
        status = dict(SyncItem.objects.values_list("event_id", "status"))
        assert status == {events[0]: SyncStatus.SENT, events[1]: SyncStatus.PENDING,
                          events[2]: SyncStatus.PENDING}
        second = _worker(env, queue, second_log)
        try:
            _wait_for(lambda: not SyncItem.objects.exclude(status=SyncStatus.SENT).exists(), timeout=40,
                      what="the next worker to finish the push", log=second_log)
        finally:
            _stop(second)
    finally:
        server.shutdown()
    assert hits.count(events[0]) == 1 and hits.count(events[2]) == 1  # delivered once each
    assert hits.count(events[1]) == 2  # the one in flight at the kill goes again, with its event_id
    assert list(SyncItem.objects.order_by("id").values_list("attempts", flat=True)) == [1, 1, 1]


def _rows_since(marks: dict) -> dict:
    """What was written after `marks` (the highest ids before), as comparable values: events per dossier
    and type, inbox and e-mail keys, letters per dossier, metric snapshots."""
    from dossiers.models import ApologyLetter, DossierEvent
    from notifications.models import InboxItem

    fields = {DossierEvent: ("dossier_id", "type"), InboxItem: ("key",), EmailMessage: ("key",),
              SmsMessage: ("key",), ApologyLetter: ("dossier_id", "status")}
    return {model.__name__: sorted(model.objects.filter(pk__gt=marks.get(model.__name__, 0))
                                   .values_list(*names)) for model, names in fields.items()}


def _marks() -> dict:
    from django.db.models import Max

    from dossiers.models import ApologyLetter, DossierEvent
    from notifications.models import InboxItem

    return {m.__name__: m.objects.aggregate(top=Max("pk"))["top"] or 0
            for m in (DossierEvent, InboxItem, EmailMessage, SmsMessage, ApologyLetter)}


def test_a_deadline_sweep_killed_between_its_batches_finishes_on_the_next_worker_announcing_each_once(
        tmp_path, settings, world):  # noqa: F811 - the imported fixture
    """Two dossiers become overdue, one due soon. The worker commits the overdue batch (events, inbox
    items, apology drafts, digest e-mails) and is killed inside the due-soon one; the next worker runs
    the sweep again. Every dossier is announced once, and what was written equals a clean single run."""
    import datetime as dt

    from django.utils import timezone

    from dossiers import services
    from dossiers.lateness.sweep import _stamp, sweep_deadlines
    from dossiers.models import DeadlineState, Dossier
    from dossiers.tests.conftest import APPLICANT
    from notifications.models import InboxItem

    def received(name, when):
        d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                            at=when, **{**APPLICANT, "applicant_name": name})
        return services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser, at=when)

    long_ago = timezone.now() - dt.timedelta(days=40)
    late = [received("Nguyễn Văn An", long_ago), received("Trần Thị Bình", long_ago)]
    soon = received("Lê Văn Cường", timezone.now())
    Dossier.objects.filter(pk=soon.pk).update(due_at=timezone.now() + dt.timedelta(hours=1))
    soon.refresh_from_db()
    before = {pk: (track, step_track) for pk, track, step_track in Dossier.objects.values_list(
        "pk", "track", "step_track")}
    marks = _marks()
    queue = f"test-kill-{uuid.uuid4().hex[:8]}"
    env = _worker_env(tmp_path, CELERY_BROKER_URL=settings.REDIS_URL, CELERY_RESULT_BACKEND=settings.REDIS_URL,
                      CELERY_BROKER_TRANSPORT_OPTIONS=FAST_REDELIVERY)
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = _worker(env, queue, first_log)
    try:
        with transaction.atomic():
            # An uncommitted inbox item with the key the sweep is about to write for the due-soon dossier:
            # the worker's INSERT waits on it, inside the due-soon batch, after the overdue one committed.
            InboxItem.objects.create(user=world.appraiser, text="giữ chỗ",
                                     key=f"track:{soon.pk}:due_soon:{_stamp(soon.due_at)}:{world.appraiser.pk}")
            _send("dossiers.sweep_deadlines", [], queue)
            _wait_for(lambda: _waiting_on(InboxItem._meta.db_table), timeout=40,
                      what="the worker to be inside the due-soon batch", log=first_log)
            first.send_signal(signal.SIGKILL)
            assert first.wait(timeout=10) == -signal.SIGKILL
            transaction.set_rollback(True)
    finally:
        if first.poll() is None:
            _stop(first)
    _wait_for(lambda: not _in_a_transaction(), timeout=20, what="the killed worker's session to end")
    tracks = dict(Dossier.objects.values_list("pk", "track"))
    assert [tracks[d.pk] for d in late] == [DeadlineState.OVERDUE, DeadlineState.OVERDUE]  # the committed batch stays
    assert tracks[soon.pk] == before[soon.pk][0]  # the killed batch left nothing
    assert not Dossier.objects.get(pk=soon.pk).events.filter(type="track_due_soon").exists()
    second = _worker(env, queue, second_log)  # a new worker: the task comes back from Redis
    try:
        _wait_for(lambda: Dossier.objects.get(pk=soon.pk).track == DeadlineState.DUE_SOON, timeout=40,
                  what="the next worker to finish the sweep", log=second_log)
        _send("dossiers.sweep_deadlines", [], queue)  # at least once: the same task delivered again
        _wait_for(lambda: second_log.read_text().count("succeeded") >= 2, timeout=30,
                  what="the repeated task to finish", log=second_log)
    finally:
        _stop(second)
    after_kill = _rows_since(marks)
    events = after_kill["DossierEvent"]
    assert [events.count((d.pk, "track_overdue")) for d in late] == [1, 1]
    assert events.count((soon.pk, "track_due_soon")) == 1
    assert len(after_kill["InboxItem"]) == len(set(after_kill["InboxItem"])) == 6  # the appraiser and the head
    assert len(after_kill["EmailMessage"]) == 4  # one digest per person per class
    assert after_kill["ApologyLetter"] == sorted((d.pk, "draft") for d in [*late, soon])  # one draft each
    # The same dossiers swept once, cleanly, in this process: the same rows.
    for name, model in (("DossierEvent", "dossiers.DossierEvent"), ("InboxItem", "notifications.InboxItem"),
                        ("EmailMessage", "notifications.EmailMessage"), ("ApologyLetter", "dossiers.ApologyLetter")):
        from django.apps import apps

        apps.get_model(model).objects.filter(pk__gt=marks[name]).delete()
    for pk, (track, step_track) in before.items():
        Dossier.objects.filter(pk=pk).update(track=track, step_track=step_track)
    sweep_deadlines()
    assert _rows_since(marks) == after_kill


def test_a_snapshot_refresh_killed_midway_leaves_nothing_half_written_and_the_next_worker_equals_a_clean_run(
        tmp_path, settings, world):  # noqa: F811 - the imported fixture
    """parindex.refresh_metrics recomputes last month, then this month, in one transaction. The worker is
    killed after writing last month, inside this month's: nothing of it stays. The next worker runs it
    again; the snapshots are exactly those of one clean refresh (no duplicate row, no stale number)."""
    import datetime as dt

    from django.utils import timezone

    from dossiers import services
    from dossiers.stats import monthly_stats_refresh, recent_months
    from dossiers.tests.conftest import APPLICANT
    from parindex.metrics import snapshots_refresh
    from parindex.models import MetricSnapshot, Scope

    previous, current = recent_months(1)
    for name, when in (("Nguyễn Văn An", timezone.now() - dt.timedelta(days=35)),
                       ("Trần Thị Bình", timezone.now() - dt.timedelta(days=35)), ("Lê Văn Cường", timezone.now())):
        services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=when, **{**APPLICANT, "applicant_name": name})
    monthly_stats_refresh(first=previous, last=current)  # the nightly tables the snapshots are read from
    # A wrong number of this month, as a crashed or older refresh could have left: the refresh overwrites it.
    planted = MetricSnapshot.objects.create(agency=world.pleiku, scope=Scope.AGENCY, month=current,
                                            metric="received", numerator=999, computed_at=timezone.now())

    def snapshots() -> list:
        return sorted(MetricSnapshot.objects.values_list("agency_id", "scope", "month", "metric", "numerator",
                                                         "denominator"))

    queue = f"test-kill-{uuid.uuid4().hex[:8]}"
    env = _worker_env(tmp_path, CELERY_BROKER_URL=settings.REDIS_URL, CELERY_RESULT_BACKEND=settings.REDIS_URL,
                      CELERY_BROKER_TRANSPORT_OPTIONS=FAST_REDELIVERY)
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = _worker(env, queue, first_log)
    try:
        with transaction.atomic():
            # Hold this month's planted row: the worker writes last month, then waits on it (uncommitted).
            MetricSnapshot.objects.select_for_update().get(pk=planted.pk)
            _send("parindex.refresh_metrics", [1], queue)
            _wait_for(lambda: _waiting_on(MetricSnapshot._meta.db_table), timeout=40,
                      what="the worker to be inside this month's refresh", log=first_log)
            first.send_signal(signal.SIGKILL)
            assert first.wait(timeout=10) == -signal.SIGKILL
    finally:
        if first.poll() is None:
            _stop(first)
    _wait_for(lambda: not _in_a_transaction(), timeout=20, what="the killed worker's session to end")
    assert list(MetricSnapshot.objects.values_list("pk", "numerator")) == [(planted.pk, 999)]  # all rolled back
    second = _worker(env, queue, second_log)  # a new worker: the task comes back from Redis
    try:
        _wait_for(lambda: "succeeded" in second_log.read_text(), timeout=40,
                  what="the next worker to finish the refresh", log=second_log)
        _send("parindex.refresh_metrics", [1], queue)  # at least once: the same task delivered again
        _wait_for(lambda: second_log.read_text().count("succeeded") >= 2, timeout=30,
                  what="the repeated task to finish", log=second_log)
    finally:
        _stop(second)
    after_kill = snapshots()
    assert (world.pleiku.pk, Scope.AGENCY, current, "received", 1, None) in after_kill
    assert (world.pleiku.pk, Scope.AGENCY, previous, "received", 2, None) in after_kill
    assert len(after_kill) == len({row[:4] for row in after_kill})  # one row per agency, scope, month, metric
    MetricSnapshot.objects.all().delete()
    snapshots_refresh(first=previous, last=current)  # one clean refresh of the same months, in this process
    assert snapshots() == after_kill
