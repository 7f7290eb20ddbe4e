"""The inputs that made the API answer 500 (issue #15, the fuzzer's findings) are 4xx answers with the shared error
body, change nothing, and the schema describes what the API really answers."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from dossiers.models import Attachment, Dossier, DossierEvent

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def deep(depth: int) -> str:
    return "[" * depth + '"x"' + "]" * depth


def routes(world) -> list[str]:
    return [
        "/api/dossiers/", f"/api/dossiers/{world.draft.pk}/", f"/api/dossiers/{world.draft.pk}/attachments/",
        f"/api/dossiers/{world.desk.pk}/transitions/withdraw/", "/api/dossiers/track/",
        f"/api/attachments/{world.draft.attachments.first().pk}/download/",
        "/api/procedures/", "/api/procedures/1.001193/", f"/api/procedure-versions/{world.new_version.pk}/",
        f"/api/procedure-versions/{world.new_version.pk}/publish/",
        f"/api/procedure-versions/{world.birth.pk}/new-draft/",
    ]


def test_options_describes_every_route_for_every_role(api_world, api_as):
    for role in ("citizen", "reception", "administrator"):
        api = api_as(role)
        for url in routes(api_world):
            response = api.options(url)
            assert response.status_code == 200, (role, url, response.content)
            assert response.json()["name"] and "application/json" in response.json()["parses"]


def test_upload_with_a_document_that_is_not_an_id_is_a_400_and_stores_nothing(api_world, api_as):
    draft, api = api_world.draft, api_as("citizen")
    before = Attachment.objects.count()
    url = f"/api/dossiers/{draft.pk}/attachments/"
    response = api.post(url, {"file": SimpleUploadedFile("to-khai.pdf", PDF), "document": "abc"}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "detail": "Mã thành phần hồ sơ (document) phải là một số nguyên.",
                               "field": "document",
                               "errors": {"document": ["Mã thành phần hồ sơ (document) phải là một số nguyên."]}}
    for value in ("1.5", "²", "-3", "99999999999999999999999", str(api_world.household.documents.first().pk)):
        response = api.post(url, {"file": SimpleUploadedFile("a.pdf", PDF), "document": value}, format="multipart")
        assert response.status_code == 400 and response.json()["field"] == "document", (value, response.json())
    assert Attachment.objects.count() == before
    document = draft.procedure_version.documents.first()
    response = api.post(url, {"file": SimpleUploadedFile("a.pdf", PDF), "document": str(document.pk)},
                        format="multipart")
    assert response.status_code == 201 and response.json()["document"] == document.name


def test_deeply_nested_json_is_a_400_in_vietnamese_and_changes_nothing(api_world, api_as):
    desk, version = api_world.desk, api_world.new_version
    dossiers, events, result = Dossier.objects.count(), DossierEvent.objects.count(), version.result
    requests = [
        ("citizen", "post", "/api/dossiers/",
         f'{{"procedure_version": {api_world.birth.pk}, "agency": "H21.65", "applicant_name": %s}}'),
        ("reception", "post", f"/api/dossiers/{desk.pk}/transitions/withdraw/", '{"reason": %s}'),
        ("administrator", "patch", f"/api/procedure-versions/{version.pk}/", '{"result": %s}'),
    ]
    for role, method, url, template in requests:
        for depth in (33, 5000):  # past the limit; deep enough for a RecursionError in the json module
            response = getattr(api_as(role), method)(url, template % deep(depth), content_type="application/json")
            assert response.status_code == 400, (url, depth, response.content[:200])
            assert response.json() == {"code": "json_too_deep",
                                       "detail": "Dữ liệu JSON lồng nhau quá sâu (tối đa 32 cấp)."}
    response = api_as("citizen").post("/api/dossiers/", "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json() == {"code": "parse_error",
                                                               "detail": "Dữ liệu JSON không hợp lệ."}
    desk.refresh_from_db()
    version.refresh_from_db()
    assert (Dossier.objects.count(), DossierEvent.objects.count(), desk.status, version.result) == (
        dossiers, events, "received", result)


def test_version_dates_outside_1900_to_2099_are_refused(api_world, api_as):
    version, api = api_world.new_version, api_as("administrator")
    original = version.effective_from
    for field in ("effective_from", "effective_to", "decision_date"):
        for value in ("0001-01-01", "9999-12-31"):
            response = api.patch(f"/api/procedure-versions/{version.pk}/", {field: value}, format="json")
            assert response.status_code == 400, (field, value)
            assert response.json()["field"] == field
            assert response.json()["detail"] == "Ngày phải trong khoảng 01/01/1900 – 31/12/2099."
    version.refresh_from_db()
    assert version.effective_from == original


def test_nul_in_the_url_is_a_400_not_a_database_error(api_world, client):
    response = client.get("/api/procedures/", {"agency": "H21\x0065"})
    assert response.status_code == 400
    assert response.json() == {"code": "bad_request", "detail": "Yêu cầu không hợp lệ."}
    page = client.get("/thu-tuc/", {"q": "khai\x00sinh"})
    assert page.status_code == 400 and "Yêu cầu không hợp lệ" in page.content.decode()
    assert client.get("/ho-so/nop/1.001193%00/").status_code == 400


def test_every_error_answer_has_the_shared_body(api_world, api_as):
    response = api_as("citizen").post("/api/dossiers/", {}, format="json")
    body = response.json()
    assert response.status_code == 400 and body["code"] == "invalid" and body["field"] == "procedure_version"
    assert {"procedure_version", "agency", "applicant_name"} <= set(body["errors"])
    assert body["detail"] == body["errors"]["procedure_version"][0]
    response = APIClient().get("/api/dossiers/")
    assert response.status_code == 403 and response.json()["code"] == "not_authenticated"
    response = api_as("citizen").get(f"/api/dossiers/{api_world.desk.pk}/")
    assert response.status_code == 404 and response.json() == {"code": "not_found", "detail": "Không tìm thấy hồ sơ."}
    response = api_as("citizen").get("/api/attachments/abc/download/")  # no API view matches: Django's 404, as JSON
    assert response.status_code == 404 and response.json() == {"code": "not_found", "detail": "Không tìm thấy."}
    response = api_as("reception").post(f"/api/dossiers/{api_world.desk.pk}/transitions/approve/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "transition_not_allowed"


def test_schema_documents_nullable_fields_errors_and_download_types(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    assert components["Event"]["properties"]["actor"]["nullable"] is True
    assert components["Attachment"]["properties"]["document"]["nullable"] is True
    assert set(components["Error"]["required"]) == {"code", "detail"}
    error = {"$ref": "#/components/schemas/Error"}
    paths = schema["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation["responses"]["403"]["content"]["application/json"]["schema"] == error, (path, method)
    codes = {path: {m: set(op["responses"]) for m, op in ops.items()} for path, ops in paths.items()}
    assert {"400", "403", "404", "409"} <= codes["/api/dossiers/{id}/transitions/{name}/"]["post"]
    assert {"400", "403", "409"} <= codes["/api/procedure-versions/{id}/"]["patch"]
    assert "429" in codes["/api/dossiers/track/"]["get"] and "429" not in codes["/api/dossiers/"]["get"]
    download = paths["/api/attachments/{id}/download/"]["get"]["responses"]["200"]["content"]
    assert {"application/pdf", "image/jpeg", "image/png"} <= set(download)
    assert "application/octet-stream" not in download
    upload = paths["/api/dossiers/{id}/attachments/"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert upload["schema"] == {"$ref": "#/components/schemas/AttachmentUpload"}
