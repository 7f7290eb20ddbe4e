"""Dossiers filed on the national portal arrive here: a signed, validated, idempotent intake that stores all
of a dossier or nothing, and refusals logged with a machine code."""

import base64
import hashlib
import json
import time

import pytest
from django.core.files.storage import Storage
from django.utils import timezone

from docstore.selectors import store_owner
from dossiers import services
from dossiers.models import Attachment, Dossier, DossierEvent, FeeStatus, PaymentMethod
from dossiers.tests.conftest import PDF
from dossiers.workflow import Status
from nationalportal import intake, mapping, signing
from nationalportal.models import IntakeRefusal, NationalDossier
from payments.services import payment_record_desk

pytestmark = pytest.mark.django_db
URL = "/api/national-portal/dossiers/"


@pytest.fixture
def birth(world):
    mapping.map_version(world.birth)
    return world.birth


def request_body(version, *, code="G22.99-261206-0001", files=None, **extra):
    required = [d for d in version.documents.order_by("order", "pk") if d.requirement == "required"]
    data = {
        "national_code": code, "procedure_code": version.procedure.code,
        "filed_at": timezone.now().isoformat(), "receiving_agency_code": "H21.65",
        "applicant": {"name": "Trần Thị Bình", "id_number": "064190000456", "phone": "0987654321",
                      "commune": "Phường Pleiku", "vneid_verified": True},
        "files": files if files is not None else [
            {"document_type": mapping.default_type(d), "name": f"tp{d.order}.pdf",
             "content_base64": base64.b64encode(PDF).decode()} for d in required],
    }
    data.update(extra)
    return data


def post(client, data, *, now=None, key=None, raw=None):
    body = raw if raw is not None else json.dumps(data, ensure_ascii=False).encode()
    headers = signing.headers(body, method="POST", target=URL, now=now, key=key)
    return client.post(URL, body, content_type="application/json", HTTP_X_TIMESTAMP=headers["X-Timestamp"],
                       HTTP_X_SIGNATURE=headers["X-Signature"])


def counts():
    return (Dossier.objects.count(), Attachment.objects.count(), NationalDossier.objects.count(),
            DossierEvent.objects.count())


def test_a_well_formed_intake_enters_the_desk_queue(client, birth, world):
    answer = post(client, request_body(birth))
    assert answer.status_code == 201, answer.content
    body = answer.json()
    dossier = Dossier.objects.get(pk=body["dossier_id"])
    assert (dossier.status, dossier.channel) == (Status.SUBMITTED, "online")
    assert dossier.national_code == "G22.99-261206-0001"
    assert (dossier.receiving_agency, dossier.handling_agency, dossier.citizen) == (world.pleiku, world.pleiku, None)
    assert body["national_status"] == {"code": "1", "label": "Mới đăng ký"} and body["dossier_code"] is None
    assert dossier.attachments.filter(is_active=True).count() == birth.documents.filter(requirement="required").count()
    record = NationalDossier.objects.get(dossier=dossier)
    assert record.vneid_verified and record.via == "push"
    submit = dossier.events.get(type="submit")
    assert submit.actor is None and "G22.99-261206-0001" in submit.reason
    # the desk receives it as any online dossier: our code is issued, the national one stays
    received = services.dossier_receive(dossier=dossier, actor=world.reception)
    assert received.code and received.national_code == "G22.99-261206-0001"


def test_a_retried_intake_creates_one_dossier(client, birth):
    data = request_body(birth)
    first, second = post(client, data), post(client, data)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert Dossier.objects.count() == 1 and NationalDossier.objects.count() == 1
    changed = {**data, "applicant": {**data["applicant"], "name": "Người khác"}}
    before = counts()
    conflict = post(client, changed)
    assert conflict.status_code == 409 and conflict.json()["code"] == "national_code_conflict"
    assert counts() == before


def test_a_forged_or_stale_signature_is_refused(client, birth):
    before = counts()
    forged = post(client, request_body(birth), key="khong-phai-khoa")
    stale = post(client, request_body(birth), now=time.time() - 3600)
    assert (forged.status_code, forged.json()["code"]) == (401, "bad_signature")
    assert (stale.status_code, stale.json()["code"]) == (401, "stale_request")
    unsigned = client.post(URL, b"{}", content_type="application/json")
    assert (unsigned.status_code, unsigned.json()["code"]) == (401, "signature_missing")
    body = json.dumps(request_body(birth)).encode()
    signed = signing.headers(body, method="POST", target=URL)
    odd = client.post(URL, body, content_type="application/json", HTTP_X_TIMESTAMP=signed["X-Timestamp"],
                      HTTP_X_SIGNATURE="é" * 64)  # not ASCII: a refusal, not a crash
    assert (odd.status_code, odd.json()["code"]) == (401, "bad_signature")
    signed = signing.headers(body, method="POST", target="/api/national-portal/dossiers/X/supplements/")
    elsewhere = client.post(URL, body, content_type="application/json", HTTP_X_TIMESTAMP=signed["X-Timestamp"],
                            HTTP_X_SIGNATURE=signed["X-Signature"])
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (401, "bad_signature")  # signed for another address
    assert counts() == before
    assert not IntakeRefusal.objects.exists()  # anyone can send unsigned requests: only the server log has them


def test_unknown_and_unmapped_procedure_codes(client, birth, world):
    unknown = post(client, request_body(birth, procedure_code="9.999999"))
    assert (unknown.status_code, unknown.json()["code"], unknown.json()["field"]) == (
        422, "unknown_procedure", "procedure_code")
    unmapped = post(client, request_body(world.household, code="G22.99-261206-0002"))
    assert (unmapped.status_code, unmapped.json()["code"]) == (422, "procedure_unmapped")
    assert world.household in mapping.unmapped_versions() and birth not in mapping.unmapped_versions()
    refusal = IntakeRefusal.objects.get(code="procedure_unmapped")
    assert (refusal.national_code, refusal.procedure_code) == ("G22.99-261206-0002", world.household.procedure.code)
    assert not Dossier.objects.exists()


def test_a_file_too_big_or_of_the_wrong_type(client, birth, settings):
    settings.DOSSIER_MAX_UPLOAD_MB = 1
    data = request_body(birth)
    data["files"][0]["content_base64"] = base64.b64encode(b"%PDF-1.4\n" + b"x" * (1024 * 1024 + 10)).decode()
    big = post(client, data)
    assert (big.status_code, big.json()["code"], big.json()["field"]) == (413, "file_too_large", "files.0")
    data = request_body(birth, code="G22.99-261206-0003")
    data["files"][0]["content_base64"] = base64.b64encode(b"MZ\x90\x00 an executable").decode()
    wrong = post(client, data)
    assert (wrong.status_code, wrong.json()["code"], wrong.json()["field"]) == (400, "file_type", "files.0")
    assert "chỉ nhận" in wrong.json()["detail"]
    data = request_body(birth, code="G22.99-261206-0004")
    data["files"][0]["sha256"] = hashlib.sha256(b"other").hexdigest()
    assert post(client, data).json()["code"] == "file_hash_mismatch"
    data = request_body(birth, code="G22.99-261206-0005")
    data["files"][0] = {"document_type": data["files"][0]["document_type"], "name": "x.pdf",
                        "url": "https://evil.example.com/x.pdf"}
    assert post(client, data).json()["code"] == "file_url_not_allowed"
    assert not Dossier.objects.exists() and not Attachment.objects.exists()


def test_a_half_failed_intake_stores_nothing(client, birth, monkeypatch):
    """The second file fails inside the transaction (after the first was written to storage): no dossier, no
    event, no attachment row and no file left on disk."""
    data = request_body(birth)
    data["files"].append({"document_type": data["files"][0]["document_type"], "name": "them.pdf",
                          "content_base64": base64.b64encode(PDF).decode()})
    written = []
    storage = Attachment._meta.get_field("file").storage
    real_save = Storage.save

    def spy(self, name, content, *args, **kwargs):
        if written:
            raise OSError("đĩa đầy")  # the second write fails
        written.append(real_save(self, name, content, *args, **kwargs))
        return written[-1]

    monkeypatch.setattr(Storage, "save", spy)
    before = counts()
    with pytest.raises(OSError):
        intake.intake(data)
    assert counts() == before
    assert len(written) == 1 and not storage.exists(written[0])  # the first file was removed again


def test_a_bad_request_names_the_field(client, birth):
    data = request_body(birth)
    del data["applicant"]["name"]
    missing = post(client, data)
    assert (missing.status_code, missing.json()["field"]) == (400, "applicant.name")
    assert post(client, None, raw=b"not json").json()["code"] == "invalid_json"
    extra = post(client, request_body(birth, code="G22.99-261206-0009", bonus=1)).json()
    assert extra["code"] == "invalid" and "bonus" in extra["detail"]
    wrong_desk = post(client, request_body(birth, receiving_agency_code="H99.99")).json()
    assert (wrong_desk["code"], wrong_desk["field"]) == ("unknown_agency", "receiving_agency_code")
    assert not Dossier.objects.exists()


def _household(client, world, paid, code):
    mapping.map_version(world.household)
    data = request_body(world.household, code=code, fees={"paid": paid, "reference": f"PAYGOV-{code}"})
    dossier = Dossier.objects.get(pk=post(client, data).json()["dossier_id"])
    received = services.dossier_receive(dossier=dossier, actor=world.reception)
    received.refresh_from_db()
    assert received.fee_total == 50_000  # the online fee of 2.000575
    return received


def test_fees_paid_on_the_national_portal_settle_at_reception(client, world):
    received = _household(client, world, 50_000, "G22.99-F-1")
    assert (received.fee_status, received.fee_paid_via, received.fee_to_collect) == (
        FeeStatus.PAID, PaymentMethod.NATIONAL_PORTAL, 0)
    assert received.events.filter(type="fee_paid", payload__reference="PAYGOV-G22.99-F-1").exists()


def test_a_part_paid_there_leaves_only_the_difference_to_collect(client, world):
    received = _household(client, world, 20_000, "G22.99-F-2")
    assert (received.fee_status, received.fee_prepaid, received.fee_to_collect) == (FeeStatus.UNPAID, 20_000, 30_000)
    assert not received.events.filter(type="fee_paid").exists()
    client.force_login(world.reception)
    page = client.get(f"/ho-so/{received.pk}/").content.decode()
    assert "Thu 30.000 đồng và cấp biên lai" in page and "còn phải nộp 30.000 đồng" in page
    payment = payment_record_desk(dossier=received, actor=world.reception, method="cash")
    received.refresh_from_db()
    assert (payment.amount, received.fee_status) == (30_000, FeeStatus.PAID)


def test_a_part_paid_there_is_refunded_when_the_dossier_is_refused(client, world):
    received = _household(client, world, 20_000, "G22.99-F-3")
    stopped = services.dossier_stop(dossier=received, actor=world.approver, reason="Công dân đề nghị dừng.")
    stopped.refresh_from_db()
    assert (stopped.fee_status, stopped.refund_amount) == (FeeStatus.REFUND_DUE, 20_000)


def test_a_request_larger_than_the_limit_is_refused_before_it_is_read(client, birth, settings):
    settings.NATIONAL_PORTAL_MAX_REQUEST_MB = 1
    data = request_body(birth)
    data["files"][0]["content_base64"] = base64.b64encode(b"%PDF-1.4\n" + b"x" * (1024 * 1024)).decode()
    answer = post(client, data)
    assert (answer.status_code, answer.json()["code"]) == (413, "request_too_large")
    assert "đường dẫn" in answer.json()["detail"] and not Dossier.objects.exists()
    assert IntakeRefusal.objects.filter(code="request_too_large").exists()
    settings.NATIONAL_PORTAL_MAX_REQUEST_MB = 64  # above the portal's general 10 MB body limit: accepted
    settings.DOSSIER_MAX_UPLOAD_MB = 20
    data = request_body(birth, code="G22.99-261206-0077")
    data["files"][0]["content_base64"] = base64.b64encode(b"%PDF-1.4\n" + b"x" * (9 * 1024 * 1024)).decode()
    assert post(client, data).status_code == 201


@pytest.mark.parametrize("filed_at", ["2026-02-30T10:00:00+07:00", "2026-01-01T10:00:00+25:00",
                                      "0001-01-01T00:00:00+01:00", "2026-01-01T10:00:00"])
def test_an_impossible_filing_time_is_refused(client, birth, filed_at):
    answer = post(client, request_body(birth, filed_at=filed_at))
    assert (answer.status_code, answer.json()["field"]) == (400, "filed_at")
    assert not Dossier.objects.exists() and IntakeRefusal.objects.get().field == "filed_at"


@pytest.mark.parametrize("code", ["G22.99-NL\n", "G22/99", "../x", " G22", "-G22"])
def test_a_national_code_that_could_not_be_addressed_is_refused(client, birth, code):
    answer = post(client, request_body(birth, code=code))
    assert (answer.status_code, answer.json()["code"], answer.json()["field"]) == (400, "invalid", "national_code")
    assert not Dossier.objects.exists()


def test_a_version_mapped_without_its_components_counts_as_unmapped(client, birth):
    birth.documents.filter(requirement="required").first().national_type.delete()
    answer = post(client, request_body(birth))
    assert (answer.status_code, answer.json()["code"]) == (422, "procedure_unmapped")


def test_a_retry_with_fresh_file_links_is_the_same_request(birth):
    """A national portal that signs its file links with an expiry sends other links on a retry: same files
    (same SHA-256), same request."""
    first = request_body(birth)
    second = {**first, "files": [dict(f) for f in first["files"]]}
    for a, b in zip(first["files"], second["files"], strict=True):
        a.pop("content_base64"), b.pop("content_base64")
        a["url"], b["url"] = "https://files.example/a?exp=1", "https://files.example/a?exp=2"
        a["sha256"] = b["sha256"] = hashlib.sha256(PDF).hexdigest()
    assert intake.fingerprint(first) == intake.fingerprint(second)
    assert intake.fingerprint(first) != intake.fingerprint({**first, "national_code": "KHAC"})


def test_the_document_store_is_not_matched_by_an_id_number_typed_on_the_national_portal(client, birth, world):
    world.citizen.citizen_id = "064190000456"  # the number the request carries
    world.citizen.save(update_fields=["citizen_id"])
    dossier = Dossier.objects.get(pk=post(client, request_body(birth)).json()["dossier_id"])
    assert store_owner(dossier) is None


def test_a_wrong_method_gets_a_json_405(client):
    answer = client.get(URL)
    assert (answer.status_code, answer.json()["code"], answer["Allow"]) == (405, "method_not_allowed", "POST")
    assert client.post("/api/national-portal/dossiers/X/").status_code == 405
