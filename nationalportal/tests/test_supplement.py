"""A dossier filed on the national portal that the desk guided (Mẫu 02) or asked to complete gets the
citizen's files from the national portal: signed, idempotent, all or nothing, only while it waits."""

import base64
import json

import pytest

from dossiers import services
from dossiers.models import Attachment, AttachmentKind, Dossier, DossierEvent
from dossiers.tests.conftest import PDF
from dossiers.workflow import Status
from nationalportal import mapping, signing
from nationalportal.models import IntakeRefusal, NationalSupplement
from nationalportal.tests.test_intake import post, request_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(client, world):
    mapping.map_version(world.birth)
    answer = post(client, request_body(world.birth))
    return Dossier.objects.get(pk=answer.json()["dossier_id"])


def _files(version, **extra):
    document = version.documents.filter(requirement="required").order_by("order").first()
    return [{"document_type": mapping.default_type(document), "name": "bo-sung.pdf",
             "content_base64": base64.b64encode(PDF).decode(), **extra}]


def send(client, code, data):
    body = json.dumps(data, ensure_ascii=False).encode()
    signed = signing.headers(body, method="POST", target=f"/api/national-portal/dossiers/{code}/supplements/")
    return client.post(f"/api/national-portal/dossiers/{code}/supplements/", body, content_type="application/json",
                       HTTP_X_TIMESTAMP=signed["X-Timestamp"], HTTP_X_SIGNATURE=signed["X-Signature"])


def test_a_guided_dossier_comes_back_to_the_desk_once(client, world, filed):
    services.dossier_guide(dossier=filed, actor=world.reception, reason="Tờ khai chưa ký.")
    data = {"supplement_id": "BS-1", "message": "Đã ký tờ khai.", "files": _files(world.birth)}
    first, again = send(client, filed.national_code, data), send(client, filed.national_code, data)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["status"] == Status.SUBMITTED and first.json()["national_status"]["code"] == "1"
    filed.refresh_from_db()
    assert filed.status == Status.SUBMITTED
    assert filed.attachments.filter(kind=AttachmentKind.SUPPLEMENT).count() == 1  # once, not twice
    submit = filed.events.filter(type="submit").latest("id")
    assert "Đã ký tờ khai." in submit.reason and submit.actor is None
    assert NationalSupplement.objects.get().files == 1
    other = send(client, filed.national_code, {**data, "message": "khác"})
    assert (other.status_code, other.json()["code"]) == (409, "supplement_conflict")


def test_a_supplement_during_appraisal_waits_for_the_desk(client, world, filed):
    d = services.dossier_receive(dossier=filed, actor=world.reception)
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser)
    d = services.dossier_request_supplement(dossier=d, actor=world.appraiser, reason="Bổ sung giấy chứng sinh.")
    assert send(client, d.national_code, {"supplement_id": "BS-2", "files": _files(world.birth)}).status_code == 201
    d.refresh_from_db()
    assert d.status == Status.SUPPLEMENT_REQUESTED  # the desk confirms it, as for any supplement
    d = services.dossier_supplement_received(dossier=d, actor=world.reception)
    assert d.status == Status.IN_APPRAISAL


def test_refused_when_not_waiting_unknown_or_bad_and_nothing_changes(client, world, filed):
    before = (Attachment.objects.count(), DossierEvent.objects.count())
    busy = send(client, filed.national_code, {"supplement_id": "BS-3", "files": _files(world.birth)})
    assert (busy.status_code, busy.json()["code"]) == (409, "not_waiting_for_supplement")
    unknown = send(client, "KHONG-CO", {"supplement_id": "BS-4", "files": _files(world.birth)})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    assert (Attachment.objects.count(), DossierEvent.objects.count()) == before
    services.dossier_guide(dossier=filed, actor=world.reception, reason="Thiếu.")
    before = (Attachment.objects.count(), DossierEvent.objects.count())
    bad = send(client, filed.national_code, {"supplement_id": "BS-5",
                                             "files": _files(world.birth, content_base64="không phải base64")})
    assert (bad.status_code, bad.json()["code"], bad.json()["field"]) == (400, "invalid_base64", "files.0")
    assert (Attachment.objects.count(), DossierEvent.objects.count()) == before
    assert set(IntakeRefusal.objects.values_list("code", flat=True)) >= {"not_waiting_for_supplement", "not_found",
                                                                         "invalid_base64"}


def test_a_supplement_signed_for_another_dossier_is_refused(client, world, filed):
    services.dossier_guide(dossier=filed, actor=world.reception, reason="Thiếu.")
    body = json.dumps({"supplement_id": "BS-9", "files": _files(world.birth)}).encode()
    signed = signing.headers(body, method="POST", target="/api/national-portal/dossiers/KHAC/supplements/")
    answer = client.post(f"/api/national-portal/dossiers/{filed.national_code}/supplements/", body,
                         content_type="application/json", HTTP_X_TIMESTAMP=signed["X-Timestamp"],
                         HTTP_X_SIGNATURE=signed["X-Signature"])
    assert (answer.status_code, answer.json()["code"]) == (401, "bad_signature")
    assert not filed.attachments.filter(kind=AttachmentKind.SUPPLEMENT).exists()


def test_the_guidance_form_names_the_national_code(client, world, filed, django_capture_on_commit_callbacks):
    """Mẫu 02 of a national-portal dossier (no code of ours before reception) names it by its national code,
    and the SMS too."""
    from dossiers.tests.pdftext import pdf_text, squeeze
    from notifications.models import SmsMessage

    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_guide(dossier=filed, actor=world.reception, reason="Tờ khai chưa ký.")
    client.force_login(world.reception)
    response = client.get(f"/ho-so/{filed.pk}/mau-02.pdf")
    assert response.status_code == 200 and filed.national_code in response["Content-Disposition"]
    flat = squeeze(pdf_text(response.content, name="form02-national"))
    assert f"mã hồ sơ trên Cổng Dịch vụ công quốc gia {filed.national_code}" in flat
    assert SmsMessage.objects.filter(body__startswith=f"{filed.national_code}:").exists()
