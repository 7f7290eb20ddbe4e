"""A transition's inputs are declared once (dossiers.transition_inputs) and checked by one rule, whether they
come from the dossier page's form or the API's JSON body.

Each test below is a place where the page and the API used to differ (issue #16), and shows that they now
agree: the same data is accepted or refused by both, with the same message."""

from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from rest_framework.test import APIClient

from dossiers import api, services, transition_inputs
from dossiers.models import DossierFee
from dossiers.workflow import TRANSITIONS, Status
from procedures.models import FeeExemption, FeeItem

from .transitions_helper import desk_submitted, drive

pytestmark = pytest.mark.django_db


def page(client, user, d, name, data):
    """Post the dossier page's action form; the messages it leaves (and the dossier, reloaded)."""
    client.force_login(user)
    response = client.post(reverse("dossiers:action", args=[d.pk, name]), data)
    assert response.status_code == 302
    found = [str(m) for m in get_messages(response.wsgi_request)]
    client.cookies.pop("messages", None)
    d.refresh_from_db()
    return found


def call(user, d, name, data):
    api_client = APIClient()
    api_client.force_authenticate(user)
    response = api_client.post(f"/api/dossiers/{d.pk}/transitions/{name}/", data, format="json")
    d.refresh_from_db()
    return response


def test_every_transition_has_one_input_and_the_api_does_not_read_the_views():
    assert set(transition_inputs.INPUTS) == {t.name for t in TRANSITIONS if t.manual}
    for name, inputs in transition_inputs.INPUTS.items():
        assert inputs.name == name and callable(getattr(services, inputs.service)), name
    source = Path(api.__file__).read_text(encoding="utf-8")
    assert "from .views" not in source and "import views" not in source


def test_without_the_status_seen_both_act(client, world):
    """The page refused a form without `expected_status` ("Dữ liệu gửi lên không hợp lệ"); the API took it as
    optional. Now both take it as optional (a stale one is still refused by both)."""
    by_page, by_api = drive(world, Status.RECEIVED), drive(world, Status.RECEIVED)
    assert page(client, world.reception, by_page, "assign", {"appraiser": world.appraiser.pk}) == [
        "Đã thực hiện: Chuyển chuyên viên thẩm định."]
    assert call(world.reception, by_api, "assign", {"appraiser": world.appraiser.pk}).status_code == 200
    assert by_page.status == by_api.status == Status.IN_APPRAISAL
    assert page(client, world.appraiser, by_page, "propose", {"expected_status": "received", "proposal": "approve"})[
        0].startswith("Hồ sơ vừa được người khác xử lý")
    response = call(world.appraiser, by_api, "propose", {"expected_status": "received", "proposal": "approve"})
    assert response.status_code == 409 and response.json()["code"] == "stale_dossier"


def test_the_consulted_agency_is_an_active_agency_named_by_its_code(client, world, demo):
    """The page took any active agency by id, the API any agency (closed ones too) by code, each with its own
    message when missing. Now both take the code of an active agency."""
    by_page, by_api = drive(world, Status.IN_APPRAISAL), drive(world, Status.IN_APPRAISAL)
    closed = demo.agency("H21.20")
    closed.is_active = False
    closed.save(update_fields=["is_active"])
    reason = {"reason": "Xin ý kiến về địa điểm kinh doanh."}
    for data, message in (({}, "Hãy chọn cơ quan được xin ý kiến."), ({"agency": closed.code}, "Không có cơ quan này."),
                          ({"agency": "KHONG-CO"}, "Không có cơ quan này.")):
        assert page(client, world.appraiser, by_page, "consult", {**reason, **data}) == [message]
        response = call(world.appraiser, by_api, "consult", {**reason, **data})
        assert response.status_code == 400 and response.json()["field"] == "agency"
        assert response.json()["detail"] == message
    assert by_page.status == by_api.status == Status.IN_APPRAISAL
    page(client, world.appraiser, by_page, "consult", {**reason, "agency": world.quynhon.code})
    assert call(world.appraiser, by_api, "consult", {**reason, "agency": world.quynhon.code}).status_code == 200
    assert by_page.status == by_api.status == Status.CONSULTING
    assert by_page.consultations.get().agency == by_api.consultations.get().agency == world.quynhon
    client.force_login(world.appraiser)
    detail = client.get(reverse("dossiers:detail", args=[drive(world, Status.IN_APPRAISAL).pk])).content.decode()
    assert f'<option value="{world.quynhon.code}">' in detail and f'value="{closed.code}"' not in detail


def test_the_tracking_number_has_at_most_40_characters(client, world):
    """The page's form refused a tracking number longer than 40 characters; the API took any length."""
    by_page, by_api = drive(world, Status.RESULT_READY), drive(world, Status.RESULT_READY)
    data = {"how": "postal", "tracking_number": "V" * 41}
    assert len(page(client, world.reception, by_page, "return_result", data)) == 1
    response = call(world.reception, by_api, "return_result", data)
    assert response.status_code == 400 and response.json()["field"] == "tracking_number"
    assert by_page.status == by_api.status == Status.RESULT_READY
    assert not by_page.events.filter(type="return_result").exists()


def test_the_components_mau_02_asks_for_are_taken_by_both(client, world):
    """Only the page passed the components the officer ticked for Mẫu 02 (and a form value such as "²" made it
    answer 500); the API dropped them. Now both pass them, and refuse what is not a component's id."""
    by_page, by_api = desk_submitted(world), desk_submitted(world)
    document = world.household.documents.get(requirement="required")
    reason = {"reason": "Bản chính giấy đề nghị chưa có chữ ký."}
    for bad in ("²", "abc"):
        assert page(client, world.reception, by_page, "guide", {**reason, "components": [bad]}) == [
            "Thành phần không thuộc thủ tục này."]
        response = call(world.reception, by_api, "guide", {**reason, "components": [bad]})
        assert response.status_code == 400 and response.json()["detail"] == "Thành phần không thuộc thủ tục này."
    assert by_page.status == by_api.status == Status.SUBMITTED
    page(client, world.reception, by_page, "guide", {**reason, "components": [document.pk]})
    assert call(world.reception, by_api, "guide", {**reason, "components": [document.pk]}).status_code == 200
    assert by_page.status == by_api.status == Status.GUIDED
    for d in (by_page, by_api):
        assert [row["name"] for row in d.events.get(type="guide").payload["missing"]] == [document.name]


def test_fee_exemptions_at_reception_are_taken_by_both(client, world):
    """Only the page applied the officer's fee exemptions on receiving (and silently dropped one naming a fee of
    another procedure or channel); the API could not apply any. Now both apply them and refuse a wrong fee."""
    by_page, by_api = desk_submitted(world), desk_submitted(world)
    item = FeeItem.objects.get(channel__version=world.household, channel__channel="in_person")
    other = FeeItem.objects.exclude(pk=item.pk).first()
    ground = FeeExemption.objects.get(code="nguoi-co-cong")
    assert page(client, world.reception, by_page, "receive", {f"exemption_{other.pk}": ground.pk,
                                                              f"exemption_note_{other.pk}": "QĐ 1"})[0].startswith(
        "Miễn, giảm đã chọn cho khoản phí của hình thức nộp khác")
    response = call(world.reception, by_api, "receive",
                    {"exemptions": [{"fee": other.pk, "exemption": ground.pk, "note": "QĐ 1"}]})
    assert response.status_code == 400 and response.json()["code"] == "wrong_fee"
    assert by_page.status == by_api.status == Status.SUBMITTED
    page(client, world.reception, by_page, "receive", {f"exemption_{item.pk}": ground.pk,
                                                       f"exemption_note_{item.pk}": "QĐ 123/QĐ-LĐTBXH"})
    response = call(world.reception, by_api, "receive",
                    {"exemptions": [{"fee": item.pk, "exemption": ground.pk, "note": "QĐ 123/QĐ-LĐTBXH"}]})
    assert response.status_code == 200 and response.json()["fee_total"] == 0
    assert by_page.status == by_api.status == Status.RECEIVED
    for d in (by_page, by_api):
        line = DossierFee.objects.get(dossier=d)
        assert (line.exemption, line.exemption_note, line.amount_due, d.fee_total) == (ground, "QĐ 123/QĐ-LĐTBXH",
                                                                                        0, 0)


def test_a_missing_appraiser_proposal_or_return_channel_has_one_message(client, world):
    """The page and the API said it in different words (or the page only "Dữ liệu gửi lên không hợp lệ")."""
    cases = [(Status.RECEIVED, world.reception, "assign", {}, "appraiser", "Hãy chọn chuyên viên thẩm định."),
             (Status.RECEIVED, world.reception, "assign", {"appraiser": 10**9}, "appraiser",
              "Hãy chọn chuyên viên thẩm định."),
             (Status.IN_APPRAISAL, world.appraiser, "propose", {}, "proposal",
              "Đề xuất phải là giải quyết hoặc từ chối."),
             (Status.IN_APPRAISAL, world.appraiser, "propose", {"proposal": "maybe"}, "proposal",
              "Đề xuất phải là giải quyết hoặc từ chối."),
             (Status.RESULT_READY, world.reception, "return_result", {"how": "pigeon"}, "how",
              "Hình thức trả kết quả không hợp lệ.")]
    for status, user, name, data, field, message in cases:
        by_page, by_api = drive(world, status), drive(world, status)
        assert page(client, user, by_page, name, data) == [message], name
        response = call(user, by_api, name, data)
        assert response.status_code == 400 and response.json()["field"] == field, name
        assert response.json()["detail"] == message
        assert by_page.status == by_api.status == status
