"""Signing what the portal issues and checking signatures, with real certificates made in the test."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import IntegrityError
from pypdf import PdfReader

from accounts.tests.factories import AgencyFactory
from core.errors import DomainError
from signing import checks, config, pdf, services, testing, verify
from signing.models import DocumentStatus, IssuedDocument, SignatureState

HTML = """<html><head><meta charset="utf-8"></head><body style="font-family: 'Liberation Serif'">
<h1>GIẤY TIẾP NHẬN HỒ SƠ</h1><p>Số: {number}</p><p>Xác minh: {url}</p>
<div style="margin-left: 90mm; width: 70mm; height: 22mm" id="chu-ky-so"></div></body></html>"""


def render(number: str):
    return lambda url: pdf.render_html(HTML.format(number=number, url=url))


def issue(agency, ref="dossier:1:receipt", number="000.00.01.H22-261206-0001", **kwargs):
    return services.document_issue(kind="receipt", ref=ref, agency=agency, number=number, render=render(number),
                                   **kwargs)


@pytest.fixture
def agency(db):
    return AgencyFactory(name="Ủy ban nhân dân xã Ia Grai", code="H22.10")


def test_an_agency_with_a_key_issues_a_signed_pdf_that_validates(pki, agency):
    pki.add_agency(agency)
    doc = issue(agency)
    assert doc.signature == SignatureState.AGENCY
    assert doc.signer_name == "Ủy ban nhân dân xã Ia Grai"
    assert doc.cert_issuer.endswith("CA KIEM THU") or "CA KIEM THU" in doc.cert_issuer
    data = doc.file.read()
    import hashlib

    assert hashlib.sha256(data).hexdigest() == doc.sha256 and doc.size == len(data)
    check = verify.check_pdf(data)
    assert check.state == "valid", check.as_dict()
    [s] = check.signatures
    assert s.intact and s.trusted and s.in_validity and s.whole_file and s.ok
    assert s.signer_name == "Ủy ban nhân dân xã Ia Grai"
    # the printed text carries the verification address (what the QR code encodes)
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert f"/xac-minh/{doc.public_id}" in text


def test_pyhankos_own_validation_of_our_file_passes(pki, agency):
    """The same check an outside verifier runs: pyHanko's validator against the province's trust list."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    pki.add_agency(agency)
    doc = issue(agency)
    reader = PdfFileReader(io.BytesIO(doc.file.read()))
    [sig] = reader.embedded_signatures
    status = validate_pdf_signature(sig, ValidationContext(trust_roots=list(config.trust_roots())))
    assert status.bottom_line, status.pretty_print_details()
    assert status.summary() == "INTACT:TRUSTED,UNTOUCHED"


def test_the_visible_stamp_sits_in_the_box_the_form_reserves(pki, agency):
    pki.add_agency(agency)
    rendered = render("1")("https://x/xac-minh/abc")
    assert rendered.box is not None
    doc = issue(agency)
    reader = PdfReader(io.BytesIO(doc.file.read()))
    widgets = [a.get_object() for a in reader.pages[0].get("/Annots", [])]
    [field] = [w for w in widgets if w.get("/FT") == "/Sig"]
    rect = [float(v) for v in field["/Rect"]]
    box = rendered.box
    assert rect == pytest.approx([box.x1, box.y1, box.x2, box.y2], abs=0.5)
    assert rect[2] - rect[0] == pytest.approx(70 / 25.4 * 72, abs=1)  # 70 mm wide, as the form reserved
    assert "/AP" in field  # it has an appearance: the stamp is visible


def test_issuing_twice_returns_the_same_document_and_file(pki, agency):
    pki.add_agency(agency)
    first = issue(agency)
    second = issue(agency)
    assert first.pk == second.pk and IssuedDocument.objects.count() == 1
    with pytest.raises(IntegrityError):
        IssuedDocument.objects.create(kind="receipt", ref="dossier:1:receipt", agency=agency,
                                      issued_at=first.issued_at, sha256="0" * 64, signature="unsigned")


def test_an_agency_without_a_key_issues_an_unsigned_document_that_says_so(pki, agency):
    doc = issue(agency)
    assert doc.signature == SignatureState.UNSIGNED and not doc.is_signed
    assert verify.check_pdf(doc.file.read()).state == "none"


def test_a_newer_version_marks_the_older_one_replaced(pki, agency):
    old = issue(agency, ref="dossier:1:form05:10", replaces_prefix="dossier:1:form05:")
    new = issue(agency, ref="dossier:1:form05:12", replaces_prefix="dossier:1:form05:")
    old.refresh_from_db()
    assert old.status == DocumentStatus.REPLACED and old.replaced_by == new
    assert new.status == DocumentStatus.VALID


def test_a_tampered_file_is_invalid_with_the_reason(pki, agency):
    pki.add_agency(agency)
    data = bytearray(issue(agency).file.read())
    at = data.index(b"/Producer")  # inside the signed bytes of the first revision
    data[at + 1] = ord("Q")
    check = verify.check_pdf(bytes(data))
    [s] = check.signatures
    assert check.state == "invalid" and not s.intact and not s.ok
    assert any("thay đổi sau khi ký" in p for p in s.problems)


def test_content_added_after_the_signature_is_reported(pki, agency):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    pki.add_agency(agency)
    writer = IncrementalPdfFileWriter(io.BytesIO(issue(agency).file.read()))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 50 50 Td (SUA) Tj ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    [s] = verify.check_pdf(out.getvalue()).signatures
    assert s.intact and not s.whole_file and not s.ok
    assert any("không bao trùm toàn bộ tệp" in p for p in s.problems)


def test_a_certificate_from_an_unknown_ca_is_not_trusted(pki, agency):
    cert, key = pki.stranger("Nguyen Van Gia")
    data = testing.sign_pdf(render("1")("u").pdf, cert, key)
    [s] = verify.check_pdf(data).signatures
    assert s.intact and not s.trusted and not s.ok
    assert any("danh sách tin cậy" in p for p in s.problems)


def test_an_expired_certificate_is_invalid_at_signing_time(pki, agency):
    now = dt.datetime.now(dt.UTC)
    cert, key = pki.person("Tran Thi Het Han", not_before=now - dt.timedelta(days=400),
                           not_after=now - dt.timedelta(days=2))
    data = testing.sign_pdf(render("1")("u").pdf, cert, key, chain=[pki.ca_cert])
    [s] = verify.check_pdf(data).signatures
    assert not s.in_validity and not s.ok
    assert any("không có hiệu lực lúc ký" in p for p in s.problems)


def test_a_file_that_is_not_a_pdf_is_unreadable_not_a_crash():
    check = verify.check_pdf(b"%PDF-1.7\nrubbish")
    assert check.state in ("unreadable", "none")
    assert verify.check_pdf(b"hello").state in ("unreadable", "none")


def test_a_key_file_that_is_missing_or_locked_fails_the_start_up_check(pki, agency, monkeypatch):
    pki.add_agency(agency)
    assert checks.signing_configuration() == []
    entry = pki.conf["agencies"][agency.code]
    (pki.root / entry["password_file"]).write_text("wrong")
    config.reset()
    [error] = checks.signing_configuration()
    assert error.id == "signing.E001" and agency.code in error.msg
    with pytest.raises(SystemCheckError):
        call_command("check")
    with pytest.raises(config.SigningUnavailable):  # a clear domain error at the desk, never a 500
        issue(agency)
    assert not IssuedDocument.objects.exists()
    pki.conf["agencies"][agency.code] = {"pkcs12": "keys/missing.p12", "password_env": "NO_SUCH_VARIABLE_X"}
    pki.write()
    [error] = checks.signing_configuration()
    assert "missing.p12" in error.msg
    (pki.root / "keys" / "missing.p12").write_bytes(b"x")
    monkeypatch.delenv("NO_SUCH_VARIABLE_X", raising=False)
    config.reset()
    [error] = checks.signing_configuration()
    assert "NO_SUCH_VARIABLE_X" in error.msg


def test_an_expired_agency_certificate_fails_the_start_up_check(pki, agency):
    now = dt.datetime.now(dt.UTC)
    pki.add_agency(agency, not_after=now - dt.timedelta(hours=1))
    [error] = checks.signing_configuration()
    assert "không còn hiệu lực" in error.msg


def test_the_password_can_come_from_the_environment(pki, agency, monkeypatch):
    pki.add_agency(agency)
    entry = pki.conf["agencies"][agency.code]
    password = (pki.root / entry.pop("password_file")).read_text()
    entry["password_env"] = "SIGNING_TEST_PASSWORD"
    pki.write()
    monkeypatch.setenv("SIGNING_TEST_PASSWORD", password)
    assert issue(agency).signature == SignatureState.AGENCY


def test_revoking_needs_a_reason_and_happens_once(pki, agency, django_user_model):
    doc = issue(agency)
    with pytest.raises(DomainError):
        services.document_revoke(document=doc, actor=None, reason="  ")
    services.document_revoke(document=doc, actor=None, reason="Cấp nhầm")
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.REVOKED and doc.revoked_reason == "Cấp nhầm"
    with pytest.raises(DomainError):
        services.document_revoke(document=doc, actor=None, reason="lần nữa")


def test_registering_a_leaders_certificate(pki, db, django_user_model):
    from signing.democa import der, pem

    user = django_user_model.objects.create_user(email="ld@example.vn", password="x", full_name="Lê Lãnh Đạo")
    cert, _key = pki.person("Le Lanh Dao")
    row = services.officer_certificate_add(user=user, data=pem(cert))
    assert row.user == user and "Le Lanh Dao" in row.subject
    with pytest.raises(DomainError) as exc:
        services.officer_certificate_add(user=user, data=der(cert))
    assert exc.value.code == "certificate_taken"
    with pytest.raises(DomainError) as exc:
        services.officer_certificate_add(user=user, data=b"not a certificate")
    assert exc.value.code == "certificate_unreadable"


def test_the_demo_set_up_is_written_once_and_marked_as_demo(tmp_path, settings):
    from signing import democa

    made = democa.write_demo(tmp_path, [("H22.1", "UBND xã A")], [("leader-1", "Nguyen Van A")])
    assert made["agencies"] == ["H22.1"] and len(made["leaders"]) == 1
    again = democa.write_demo(tmp_path, [("H22.1", "UBND xã A")], [("leader-1", "Nguyen Van A")])
    assert again == {"agencies": [], "leaders": []}
    settings.SIGNING_CONFIG = str(tmp_path / "signing.json")
    config.reset()
    try:
        assert config.load().demo and config.problems() == []
        assert oct(os.stat(tmp_path / "keys" / "demo-root-ca.key").st_mode)[-3:] == "600"
    finally:
        config.reset()


def test_a_check_inside_a_running_event_loop_still_works(pki, agency):
    """pyHanko uses asyncio.run: called from async code, the check runs in a worker thread."""
    import asyncio

    pki.add_agency(agency)
    data = issue(agency).file.read()

    async def inside():
        return verify.check_pdf(data)

    assert asyncio.run(inside()).state == "valid"
