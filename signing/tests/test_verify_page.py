"""The public page a QR code opens: identifies the document, never the applicant, and checks a dropped file."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import AgencyFactory
from signing import pdf, services

APPLICANT = "Nguyễn Thị Riêng Tư"
HTML = """<html><head><meta charset="utf-8"></head><body><h1>GIẤY TIẾP NHẬN</h1><p>Người nộp: {name}</p>
<p>{url}</p><div id="chu-ky-so" style="width: 60mm; height: 20mm; margin-left: 100mm"></div></body></html>"""


@pytest.fixture
def document(pki, db):
    agency = AgencyFactory(name="Ủy ban nhân dân xã Ia Grai", code="H22.11")
    pki.add_agency(agency)
    return services.document_issue(kind="receipt", ref="dossier:7:receipt", agency=agency,
                                   number="H22.11-261206-0007",
                                   render=lambda url: pdf.render_html(HTML.format(name=APPLICANT, url=url)))


def test_the_page_identifies_the_document_and_shows_no_personal_data(client, document):
    response = client.get(reverse("signing:verify", args=[document.public_id]))
    assert response.status_code == 200
    page = response.content.decode()
    for shown in ("Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)", "H22.11-261206-0007",
                  "Ủy ban nhân dân xã Ia Grai", document.sha256, "Chữ ký hợp lệ", 'data-testid="doc-valid"'):
        assert shown in page
    assert APPLICANT not in page and "Riêng Tư" not in page


def test_a_dropped_file_is_recognised_or_refused(client, document):
    url = reverse("signing:verify", args=[document.public_id])
    genuine = document.file.read()
    page = client.post(url, {"file": SimpleUploadedFile("a.pdf", genuine, "application/pdf")}).content.decode()
    assert 'data-testid="drop-genuine"' in page and 'data-testid="drop-different"' not in page
    forged = genuine.replace(b"/Producer", b"/Qroducer", 1)
    page = client.post(url, {"file": SimpleUploadedFile("b.pdf", forged, "application/pdf")}).content.decode()
    assert 'data-testid="drop-different"' in page and "Chữ ký không hợp lệ" in page
    page = client.post(url, {"file": SimpleUploadedFile("c.txt", b"hello", "text/plain")}).content.decode()
    assert 'data-testid="drop-different"' in page and "Tệp không phải PDF" in page
    page = client.post(url, {}).content.decode()
    assert 'data-testid="error-summary"' in page


def test_lookup_without_a_code_finds_the_document_by_its_hash(client, document):
    page = client.post(reverse("signing:lookup"),
                       {"file": SimpleUploadedFile("a.pdf", document.file.read(), "application/pdf")}).content.decode()
    assert 'data-testid="lookup-found"' in page and document.public_id in page
    page = client.post(reverse("signing:lookup"),
                       {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 other", "application/pdf")}).content.decode()
    assert 'data-testid="lookup-missing"' in page


def test_revoked_and_replaced_documents_say_so(client, document):
    services.document_revoke(document=document, actor=None, reason="Cấp nhầm người")
    page = client.get(reverse("signing:verify", args=[document.public_id])).content.decode()
    assert 'data-testid="doc-revoked"' in page and "Cấp nhầm người" in page and 'data-testid="doc-valid"' not in page


def test_an_unknown_code_is_a_404(client, db):
    assert client.get(reverse("signing:verify", args=["nope"])).status_code == 404


def test_too_many_checks_from_one_address_are_refused(client, document, monkeypatch):
    from signing import views

    monkeypatch.setattr(views, "CHECKS_PER_10_MIN", 2)
    url = reverse("signing:verify", args=[document.public_id])
    for _ in range(2):
        client.post(url, {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4", "application/pdf")})
    page = client.post(url, {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4", "application/pdf")}).content.decode()
    assert "quá nhiều tệp" in page


def test_dropping_a_revoked_file_without_a_code_says_it_was_revoked(client, document):
    services.document_revoke(document=document, actor=None, reason="Cấp nhầm")
    page = client.post(reverse("signing:lookup"),
                       {"file": SimpleUploadedFile("a.pdf", document.file.read(), "application/pdf")}).content.decode()
    assert 'data-testid="lookup-found"' in page and 'data-testid="lookup-revoked"' in page and "Cấp nhầm" in page


def test_a_missing_stored_file_is_said_not_a_500(client, document):
    document.file.delete(save=False)
    response = client.get(reverse("signing:verify", args=[document.public_id]))
    assert response.status_code == 200 and 'data-testid="stored-missing"' in response.content.decode()


def test_the_stored_check_is_kept_between_visits(client, document, monkeypatch):
    from signing import verify as verification

    url = reverse("signing:verify", args=[document.public_id])
    client.get(url)
    calls = []
    monkeypatch.setattr(verification, "check_pdf", lambda data, **kw: calls.append(1))
    page = client.get(url).content.decode()
    assert calls == [] and "Chữ ký hợp lệ" in page
    # the genuine file dropped on the page is answered from the same check, not parsed again
    page = client.post(url, {"file": SimpleUploadedFile("a.pdf", document.file.read())}).content.decode()
    assert calls == [] and 'data-testid="drop-genuine"' in page
