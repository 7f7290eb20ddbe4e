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


@pytest.fixture
def birth_docs(world):
    """The birth registration's components, with a conditional one and a paper only shown for comparison."""
    from procedures.models import RequiredDocument, Requirement

    version = world.birth
    RequiredDocument.objects.create(version=version, order=5, name="Văn bản ủy quyền được chứng thực", originals=1,
                                    copies=0, requirement=Requirement.CONDITIONAL,
                                    condition="Nộp qua người được ủy quyền")
    RequiredDocument.objects.create(version=version, order=6, name="Giấy tờ tùy thân của người đi đăng ký",
                                    originals=0, copies=0, requirement=Requirement.PRESENT)
    docs = list(version.documents.all())
    kinds = {k: [d for d in docs if d.requirement == k] for k in ("required", "conditional", "present")}
    assert all(kinds.values())
    return kinds


def _desk(world, **extra):
    return {"procedure_version": world.birth.pk, "agency": "H21.65", "desk": True, "return_channel": "desk",
            "applicant_name": "Lê Văn Tư", **extra}


def test_the_desk_through_the_api_records_counts_shown_papers_and_cases(world, birth_docs):
    from dossiers.models import DossierComponent

    required, proxy, shown = birth_docs["required"], birth_docs["conditional"][-1], birth_docs["present"][0]
    counted = [{"document": d.pk, "originals": 2, "copies": 1} for d in required]
    counted.append({"document": proxy.pk, "originals": 1})
    response = token_client(world.reception).post("/api/dossiers/", _desk(
        world, components=counted, presented=[shown.pk], cases=[proxy.pk]), format="json")
    assert response.status_code == 201, response.json()
    d = Dossier.objects.get()
    rows = {c.document_id: c for c in DossierComponent.objects.filter(dossier=d)}
    for doc in required:
        assert (rows[doc.pk].originals, rows[doc.pk].copies, rows[doc.pk].recorded_by) == (2, 1, world.reception)
    assert rows[proxy.pk].applies and (rows[proxy.pk].originals, rows[proxy.pk].copies) == (1, 0)
    assert rows[shown.pk].presented and not rows[shown.pk].handed_in
    other = [c for c in birth_docs["conditional"] if c.pk != proxy.pk]
    assert all(not rows[c.pk].applies and not rows[c.pk].handed_in for c in other)
    assert set(d.events.get(type="create_at_desk").payload["presented"]) == {shown.name}


def test_the_desk_through_the_api_without_counts_takes_the_procedures_numbers(world, birth_docs):
    response = token_client(world.reception).post("/api/dossiers/", _desk(world), format="json")
    assert response.status_code == 201, response.json()
    d = Dossier.objects.get()
    for doc in birth_docs["required"]:
        row = d.components.get(document=doc)
        assert (row.originals, row.copies) == (doc.originals, doc.copies)


def test_bad_desk_inputs_through_the_api_answer_400_in_vietnamese_and_write_nothing(world, birth_docs):
    from dossiers.models import DossierComponent, DossierEvent

    required, proxy, shown = birth_docs["required"], birth_docs["conditional"][-1], birth_docs["present"][0]
    ok = [{"document": d.pk, "originals": 1} for d in required]
    first = required[0].pk
    rest = ok[1:]
    bad = {
        "negative": ({"components": [{"document": first, "originals": -1}, *rest]}, "invalid_count"),
        "too many": ({"components": [{"document": first, "copies": 100}, *rest]}, "invalid_count"),
        "none counted": ({"components": [{"document": first, "originals": 0, "copies": 0}, *rest]},
                         "count_required"),
        "not a number": ({"components": [{"document": first, "originals": "hai"}, *rest]}, None),
        "missing component": ({"components": rest}, "missing_documents"),
        "unknown id": ({"components": [*ok, {"document": 987654321, "originals": 1}]}, "wrong_document"),
        "twice": ({"components": [*ok, ok[0]]}, None),
        "not a list": ({"components": {"document": first}}, None),
        "not an object": ({"components": [first]}, None),
        "shown not ids": ({"components": ok, "presented": ["một"]}, None),
        "shown paper handed in": ({"components": [*ok, {"document": shown.pk, "originals": 1}]},
                                  "present_not_handed_in"),
        "required shown": ({"components": ok, "presented": [first]}, "not_present_kind"),
        "case not conditional": ({"components": ok, "cases": [first]}, "wrong_document"),
        "case without its paper": ({"components": ok, "cases": [proxy.pk]}, "missing_documents"),
        "unknown case": ({"components": ok, "cases": [987654321]}, "wrong_document"),
        "huge id": ({"components": ok, "presented": [10 ** 30]}, "wrong_document"),
    }
    api = token_client(world.reception)
    for label, (extra, code) in bad.items():
        response = api.post("/api/dossiers/", _desk(world, **extra), format="json")
        body = response.json()
        assert response.status_code == 400, (label, body)
        assert code is None or body["code"] == code, (label, body)
        assert any(ch in body["detail"] for ch in "ảạặầẩậẫđếềểệễịốồổộỗơớờởợỡủụưứừửựữ"), (label, body)  # Vietnamese
    citizen = token_client(world.citizen).post("/api/dossiers/", {
        "procedure_version": world.birth.pk, "agency": "H21.65", "applicant_name": "A", "components": ok},
        format="json")
    assert citizen.status_code == 400 and "quầy" in str(citizen.json())
    assert not Dossier.objects.exists() and not DossierComponent.objects.exists()
    assert not DossierEvent.objects.exists()


def test_the_schema_documents_the_desk_inputs(world):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    schemas = schema["components"]["schemas"]
    create = (schemas.get("DossierCreateRequest") or schemas["DossierCreate"])["properties"]
    assert {"components", "presented", "cases"} <= set(create)
    part = (schemas.get("DeskComponentRequest") or schemas["DeskComponent"])["properties"]
    assert {"document", "originals", "copies"} <= set(part) and "99" in part["copies"]["description"]
