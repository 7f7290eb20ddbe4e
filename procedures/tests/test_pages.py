import pytest
from django.core.files.base import ContentFile

from procedures.models import RequiredDocument

pytestmark = pytest.mark.django_db


def test_list_page_searches_without_accents(client, catalogue):
    page = client.get("/thu-tuc/", {"q": "giay phep xay dung"}).content.decode()
    assert "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ" in page
    assert "Tìm thấy 1 thủ tục" in page


def test_htmx_request_gets_only_the_results(client, catalogue):
    response = client.get("/thu-tuc/", {"q": "khai sinh"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "Thủ tục đăng ký khai sinh" in html


def test_paging(client, catalogue, monkeypatch):
    monkeypatch.setattr("procedures.views.PAGE_SIZE", 2)
    page1 = client.get("/thu-tuc/").content.decode()
    assert "Trang 1/2" in page1 and "page=2" in page1
    page2 = client.get("/thu-tuc/", {"page": 2}).content.decode()
    assert "Trang 2/2" in page2
    assert client.get("/thu-tuc/", {"page": "abc"}).status_code == 200


def test_detail_page_shows_the_published_record(client, catalogue):
    page = client.get("/thu-tuc/2.000505/").content.decode()
    assert "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam" in page
    assert "200.000 đồng" in page and "30.000 đồng" in page
    assert "Dịch vụ bưu chính" in page and "Cước bưu chính" in page
    assert "Nộp hồ sơ trực tuyến" in page  # online_level full
    page = client.get("/thu-tuc/1.001193/").content.decode()
    assert "Trong ngày" in page and "Miễn" in page and "Luật Hộ tịch" in page
    assert "Trường hợp sinh con theo phương pháp khoa học" in page


def test_detail_history_lists_versions(client, catalogue):
    page = client.get("/thu-tuc/2.000575/").content.decode()
    assert "Các phiên bản" in page and "1523/QĐ-BKHĐT" in page


def test_unknown_code_is_404(client, db):
    assert client.get("/thu-tuc/9.999999/").status_code == 404


def test_template_download(client, catalogue):
    doc = RequiredDocument.objects.filter(version__procedure__code="1.001193").first()
    doc.template_file.save("to-khai-khai-sinh.docx", ContentFile(b"PK\x03\x04 mau"))
    response = client.get(f"/thu-tuc/mau/{doc.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"PK\x03\x04 mau"
    assert "to-khai-khai-sinh" in response["Content-Disposition"]
    other = RequiredDocument.objects.exclude(pk=doc.pk).first()
    assert client.get(f"/thu-tuc/mau/{other.pk}/").status_code == 404
