"""The e-receipt is an issued document (#19): signed with the collecting agency's key, with the QR code of its
verification page, issued once; a key that cannot be used leaves the payment recorded and the receipt page
says what is wrong, without a 500 and without a half-issued receipt."""

import io
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from dossiers.tests.pdftext import pdf_text, squeeze
from payments import services
from payments.models import Payment
from signing import verify
from signing.models import DocumentKind, IssuedDocument, SignatureState

from .conftest import at

pytestmark = pytest.mark.django_db


def _download(client, payment) -> bytes:
    response = client.get(reverse("payments:receipt", args=[payment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def _pay(world, received, capture):
    with capture(execute=True):
        return services.payment_record_desk(dossier=received(), actor=world.reception, method="cash",
                                            at=at(2026, 3, 2, 9, 5))


def test_the_e_receipt_is_signed_by_the_collecting_agency_once(world, received, client, pki,
                                                               django_capture_on_commit_callbacks):
    pki.add_agency(world.pleiku)
    payment = _pay(world, received, django_capture_on_commit_callbacks)
    doc = IssuedDocument.objects.get(kind=DocumentKind.E_RECEIPT, ref=f"payment:{payment.pk}")
    assert doc.agency == world.pleiku and doc.number == payment.receipt_number == "BL26-H21.65-000001"
    client.force_login(world.reception)
    data = _download(client, payment)
    assert data == doc.file.read() and _download(client, payment) == data
    assert IssuedDocument.objects.filter(kind=DocumentKind.E_RECEIPT).count() == 1
    check = verify.check_pdf(data)
    assert check.state == "valid", check.as_dict()
    assert check.signatures[0].signer_name == world.pleiku.name and doc.signature == SignatureState.AGENCY
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\n", "")
    assert f"/xac-minh/{doc.public_id}" in text
    flat = squeeze(pdf_text(data, name="issued-e-receipt"))
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ" in flat and "Quét mã QR hoặc truy cập" in flat


def test_without_a_key_the_e_receipt_is_issued_unsigned_with_its_qr_code(world, received, client, pki,
                                                                         django_capture_on_commit_callbacks):
    payment = _pay(world, received, django_capture_on_commit_callbacks)
    doc = IssuedDocument.objects.get(kind=DocumentKind.E_RECEIPT, ref=f"payment:{payment.pk}")
    client.force_login(world.reception)
    data = _download(client, payment)
    assert doc.signature == SignatureState.UNSIGNED and verify.check_pdf(data).state == "none"
    assert f"/xac-minh/{doc.public_id}" in squeeze(pdf_text(data))


def test_a_key_that_cannot_be_used_keeps_the_payment_and_says_so(world, received, client, pki, settings,
                                                                django_capture_on_commit_callbacks):
    pki.add_agency(world.pleiku)
    entry = pki.conf["agencies"][world.pleiku.code]
    (pki.root / entry["password_file"]).write_text("wrong")
    pki.write()
    client.force_login(world.reception)
    d = received()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("payments:pay_desk", args=[d.pk]), {"method": "cash"})
    assert response.status_code == 302  # the payment is recorded: the receipt waits for the key
    payment = Payment.objects.get(dossier=d)
    assert payment.status == "paid" and not payment.receipt_pdf
    response = client.get(reverse("payments:receipt", args=[payment.pk]))
    detail = reverse("dossiers:detail", args=[d.pk])
    assert response.status_code == 302 and response["Location"] == detail + "#phi-le-phi"
    assert "Không mở được tệp khóa ký số của cơ quan H21.65" in client.get(detail).content.decode()
    assert not IssuedDocument.objects.exists() and not list(Path(settings.MEDIA_ROOT).glob("issued/**/*.pdf"))
