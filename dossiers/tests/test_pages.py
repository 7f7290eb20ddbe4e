"""The citizen's and the officer's pages, end to end through the HTTP layer."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Agency, Role, StaffRole, User
from dossiers.models import Attachment, Dossier
from dossiers.workflow import Status

from .conftest import attach_required

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _start(client, world):
    client.force_login(world.citizen)
    response = client.post(reverse("dossiers:start", args=["1.001193"]), {
        "agency": world.pleiku.pk, "return_channel": "online", "applicant_kind": "person",
        "applicant_name": "Nguyễn Văn An", "applicant_id_number": "064090000123", "applicant_phone": "0912345678",
        "applicant_email": "an.nguyen@example.com", "applicant_address": "12 Trần Phú", "applicant_commune": "Pleiku"})
    assert response.status_code == 302
    return Dossier.objects.get()


def _upload(client, dossier, document, content, name):
    return client.post(reverse("dossiers:upload", args=[dossier.pk]),
                       {"document": document.pk, "file": SimpleUploadedFile(name, content)}, follow=True)


def test_citizen_starts_uploads_and_submits(client, world):
    dossier = _start(client, world)
    assert dossier.status == Status.DRAFT and dossier.applicant_phone == "+84912345678"
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Tờ khai đăng ký khai sinh" in page and 'accept=".pdf,.jpg"' in page
    required = dossier.procedure_version.documents.get(requirement="required")
    # Submitting without the required component is refused with the list of what is missing.
    response = client.post(reverse("dossiers:action", args=[dossier.pk, "submit"]),
                           {"expected_status": "draft"}, follow=True)
    assert "Còn thiếu: Tờ khai đăng ký khai sinh" in response.content.decode()
    # A forged type: a PNG named .pdf, into a component that accepts pdf and jpg only.
    response = _upload(client, dossier, required, PNG, "to-khai.pdf")
    assert "nội dung là PNG" in response.content.decode()
    assert Attachment.objects.count() == 0
    response = _upload(client, dossier, required, PDF, "to-khai.pdf")
    attachment = Attachment.objects.get()
    assert attachment.content_type == "application/pdf" and len(attachment.sha256) == 64
    assert attachment.size == len(PDF)
    response = client.post(reverse("dossiers:action", args=[dossier.pk, "submit"]),
                           {"expected_status": "draft"}, follow=True)
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    assert "Đã thực hiện: Nộp hồ sơ" in response.content.decode()


def test_file_too_large_is_refused(client, world, settings):
    settings.DOSSIER_MAX_UPLOAD_MB = 1
    dossier = _start(client, world)
    required = dossier.procedure_version.documents.get(requirement="required")
    response = _upload(client, dossier, required, PDF + b"0" * (1024 * 1024 + 1), "big.pdf")
    assert "vượt giới hạn 1 MB" in response.content.decode()
    assert Attachment.objects.count() == 0


def test_files_are_private(client, world, demo):
    dossier = _start(client, world)
    required = dossier.procedure_version.documents.get(requirement="required")
    _upload(client, dossier, required, PDF, "to-khai.pdf")
    attachment = Attachment.objects.get()
    url = reverse("dossiers:attachment", args=[attachment.pk])
    assert b"".join(client.get(url).streaming_content) == PDF
    client.force_login(demo.user("binh.tran@example.com"))
    assert client.get(url).status_code == 404
    client.force_login(world.other_reception)
    assert client.get(url).status_code == 404
    client.force_login(world.reception)
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302


def test_officer_receives_and_prints_the_receipt(client, world):
    dossier = _start(client, world)
    required = dossier.procedure_version.documents.get(requirement="required")
    _upload(client, dossier, required, PDF, "to-khai.pdf")
    client.post(reverse("dossiers:action", args=[dossier.pk, "submit"]), {"expected_status": "draft"})
    client.force_login(world.reception)
    worklist = client.get(reverse("dossiers:worklist")).content.decode()
    assert "Nguyễn Văn An" in worklist and "Đã nộp, chờ tiếp nhận" in worklist
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert 'data-action="receive"' in page and 'data-action="approve"' not in page
    client.post(reverse("dossiers:action", args=[dossier.pk, "receive"]), {"expected_status": "submitted"})
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and dossier.code.startswith("H21.65-")
    # The same click from a stale page is refused and changes nothing.
    response = client.post(reverse("dossiers:action", args=[dossier.pk, "receive"]),
                           {"expected_status": "submitted"}, follow=True)
    assert "vừa được người khác xử lý" in response.content.decode()
    pdf = client.get(reverse("dossiers:receipt", args=[dossier.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert dossier.code in text and dossier.pin in text and "GIẤY TIẾP NHẬN HỒ SƠ" in text.upper()


def test_tracking_by_code_and_pin_shows_initials_only(client, world):
    from dossiers import services

    from .conftest import APPLICANT, at

    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, 10), **APPLICANT)
    page = client.get(reverse("dossiers:track"), {"code": d.code, "pin": d.pin}).content.decode()
    assert "N. V. A." in page and "Đã tiếp nhận" in page
    assert "Nguyễn Văn An" not in page and "064090000123" not in page and "0912345678" not in page
    wrong = client.get(reverse("dossiers:track"), {"code": d.code, "pin": "000000" if d.pin != "000000" else "111111"})
    assert "Không tìm thấy hồ sơ" in wrong.content.decode()


def test_other_commune_cannot_open_the_dossier(client, world):
    dossier = _start(client, world)
    client.force_login(world.other_reception)
    assert client.get(reverse("dossiers:detail", args=[dossier.pk])).status_code == 404
    assert client.post(reverse("dossiers:action", args=[dossier.pk, "withdraw"]),
                       {"expected_status": "draft", "reason": "x"}).status_code == 404


def test_supplement_and_refusal_forms_print(client, world):
    from pypdf import PdfReader

    from dossiers import services

    d = services.dossier_create_draft(citizen=world.citizen, version=world.birth, agency=world.pleiku,
                                      applicant_name="Nguyễn Văn An")
    attach_required(d, world.citizen)
    d = services.dossier_submit(dossier=d, actor=world.citizen)
    client.force_login(world.reception)
    assert client.get(reverse("dossiers:form", args=[d.pk, "02"])).status_code == 404  # nothing to print yet
    services.dossier_guide(dossier=d, actor=world.reception, reason="Bổ sung giấy chứng sinh bản chính.")
    pdf = client.get(reverse("dossiers:form", args=[d.pk, "02"]))
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Mẫu số 02" in text and "Bổ sung giấy chứng sinh bản chính." in text
    d = services.dossier_submit(dossier=d, actor=world.citizen)
    services.dossier_refuse_at_reception(dossier=d, actor=world.reception, reason="Không thuộc thẩm quyền của xã.")
    pdf = client.get(reverse("dossiers:form", args=[d.pk, "03"]))
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Mẫu số 03" in text and "Không thuộc thẩm quyền của xã." in text
    assert client.get(reverse("dossiers:form", args=[d.pk, "99"])).status_code == 404


def test_personal_data_access_is_logged_and_lists_mask_ids(client, world):
    from dossiers import services
    from dossiers.models import PersonalDataAccess

    from .conftest import APPLICANT, at

    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, 10), **APPLICANT)
    client.force_login(world.appraiser)
    worklist = client.get(reverse("dossiers:worklist")).content.decode()
    assert "********0123" in worklist and "064090000123" not in worklist
    client.get(reverse("dossiers:detail", args=[d.pk]))
    client.get(reverse("dossiers:receipt", args=[d.pk]))
    log = list(PersonalDataAccess.objects.filter(dossier=d).values_list("user__email", "action"))
    assert sorted(log) == [("thamdinh.pleiku@demo.gov.vn", "print"), ("thamdinh.pleiku@demo.gov.vn", "view")]


def test_control_sheet_lists_every_hand_over_with_punctuality(client, world):
    from pypdf import PdfReader

    from dossiers import services

    from .conftest import APPLICANT, at

    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, 10), **APPLICANT)
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser, at=at(2026, 3, 2, 11))
    d = services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve", at=at(2026, 3, 4, 9))
    client.force_login(world.reception)
    pdf = client.get(reverse("dossiers:form", args=[d.pk, "05"]))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Mẫu số 05" in text and d.code in text
    assert "Quá hạn" in text and "Đúng hạn" in text  # appraisal late, reception on time
    assert "Võ Minh Thẩm" in text


def test_ledger_pdf_and_xlsx_for_the_officers_agency_only(client, world, django_capture_on_commit_callbacks):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from dossiers import services
    from dossiers.models import PersonalDataAccess

    from .conftest import APPLICANT, at

    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, 10), **APPLICANT)
    client.force_login(world.reception)
    query = {"agency": "H21.65", "from": "2026-03-01", "to": "2026-03-31"}
    with django_capture_on_commit_callbacks(execute=True):  # the PDF is laid out by the worker (eager here)
        queued = client.get(reverse("dossiers:ledger"), query)
    assert queued.status_code == 302
    page = client.get(queued["Location"])
    assert page.status_code == 200 and 'data-testid="export-done"' in page.content.decode()
    pdf = client.get(queued["Location"], {"tai": "1"})
    assert pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(pdf.streaming_content)))
    compact = "".join("".join(p.extract_text() for p in reader.pages).split())
    assert "SỔTHEODÕIHỒSƠ" in compact and d.code in compact and "NguyễnVănAn" in compact  # cells wrap
    assert "None" not in compact  # an unfinished dossier's result and return dates are blank, not "None"
    xlsx = client.get(reverse("dossiers:ledger"), {**query, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == "Mã hồ sơ" and rows[2][1] == d.code
    assert PersonalDataAccess.objects.filter(action="export").count() == 2
    # Another commune's officer asking for Pleiku gets their own agency's (empty) ledger, never Pleiku's.
    client.force_login(world.other_reception)
    xlsx = client.get(reverse("dossiers:ledger"), {**query, "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and "Quy Nhơn" in rows[0][0]
    bad = client.get(reverse("dossiers:ledger"), {"from": "2026-03-31", "to": "2026-03-01"}, follow=True)
    assert "Ngày kết thúc phải sau ngày bắt đầu" in bad.content.decode()


def test_worklist_filters_and_keyset_paging(client, world, monkeypatch):
    from dossiers import services

    from .conftest import APPLICANT, at

    made = [services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                            at=at(2026, 3, day, 10), **APPLICANT) for day in (2, 3, 4, 5)]
    client.force_login(world.reception)
    page = client.get(reverse("dossiers:worklist"), {"from": "2026-03-03", "to": "2026-03-04"}).content.decode()
    assert made[1].code in page and made[2].code in page and made[0].code not in page and made[3].code not in page
    assert made[0].code not in client.get(reverse("dossiers:worklist"), {"punctuality": "late"}).content.decode()
    # Keyset paging: 26 rows fetched, 25 shown; with 4 rows there is no next page.
    assert "after=" not in client.get(reverse("dossiers:worklist")).content.decode()
    assert client.get(reverse("dossiers:worklist"), {"from": "bad-date"}).status_code == 200


def test_desk_form_requires_the_required_components_ticked(client, world):
    version = world.household
    required = version.documents.filter(requirement="required")
    client.force_login(world.reception)
    page = client.get(reverse("dossiers:desk"), {"version": version.pk}).content.decode()
    assert "Giấy đề nghị đăng ký hộ kinh doanh" in page and 'name="components"' in page
    form = {"version": version.pk, "agency": world.pleiku.pk, "channel": "in_person", "return_channel": "desk",
            "applicant_kind": "person", "applicant_name": "Lê Văn Tư"}
    response = client.post(reverse("dossiers:desk"), form)
    assert "Hồ sơ chưa đủ, còn thiếu" in response.content.decode() and Dossier.objects.count() == 0
    response = client.post(reverse("dossiers:desk"), {**form, "components": [d.pk for d in required]})
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.status == Status.RECEIVED
    assert dossier.events.get(type="create_at_desk").payload["components"] == [d.name for d in required]


def test_a_long_ledger_is_laid_out_in_chunks_with_progress_and_page_numbers_that_follow_on(
        client, world, django_capture_on_commit_callbacks, monkeypatch):
    from pypdf import PdfReader

    from dossiers import ledger, services
    from dossiers.models import LedgerExport

    from .conftest import APPLICANT, at

    monkeypatch.setattr(ledger, "CHUNK", 2)
    codes = [services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                             at=at(2026, 3, 2 + n, 10), **APPLICANT).code for n in range(5)]
    client.force_login(world.reception)
    query = {"agency": "H21.65", "from": "2026-03-01", "to": "2026-03-31"}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(reverse("dossiers:ledger"), query)
        again = client.get(reverse("dossiers:ledger"), query)  # a double click: the same export
    assert first["Location"] == again["Location"] and LedgerExport.objects.count() == 1
    export = LedgerExport.objects.get()
    assert export.status == "done" and export.progress == 100 and export.rows == 5 and export.pages >= 3
    reader = PdfReader(io.BytesIO(b"".join(client.get(first["Location"], {"tai": "1"}).streaming_content)))
    assert len(reader.pages) == export.pages
    texts = [" ".join(p.extract_text().split()) for p in reader.pages]
    assert all(f"Trang {n}" in text for n, text in enumerate(texts, start=1))  # numbering runs on across chunks
    joined = " ".join(texts).replace(" ", "")
    assert all(code.replace(" ", "") in joined for code in codes)
    assert joined.count("SỔTHEODÕIHỒSƠ") == 1 and joined.count("Inlúc") == 1
    client.force_login(world.other_reception)  # someone else's export: not found
    assert client.get(first["Location"]).status_code == 404
    assert client.get(first["Location"], {"tai": "1"}).status_code == 404


def test_bench_ledger_times_the_request_and_the_layout_and_checks_them(world, monkeypatch):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from dossiers import services

    from .conftest import APPLICANT, at

    for n in range(3):
        services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2 + n, 10), **APPLICANT)
    out = io.StringIO()
    call_command("bench_ledger", "--repeat", "1", stdout=out)
    text = out.getvalue()
    assert "H21.65 03/2026, 3 hồ sơ" in text and "dàn trang ở nền (3 dòng, 1 trang)" in text
    with pytest.raises(CommandError, match="--month phải có dạng YYYY-MM"):
        call_command("bench_ledger", "--month", "03/2026")
    monkeypatch.setattr("dossiers.management.commands.bench_ledger.PDF_LIMIT", 2)  # every month too long for a PDF
    with pytest.raises(CommandError, match="đều quá 2 hồ sơ, giới hạn của bản PDF"):
        call_command("bench_ledger", "--repeat", "1", stdout=io.StringIO())
    with pytest.raises(CommandError, match="Không có tháng nào có hồ sơ"):
        call_command("bench_ledger", "--month", "2020-01", stdout=io.StringIO())


def test_a_ledger_longer_than_the_pdf_holds_is_refused_at_once_and_nothing_is_queued(client, world, monkeypatch):
    from dossiers import ledger, services
    from dossiers.models import LedgerExport

    from .conftest import APPLICANT, at

    monkeypatch.setattr(ledger, "PDF_LIMIT", 1)
    for n in range(2):
        services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2 + n, 10), **APPLICANT)
    client.force_login(world.reception)
    page = client.get(reverse("dossiers:ledger"), {"agency": "H21.65", "from": "2026-03-01", "to": "2026-03-31"},
                      follow=True)
    assert "Quá 1 hồ sơ: hãy chọn khoảng ngắn hơn hoặc tải bản XLSX." in page.content.decode()
    assert not LedgerExport.objects.exists()


def test_online_filing_offers_only_desks_with_someone_to_receive(client, world):
    """An agency without an active reception officer (Xã Ia Grai in the demo has no staff) is not offered for an
    online dossier, and choosing it anyway is refused with nothing created; with no desk at all the page says so."""
    iagrai = Agency.objects.get(code="H21.67")
    version = world.birth
    version.agencies.add(world.pleiku, iagrai)
    assert not StaffRole.objects.filter(agency=iagrai, role=Role.RECEPTION).exists()
    client.force_login(world.citizen)
    url = reverse("dossiers:start", args=["1.001193"])
    page = client.get(url).content.decode()
    assert f'value="{world.pleiku.pk}"' in page and iagrai.name not in page
    response = client.post(url, {
        "agency": iagrai.pk, "return_channel": "online", "applicant_kind": "person",
        "applicant_name": "Nguyễn Văn An", "applicant_id_number": "064090000123", "applicant_phone": "0912345678",
        "applicant_email": "an.nguyen@example.com", "applicant_address": "12 Trần Phú", "applicant_commune": "Pleiku"})
    assert response.status_code == 200 and "agency" in response.context["form"].errors
    assert not Dossier.objects.filter(citizen=world.citizen, receiving_agency=iagrai).exists()

    User.objects.filter(staff_roles__role=Role.RECEPTION).update(is_active=False)
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("procedures:detail", args=["1.001193"])
    assert "Chưa có Bộ phận Một cửa nào nhận hồ sơ trực tuyến của thủ tục này" in response.content.decode()
