"""Creating a dossier at the desk (`create_at_desk`): the desk page and the API's `desk: true` read their inputs
with one declaration (transition_inputs.DeskCreateInput, through `desk_create`), so both apply the same rules."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dossiers.models import Dossier, DossierFee
from procedures.models import FeeExemption, FeeItem

from .conftest import APPLICANT

pytestmark = pytest.mark.django_db

PAGE = "/ho-so/tiep-nhan/"


def _api(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return api


def _page(world) -> Client:
    client = Client()
    client.force_login(world.reception)
    return client


def _setup(world):
    item = FeeItem.objects.get(channel__version=world.household, channel__channel="in_person")
    ground = FeeExemption.objects.get(code="nguoi-co-cong")
    doc = world.household.documents.get(requirement="required")
    return item, ground, doc


def _page_body(world, doc, **extra):
    return {"version": world.household.pk, "agency": world.pleiku.pk, "channel": "in_person",
            "return_channel": "desk", "applicant_kind": "person", "components": [doc.pk], **APPLICANT, **extra}


def _api_body(world, doc, **extra):
    return {"procedure_version": world.household.pk, "agency": "H21.65", "desk": True, "return_channel": "desk",
            "components": [{"document": doc.pk, "originals": 1}], **APPLICANT, **extra}


def _errors(page) -> list[str]:
    form = page.context["form"]
    return [str(e) for e in form.non_field_errors()] + [str(e) for f in form for e in f.errors]


def test_the_api_applies_a_fee_exemption_at_the_desk_as_the_page_does(world):
    item, ground, doc = _setup(world)
    page = _page(world).post(PAGE, _page_body(world, doc, **{f"exemption_{item.pk}": ground.pk,
                                                             f"exemption_note_{item.pk}": "QĐ 123/QĐ-LĐTBXH"}))
    assert page.status_code == 302
    response = _api(world.reception).post("/api/dossiers/", _api_body(world, doc, exemptions=[
        {"fee": item.pk, "exemption": ground.pk, "note": "QĐ 123/QĐ-LĐTBXH"}]), format="json")
    assert response.status_code == 201, response.json()
    by_page, by_api = Dossier.objects.order_by("pk")
    for d in (by_page, by_api):
        line = DossierFee.objects.get(dossier=d)
        assert (line.exemption, line.exemption_note, line.amount_due) == (ground, "QĐ 123/QĐ-LĐTBXH", 0)
        assert (d.fee_total, d.fee_status) == (0, "")
    assert response.json()["fees"][0]["exemption_name"] == ground.name
    assert by_page.events.get(type="receive").payload["exemptions"] == \
        by_api.events.get(type="receive").payload["exemptions"]


def test_an_exemption_without_its_proof_is_refused_alike(world):
    item, ground, doc = _setup(world)
    page = _page(world).post(PAGE, _page_body(world, doc, **{f"exemption_{item.pk}": ground.pk}))
    response = _api(world.reception).post("/api/dossiers/", _api_body(world, doc, exemptions=[
        {"fee": item.pk, "exemption": ground.pk}]), format="json")
    assert page.status_code == 200 and response.status_code == 400
    assert response.json()["code"] == "exemption_proof_required"
    assert response.json()["detail"] in _errors(page)
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("field", ["components", "presented", "cases"])
def test_an_id_that_is_not_a_number_is_refused_with_the_same_message(world, field):
    _item, _ground, doc = _setup(world)
    page_extra = {"components": [doc.pk, "abc"]} if field == "components" else {field: ["abc"]}
    api_extra = ({"components": [{"document": doc.pk, "originals": 1}, {"document": "abc"}]}
                 if field == "components" else {field: ["abc"]})
    page = _page(world).post(PAGE, _page_body(world, doc, **page_extra))
    response = _api(world.reception).post("/api/dossiers/", _api_body(world, doc, **api_extra), format="json")
    assert page.status_code == 200 and response.status_code == 400
    assert response.json()["detail"] == "Thành phần không thuộc thủ tục này."
    assert _errors(page) == ["Thành phần không thuộc thủ tục này."]  # the page used to drop it silently
    assert not Dossier.objects.exists()


def test_a_count_that_is_not_a_number_is_refused_naming_the_component_on_both(world):
    _item, _ground, doc = _setup(world)
    page = _page(world).post(PAGE, _page_body(world, doc, **{f"originals_{doc.pk}": "hai"}))
    response = _api(world.reception).post("/api/dossiers/", _api_body(
        world, doc, components=[{"document": doc.pk, "originals": "hai"}]), format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_count"
    assert doc.name in response.json()["detail"] and _errors(page) == [response.json()["detail"]]
    assert not Dossier.objects.exists()


def test_the_applicant_is_checked_by_one_rule(world):
    _item, _ground, doc = _setup(world)
    for extra in ({"applicant_id_number": "12345"}, {"applicant_name": "  "}):
        page = _page(world).post(PAGE, _page_body(world, doc, **extra))
        response = _api(world.reception).post("/api/dossiers/", _api_body(world, doc, **extra), format="json")
        assert response.status_code == 400, response.json()
        body = response.json()
        field = body["field"]
        assert page.context["form"].errors[field] == [body["detail"]], (extra, body)
    assert not Dossier.objects.exists()


def test_a_desk_dossier_is_in_person_or_postal_and_returned_at_the_desk_unless_asked(world):
    _item, _ground, doc = _setup(world)
    api = _api(world.reception)
    response = api.post("/api/dossiers/", _api_body(world, doc, channel="online"), format="json")
    assert response.status_code == 400 and response.json()["detail"] == "Hình thức nộp không hợp lệ."
    body = _api_body(world, doc)
    del body["return_channel"]
    assert api.post("/api/dossiers/", body, format="json").status_code == 201
    assert Dossier.objects.get().return_channel == "desk"
