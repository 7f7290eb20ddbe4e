"""A PDF that enters a dossier is checked for digital signatures when it is stored (who signed, whether each
signature is intact, trusted, valid when it was made and covers the whole file); the desk sees the result on
the dossier page before receiving it, the citizen sees it on theirs, the API returns it. The check never
refuses a file."""

from __future__ import annotations

import datetime as dt
import functools
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from dossiers import attachments, services
from dossiers.demo import DEMO_PDF
from dossiers.models import Attachment, SignatureCheckState
from signing import pdf, testing

from .conftest import APPLICANT, PDF, at

pytestmark = pytest.mark.django_db
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
FORM = """<html><head><meta charset="utf-8"></head><body style="font-family: 'Liberation Serif'">
<h1>TỜ KHAI ĐĂNG KÝ KHAI SINH</h1><p>Người yêu cầu: Nguyễn Văn An</p></body></html>"""


@functools.cache
def blank_form() -> bytes:
    return pdf.render_html(FORM).pdf


@pytest.fixture
def draft(world):
    """An's online birth-registration draft (its form takes PDF or JPG)."""
    d = services.dossier_create_draft(citizen=world.citizen, version=world.birth, agency=world.pleiku, **APPLICANT)
    return d, d.procedure_version.documents.get(requirement="required")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(world, draft, data: bytes, name: str = "to-khai.pdf") -> Attachment:
    """The citizen uploads a file through the dossier page."""
    d, document = draft
    response = _client(world.citizen).post(reverse("dossiers:upload", args=[d.pk]), {
        "document": document.pk, "file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Attachment.objects.filter(dossier=d).latest("pk")


def page(user, d) -> str:
    response = _client(user).get(reverse("dossiers:detail", args=[d.pk]))
    assert response.status_code == 200
    return response.content.decode()


def submitted(world, draft):
    d, _document = draft
    return services.dossier_submit(dossier=d, actor=world.citizen, at=at(2026, 3, 2, 8))


def test_a_pdf_signed_by_a_trusted_person_is_valid_and_both_sides_see_who_signed(world, draft, pki):
    cert, key = pki.person("Nguyễn Văn An")
    a = upload(world, draft, testing.sign_pdf(blank_form(), cert, key, chain=[pki.ca_cert]))
    assert a.signature_state == SignatureCheckState.VALID
    [s] = a.signature_report
    assert s["signer_name"] == "Nguyễn Văn An" and s["ok"] and s["whole_file"] and s["problems"] == []
    assert "CA KIEM THU" in s["issuer"] and s["signed_at"]

    mine = page(world.citizen, draft[0])
    assert 'data-testid="sig-valid"' in mine and "Có chữ ký số hợp lệ: Nguyễn Văn An" in mine
    assert 'data-testid="sig-details"' in mine and "Bao trùm toàn bộ tệp" in mine
    assert "theo máy của người ký" in mine  # no timestamp: the signing time is the signer's word

    d = submitted(world, draft)
    desk = page(world.reception, d)
    assert 'data-action="receive"' in desk  # the desk sees it before receiving
    assert "Có chữ ký số hợp lệ: Nguyễn Văn An" in desk and "CA KIEM THU" in desk


def test_a_signature_from_an_untrusted_ca_is_invalid_with_the_reason(world, draft, pki):
    cert, key = pki.stranger("Tran Van La")
    a = upload(world, draft, testing.sign_pdf(blank_form(), cert, key))
    assert a.signature_state == SignatureCheckState.INVALID
    [s] = a.signature_report
    assert not s["trusted"] and s["intact"]
    html = page(world.reception, submitted(world, draft))
    assert 'data-testid="sig-invalid"' in html and "Chữ ký số không hợp lệ" in html
    assert "danh sách tin cậy" in html and 'data-testid="sig-reasons"' in html
    assert 'data-testid="sig-valid"' not in html


def test_a_tampered_signed_pdf_is_invalid(world, draft, pki):
    cert, key = pki.person("Le Thi Sua")
    data = bytearray(testing.sign_pdf(blank_form(), cert, key, chain=[pki.ca_cert]))
    where = data.index(b"/Producer")  # inside the signed bytes
    data[where + 1] = ord("Q")
    a = upload(world, draft, bytes(data))
    assert a.signature_state == SignatureCheckState.INVALID
    [s] = a.signature_report
    assert not s["intact"] and not s["ok"]
    html = page(world.citizen, draft[0])
    assert "thay đổi sau khi ký" in html
    assert "danh sách tin cậy" not in html  # a broken signature's chain is not judged: one true reason
    # the reasons are stored as codes: a reader in English reads them in English
    client = _client(world.citizen)
    client.cookies["portal_language"] = "en"
    english = client.get(reverse("dossiers:detail", args=[draft[0].pk])).content.decode()
    assert "The content was changed after signing" in english and "thay đổi sau khi ký" not in english


def test_a_certificate_expired_before_signing_is_invalid(world, draft, pki):
    now = dt.datetime.now(dt.UTC)
    cert, key = pki.person("Tran Thi Het Han", not_before=now - dt.timedelta(days=400),
                           not_after=now - dt.timedelta(days=2))
    a = upload(world, draft, testing.sign_pdf(blank_form(), cert, key, chain=[pki.ca_cert]))
    assert a.signature_state == SignatureCheckState.INVALID
    [s] = a.signature_report
    assert not s["in_validity"] and not s["ok"]
    assert "không có hiệu lực lúc ký" in page(world.citizen, draft[0])


def test_content_added_after_the_signature_is_not_the_whole_file(world, draft, pki):
    from pyhanko.pdf_utils import generic  # pyHanko only where the test edits a signed file
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    cert, key = pki.person("Pham Van Them")
    writer = IncrementalPdfFileWriter(io.BytesIO(testing.sign_pdf(blank_form(), cert, key, chain=[pki.ca_cert])))
    first = writer.root["/Pages"]["/Kids"][0].get_object()
    first["/Contents"] = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf 50 50 Td (SUA) Tj ET"))
    writer.update_container(first)
    out = io.BytesIO()
    writer.write(out)
    a = upload(world, draft, out.getvalue())
    assert a.signature_state == SignatureCheckState.INVALID
    [s] = a.signature_report
    assert s["intact"] and not s["whole_file"] and not s["ok"]
    html = page(world.citizen, draft[0])
    assert "Không bao trùm toàn bộ tệp" in html and "không bao trùm toàn bộ tệp" in html


def test_an_unsigned_pdf_is_none_without_a_badge(world, draft, pki):
    a = upload(world, draft, blank_form())
    assert (a.signature_state, a.signature_report) == (SignatureCheckState.NONE, [])
    html = page(world.citizen, draft[0])
    assert a.original_name in html
    assert "data-testid=\"sig-" not in html


def test_a_jpeg_has_no_signature_state(world, draft, pki):
    a = upload(world, draft, JPEG, name="to-khai.jpg")
    assert (a.content_type, a.signature_state, a.signature_report) == ("image/jpeg", "", [])
    assert "data-testid=\"sig-" not in page(world.citizen, draft[0])


def test_a_corrupt_pdf_is_unreadable_and_still_stored(world, draft, pki):
    a = upload(world, draft, PDF)  # a PDF header, no cross-reference table
    assert a.is_active and a.file.read() == PDF
    assert (a.signature_state, a.signature_report) == (SignatureCheckState.UNREADABLE, [])
    html = page(world.citizen, draft[0])
    assert 'data-testid="sig-unreadable"' in html and 'data-testid="sig-details"' not in html


def test_a_failing_checker_never_refuses_the_file(world, draft, pki, monkeypatch):
    def broken(data, **kwargs):
        raise RuntimeError("the checker fell over")

    monkeypatch.setattr(attachments, "check_pdf", broken)
    a = upload(world, draft, blank_form())
    assert a.signature_state == SignatureCheckState.UNREADABLE and a.file.read() == blank_form()


def test_the_demo_files_are_readable_pdfs():
    assert attachments.signature_check(DEMO_PDF + b"% an@example.com\n") == ("none", [])


def test_the_api_returns_the_check(world, draft, pki):
    d, document = draft
    cert, key = pki.person("Nguyễn Văn An")
    api = APIClient()
    api.force_authenticate(world.citizen)
    created = api.post(f"/api/dossiers/{d.pk}/attachments/", {
        "file": SimpleUploadedFile("to-khai.pdf", testing.sign_pdf(blank_form(), cert, key, chain=[pki.ca_cert])),
        "document": document.pk}, format="multipart")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["signature_state"] == "valid"
    [s] = body["signature_report"]
    assert s["signer_name"] == "Nguyễn Văn An" and s["ok"] is True and s["problems"] == []
    api.post(f"/api/dossiers/{d.pk}/attachments/", {"file": SimpleUploadedFile("anh.jpg", JPEG),
                                                    "document": document.pk}, format="multipart")
    listed = {f["original_name"]: f for f in api.get(f"/api/dossiers/{d.pk}/").json()["attachments"]}
    assert listed["to-khai.pdf"]["signature_state"] == "valid"
    assert (listed["anh.jpg"]["signature_state"], listed["anh.jpg"]["signature_report"]) == ("", [])

