"""Pages given dates at the ends of the calendar or ids that are not numbers answer with a message, never a 500."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from core.params import int_param, pk_param
from dossiers.models import Attachment

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OUT_OF_RANGE = "Ngày phải trong khoảng 01/01/1900 – 31/12/2099."
EXTREMES = [{"from": "9999-12-31", "to": "9999-12-31"}, {"from": "0001-01-01", "to": "0001-01-01"}]


def _messages(response) -> list[str]:
    """The messages this response added (then dropped, so the next request of the test starts without them)."""
    found = [str(m) for m in get_messages(response.wsgi_request)]
    response.client.cookies.pop("messages", None)
    return found


@pytest.mark.parametrize("url", ["/ho-so/bao-cao/tre-han/", "/ho-so/so-theo-doi/", "/danh-gia/ket-qua/"])
def test_report_periods_at_the_ends_of_the_calendar_are_refused(api_world, client, url):
    client.force_login(api_world.users["reception"])
    for period in EXTREMES:
        for fmt in ("", "xlsx"):
            response = client.get(url, {**period, "format": fmt})
            assert response.status_code == 302, (period, fmt)
            assert _messages(response) == [OUT_OF_RANGE]


def test_worklist_filters_and_cursor_at_the_ends_of_the_calendar_are_ignored(api_world, client):
    client.force_login(api_world.users["reception"])
    for after in ("0001-01-01T00:00:00+07:00|5", "9999-12-31T23:59:59-07:00|5",
                  "2026-01-01T00:00:00+07:00|99999999999999999999"):
        response = client.get("/ho-so/can-xu-ly/", {"from": "0001-01-01", "to": "9999-12-31", "after": after})
        assert response.status_code == 200 and api_world.desk.code in response.content.decode()


@pytest.mark.parametrize("period", [{"from": "0001-01", "to": "0001-01"}, {"from": "9999-12", "to": "9999-12"}])
def test_index_months_at_the_ends_of_the_calendar_fall_back_to_this_year(demo, client, period):
    client.force_login(demo.user("noivu@demo.gov.vn"))
    response = client.get("/chi-so/", period)
    assert response.status_code == 200
    assert any("Kỳ không hợp lệ" in m for m in _messages(response))


def test_upload_page_with_a_component_that_is_not_an_id_stores_nothing(api_world, client):
    draft = api_world.draft
    client.force_login(api_world.users["citizen"])
    before = Attachment.objects.count()
    for value in ("abc", "²", "999999"):
        response = client.post(f"/ho-so/{draft.pk}/tai-len/", {"file": SimpleUploadedFile("a.pdf", PDF),
                                                              "document": value})
        assert response.status_code == 302
        assert _messages(response) == ["Thủ tục của hồ sơ không có thành phần này."]
    assert Attachment.objects.count() == before


def test_desk_and_document_store_pages_take_ids_that_are_not_numbers(api_world, client):
    client.force_login(api_world.users["reception"])
    assert client.get("/ho-so/tiep-nhan/", {"version": "abc"}).status_code == 200
    client.force_login(api_world.users["citizen"])
    response = client.post(f"/kho-du-lieu/dung-lai/{api_world.draft.pk}/", {"component": "abc", "document": "²"})
    assert response.status_code == 302
    assert _messages(response) == ["Hãy chọn thành phần hồ sơ và giấy tờ trong kho."]


def test_id_parameters():
    assert [pk_param(v) for v in ("12", " 7 ", "abc", "²", "1e3", "", None, "-1", "9" * 25)] == [
        12, 7, 0, 0, 0, 0, 0, 0, 0]
    assert (int_param("-1"), int_param("1"), int_param("x")) == (-1, 1, 0)
