"""The dossier API: same services, same gate; session or token authentication."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dossiers import services
from dossiers.models import Dossier
from dossiers.workflow import Status

from .conftest import APPLICANT, at

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_citizen_creates_uploads_and_submits_by_token(world):
    api = token_client(world.citizen)
    response = api.post("/api/dossiers/", {"procedure_version": world.birth.pk, "agency": "H21.65",
                                           "applicant_name": "Nguyễn Văn An"}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["status"] == "draft" and response.json()["available_actions"] == ["submit", "withdraw"]
    response = api.post(f"/api/dossiers/{pk}/transitions/submit/", {}, format="json")
    assert response.status_code == 400 and "Còn thiếu" in response.json()["detail"]
    document = world.birth.documents.get(requirement="required")
    response = api.post(f"/api/dossiers/{pk}/attachments/", {"file": SimpleUploadedFile("tk.pdf", PDF),
                                                             "document": document.pk}, format="multipart")
    assert response.status_code == 201 and response.json()["content_type"] == "application/pdf"
    response = api.post(f"/api/dossiers/{pk}/transitions/submit/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    attachment_id = Dossier.objects.get(pk=pk).attachments.get().pk
    assert b"".join(api.get(f"/api/attachments/{attachment_id}/download/").streaming_content) == PDF


def test_staff_transitions_and_errors_are_coded(world):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, 10), **APPLICANT)
    api = token_client(world.reception)
    response = api.post(f"/api/dossiers/{d.pk}/transitions/assign/", {"appraiser": world.appraiser.pk},
                        format="json")
    assert response.status_code == 200 and response.json()["status"] == "in_appraisal"
    response = api.post(f"/api/dossiers/{d.pk}/transitions/approve/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "transition_not_allowed"
    response = api.post(f"/api/dossiers/{d.pk}/transitions/withdraw/", {"expected_status": "received",
                                                                        "reason": "x"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "stale_dossier"
    other = token_client(world.other_reception)
    assert other.get(f"/api/dossiers/{d.pk}/").status_code == 404
    assert other.get("/api/dossiers/").json()["results"] == []
    appraiser = token_client(world.appraiser)
    response = appraiser.post(f"/api/dossiers/{d.pk}/transitions/request_supplement/", {}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "reason_required"
    d.refresh_from_db()
    assert d.status == Status.IN_APPRAISAL


def test_list_filters_and_detail_timeline(world):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        **APPLICANT)
    api = token_client(world.reception)
    body = api.get("/api/dossiers/", {"status": "received"}).json()
    assert [r["code"] for r in body["results"]] == [d.code]
    assert api.get("/api/dossiers/", {"status": "returned"}).json()["results"] == []
    detail = api.get(f"/api/dossiers/{d.pk}/").json()
    assert [e["type"] for e in detail["events"]] == ["create_at_desk", "receive"]
    assert detail["applicant_id_number"] == "064090000123"
    assert (detail["fee_total"], detail["fee_status"]) == (100000, "unpaid")
    assert detail["fees"] == [{"name": "Lệ phí đăng ký hộ kinh doanh", "amount": 100000, "exemption_name": "",
                               "exemption_percent": 0, "amount_due": 100000, "refundable": True}]


def test_public_tracking_api(world):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        **APPLICANT)
    api = APIClient()
    body = api.get("/api/dossiers/track/", {"code": d.code, "pin": d.pin}).json()
    assert body["applicant_initials"] == "N. V. A." and body["status"] == "received"
    assert "Nguyễn" not in str(body)
    assert api.get("/api/dossiers/track/", {"code": d.code, "pin": "12345"}).status_code == 404


def test_anonymous_gets_nothing(world):
    api = APIClient()
    assert api.get("/api/dossiers/").status_code in (401, 403)
    assert api.post("/api/dossiers/", {}, format="json").status_code in (401, 403)


def test_bad_phone_through_the_api_is_refused(world):
    api = token_client(world.reception)
    response = api.post("/api/dossiers/", {"procedure_version": world.household.pk, "agency": "H21.65", "desk": True,
                                           "applicant_name": "A", "applicant_phone": "12345"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_phone"
    assert Dossier.objects.count() == 0
