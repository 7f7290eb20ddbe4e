"""The national-portal simulator: a citizen files a dossier there, it reaches this portal's intake over real signed
HTTP, the statuses come back through the local receiver and are kept in the national vocabulary, and the
simulator answers the national portal's API (client.Client) from its books."""

import datetime as dt
import io
import json
import urllib.parse
from importlib import import_module

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.utils import timezone
from pypdf import PdfReader

from core.errors import DomainError
from dossiers import services
from dossiers.models import Attachment, Dossier
from dossiers.workflow import Status
from nationalportal import client as np_client
from nationalportal import intake, mapping, signing, simulator
from nationalportal.models import Delivery, NationalDossier, SimulatedNationalDossier, StatusMapping

pytestmark = pytest.mark.django_db
HOME, FILE = "/gia-lap/cong-dvc-quoc-gia/", "/gia-lap/cong-dvc-quoc-gia/nop-ho-so/"
API = "/gia-lap/cong-dvc-quoc-gia/api"


@pytest.fixture
def birth(world):
    mapping.map_version(world.birth)
    return world.birth


def seed_national_statuses():
    """A live-server test empties every table after it ran, the status list its migration seeded with them: put
    the list back (the migration's own rows)."""
    for status, code, label in import_module("nationalportal.migrations.0004_status_mapping_seed").ROWS:
        StatusMapping.objects.update_or_create(status=status, defaults={"national_status": code,
                                                                        "national_label": label})


@pytest.fixture
def loop(settings, live_server, birth):
    """The intake and the status receiver on a real server; the simulator posts to it, the outbox pushes to it."""
    seed_national_statuses()
    settings.NATIONAL_PORTAL_INTAKE_URL = live_server.url + "/api/national-portal/dossiers/"
    settings.SYNC_TARGET_URL = live_server.url + "/ho-so/dong-bo/nhan/"
    settings.SYNC_RECEIVER_ENABLED = True
    return live_server


def form_data(procedure_version, world, **extra):
    data = {"version": procedure_version.pk, "agency": world.pleiku.code, "applicant_name": "Trần Thị Bình",
            "applicant_id_number": "064190000456", "applicant_phone": "0987654321",
            "applicant_email": "binh.tran@example.com", "applicant_commune": "Phường Pleiku", "vneid_verified": "on",
            "fees_paid": "0"}
    data.update(extra)
    return data


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def conditional(version):
    return version.documents.get(requirement="conditional")


def test_the_files_are_real_pdfs_made_the_same_every_time():
    content = simulator.component_pdf(national_code="G22.99-261206-0001", title="Tờ khai đăng ký khai sinh",
                                      applicant="Trần Thị Bình", filed_at="2026-12-06T09:00:00+07:00")
    assert content == simulator.component_pdf(national_code="G22.99-261206-0001", title="Tờ khai đăng ký khai sinh",
                                              applicant="Trần Thị Bình", filed_at="2026-12-06T09:00:00+07:00")
    reader = PdfReader(io.BytesIO(content), strict=True)
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1 and "G22.99-261206-0001" in text and "To khai dang ky khai sinh" in text
    assert "Tran Thi Binh" in text
    other = simulator.component_pdf(national_code="G22.99-261206-0002", title="Tờ khai đăng ký khai sinh",
                                    applicant="Trần Thị Bình", filed_at="2026-12-06T09:00:00+07:00")
    assert other != content


def test_a_dossier_filed_on_the_simulator_enters_the_desk_queue_over_http(client, loop, birth, world):
    client.force_login(world.citizen)
    page = client.get(FILE, {"version": birth.pk})
    body = page.content.decode()
    assert page.status_code == 200 and "Ủy ban nhân dân phường Pleiku" in body and loop.url in body
    assert conditional(birth).condition in body  # the conditional component can be ticked
    response = client.post(FILE, form_data(birth, world, cases=[conditional(birth).pk], fees_paid="50000"))
    assert response.status_code == 302 and response["Location"] == HOME
    row = SimulatedNationalDossier.objects.get()
    today = timezone.localdate().strftime("%y%m%d")
    assert row.national_code == f"G22.99-{today}-0001" and row.delivery == Delivery.TAKEN
    assert row.answer_status == 201 and row.filed_by == world.citizen
    assert messages_of(response) == [f"Đã nộp hồ sơ {row.national_code} trên Cổng DVC quốc gia (giả lập): hệ thống "
                                     "đã nhận, hồ sơ vào hàng chờ tiếp nhận của Ủy ban nhân dân phường Pleiku."]
    # this portal: a submitted online dossier at the Pleiku desk, with a PDF per component handed in
    dossier = Dossier.objects.get(national_code=row.national_code)
    assert (dossier.status, dossier.channel, dossier.receiving_agency, dossier.citizen) == (
        Status.SUBMITTED, "online", world.pleiku, None)
    assert row.answer["dossier_id"] == dossier.pk
    files = list(Attachment.objects.filter(dossier=dossier).order_by("document__order"))
    assert [f.document.requirement for f in files] == ["required", "conditional"]
    assert {f.content_type for f in files} == {"application/pdf"}
    record = NationalDossier.objects.get(dossier=dossier)
    assert record.vneid_verified and record.fees_paid == 50000 and record.payment_reference == (
        f"PAYGOV-{row.national_code}")
    # the books keep the request without the files' content, with their names, sizes and hashes
    kept = row.request["files"]
    assert all("content_base64" not in f for f in kept)
    assert [(f["size"], f["sha256"]) for f in kept] == [(a.size, a.sha256) for a in files]
    assert row.request["cases"] == [mapping.default_type(conditional(birth))]
    # the status pushed back while the intake answered: "Mới đăng ký"
    row.refresh_from_db()
    assert [(s["code"], s["label"], s["status"]) for s in row.statuses] == [("1", "Mới đăng ký", "submitted")]
    listing = client.get(HOME).content.decode()
    assert row.national_code in listing and "Mới đăng ký" in listing and "Đã được tiếp nhận vào hệ thống" in listing


def test_statuses_come_back_in_the_national_vocabulary_once_each(client, loop, birth, world):
    client.force_login(world.citizen)
    client.post(FILE, form_data(birth, world))
    row = SimulatedNationalDossier.objects.get()
    dossier = Dossier.objects.get(national_code=row.national_code)
    received = services.dossier_receive(dossier=dossier, actor=world.reception)
    row.refresh_from_db()
    assert [(s["code"], s["label"]) for s in row.statuses] == [("1", "Mới đăng ký"), ("2", "Được tiếp nhận")]
    assert (row.national_status, row.national_label, row.dossier_code) == ("2", "Được tiếp nhận", received.code)
    assert row.statuses[1]["due_at"] and row.statuses[1]["status"] == "received"
    # the same push again (a worker died after sending it): kept once
    again = cache.get("sync-receiver")[-1]
    body = json.dumps(again, ensure_ascii=False).encode()
    headers = signing.headers(body, method="POST", target="/ho-so/dong-bo/nhan/")
    answer = client.post("/ho-so/dong-bo/nhan/", body, content_type="application/json",
                         HTTP_X_TIMESTAMP=headers["X-Timestamp"], HTTP_X_SIGNATURE=headers["X-Signature"])
    assert answer.status_code == 204
    row.refresh_from_db()
    assert len(row.statuses) == 2
    page = client.get(HOME).content.decode()
    assert page.index("Mới đăng ký") < page.index("Được tiếp nhận") and received.code in page


def test_a_refusal_is_shown_with_the_intakes_reason(client, loop, birth, world, settings):
    settings.NATIONAL_PORTAL_MAX_FILES = 0
    client.force_login(world.citizen)
    response = client.post(FILE, form_data(birth, world))
    row = SimulatedNationalDossier.objects.get()
    assert (row.delivery, row.answer_status, row.answer["code"]) == (Delivery.REFUSED, 400, "too_many_files")
    assert messages_of(response) == [f"Hệ thống từ chối nhận hồ sơ {row.national_code} (HTTP 400): Quá nhiều tệp "
                                     "trong một hồ sơ (tối đa 0)."]
    assert not Dossier.objects.exists()
    assert "Quá nhiều tệp trong một hồ sơ" in client.get(HOME).content.decode()


def test_an_unreachable_intake_is_recorded_as_not_delivered(client, birth, world, settings):
    settings.NATIONAL_PORTAL_INTAKE_URL = "http://127.0.0.1:9/api/national-portal/dossiers/"  # nothing listens
    client.force_login(world.citizen)
    response = client.post(FILE, form_data(birth, world))
    assert response.status_code == 302
    row = SimulatedNationalDossier.objects.get()
    assert row.delivery == Delivery.UNDELIVERED and row.answer_status is None and row.answer_error
    assert messages_of(response)[0].startswith(f"Không gửi được hồ sơ {row.national_code} sang hệ thống (")
    assert not Dossier.objects.exists()
    assert "Chưa gửi được" in client.get(HOME).content.decode()


def test_bad_input_is_explained_and_sends_nothing(client, birth, world, settings):
    settings.NATIONAL_PORTAL_INTAKE_URL = "http://127.0.0.1:9/khong-duoc-goi/"
    client.force_login(world.citizen)
    for bad in ({"applicant_id_number": "12345"}, {"agency": "H99.99"}, {"version": "abc"}, {"fees_paid": "-5"},
                {"cases": ["999999"]}, {"applicant_phone": "12"}, {"applicant_name": " "}):
        response = client.post(FILE, form_data(birth, world, **bad))
        assert response.status_code == 200, bad
        assert 'data-testid="error-summary"' in response.content.decode(), bad
    assert "Số CCCD phải gồm đúng 12 chữ số." in client.post(
        FILE, form_data(birth, world, applicant_id_number="12345")).content.decode()
    assert not SimulatedNationalDossier.objects.exists() and not Dossier.objects.exists()


def test_only_mapped_procedures_and_their_desks_are_offered(client, birth, world):
    client.force_login(world.citizen)
    body = client.get(FILE).content.decode()
    assert world.birth.procedure.name in body and world.household.procedure.name not in body
    assert [a.code for a in simulator.desks_for(birth)] == [a.code for a in sorted(
        simulator.desks_for(birth), key=lambda a: a.name)]
    assert world.pleiku in simulator.desks_for(birth)
    with pytest.raises(DomainError) as refused:
        simulator.file(version=world.household, desk=world.pleiku, applicant={"name": "A"})
    assert refused.value.code == "procedure_unmapped" and not SimulatedNationalDossier.objects.exists()


def test_off_unless_the_setting_is_on(client, world, settings):
    settings.NATIONAL_PORTAL_SIMULATOR = False
    client.force_login(world.citizen)
    for url in (HOME, FILE, f"{API}/dossiers/?since=2026-01-01T00:00:00%2B07:00", f"{API}/dossiers/X/"):
        assert client.get(url).status_code == 404, url
    client.logout()
    assert client.get(HOME).status_code == 302  # on, the pages are for a logged-in user


def test_the_api_answers_the_client_contract(client, loop, birth, world):
    client.force_login(world.citizen)
    start = timezone.now() - dt.timedelta(minutes=1)
    client.post(FILE, form_data(birth, world))
    client.post(FILE, form_data(birth, world, applicant_name="Nguyễn Văn An", applicant_id_number="064090000123"))
    first, second = SimulatedNationalDossier.objects.order_by("id")
    received = services.dossier_receive(dossier=Dossier.objects.get(national_code=first.national_code),
                                        actor=world.reception)
    api = np_client.Client(loop.url + API)
    listed = api.list_dossiers(start)
    assert listed == [
        {"national_code": first.national_code, "procedure_code": "1.001193", "filed_at": first.request["filed_at"],
         "receiving_agency_code": "H21.65", "national_status": "2", "dossier_code": received.code},
        {"national_code": second.national_code, "procedure_code": "1.001193", "filed_at": second.request["filed_at"],
         "receiving_agency_code": "H21.65", "national_status": "1", "dossier_code": None}]
    assert api.list_dossiers(timezone.now() + dt.timedelta(minutes=5)) == []
    # the full requests, the same as sent: this portal's intake recognises them (same fingerprint)
    new = api.new_dossiers(start)
    assert [d["national_code"] for d in new] == [first.national_code, second.national_code]
    for request in new:
        intake.validate(request)
        record = NationalDossier.objects.get(national_code=request["national_code"])
        assert intake.fingerprint(request) == record.fingerprint
        assert intake.intake(request, via="pull").created is False  # pulled after it was pushed: nothing new
    one = api.get_dossier(second.national_code)
    assert one == new[1] and one["applicant"]["name"] == "Nguyễn Văn An"
    assert api.get_dossier("G22.99-000000-9999") is None
    # books that no longer match their files: said so, never a request with other files
    second.request["files"][0]["title"] = "Giấy tờ khác"
    second.save()
    with pytest.raises(np_client.ClientError, match="HTTP 409"):
        api.get_dossier(second.national_code)


def signed_get(client, path, params=None, key=None):
    target = path + (f"?{urllib.parse.urlencode(params)}" if params else "")
    headers = signing.headers(b"", method="GET", target=target, key=key)
    return client.get(target, HTTP_X_TIMESTAMP=headers["X-Timestamp"], HTTP_X_SIGNATURE=headers["X-Signature"])


def test_the_api_refuses_unsigned_requests_and_bad_dates(client, birth, world):
    unsigned = client.get(f"{API}/dossiers/", {"since": "2026-01-01T00:00:00+07:00"})
    assert (unsigned.status_code, unsigned.json()["code"]) == (401, "signature_missing")
    forged = signed_get(client, f"{API}/dossiers/new/", {"since": "2026-01-01T00:00:00+07:00"},
                        key="khong-phai-khoa")
    assert (forged.status_code, forged.json()["code"]) == (401, "bad_signature")
    good = signing.headers(b"", method="GET", target=f"{API}/dossiers/?since=2026-01-01")
    elsewhere = client.get(f"{API}/dossiers/new/?since=2026-01-01", HTTP_X_TIMESTAMP=good["X-Timestamp"],
                           HTTP_X_SIGNATURE=good["X-Signature"])
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (401, "bad_signature")  # signed for another address
    for since in ("", "hôm qua", "2026-13-45", "2026-02-30T00:00:00"):
        bad = signed_get(client, f"{API}/dossiers/", {"since": since})
        assert (bad.status_code, bad.json()["field"]) == (400, "since"), since
        assert "ISO 8601" in bad.json()["detail"]
    missing = signed_get(client, f"{API}/dossiers/G22.99-000000-0001/")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_a_push_about_another_dossier_is_kept_in_the_cache_only(client, settings):
    settings.SYNC_RECEIVER_ENABLED = True
    body = json.dumps({"national_code": "G22.99-000000-0042", "status": "received", "event_id": 7}).encode()
    headers = signing.headers(body, method="POST", target="/ho-so/dong-bo/nhan/")
    response = client.post("/ho-so/dong-bo/nhan/", body, content_type="application/json",
                           HTTP_X_TIMESTAMP=headers["X-Timestamp"], HTTP_X_SIGNATURE=headers["X-Signature"])
    assert response.status_code == 204 and cache.get("sync-receiver")[-1]["event_id"] == 7
    assert simulator.record_push({"national_code": ["not", "a", "code"]}) is None
    assert not SimulatedNationalDossier.objects.exists()
