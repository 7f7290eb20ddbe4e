"""Every form a desk hands out is an issued document (#19): signed with the issuing agency's key, carrying the
QR code of its verification page, issued once (the same file served again), a newer version replacing the
older one; without a key it is still issued (unsigned, with its QR code); a key that cannot be used is a
message on the officer's page, never a 500, and leaves nothing behind; a masked view copy is not issued."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from dossiers import routing, services
from dossiers.lateness import letters
from dossiers.lateness.sweep import sweep_deadlines
from dossiers.models import ApologyLetter, ApologyReason, Dossier, LetterStatus
from signing import verify
from signing.models import DocumentKind, DocumentStatus, IssuedDocument, SignatureState

from .conftest import APPLICANT, at
from .pdftext import pdf_text, squeeze
from .test_reception_anywhere import _received as received_for_department
from .test_reception_anywhere import route  # noqa: F401 - the fixture
from .transitions_helper import desk_submitted

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _get(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/pdf"
    return response.content if hasattr(response, "content") and not response.streaming \
        else b"".join(response.streaming_content)


def assert_issued(data: bytes, *, kind: str, ref: str, agency, signed: bool = True, name: str = "") -> IssuedDocument:
    """The served file is the one issued document of (kind, ref), signed by `agency` (or not), with the
    address of its verification page printed on it."""
    doc = (IssuedDocument.objects.get(kind=kind, ref__startswith=ref, status="valid") if ref.endswith(":")
           else IssuedDocument.objects.get(kind=kind, ref=ref))
    assert doc.agency == agency
    with doc.file.open("rb") as handle:
        assert handle.read() == data  # exactly the stored file
    check = verify.check_pdf(data)
    if signed:
        assert check.state == "valid", check.as_dict()
        [signature] = check.signatures
        assert signature.signer_name == agency.name and doc.signature == SignatureState.AGENCY
    else:
        assert check.state == "none" and doc.signature == SignatureState.UNSIGNED
    text = squeeze(pdf_text(data, name=name))
    assert f"/xac-minh/{doc.public_id}" in _text(data).replace("\n", "")
    assert "Quét mã QR hoặc truy cập" in text and "để xác minh văn bản" in text
    return doc


def _twice(client, url, **kwargs) -> tuple[bytes, IssuedDocument]:
    first = _get(client, url)
    doc = assert_issued(first, **kwargs)
    assert _get(client, url) == first  # the same file again
    assert IssuedDocument.objects.filter(kind=kwargs["kind"]).count() == 1
    return first, doc


def _break_key(pki, agency):
    """The agency's key is named in the configuration but its password is wrong (a token that fails)."""
    pki.add_agency(agency)
    entry = pki.conf["agencies"][agency.code]
    (pki.root / entry["password_file"]).write_text("wrong")
    pki.write()


def _issued_files(settings) -> list:
    from pathlib import Path

    root = Path(settings.MEDIA_ROOT) / "issued"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# -- Mẫu 01 ---------------------------------------------------------------------------------------------------------

def test_the_receipt_is_signed_by_the_receiving_desk_once(client, world, pki):
    pki.add_agency(world.pleiku)
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, 10), **APPLICANT)
    client.force_login(world.reception)
    data, doc = _twice(client, reverse("dossiers:receipt", args=[d.pk]), kind=DocumentKind.RECEIPT,
                       ref=f"dossier:{d.pk}:receipt:", agency=world.pleiku, name="issued-receipt")
    assert doc.number == d.code
    text = squeeze(pdf_text(data))
    assert "Tra cứu tình trạng hồ sơ" in text and f"code={d.code}" in text  # the tracking QR is still there
    assert "Mẫu số 01" in text and APPLICANT["applicant_name"] in text


def test_a_receipt_printed_after_the_appointment_moved_is_a_new_one_replacing_the_old(client, world, pki):
    """The receipt states the appointment: once it moves (a calendar change, a supplement received), the
    next print states the new date and the first one's verification page says it was replaced."""
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, 10), **APPLICANT)
    client.force_login(world.reception)
    url = reverse("dossiers:receipt", args=[d.pk])
    first = _get(client, url)
    Dossier.objects.filter(pk=d.pk).update(due_at=d.due_at + dt.timedelta(days=1))
    second = _get(client, url)
    assert second != first and _get(client, url) == second
    old, new = IssuedDocument.objects.filter(kind=DocumentKind.RECEIPT).order_by("id")
    assert old.status == "replaced" and old.replaced_by == new and new.status == "valid"
    moved = timezone.localtime(d.due_at + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    assert moved in squeeze(pdf_text(second))


def test_without_a_key_the_receipt_is_issued_unsigned_with_its_qr_code(client, world, pki):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, 10), **APPLICANT)
    client.force_login(world.reception)
    _twice(client, reverse("dossiers:receipt", args=[d.pk]), kind=DocumentKind.RECEIPT,
           ref=f"dossier:{d.pk}:receipt:", agency=world.pleiku, signed=False)


def test_a_key_that_cannot_be_used_is_a_message_and_nothing_is_issued(client, world, pki, settings):
    _break_key(pki, world.pleiku)
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, 10), **APPLICANT)
    client.force_login(world.reception)
    detail = reverse("dossiers:detail", args=[d.pk])
    for url in (reverse("dossiers:receipt", args=[d.pk]), reverse("dossiers:form", args=[d.pk, "05"])):
        response = client.get(url, HTTP_REFERER=f"http://testserver{detail}#in")
        assert response.status_code == 302 and response["Location"] == f"http://testserver{detail}#in"
        page = client.get(detail).content.decode()
        assert "Không mở được tệp khóa ký số của cơ quan H21.65" in page
    response = client.get(reverse("dossiers:receipt", args=[d.pk]))  # no referer: back to the dossier
    assert response.status_code == 302 and response["Location"] == detail
    assert not IssuedDocument.objects.exists() and _issued_files(settings) == []
    pki.add_agency(world.pleiku)  # the key is fixed: the receipt is issued
    assert verify.check_pdf(_get(client, reverse("dossiers:receipt", args=[d.pk]))).state == "valid"


# -- Mẫu 02 / 03 ----------------------------------------------------------------------------------------------------

def test_form02_and_form03_are_issued_per_event_they_print(client, world, pki):
    pki.add_agency(world.pleiku)
    client.force_login(world.reception)
    guided = services.dossier_guide(dossier=desk_submitted(world), actor=world.reception,
                                    reason="Thiếu bản sao CCCD.", at=at(2026, 3, 2, 10))
    event = guided.events.get(type="guide")
    data, _doc = _twice(client, reverse("dossiers:form", args=[guided.pk, "02"]), kind=DocumentKind.FORM02,
                        ref=f"dossier:{guided.pk}:form02:{event.pk}", agency=world.pleiku, name="issued-form02")
    assert "Thiếu bản sao CCCD." in squeeze(pdf_text(data)) and "Mẫu số 02" in squeeze(pdf_text(data))
    refused = services.dossier_refuse_at_reception(dossier=desk_submitted(world), actor=world.reception,
                                                   reason="Không thuộc thẩm quyền.", at=at(2026, 3, 2, 11))
    event = refused.events.get(type="refuse_at_reception")
    data, _doc = _twice(client, reverse("dossiers:form", args=[refused.pk, "03"]), kind=DocumentKind.FORM03,
                        ref=f"dossier:{refused.pk}:form03:{event.pk}", agency=world.pleiku, name="issued-form03")
    assert "Không thuộc thẩm quyền." in squeeze(pdf_text(data))


# -- Mẫu 05 ---------------------------------------------------------------------------------------------------------

def test_the_control_sheet_after_another_step_is_a_new_document_replacing_the_old(client, world, pki):
    pki.add_agency(world.pleiku)
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, 10), **APPLICANT)
    client.force_login(world.reception)
    url = reverse("dossiers:form", args=[d.pk, "05"])
    receive = d.events.get(type="receive")
    first, old = _twice(client, url, kind=DocumentKind.CONTROL_SHEET, ref=f"dossier:{d.pk}:form05:{receive.pk}",
                        agency=world.pleiku)
    services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser, at=at(2026, 3, 2, 11))
    assign = d.events.get(type="assign")
    second = _get(client, url)
    new = assert_issued(second, kind=DocumentKind.CONTROL_SHEET, ref=f"dossier:{d.pk}:form05:{assign.pk}",
                        agency=world.pleiku, name="issued-form05")
    assert second != first
    old.refresh_from_db()
    assert old.status == DocumentStatus.REPLACED and old.replaced_by == new and new.status == DocumentStatus.VALID
    assert _get(client, url) == second and IssuedDocument.objects.filter(kind=DocumentKind.CONTROL_SHEET).count() == 2
    page = client.get(reverse("signing:verify", args=[old.public_id])).content.decode()
    assert new.public_id in page  # the old sheet's page points to the one that replaced it


def test_the_masked_control_sheet_is_a_view_copy_not_an_issued_document(client, world, pki, demo):
    pki.add_agency(world.pleiku)
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, 10), **APPLICANT)
    client.force_login(demo.user("noivu@demo.gov.vn"))
    data = _get(client, reverse("dossiers:form", args=[d.pk, "05"]))
    text = squeeze(pdf_text(data, name="view-copy-form05"))
    assert "Bản xem — không phải văn bản ban hành" in text and "N. V. A." in text
    assert APPLICANT["applicant_name"] not in text and "/xac-minh/" not in text and "Quét mã QR" not in text
    assert verify.check_pdf(data).state == "none" and not IssuedDocument.objects.exists()


# -- Mẫu 04 ---------------------------------------------------------------------------------------------------------

def _late(world):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, 10), **APPLICANT)
    services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser, at=at(2026, 3, 2, 10))
    sweep_deadlines(now=at(2026, 3, 9, 9))
    return d, d.apology_letters.get(status=LetterStatus.DRAFT)


def test_the_apology_letter_is_issued_signed_and_the_draft_is_not(client, world, pki,
                                                                   django_capture_on_commit_callbacks):
    pki.add_agency(world.pleiku)
    d, letter = _late(world)
    client.force_login(world.approver)
    url = reverse("dossiers:apology_pdf", args=[d.pk, letter.pk])
    draft = _get(client, url)
    assert "DỰ THẢO" in pdf_text(draft) and "/xac-minh/" not in _text(draft)
    assert verify.check_pdf(draft).state == "none" and not IssuedDocument.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        letter = letters.apology_letter_issue(letter=letter, actor=world.approver, at=at(2026, 3, 9, 10),
                                              reason_kind=ApologyReason.CONSULTATION, new_due="2026-03-12")
    letter.refresh_from_db()
    stored = letter.pdf.read()
    data, doc = _twice(client, url, kind=DocumentKind.APOLOGY, ref=f"apology:{letter.pk}", agency=letter.agency,
                       name="issued-form04")
    assert data == stored and doc.number == letter.number and letter.number in squeeze(pdf_text(data))
    assert "DỰ THẢO" not in pdf_text(data)
    public = client.get(reverse("dossiers:track_apology_pdf", args=[letter.pk]), {"code": d.code, "pin": d.pin})
    assert b"".join(public.streaming_content) == stored


def test_an_apology_letter_cannot_be_issued_with_a_key_that_cannot_be_used(client, world, pki, settings):
    _break_key(pki, world.pleiku)
    d, letter = _late(world)
    client.force_login(world.approver)
    response = client.post(reverse("dossiers:apology_update", args=[d.pk, letter.pk]), {
        "do": "issue", "reason_kind": "consultation", "new_due": "2026-03-12"}, follow=True)
    assert response.status_code == 200
    assert "Không mở được tệp khóa ký số của cơ quan H21.65" in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT and not letter.number and not letter.pdf
    assert not IssuedDocument.objects.exists() and _issued_files(settings) == []


def test_an_issued_letter_whose_key_broke_before_its_pdf_says_so(client, world, pki, settings,
                                                                   django_capture_on_commit_callbacks):
    d, letter = _late(world)
    with django_capture_on_commit_callbacks(execute=False):  # issued; its PDF not made yet
        letters.apology_letter_issue(letter=letter, actor=world.approver, at=at(2026, 3, 9, 10),
                                     reason_kind=ApologyReason.CONSULTATION, new_due="2026-03-12")
    _break_key(pki, world.pleiku)
    client.force_login(world.approver)
    detail = reverse("dossiers:detail", args=[d.pk])
    response = client.get(reverse("dossiers:apology_pdf", args=[d.pk, letter.pk]))
    assert response.status_code == 302 and response["Location"] == detail + "#xin-loi"
    public = client.get(reverse("dossiers:track_apology_pdf", args=[letter.pk]), {"code": d.code, "pin": d.pin})
    body = public.content.decode()  # the public is told to come back, not the key's path or variable name
    assert public.status_code == 503 and "tạm thời chưa tải được" in body and "khóa ký số" not in body
    assert not ApologyLetter.objects.get(pk=letter.pk).pdf
    assert not IssuedDocument.objects.exists() and _issued_files(settings) == []


# -- the hand-over slip ---------------------------------------------------------------------------------------------

def test_the_hand_over_slip_after_a_confirmation_replaces_the_one_before(client, route, pki):  # noqa: F811
    pki.add_agency(route.pleiku)
    d = received_for_department(route)
    h = routing.handover_send(dossier=d, actor=route.desk, kind="dossier", paper=True, carrier="Bưu điện tỉnh",
                              at=at(2026, 3, 2, 10))
    client.force_login(route.desk)
    url = reverse("dossiers:handover_slip", args=[d.pk, h.pk])
    first, old = _twice(client, url, kind=DocumentKind.HANDOVER, ref=f"handover:{h.pk}:sent", agency=route.pleiku)
    assert old.number == f"{d.code}/BG-HS" and "chưa xác nhận" in squeeze(pdf_text(first))
    routing.handover_acknowledge(handover=h, actor=route.dept_desk, at=at(2026, 3, 2, 14, 30))
    second = _get(client, url)
    new = assert_issued(second, kind=DocumentKind.HANDOVER, ref=f"handover:{h.pk}:ack", agency=route.pleiku,
                        name="issued-handover")
    assert "14 giờ 30 phút, ngày 02/03/2026 (Lê Văn Một Cửa)" in squeeze(pdf_text(second))
    old.refresh_from_db()
    assert old.status == DocumentStatus.REPLACED and old.replaced_by == new
    routing.paper_receive(handover=h, actor=route.dept_desk, at=at(2026, 3, 3, 9))
    assert_issued(_get(client, url), kind=DocumentKind.HANDOVER, ref=f"handover:{h.pk}:ack-paper",
                  agency=route.pleiku)
    new.refresh_from_db()
    assert new.status == DocumentStatus.REPLACED
    assert IssuedDocument.objects.filter(kind=DocumentKind.HANDOVER, status=DocumentStatus.VALID).count() == 1
