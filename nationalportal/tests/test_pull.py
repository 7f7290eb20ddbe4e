"""Pulling new dossiers from the national portal (a province that polls its integration platform): each request
taken in through the intake, a refused one logged without stopping the others, the cursor advanced to the latest
filing seen (held by a request that failed otherwise or was refused for a transient reason, kept when the list
cannot be fetched), nothing twice."""

import datetime as dt
import http.server
import threading

import pytest
from django.utils import timezone

from core.errors import DomainError
from dossiers.models import Dossier
from dossiers.tests.conftest import PDF
from nationalportal import intake, mapping, pull
from nationalportal.models import IntakeRefusal, NationalDossier, PullCursor
from nationalportal.tasks import pull_intake_task
from nationalportal.tests.test_intake import request_body
from nationalportal.tests.test_reconcile import Stub

pytestmark = pytest.mark.django_db


@pytest.fixture
def birth(world):
    mapping.map_version(world.birth)
    return world.birth


@pytest.fixture
def requests(birth):
    now = timezone.now()
    return {
        "G-P1": request_body(birth, code="G-P1", filed_at=(now - dt.timedelta(hours=3)).isoformat()),
        "G-P2": request_body(birth, code="G-P2", filed_at=(now - dt.timedelta(hours=1)).isoformat()),
        "G-BAD": request_body(birth, code="G-BAD", procedure_code="9.999999",
                              filed_at=(now - dt.timedelta(hours=2)).isoformat()),
        "G-P3": request_body(birth, code="G-P3", filed_at=(now - dt.timedelta(minutes=30)).isoformat()),
    }


def filed(data):
    return dt.datetime.fromisoformat(data["filed_at"])


def test_several_are_taken_in_one_refused_and_the_cursor_advances(requests):
    stub = Stub(requests=requests)
    now = timezone.now()
    assert pull.pull_intake(client=stub, now=now) == {"created": 3, "existing": 0, "refused": 1, "failed": 0}
    assert stub.asked == [("new", now - pull.FIRST_PULL - pull.OVERLAP)]
    records = NationalDossier.objects.order_by("national_code")
    assert [(r.national_code, r.via, r.dossier.status) for r in records] == [
        ("G-P1", "pull", "submitted"), ("G-P2", "pull", "submitted"), ("G-P3", "pull", "submitted")]
    refusal = IntakeRefusal.objects.get()
    assert (refusal.national_code, refusal.code, refusal.via) == ("G-BAD", "unknown_procedure", "pull")
    cursor = PullCursor.objects.get()
    assert cursor.position == filed(requests["G-P3"]) and cursor.pulled_at == now and cursor.last_error == ""
    assert cursor.last_counts["created"] == 3

    # The next pull asks from the cursor less the overlap; the same requests again create nothing.
    later = now + dt.timedelta(minutes=5)
    assert pull.pull_intake(client=stub, now=later) == {"created": 0, "existing": 3, "refused": 1, "failed": 0}
    assert stub.asked[-1] == ("new", filed(requests["G-P3"]) - pull.OVERLAP)
    assert Dossier.objects.count() == 3 and NationalDossier.objects.count() == 3
    assert PullCursor.objects.get().position == filed(requests["G-P3"])


def test_a_client_failure_leaves_the_cursor_where_it_was(requests):
    pull.pull_intake(client=Stub(requests=requests))
    position = PullCursor.objects.get().position
    answer = pull.pull_intake(client=Stub(fail="Cổng DVC quốc gia trả lỗi HTTP 503."))
    assert answer["error"] == "Cổng DVC quốc gia trả lỗi HTTP 503." and answer["created"] == 0
    cursor = PullCursor.objects.get()
    assert cursor.position == position and cursor.last_error == "Cổng DVC quốc gia trả lỗi HTTP 503."
    pull.pull_intake(client=Stub(requests={}))  # nothing new: the position stays, the error is cleared
    cursor.refresh_from_db()
    assert cursor.position == position and cursor.last_error == ""


def test_a_request_that_fails_otherwise_holds_the_cursor(requests, monkeypatch):
    real = intake.intake

    def flaky(data, **kwargs):
        if data["national_code"] == "G-P2":
            raise OSError("đĩa đầy")
        return real(data, **kwargs)

    monkeypatch.setattr(intake, "intake", flaky)
    answer = pull.pull_intake(client=Stub(requests=requests))
    assert answer == {"created": 2, "existing": 0, "refused": 1, "failed": 1}
    assert PullCursor.objects.get().position == filed(requests["G-P2"])  # asked for again next time
    monkeypatch.setattr(intake, "intake", real)
    stub = Stub(requests=requests)
    assert pull.pull_intake(client=stub)["created"] == 1
    assert stub.asked == [("new", filed(requests["G-P2"]) - pull.OVERLAP)]
    assert NationalDossier.objects.filter(national_code="G-P2").exists()
    assert PullCursor.objects.get().position == filed(requests["G-P3"])


class FileServer(http.server.BaseHTTPRequestHandler):
    """The national portal's file server: answers 503 while `down`."""

    down = True

    def do_GET(self):  # the http.server API names it so
        if type(self).down:
            self.send_response(503)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(PDF)))
        self.end_headers()
        self.wfile.write(PDF)

    def log_message(self, *args):
        pass


@pytest.fixture
def file_server(settings):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), type("Files", (FileServer,), {"down": True}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NATIONAL_PORTAL_FILE_HOSTS = ["127.0.0.1"]
    yield server
    server.shutdown()
    server.server_close()


def test_a_file_the_file_server_did_not_serve_holds_the_cursor(requests, file_server):
    linked = requests["G-P2"]
    first = linked["files"][0]
    linked["files"][0] = {"document_type": first["document_type"], "name": "to-khai.pdf",
                          "url": f"http://127.0.0.1:{file_server.server_address[1]}/to-khai.pdf"}
    stub = Stub(requests=requests)
    assert pull.pull_intake(client=stub) == {"created": 2, "existing": 0, "refused": 1, "failed": 1}
    assert IntakeRefusal.objects.get(national_code="G-P2").code == "file_fetch_failed"  # logged all the same
    assert PullCursor.objects.get().position == filed(requests["G-P2"])  # asked for again next time …
    file_server.RequestHandlerClass.down = False
    assert pull.pull_intake(client=stub) == {"created": 1, "existing": 2, "refused": 1, "failed": 0}
    assert stub.asked[-1] == ("new", filed(requests["G-P2"]) - pull.OVERLAP)
    record = NationalDossier.objects.get(national_code="G-P2")  # … and taken in
    assert record.dossier.attachments.get(original_name="to-khai.pdf").file.read() == PDF
    assert PullCursor.objects.get().position == filed(requests["G-P3"])  # G-BAD (unknown procedure) did not hold it


@pytest.mark.parametrize(("code", "status", "held"), [
    ("not_configured", 503, True), ("something_else", 502, True), ("file_too_large", 413, False),
    ("invalid", 400, False), ("procedure_unmapped", 422, False)])
def test_which_refusals_hold_the_cursor(requests, monkeypatch, code, status, held):
    real = intake.intake

    def refusing(data, **kwargs):
        if data["national_code"] == "G-P2":
            raise DomainError(code, "Từ chối.", http_status=status)
        return real(data, **kwargs)

    monkeypatch.setattr(intake, "intake", refusing)
    answer = pull.pull_intake(client=Stub(requests=requests))
    assert (answer["refused"], answer["failed"]) == ((1, 1) if held else (2, 0))
    assert PullCursor.objects.get().position == filed(requests["G-P2" if held else "G-P3"])


def test_the_task_pulls_only_when_the_province_pulls(requests, settings, monkeypatch):
    stub = Stub(requests=requests)
    monkeypatch.setattr(pull, "Client", lambda: stub)
    settings.NATIONAL_PORTAL_PULL = False
    assert pull_intake_task.delay().get() == {}
    assert stub.asked == [] and not PullCursor.objects.exists() and not NationalDossier.objects.exists()
    settings.NATIONAL_PORTAL_PULL = True
    assert pull_intake_task.delay().get() == {"created": 3, "existing": 0, "refused": 1, "failed": 0}
    assert NationalDossier.objects.filter(via="pull").count() == 3
