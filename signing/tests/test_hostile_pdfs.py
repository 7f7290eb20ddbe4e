"""Files made to fool or to exhaust the checker: they are judged, never a 500, never a worker held."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from signing import hanko, pdf, testing, verify

PAGE = '<p>Giấy chứng nhận</p><div id="chu-ky-so" style="width:60mm;height:20mm"></div>'


def _font():
    return DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/Helv"): DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")})})})


def _with_amount_field(value: bytes) -> bytes:
    """A PDF with a filled-in text field (an amount), as an e-form carries."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf.render_html(PAGE).pdf)))
    page = writer.pages[0]
    look = DecodedStreamObject()
    look.set_data(b"BT /Helv 14 Tf 2 8 Td (" + value + b") Tj ET")
    look.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/BBox"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(250),
                                                   NumberObject(30)]),
                 NameObject("/Resources"): _font()})
    field = DictionaryObject({
        NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject("amount"),
        NameObject("/V"): TextStringObject(value.decode()), NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Widget"), NameObject("/F"): NumberObject(4),
        NameObject("/Rect"): ArrayObject([NumberObject(50), NumberObject(50), NumberObject(300), NumberObject(80)]),
        NameObject("/DA"): TextStringObject("/Helv 14 Tf 0 g"),
        NameObject("/AP"): DictionaryObject({NameObject("/N"): writer._add_object(look)}),
        NameObject("/P"): page.indirect_reference})
    ref = writer._add_object(field)
    page[NameObject("/Annots")] = ArrayObject([ref])
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): ArrayObject([ref])})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _change_amount(signed: bytes, value: bytes) -> bytes:
    g = hanko.generic
    writer = hanko.IncrementalPdfFileWriter(io.BytesIO(signed))
    [field] = [r.get_object() for r in writer.root["/AcroForm"]["/Fields"] if r.get_object().get("/FT") == "/Tx"]
    field["/V"] = g.TextStringObject(value.decode())
    look = g.StreamObject({g.NameObject("/Type"): g.NameObject("/XObject"),
                           g.NameObject("/Subtype"): g.NameObject("/Form"),
                           g.NameObject("/BBox"): g.ArrayObject([g.NumberObject(v) for v in (0, 0, 250, 30)]),
                           g.NameObject("/Resources"): field["/AP"]["/N"].get_object()["/Resources"]},
                          stream_data=b"BT /Helv 14 Tf 2 8 Td (" + value + b") Tj ET")
    field["/AP"] = g.DictionaryObject({g.NameObject("/N"): writer.add_object(look)})
    writer.update_container(field)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_form_value_changed_after_signing_is_not_a_whole_file_signature(pki, db):
    cert, key = pki.person("Le Lanh Dao")
    signed = testing.sign_pdf(_with_amount_field(b"So tien: 100.000 dong"), cert, key, chain=[pki.ca_cert])
    assert verify.check_pdf(signed).state == "valid"
    changed = _change_amount(signed, b"So tien: 900.000.000 dong")
    check = verify.check_pdf(changed)
    [s] = check.signatures
    assert check.state == "invalid" and s.intact and not s.whole_file and not s.ok
    assert any("biểu mẫu" in p for p in s.problems)


def test_a_second_valid_signature_after_the_first_keeps_both_whole(pki, db):
    first_cert, first_key = pki.person("Nguoi Ky Thu Nhat")
    second_cert, second_key = pki.person("Nguoi Ky Thu Hai")
    once = testing.sign_pdf(pdf.render_html(PAGE).pdf, first_cert, first_key, chain=[pki.ca_cert], field="Sig1")
    twice = testing.sign_pdf(once, second_cert, second_key, chain=[pki.ca_cert], field="Sig2")
    check = verify.check_pdf(twice)
    assert check.state == "valid", check.as_dict()
    assert [s.whole_file for s in check.signatures] == [True, True]


def test_deeply_nested_objects_are_unreadable_not_a_crash(client, pki, db):
    nested = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /X " + b"[" * 5000 + b"]" * 5000 + \
        b" >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    assert verify.check_pdf(nested).state in ("unreadable", "none")
    response = client.post(reverse("signing:lookup"), {"file": SimpleUploadedFile("x.pdf", nested)})
    assert response.status_code == 200


def test_a_file_with_too_many_signatures_is_not_checked(pki, db, monkeypatch):
    monkeypatch.setattr(verify, "MAX_SIGNATURES", 2)
    cert, key = pki.person("Nguoi Ky")
    data = pdf.render_html(PAGE).pdf
    for n in range(3):
        data = testing.sign_pdf(data, cert, key, chain=[pki.ca_cert], field=f"Sig{n}")
    check = verify.check_pdf(data)
    assert check.state == "unreadable" and "quá nhiều chữ ký" in check.error


@pytest.mark.parametrize("data", [b"%PDF-1.4\n%%EOF",
                                  b"%PDF-1.4\n1 0 obj <</Type/Catalog>> endobj trailer <</Root 1 0 R>>"])
def test_truncated_files_are_judged_without_a_crash(data, pki, db):
    assert verify.check_pdf(data).state in ("unreadable", "none")
