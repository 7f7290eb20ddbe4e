import pytest
from rest_framework.test import APIClient

from procedures.models import Procedure, ProcedureVersion, VersionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_public_list_search_and_filters(api, catalogue):
    body = api.get("/api/procedures/", {"q": "dang ky khai sinh"}).json()
    assert body["results"][0]["code"] == "1.001193"
    assert body["results"][0]["field"] == {"code": "HT", "name": "Hộ tịch"}
    body = api.get("/api/procedures/", {"level": "province"}).json()
    assert [p["code"] for p in body["results"]] == ["2.000505"]
    assert api.get("/api/procedures/", {"field": "XD"}).json()["count"] == 1
    assert api.get("/api/procedures/", {"level": "district"}).status_code == 400
    assert api.get("/api/procedures/", {"agency": "NOPE"}).status_code == 400


def test_public_detail_has_versions_channels_documents_steps(api, catalogue):
    body = api.get("/api/procedures/2.000575/").json()
    current = body["current_version"]
    assert current["decision_number"] == "168/2025/NĐ-CP-DEMO"
    assert [v["status"] for v in body["versions"]] == ["published", "retired"]
    in_person = next(c for c in current["channels"] if c["channel"] == "in_person")
    assert in_person["time_limit"] == "3.00" and in_person["unit"] == "working_days"
    assert [s["step"] for s in in_person["steps"]] == ["reception", "appraisal", "approval", "return"]
    assert current["documents"][0]["name"] == "Giấy đề nghị đăng ký hộ kinh doanh"
    assert api.get("/api/procedures/9.999999/").status_code == 404


@pytest.mark.parametrize("email", [None, "an.nguyen@example.com", "tiepnhan.pleiku@demo.gov.vn"])
def test_writes_are_for_administrators(api, catalogue, demo, email):
    if email:
        api.force_authenticate(demo.user(email))
    response = api.post("/api/procedures/", {"code": "1.222222", "name": "Thử", "field": "HT", "level": "commune"})
    assert response.status_code in (401, 403)
    version = Procedure.objects.get(code="1.001193").versions.get()
    assert api.post(f"/api/procedure-versions/{version.pk}/new-draft/", {"decision_number": "X"}).status_code in (
        401, 403)
    assert not Procedure.objects.filter(code="1.222222").exists()
    assert ProcedureVersion.objects.filter(procedure__code="1.001193").count() == 1


def test_admin_creates_drafts_edits_and_publishes(api, catalogue, demo):
    api.force_authenticate(demo.user("admin@demo.gov.vn"))
    response = api.post("/api/procedures/", {"code": "1.222222", "name": "Thủ tục thử", "field": "HT",
                                             "level": "commune"})
    assert response.status_code == 201
    version = Procedure.objects.get(code="1.001193").versions.get()
    response = api.post(f"/api/procedure-versions/{version.pk}/new-draft/", {"decision_number": "12/QĐ-UBND"})
    assert response.status_code == 201
    draft_id = response.json()["id"]
    response = api.patch(f"/api/procedure-versions/{draft_id}/", {"effective_from": "2027-01-01"}, format="json")
    assert response.status_code == 200
    response = api.post(f"/api/procedure-versions/{draft_id}/publish/")
    assert response.status_code == 200 and response.json()["status"] == "published"
    version.refresh_from_db()
    assert version.status == VersionStatus.RETIRED


def test_editing_a_published_version_is_a_409_with_a_code(api, catalogue, demo):
    api.force_authenticate(demo.user("admin@demo.gov.vn"))
    version = Procedure.objects.get(code="1.001193").versions.get()
    response = api.patch(f"/api/procedure-versions/{version.pk}/", {"result": "khác"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "version_immutable"
    assert "không được sửa" in response.json()["detail"]


def test_bad_input_gets_vietnamese_400(api, catalogue, demo):
    api.force_authenticate(demo.user("admin@demo.gov.vn"))
    response = api.post("/api/procedures/", {"code": "ABC", "name": "X", "field": "HT", "level": "commune"})
    assert response.status_code == 400 and "Mã thủ tục không hợp lệ" in response.json()["detail"]
    response = api.post("/api/procedures/", {"code": "1.333333", "name": "X", "field": "ZZ", "level": "commune"})
    assert response.status_code == 400 and "Không có lĩnh vực mã" in str(response.json())
    assert not Procedure.objects.filter(code__in=["ABC", "1.333333"]).exists()


def test_schema_documents_the_catalogue(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/procedures/" in paths and "/api/procedures/{code}/" in paths
    assert "/api/procedure-versions/{id}/publish/" in paths
