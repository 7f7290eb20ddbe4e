"""The approved result, signed: with the agency's certificate when the head approves, or by the head on their
own PC with a USB token (the draft with its QR code downloaded, the signed file uploaded and checked);
revoked and replaced; counted as issued electronically only when signed and not revoked. Real certificates
(the `pki` fixture), real PDFs."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from pypdf import PdfReader

from core.errors import DomainError
from dossiers import services
from dossiers.attachments import attachment_add
from dossiers.models import Attachment, Dossier, DossierEvent, MonthlyAgencyStats, ResultDraft
from dossiers.stats import monthly_stats_refresh
from dossiers.workflow import Status
from signing import config, democa, testing
from signing import services as signing_services
from signing.models import DocumentStatus, IssuedDocument, SignatureState
from signing.verify import check_pdf

from .conftest import APPLICANT, at
from .results_helper import result_pdf, result_upload

pytestmark = pytest.mark.django_db


def _awaiting(world, *, result: bytes | None = None, when=None, scanned: bool = False):
    """A dossier proposed for approval with a result PDF on file (`scanned`: every required component too)."""
    from .conftest import attach_required

    when = when or at(2026, 3, 2, 10)
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku, at=when,
                                        **APPLICANT)
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser, at=when)
    if scanned:
        attach_required(d, world.reception)
    d = services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve", at=when)
    attachment_add(dossier=d, actor=world.appraiser, kind="result", upload=result_upload(result))
    return d


def _bytes(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


def _text(data: bytes) -> str:
    """What a reader sees (poppler draws the signature stamp as well), whitespace removed (an address wraps)."""
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True)
    return "".join(done.stdout.decode().split())


def _snapshot(dossier):
    """Everything a refused upload must leave as it was."""
    d = Dossier.objects.get(pk=dossier.pk)
    return (d.status, d.e_result_sha256, d.e_result_document_id, IssuedDocument.objects.count(),
            Attachment.objects.filter(dossier=d, is_active=True).count(), d.events.count(),
            ResultDraft.objects.filter(document__isnull=False).count())


# -- signed on the server, with the agency's certificate --------------------------------------------


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_approving_signs_the_result_with_the_agencys_certificate(world, pki):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    pki.add_agency(world.pleiku)
    draft = result_pdf()
    d = services.dossier_approve(dossier=_awaiting(world, result=draft), actor=world.approver)
    doc = d.e_result_document
    assert doc.kind == "result" and doc.ref == f"dossier:{d.pk}:result:1" and doc.signature == SignatureState.AGENCY
    assert doc.signer_name == world.pleiku.name and doc.number == (d.code or "")
    data = _bytes(doc.file)
    assert hashlib.sha256(data).hexdigest() == doc.sha256 == d.e_result_sha256
    assert data[:len(draft)] == draft  # the approved draft is the first revision of the signed file
    check = check_pdf(data)
    assert check.state == "valid", check.as_dict()
    [sig] = PdfFileReader(io.BytesIO(data)).embedded_signatures
    status = validate_pdf_signature(sig, ValidationContext(trust_roots=list(config.trust_roots())))
    assert status.bottom_line, status.pretty_print_details()
    assert f"/xac-minh/{doc.public_id}" in _text(data)  # printed in the stamp, next to its QR code
    # the stamp: bottom right of the last page, 70 × 24 mm, above the bottom margin
    reader = PdfReader(io.BytesIO(data))
    last = reader.pages[-1]
    [widget] = [a.get_object() for a in last.get("/Annots", []) if a.get_object().get("/FT") == "/Sig"]
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    width = float(last.mediabox.right)
    assert (x2 - x1, y2 - y1) == (pytest.approx(70 / 25.4 * 72, abs=1), pytest.approx(24 / 25.4 * 72, abs=1))
    assert width / 2 < x1 and x2 < width and 0 < y1 < 100
    # the signed file is the dossier's result (the draft kept, inactive) and is on the control sheet
    active = Attachment.objects.get(dossier=d, kind="result", is_active=True)
    assert active.sha256 == doc.sha256 and _bytes(active.file) == data
    assert d.events.get(type="approve").payload["e_result"]["document"] == doc.public_id
    event = d.events.get(type="result_signed")
    assert event.payload["how"] == "agency" and event.payload["public_id"] == doc.public_id


def test_without_a_key_the_result_is_approved_unsigned_and_not_counted_as_signed(world, pki):
    d = services.dossier_approve(dossier=_awaiting(world), actor=world.approver)
    draft = Attachment.objects.get(dossier=d, kind="result")
    assert d.status == Status.APPROVED and d.e_result_document is None
    assert d.e_result_sha256 == draft.sha256 and not IssuedDocument.objects.exists()


def test_a_key_that_cannot_be_used_refuses_the_approval(world, pki):
    pki.add_agency(world.pleiku)
    entry = pki.conf["agencies"][world.pleiku.code]
    (pki.root / entry["password_file"]).write_text("wrong")
    config.reset()
    d = _awaiting(world)
    with pytest.raises(config.SigningUnavailable):
        services.dossier_approve(dossier=d, actor=world.approver)
    d.refresh_from_db()
    assert d.status == Status.AWAITING_APPROVAL and d.e_result_document is None and not IssuedDocument.objects.exists()


# -- signed on the leader's PC (USB token) ----------------------------------------------------------


@pytest.fixture
def leader(world, pki):
    """The head's token: a certificate from the trusted CA, registered to them."""
    cert, key = pki.person("Nguyen Van Lanh Dao")
    signing_services.officer_certificate_add(user=world.approver, data=democa.pem(cert))
    return cert, key


def _sign(pki, data, cert, key):
    return testing.sign_pdf(data, cert, key, chain=[pki.ca_cert])


def test_the_draft_to_sign_carries_the_qr_code_before_it_is_signed(world, pki, leader, client):
    d = _awaiting(world)
    client.force_login(world.approver)
    page = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert 'data-testid="sign-on-pc"' in page and 'data-testid="result-draft"' in page
    response = client.get(reverse("dossiers:result_draft", args=[d.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    prepared = b"".join(response.streaming_content)
    row = ResultDraft.objects.get(dossier=d)
    draft = result_pdf()
    assert hashlib.sha256(prepared).hexdigest() == row.sha256 and prepared.startswith(draft)
    assert f"/xac-minh/{row.public_id}" in "".join(PdfReader(io.BytesIO(prepared)).pages[-1].extract_text().split())
    assert check_pdf(prepared).state == "none"  # not signed: the leader signs it
    again = b"".join(client.get(reverse("dossiers:result_draft", args=[d.pk])).streaming_content)
    assert again == prepared and ResultDraft.objects.count() == 1  # the same bytes every time
    client.force_login(world.appraiser)
    assert client.get(reverse("dossiers:result_draft", args=[d.pk])).status_code == 403


def test_the_leaders_signed_upload_is_accepted_and_approves(world, pki, leader, client):
    cert, key = leader
    d = _awaiting(world)
    prepared = services.result_draft_prepare(dossier=d, actor=world.approver)
    signed = _sign(pki, _bytes(prepared.file), cert, key)
    client.force_login(world.approver)
    response = client.post(reverse("dossiers:result_signed_upload", args=[d.pk]),
                           {"file": result_upload(signed, "da-ky.pdf"), "expected_status": d.status})
    assert response.status_code == 302
    d.refresh_from_db()
    doc = d.e_result_document
    assert d.status == Status.APPROVED and doc.public_id == prepared.public_id
    assert (doc.kind, doc.signature, doc.signer_name) == ("result", SignatureState.OFFICER, world.approver.full_name)
    assert "Nguyen Van Lanh Dao" in doc.cert_subject and _bytes(doc.file) == signed
    assert d.e_result_sha256 == hashlib.sha256(signed).hexdigest() == doc.sha256
    assert d.e_result_signed_by == world.approver
    assert Attachment.objects.get(dossier=d, kind="result", is_active=True).sha256 == doc.sha256
    assert d.events.get(type="result_signed").payload["how"] == "officer"
    assert d.events.get(type="approve").payload["e_result"]["document"] == doc.public_id
    prepared.refresh_from_db()
    assert prepared.document == doc
    page = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert 'data-testid="e-result-document"' in page and doc.public_id in page


def _refused(world, d, data, code):
    before = _snapshot(d)
    with pytest.raises(DomainError) as exc:
        services.result_signed_upload(dossier=d, actor=world.approver, data=data)
    assert exc.value.code == code, exc.value.message
    assert _snapshot(d) == before  # nothing marked signed, nothing approved
    return exc.value.message


def test_bad_uploads_are_refused_with_their_reason_and_nothing_written(world, pki, leader, client):
    cert, key = leader
    d = _awaiting(world)
    prepared = _bytes(services.result_draft_prepare(dossier=d, actor=world.approver).file)
    good = _sign(pki, prepared, cert, key)

    tampered = bytearray(good)
    at_ = tampered.index(b"/Producer")  # inside the bytes the signature covers
    tampered[at_ + 1] = ord("Q")
    assert "thay đổi sau khi ký" in _refused(world, d, bytes(tampered), "signature_invalid")

    stranger_cert, stranger_key = pki.stranger("Nguyen Van Lanh Dao")
    signing_services.officer_certificate_add(user=world.approver, data=democa.pem(stranger_cert))
    assert "danh sách tin cậy" in _refused(world, d, testing.sign_pdf(prepared, stranger_cert, stranger_key),
                                           "signature_invalid")

    now = dt.datetime.now(dt.UTC)
    old_cert, old_key = pki.person("Nguyen Van Lanh Dao", not_before=now - dt.timedelta(days=400),
                                   not_after=now - dt.timedelta(days=1))
    assert "không có hiệu lực" in _refused(world, d, _sign(pki, prepared, old_cert, old_key), "signature_invalid")

    other = _awaiting(world, result=result_pdf(number="002/GCN", name="Hộ kinh doanh Trần Thị Bình"))
    other_draft = _bytes(services.result_draft_prepare(dossier=other, actor=world.approver).file)
    assert "không phải là bản dự thảo" in _refused(world, d, _sign(pki, other_draft, cert, key), "wrong_document")
    # the result as uploaded, without the QR code of the draft prepared for signing, is not that draft either
    assert "không phải là bản dự thảo" in _refused(world, d, _sign(pki, result_pdf(), cert, key), "wrong_document")

    colleague_cert, colleague_key = pki.person("Tran Van Pho")
    signing_services.officer_certificate_add(user=world.appraiser, data=democa.pem(colleague_cert))
    assert "không phải chứng thư số đã đăng ký của bạn" in _refused(
        world, d, _sign(pki, prepared, colleague_cert, colleague_key), "not_your_certificate")

    assert "chưa có chữ ký số" in _refused(world, d, prepared, "not_signed")
    assert "không phải là tệp PDF" in _refused(world, d, b"PK\x03\x04 a zip, not a PDF", "not_a_pdf")

    # through the page: the reason is shown, the dossier still awaits approval
    client.force_login(world.approver)
    response = client.post(reverse("dossiers:result_signed_upload", args=[d.pk]),
                           {"file": result_upload(prepared, "chua-ky.pdf")}, follow=True)
    assert "chưa có chữ ký số" in response.content.decode()
    d.refresh_from_db()
    assert d.status == Status.AWAITING_APPROVAL and not IssuedDocument.objects.exists()
    services.result_signed_upload(dossier=d, actor=world.approver, data=good)  # the right file still goes through
    assert Dossier.objects.get(pk=d.pk).status == Status.APPROVED


def test_a_rewritten_file_is_refused_even_with_the_drafts_text(world, pki, leader):
    """Only an append to the prepared draft is that draft: a rewritten file with the same text can paint over
    the page (here a box over the top of page 1), so it is refused and nothing is approved."""
    from pypdf import PdfWriter
    from pypdf.generic import ContentStream, NameObject

    cert, key = leader
    d = _awaiting(world)
    prepared = _bytes(services.result_draft_prepare(dossier=d, actor=world.approver).file)
    for overlay in (False, True):
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(prepared)))
        if overlay:
            page = writer.pages[0]
            box = ContentStream(None, writer)
            box.set_data(b"q 1 1 1 rg 0 700 600 200 re f Q")
            page[NameObject("/Contents")] = writer._add_object(box)  # the page now shows only a white box
        out = io.BytesIO()
        writer.write(out)
        rewritten = out.getvalue()
        assert not rewritten.startswith(prepared)
        _refused(world, d, _sign(pki, rewritten, cert, key), "wrong_document")
    assert Dossier.objects.get(pk=d.pk).status == Status.AWAITING_APPROVAL


def test_only_the_head_uploads_a_signed_result(world, pki, leader):
    from django.core.exceptions import PermissionDenied

    d = _awaiting(world)
    with pytest.raises(PermissionDenied):
        services.result_draft_prepare(dossier=d, actor=world.appraiser)
    with pytest.raises(PermissionDenied):
        services.result_signed_upload(dossier=d, actor=world.appraiser, data=b"%PDF-1.7")


# -- revoked, replaced ------------------------------------------------------------------------------


def test_the_head_revokes_and_a_new_signed_result_replaces_the_old_one(world, pki, leader, client):
    cert, key = leader
    pki.add_agency(world.pleiku)
    d = services.dossier_approve(dossier=_awaiting(world), actor=world.approver)
    first = d.e_result_document
    # a corrected result, signed on the PC after approval: it replaces the first one
    attachment_add(dossier=d, actor=world.appraiser, kind="result",
                   upload=result_upload(result_pdf(number="001/GCN-sửa")))
    prepared = _bytes(services.result_draft_prepare(dossier=d, actor=world.approver).file)
    d = services.result_signed_upload(dossier=d, actor=world.approver, data=_sign(pki, prepared, cert, key))
    second = d.e_result_document
    first.refresh_from_db()
    assert (first.status, first.replaced_by) == (DocumentStatus.REPLACED, second)
    assert second.ref == f"dossier:{d.pk}:result:2" and second.status == DocumentStatus.VALID
    assert d.status == Status.APPROVED
    # the head revokes it from the dossier page, with a reason
    client.force_login(world.appraiser)
    client.post(reverse("dossiers:result_revoke", args=[d.pk]), {"reason": "Ghi sai tên"})
    second.refresh_from_db()
    assert second.status == DocumentStatus.VALID  # an appraiser cannot
    client.force_login(world.approver)
    page = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert 'data-testid="result-revoke"' in page
    client.post(reverse("dossiers:result_revoke", args=[d.pk]), {"reason": " "})
    second.refresh_from_db()
    assert second.status == DocumentStatus.VALID  # a reason is required
    client.post(reverse("dossiers:result_revoke", args=[d.pk]), {"reason": "Ghi sai tên chủ hộ"})
    second.refresh_from_db()
    assert (second.status, second.revoked_reason, second.revoked_by) == (DocumentStatus.REVOKED, "Ghi sai tên chủ hộ",
                                                                         world.approver)
    event = DossierEvent.objects.get(dossier=d, type="result_revoked")
    assert event.reason == "Ghi sai tên chủ hộ" and event.payload["public_id"] == second.public_id
    assert not Attachment.objects.filter(dossier=d, kind="result", is_active=True).exists()
    verify_page = client.get(reverse("signing:verify", args=[second.public_id])).content.decode()
    assert 'data-testid="doc-revoked"' in verify_page
    # signed again with the agency's certificate after a new upload: a new valid result; the revoked one stays so
    attachment_add(dossier=d, actor=world.appraiser, kind="result", upload=result_upload(result_pdf(number="003")))
    client.post(reverse("dossiers:result_sign", args=[d.pk]))
    d.refresh_from_db()
    third = d.e_result_document
    second.refresh_from_db()
    assert third.signature == SignatureState.AGENCY and third.ref.endswith(":3")
    assert second.status == DocumentStatus.REVOKED


# -- the Decision-766 counts ------------------------------------------------------------------------


def test_only_signed_not_revoked_results_count_as_issued_electronically(world, pki, leader):
    cert, key = leader
    march = at(2026, 3, 1).date()

    def finished(how: str):
        d = _awaiting(world, when=at(2026, 3, 2, 10), scanned=True)  # digitised if the result is electronic
        if how == "agency":
            pki.add_agency(world.pleiku)
            d = services.dossier_approve(dossier=d, actor=world.approver, at=at(2026, 3, 3, 10))
            del pki.conf["agencies"][world.pleiku.code]
            pki.write()
        elif how == "officer":
            prepared = _bytes(services.result_draft_prepare(dossier=d, actor=world.approver).file)
            d = services.result_signed_upload(dossier=d, actor=world.approver, data=_sign(pki, prepared, cert, key),
                                              at=at(2026, 3, 3, 10))
        else:
            d = services.dossier_approve(dossier=d, actor=world.approver, at=at(2026, 3, 3, 10))
        return services.dossier_resolve(dossier=d, actor=world.appraiser, at=at(2026, 3, 3, 14))

    finished("agency")
    finished("officer")
    finished("unsigned")  # approved without a key: a PDF on file, no signature
    revoked = finished("agency")
    services.result_revoke(dossier=revoked, actor=world.approver, reason="Cấp nhầm")
    monthly_stats_refresh(first=march, last=march, now=at(2026, 4, 2))
    row = MonthlyAgencyStats.objects.get(agency=world.pleiku, month=march)
    assert (row.finished, row.dossiers_e_result, row.dossiers_digitized) == (4, 2, 2)
