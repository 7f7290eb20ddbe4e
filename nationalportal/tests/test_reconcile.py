"""Reconciliation with the national portal: what it lists against what we hold (missing in each direction, a
status out of step unless a push is on its way), the administrator's resend and pull, a failed run recorded, the
client over real HTTP, and the administrators' page."""

import datetime as dt
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client as WebClient
from django.utils import timezone

from core.errors import DomainError
from dossiers import services
from dossiers.models import Dossier
from nationalportal import intake, mapping, reconcile, signing, stats, sync
from nationalportal.client import Client, ClientError
from nationalportal.models import (
    Discrepancy,
    IntakeRefusal,
    NationalDossier,
    ReconciliationRun,
    SyncItem,
    SyncStatus,
)
from nationalportal.tasks import reconcile_task
from nationalportal.tests.test_intake import request_body
from nationalportal.tests.test_sync import Recorder

pytestmark = pytest.mark.django_db
PAGE = "/lien-thong/cong-quoc-gia/doi-soat/"


class Stub:
    """Stands in for the national portal's API (the three methods of client.Client)."""

    def __init__(self, listed=(), requests=None, fail=None):
        self.listed, self.requests, self.fail = list(listed), dict(requests or {}), fail
        self.asked = []

    def list_dossiers(self, since):
        self.asked.append(("list", since))
        if self.fail:
            raise ClientError(self.fail)
        return self.listed

    def new_dossiers(self, since):
        self.asked.append(("new", since))
        if self.fail:
            raise ClientError(self.fail)
        return list(self.requests.values())

    def get_dossier(self, code):
        self.asked.append(("get", code))
        if self.fail:
            raise ClientError(self.fail)
        return self.requests.get(code)


@pytest.fixture
def birth(world):
    mapping.map_version(world.birth)
    return world.birth


@pytest.fixture
def target(settings):
    settings.SYNC_TARGET_URL = "http://127.0.0.1:9/khong-co"  # discard port: nothing listens
    settings.SYNC_SECRET = "bi-mat"
    return settings


@pytest.fixture
def admin(demo):
    return demo.user("admin.pleiku@demo.gov.vn")  # Role.ADMIN of H21.65, not a superuser


def take(birth, code, **extra):
    return intake.intake(request_body(birth, code=code, **extra)).record.dossier


def row(code, status):
    return {"national_code": code, "procedure_code": "1.001193", "filed_at": timezone.now().isoformat(),
            "receiving_agency_code": "H21.65", "national_status": status, "dossier_code": None}


@pytest.fixture
def scene(world, birth, target):
    """A: in step. B: in appraisal here ("4"), received there ("2"). C: received here, its push still pending.
    D: here, not listed there. E: listed there, never arrived. OLD: filed before the window, not listed."""
    a, b, c, d = (take(birth, code) for code in ("G-A", "G-B", "G-C", "G-D"))
    old = take(birth, "G-OLD", filed_at=(timezone.now() - dt.timedelta(days=40)).isoformat())
    for dossier in (a, b, c):
        services.dossier_receive(dossier=dossier, actor=world.reception)
    services.dossier_assign(dossier=b, actor=world.reception, appraiser=world.appraiser)
    for dossier in (a, b, c):
        dossier.refresh_from_db()
    sync.push(adapter=Recorder())  # everything so far delivered …
    services.dossier_assign(dossier=c, actor=world.reception, appraiser=world.appraiser)  # … but C's assignment
    stub = Stub(listed=[row("G-A", "2"), row("G-B", "2"), row("G-C", "2"), row("G-E", "1"), {"national_code": ""},
                        "not a dict"],
                requests={"G-E": request_body(birth, code="G-E")})

    class Scene:
        pass

    scene = Scene()
    scene.a, scene.b, scene.c, scene.d, scene.old, scene.stub = a, b, c, d, old, stub
    return scene


def kinds(run):
    return {d.national_code: d.kind for d in run.discrepancies.all()}


def test_each_kind_of_discrepancy_is_found_and_a_pending_push_is_not_one(scene):
    run = reconcile.reconcile(client=scene.stub)
    assert kinds(run) == {"G-B": "status_behind", "G-D": "missing_there", "G-E": "missing_here"}
    assert (run.listed, run.skipped, run.missing_here, run.missing_there, run.status_behind) == (4, 2, 1, 1, 1)
    assert run.finished_at and not run.error
    assert scene.stub.asked[0][1] == run.since and run.started_at - run.since == dt.timedelta(days=35)
    behind = run.discrepancies.get(national_code="G-B")
    assert (behind.dossier, behind.our_status, behind.ours, behind.theirs) == (scene.b, "in_appraisal", "4", "2")
    missing = run.discrepancies.get(national_code="G-E")
    assert (missing.dossier, missing.theirs) == (None, "1")
    assert run.discrepancies.get(national_code="G-D").dossier == scene.d
    # C's status differs too ("4" here) but its push is pending: on its way, not a discrepancy.
    assert SyncItem.objects.filter(dossier=scene.c, status=SyncStatus.PENDING).exists()


def test_a_later_run_lists_only_what_it_still_finds(scene):
    first = reconcile.reconcile(client=scene.stub)
    scene.stub.listed[1] = row("G-B", "4")  # B's status arrived there meanwhile
    second = reconcile.reconcile(client=scene.stub)
    assert "G-B" in kinds(first) and kinds(second) == {"G-D": "missing_there", "G-E": "missing_here"}


def test_resend_queues_the_latest_status_again_and_the_push_delivers_it(scene, admin,
                                                                        django_capture_on_commit_callbacks):
    run = reconcile.reconcile(client=scene.stub)
    behind = run.discrepancies.get(national_code="G-B")
    item = SyncItem.objects.get(dossier=scene.b, event__to_status="in_appraisal")
    assert (item.status, item.attempts) == (SyncStatus.SENT, 1)
    now = timezone.now()
    with django_capture_on_commit_callbacks() as kicks:
        reconcile.resend(behind, admin, now=now)
    assert len(kicks) == 1  # the push task is started after the commit
    item.refresh_from_db()
    assert (item.status, item.attempts, item.next_attempt_at, item.last_error) == (SyncStatus.PENDING, 0, now, "")
    behind.refresh_from_db()
    assert (behind.resolved_at, behind.resolved_by) == (now, admin) and "Đang thẩm định" in behind.resolution
    recorder = Recorder()
    sync.push(adapter=recorder, now=now)  # C's pending assignment goes out too
    assert [(x["national_code"], x["national_status"]["code"]) for x in recorder.sent] == [("G-B", "4"), ("G-C", "4")]
    with pytest.raises(DomainError) as again:
        reconcile.resend(behind, admin)
    assert again.value.code == "already_resolved"
    item.refresh_from_db()
    assert item.status == SyncStatus.SENT  # nothing changed


def test_resend_queues_failed_items_in_order_and_creates_a_missing_one(world, birth, target, admin):
    target.SYNC_TARGET_URL = ""
    take(birth, "G-Q")  # taken in while the sync was off: its submission has no sync item
    target.SYNC_TARGET_URL = "http://127.0.0.1:9/khong-co"
    failing = take(birth, "G-F")
    services.dossier_receive(dossier=failing, actor=world.reception)
    SyncItem.objects.filter(dossier=failing).update(status=SyncStatus.FAILED, attempts=10, last_error="HTTP 503")
    run = reconcile.reconcile(client=Stub(listed=[row("G-Q", ""), row("G-F", "")]))
    assert kinds(run) == {"G-Q": "status_behind", "G-F": "status_behind"}
    created = reconcile.resend(run.discrepancies.get(national_code="G-Q"), admin)
    assert created.event.type == "submit" and created.status == SyncStatus.PENDING
    reconcile.resend(run.discrepancies.get(national_code="G-F"), admin)
    assert set(SyncItem.objects.filter(dossier=failing).values_list("status", "attempts")) == {
        (SyncStatus.PENDING, 0)}
    recorder = Recorder()
    sync.push(adapter=recorder)
    assert [(x["national_code"], x["status"]) for x in recorder.sent] == [
        ("G-F", "submitted"), ("G-F", "received"), ("G-Q", "submitted")]


class Down:
    """An adapter for a national portal that never answers."""

    def send(self, data):
        raise sync.SyncError("HTTP 503")


def test_a_push_stuck_behind_a_failed_item_is_a_discrepancy(world, birth, target, admin):
    target.SYNC_MAX_ATTEMPTS = 1
    stuck = take(birth, "G-S")
    assert sync.push(adapter=Down()) == {"sent": 0, "retry": 0, "failed": 1}  # the submission failed for good
    services.dossier_receive(dossier=stuck, actor=world.reception)
    assert sync.push(adapter=Recorder()) == {"sent": 0, "retry": 0, "failed": 0}  # the receipt waits behind it
    assert list(SyncItem.objects.filter(dossier=stuck).values_list("event__type", "status")) == [
        ("submit", SyncStatus.FAILED), ("receive", SyncStatus.PENDING)]
    run = reconcile.reconcile(client=Stub(listed=[row("G-S", "")]))
    assert kinds(run) == {"G-S": "status_behind"}  # pending, but never going out: not in flight
    behind = run.discrepancies.get()
    assert (behind.our_status, behind.ours, behind.theirs) == ("received", "2", "")
    reconcile.resend(behind, admin)
    recorder = Recorder()
    assert sync.push(adapter=recorder)["sent"] == 2
    assert [(x["national_code"], x["status"]) for x in recorder.sent] == [("G-S", "submitted"), ("G-S", "received")]


def test_a_created_item_is_dated_by_its_event_for_the_monthly_counts(world, birth, target, admin):
    target.SYNC_TARGET_URL = ""
    late = take(birth, "G-M")  # taken in while the sync was off: its submission has no sync item
    target.SYNC_TARGET_URL = "http://127.0.0.1:9/khong-co"
    now = timezone.now()
    this_month = timezone.localtime(now).date().replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    then = timezone.make_aware(dt.datetime.combine(last_month + dt.timedelta(days=14), dt.time(9)))
    late.events.filter(type="submit").update(at=then)
    run = reconcile.reconcile(client=Stub(listed=[row("G-M", "")]), now=now)
    item = reconcile.resend(run.discrepancies.get(national_code="G-M"), admin, now=now)
    item.refresh_from_db()
    assert (item.created_at, item.next_attempt_at, item.status) == (then, now, SyncStatus.PENDING)
    agency = late.handling_agency_id
    assert stats.compute_month(last_month)[agency]["dossiers_to_sync"] == 1
    assert agency not in stats.compute_month(this_month)


def test_resend_refusals_change_nothing(scene, admin, target):
    run = reconcile.reconcile(client=scene.stub)
    missing = run.discrepancies.get(national_code="G-E")
    with pytest.raises(DomainError) as wrong:
        reconcile.resend(missing, admin)
    assert wrong.value.code == "wrong_action"
    behind = run.discrepancies.get(national_code="G-B")
    target.SYNC_TARGET_URL = ""
    with pytest.raises(DomainError) as off:
        reconcile.resend(behind, admin)
    assert off.value.code == "sync_off"
    target.SYNC_TARGET_URL = "http://127.0.0.1:9/khong-co"
    reconcile.reconcile(client=scene.stub)  # a newer run: the first one's findings are stale
    with pytest.raises(DomainError) as stale:
        reconcile.resend(behind, admin)
    assert stale.value.code == "stale"
    assert not Discrepancy.objects.filter(resolved_at__isnull=False).exists()
    assert not SyncItem.objects.filter(dossier=scene.b, status=SyncStatus.PENDING).exists()


def test_pull_takes_a_missing_dossier_in_once(scene, admin):
    run = reconcile.reconcile(client=scene.stub)
    missing = run.discrepancies.get(national_code="G-E")
    before = Dossier.objects.count()
    outcome = reconcile.pull(missing, admin, client=scene.stub)
    assert outcome.created and Dossier.objects.count() == before + 1
    record = NationalDossier.objects.get(national_code="G-E")
    assert record.via == "pull" and record.dossier.status == "submitted"
    missing.refresh_from_db()
    assert (missing.dossier, missing.resolved_by) == (record.dossier, admin) and missing.resolved_at
    with pytest.raises(DomainError) as again:
        reconcile.pull(missing, admin, client=scene.stub)
    assert again.value.code == "already_resolved"
    # a run that raced the pull lists it again: pulling it finds the dossier, creates nothing
    raced = ReconciliationRun.objects.create(started_at=timezone.now(), since=run.since, finished_at=timezone.now())
    twin = Discrepancy.objects.create(run=raced, kind="missing_here", national_code="G-E", found_at=timezone.now())
    assert not reconcile.pull(twin, admin, client=scene.stub).created
    assert Dossier.objects.count() == before + 1 and NationalDossier.objects.filter(national_code="G-E").count() == 1
    twin.refresh_from_db()
    assert twin.dossier == record.dossier and "không tạo thêm" in twin.resolution
    assert "G-E" not in kinds(reconcile.reconcile(client=scene.stub))


def test_a_failed_pull_leaves_the_discrepancy_open(scene, admin, birth):
    run = reconcile.reconcile(client=scene.stub)
    missing = run.discrepancies.get(national_code="G-E")
    before = (Dossier.objects.count(), NationalDossier.objects.count())
    with pytest.raises(DomainError) as down:
        reconcile.pull(missing, admin, client=Stub(fail="Không kết nối được Cổng DVC quốc gia: timed out."))
    assert down.value.code == "national_portal_error" and "timed out" in down.value.message
    with pytest.raises(DomainError) as unknown:
        reconcile.pull(missing, admin, client=Stub())
    assert unknown.value.code == "not_found_there" and "G-E" in unknown.value.message
    refused = Stub(requests={"G-E": request_body(birth, code="G-E", procedure_code="9.999999")})
    with pytest.raises(DomainError) as bad:
        reconcile.pull(missing, admin, client=refused)
    assert bad.value.code == "unknown_procedure"
    assert IntakeRefusal.objects.get(national_code="G-E").via == "pull"  # the intake logged it
    other = Stub(requests={"G-E": request_body(birth, code="G-X")})
    with pytest.raises(DomainError) as mismatch:
        reconcile.pull(missing, admin, client=other)
    assert mismatch.value.code == "code_mismatch"
    missing.refresh_from_db()
    assert missing.resolved_at is None and missing.resolution == "" and missing.dossier is None
    assert (Dossier.objects.count(), NationalDossier.objects.count()) == before


def test_a_client_failure_is_recorded_on_the_run(scene):
    good = reconcile.reconcile(client=scene.stub)
    failed = reconcile.reconcile(client=Stub(fail="Cổng DVC quốc gia trả lỗi HTTP 503."))
    failed.refresh_from_db()
    assert failed.error == "Cổng DVC quốc gia trả lỗi HTTP 503." and failed.finished_at
    assert not failed.discrepancies.exists() and (failed.missing_here, failed.listed) == (0, 0)
    # the failed run does not make the good one's findings stale
    reconcile.resend(good.discrepancies.get(national_code="G-B"), None)


def test_the_nightly_task_validates_its_argument(world, monkeypatch):
    stub = Stub(listed=[row("G-Z", "1")])
    monkeypatch.setattr(reconcile, "Client", lambda: stub)
    result = reconcile_task.delay(days_back=7).get()
    run = ReconciliationRun.objects.get(pk=result["run"])
    assert result["missing_here"] == 1 and run.discrepancies.get().national_code == "G-Z"
    assert dt.timedelta(days=7) <= timezone.now() - run.since <= dt.timedelta(days=7, minutes=1)
    for bad in (0, 401, "7", 7.0, True, None):
        with pytest.raises(ValueError, match="days_back"):
            reconcile_task(days_back=bad)
    assert ReconciliationRun.objects.count() == 1


# -- the client over real HTTP -------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        try:
            signing.verify(b"", self.headers.get("X-Timestamp"), self.headers.get("X-Signature"), method="GET",
                           target=self.path)
        except DomainError:
            self._answer(401, {"detail": "bad signature"})
            return
        url = urllib.parse.urlsplit(self.path)
        since = urllib.parse.parse_qs(url.query).get("since", [""])[0]
        self.server.seen.append((url.path, since))
        if url.path == "/api/dossiers/":
            self._answer(200, {"dossiers": [row("G-H1", "2")]})
        elif url.path == "/api/dossiers/new/":
            self._answer(200, {"dossiers": [{"national_code": "G-H2"}]})
        elif url.path == "/api/dossiers/G-H3/":
            self._answer(200, {"national_code": "G-H3"})
        elif url.path == "/api/dossiers/broken/":
            self._answer(200, "not json", raw=True)
        else:
            self._answer(404, {"detail": "not found"})

    def _answer(self, status, data, raw=False):
        body = data.encode() if raw else json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def national_api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_client_asks_the_national_portal_over_signed_http(national_api, monkeypatch):
    client = Client(f"http://127.0.0.1:{national_api.server_address[1]}/api/")
    since = timezone.now() - dt.timedelta(days=35)
    assert [r["national_code"] for r in client.list_dossiers(since)] == ["G-H1"]
    assert client.new_dossiers(since) == [{"national_code": "G-H2"}]
    assert client.get_dossier("G-H3") == {"national_code": "G-H3"}
    assert client.get_dossier("G-NONE") is None
    with pytest.raises(ClientError, match="JSON"):
        client.get_dossier("broken")
    assert national_api.seen[0] == ("/api/dossiers/", since.isoformat())
    assert national_api.seen[1][0] == "/api/dossiers/new/"
    real = signing.headers
    monkeypatch.setattr(signing, "headers", lambda body, **kw: real(body, **{**kw, "key": "khoa-khac"}))  # a wrong key
    with pytest.raises(ClientError, match="401"):
        client.list_dossiers(since)
    monkeypatch.undo()
    with pytest.raises(ClientError, match="Không kết nối được"):
        Client("http://127.0.0.1:9/").list_dossiers(since)
    with pytest.raises(ClientError, match="NATIONAL_PORTAL_API_URL"):
        Client("").list_dossiers(since)


# -- the page --------------------------------------------------------------------------------------------


def _open(client, user):
    client.force_login(user)
    return client.get(PAGE)


def test_the_page_is_for_administrators_only(scene, client, demo, world):
    reconcile.reconcile(client=scene.stub)
    anonymous = client.get(PAGE)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert _open(client, world.reception).status_code == 403
    assert client.post(PAGE + "chay/").status_code == 403
    assert ReconciliationRun.objects.count() == 1
    for email in ("admin.pleiku@demo.gov.vn", "admin@demo.gov.vn"):
        page = _open(client, demo.user(email))
        body = page.content.decode()
        assert page.status_code == 200 and "Đối soát với Cổng DVC quốc gia" in body
        assert 'data-testid="discrepancy-G-B"' in body and 'data-testid="discrepancy-G-E"' in body
        assert 'data-testid="discrepancy-G-A"' not in body
    assert f'href="/ho-so/{scene.b.pk}/"' in body and scene.b.code in body
    assert "4 – Đang xử lý" in body and "2 – Được tiếp nhận" in body and "Đang thẩm định" in body
    assert body.count('data-action="resend"') == 2 and body.count('data-action="pull"') == 1


def test_the_buttons_work(scene, client, admin, monkeypatch):
    monkeypatch.setattr(reconcile, "Client", lambda: scene.stub)
    client.force_login(admin)
    ran = client.post(PAGE + "chay/", follow=True)
    run = ReconciliationRun.objects.get()
    assert run.started_by == admin and "3 chênh lệch" in ran.content.decode()
    behind = run.discrepancies.get(national_code="G-B")
    answer = client.post(PAGE + "gui-lai/", {"discrepancy": behind.pk}, follow=True)
    assert "Đã xếp gửi lại trạng thái của hồ sơ G-B" in answer.content.decode()
    assert SyncItem.objects.get(dossier=scene.b, event__to_status="in_appraisal").status == SyncStatus.PENDING
    missing = run.discrepancies.get(national_code="G-E")
    pulled = client.post(PAGE + "lay-ve/", {"discrepancy": missing.pk}, follow=True).content.decode()
    assert "Đã lấy hồ sơ G-E về" in pulled and NationalDossier.objects.filter(national_code="G-E").exists()
    assert 'data-testid="resolved"' in pulled and admin.full_name in pulled
    assert 'data-testid="discrepancy-G-E"' not in pulled
    scene.stub.fail = "Cổng DVC quốc gia trả lỗi HTTP 500."
    failed = client.post(PAGE + "chay/", follow=True).content.decode()
    assert "Không đối soát được: Cổng DVC quốc gia trả lỗi HTTP 500." in failed
    assert 'data-testid="reconcile-error"' in failed and 'data-testid="discrepancy-G-D"' in failed  # the last good run


def test_bad_ids_are_refused_and_change_nothing(scene, client, admin):
    run = reconcile.reconcile(client=scene.stub)
    client.force_login(admin)
    resolved = run.discrepancies.get(national_code="G-D")
    reconcile.resend(resolved, admin)
    snapshot = list(Discrepancy.objects.order_by("pk").values_list("pk", "resolved_at", "resolution"))
    items = list(SyncItem.objects.order_by("pk").values_list("pk", "status", "attempts"))
    dossiers = Dossier.objects.count()
    cases = [("gui-lai/", "abc", "không hợp lệ"), ("gui-lai/", "", "không hợp lệ"), ("lay-ve/", "-1", "không hợp lệ"),
             ("gui-lai/", "99999999", "Không có mục"), ("lay-ve/", "1" * 30, "không hợp lệ"),
             ("gui-lai/", "9" * 30, "không hợp lệ"), ("gui-lai/", "-1", "không hợp lệ"),
             # digits to str.isdigit() that int() refuses, or reads though they are not ASCII
             ("gui-lai/", "²", "không hợp lệ"), ("lay-ve/", "²", "không hợp lệ"), ("gui-lai/", "1²", "không hợp lệ"),
             ("lay-ve/", "①", "không hợp lệ"), ("gui-lai/", "١", "không hợp lệ"),
             ("gui-lai/", resolved.pk, "đã được xử lý"),
             ("gui-lai/", run.discrepancies.get(national_code="G-E").pk, "không áp dụng"),
             ("lay-ve/", run.discrepancies.get(national_code="G-B").pk, "không áp dụng")]
    for path, value, message in cases:
        answer = client.post(PAGE + path, {"discrepancy": value}, follow=True)
        body = answer.content.decode()
        assert answer.status_code == 200 and answer.redirect_chain == [(PAGE, 302)], (path, value)
        assert message in body and "message-error" in body, (path, value)
    assert list(Discrepancy.objects.order_by("pk").values_list("pk", "resolved_at", "resolution")) == snapshot
    assert list(SyncItem.objects.order_by("pk").values_list("pk", "status", "attempts")) == items
    assert Dossier.objects.count() == dossiers
    csrf = WebClient(enforce_csrf_checks=True)
    csrf.force_login(admin)
    behind = run.discrepancies.get(national_code="G-B")
    assert csrf.post(PAGE + "gui-lai/", {"discrepancy": behind.pk}).status_code == 403
    assert client.get(PAGE + "gui-lai/").status_code == 405
