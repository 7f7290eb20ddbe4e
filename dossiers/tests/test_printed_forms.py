"""What a printed form states is true (#15): the receipt (Mẫu 01) lists only what was handed in, with
the real counts; a component only shown for comparison is never a required upload; a conditional one
is required once its case applies; Mẫu 02 asks for exactly what is missing; Mẫu 04 keeps the agency's
name whole; every Mẫu 05 row names its step and its officer."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.errors import DomainError
from dossiers import services
from dossiers.attachments import attachment_add
from dossiers.models import Dossier, DossierComponent
from dossiers.workflow import Status
from procedures.models import RequiredDocument, Requirement

from .conftest import APPLICANT, PDF, at
from .pdftext import pdf_text, squeeze

pytestmark = pytest.mark.django_db

FORM = "Tờ khai đăng ký khai sinh"
SURROGACY = "Văn bản xác nhận việc sinh con bằng kỹ thuật hỗ trợ sinh sản"
PROXY = "Văn bản ủy quyền được chứng thực"
ID_CARD = "Giấy tờ tùy thân của người đi đăng ký"


@pytest.fixture
def birth(world):
    """The birth registration as published: a form to hand in, a conditional (surrogacy) and, added
    here, a second conditional (proxy) and an identity paper shown for comparison only."""
    version = world.birth
    RequiredDocument.objects.create(version=version, order=5, name=PROXY, originals=1, copies=0,
                                    requirement=Requirement.CONDITIONAL,
                                    condition="Nộp thông qua người được ủy quyền")
    RequiredDocument.objects.create(version=version, order=6, name=ID_CARD, originals=0, copies=0,
                                    requirement=Requirement.PRESENT, note="Xuất trình để đối chiếu; không phải nộp")
    docs = {d.name: d for d in version.documents.all()}
    assert {FORM, SURROGACY, PROXY, ID_CARD} <= set(docs)
    return docs


def _file(name="a.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _receipt(client, dossier, name):
    response = client.get(reverse("dossiers:receipt", args=[dossier.pk]))
    assert response.status_code == 200
    return pdf_text(response.content, name=name)


def _table_rows(text: str) -> list[str]:
    """The numbered rows of the receipt's component table (lines starting with the row number)."""
    part = text.split("Thành phần hồ sơ nộp gồm", 1)[1].split("Số lượng hồ sơ", 1)[0]
    return [line.strip() for line in part.splitlines() if re.match(r"\s*\d+\s{2,}", line)]


def test_online_receipt_lists_the_files_really_on_record(client, world, birth):
    d = services.dossier_create_draft(citizen=world.citizen, version=world.birth, agency=world.pleiku, **APPLICANT)
    attachment_add(dossier=d, actor=world.citizen, document=birth[FORM], upload=_file("to-khai-1.pdf"))
    attachment_add(dossier=d, actor=world.citizen, document=birth[FORM], upload=_file("to-khai-2.pdf"), reused=True)
    # Nothing for the conditional cases (they do not apply) nor for the identity paper (shown, not handed in).
    d = services.dossier_submit(dossier=d, actor=world.citizen)
    d = services.dossier_receive(dossier=d, actor=world.reception)
    client.force_login(world.reception)
    text = _receipt(client, d, "receipt-online")
    rows = _table_rows(text)
    assert len(rows) == 1, rows
    assert FORM in rows[0] and "02 tệp điện tử (01 dùng lại từ kho dữ liệu)" in rows[0]
    flat = squeeze(text)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat and "Độc lập - Tự do - Hạnh phúc" in flat
    for absent in (SURROGACY, PROXY, ID_CARD, "Bản chính 1", " 0 0"):
        assert absent not in flat
    row = DossierComponent.objects.get(dossier=d, document=birth[FORM])
    assert (row.files, row.reused, row.originals, row.copies, row.applies) == (2, 1, 0, 0, True)
    assert not DossierComponent.objects.get(dossier=d, document=birth[SURROGACY]).applies


def test_online_conditional_is_required_once_the_citizen_says_the_case_applies(client, world, birth):
    client.force_login(world.citizen)
    page = client.get(reverse("dossiers:start", args=["1.001193"])).content.decode()
    assert "Nộp thông qua người được ủy quyền" in page and 'name="cases"' in page
    response = client.post(reverse("dossiers:start", args=["1.001193"]), {
        "agency": world.pleiku.pk, "return_channel": "online", "applicant_kind": "person",
        "applicant_name": "Nguyễn Văn An", "cases": [birth[PROXY].pk]})
    assert response.status_code == 302
    d = Dossier.objects.get()
    page = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert "Xuất trình để đối chiếu, không phải nộp" in page
    attachment_add(dossier=d, actor=world.citizen, document=birth[FORM], upload=_file())
    with pytest.raises(DomainError, match=PROXY):
        services.dossier_submit(dossier=d, actor=world.citizen)
    assert Dossier.objects.get(pk=d.pk).status == Status.DRAFT
    # The citizen corrects the declaration: the proxy letter is no longer asked for; the ID never was.
    client.post(reverse("dossiers:cases", args=[d.pk]), {})
    assert not DossierComponent.objects.get(dossier=d, document=birth[PROXY]).applies
    d = services.dossier_submit(dossier=d, actor=world.citizen)
    assert d.status == Status.SUBMITTED
    # Bad input changes nothing: a component of another kind is not a case.
    with pytest.raises(DomainError):
        services.dossier_create_draft(citizen=world.citizen, version=world.birth, agency=world.pleiku,
                                      cases=[birth[FORM].pk], **APPLICANT)


def _desk_form(world, birth, **extra):
    return {"version": world.birth.pk, "agency": world.pleiku.pk, "channel": "in_person", "return_channel": "desk",
            "applicant_kind": "person", "applicant_name": "Lê Văn Tư", **extra}


def test_desk_receipt_lists_what_the_officer_counted(client, world, birth):
    client.force_login(world.reception)
    page = client.get(reverse("dossiers:desk"), {"version": world.birth.pk}).content.decode()
    assert f'name="presented" value="{birth[ID_CARD].pk}"' in page
    assert f'name="scan_{birth[ID_CARD].pk}"' not in page  # never an upload
    form = _desk_form(world, birth, components=[birth[FORM].pk], presented=[birth[ID_CARD].pk])
    form.update({f"originals_{birth[FORM].pk}": "2", f"copies_{birth[FORM].pk}": "1"})
    response = client.post(reverse("dossiers:desk"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    d = Dossier.objects.get()
    text = _receipt(client, d, "receipt-desk")
    rows = _table_rows(text)
    assert len(rows) == 1 and FORM in rows[0] and "02 bản chính, 01 bản sao" in rows[0], rows
    flat = squeeze(text)
    assert SURROGACY not in flat and PROXY not in flat
    assert f"đã xuất trình để đối chiếu (không nộp, đã trả lại người nộp): {ID_CARD}" in flat
    parts = {c.name: c for c in d.components.all()}
    assert (parts[FORM].originals, parts[FORM].copies, parts[FORM].recorded_by) == (2, 1, world.reception)
    assert parts[ID_CARD].presented and not parts[ID_CARD].handed_in
    assert not parts[PROXY].applies and not parts[PROXY].handed_in


def test_desk_refuses_a_missing_case_and_bad_counts_and_writes_nothing(client, world, birth):
    client.force_login(world.reception)
    base = _desk_form(world, birth, components=[birth[FORM].pk])
    # The officer says the proxy case applies but the letter was not handed in.
    response = client.post(reverse("dossiers:desk"), {**base, "cases": [birth[PROXY].pk]})
    assert "Hồ sơ chưa đủ, còn thiếu: " + PROXY in response.content.decode()
    for bad in ("-1", "abc", "100"):
        response = client.post(reverse("dossiers:desk"), {**base, f"originals_{birth[FORM].pk}": bad})
        assert "phải là số nguyên từ 0 đến 99" in response.content.decode()
    response = client.post(reverse("dossiers:desk"), {**base, f"originals_{birth[FORM].pk}": "0",
                                                      f"copies_{birth[FORM].pk}": "0"})
    assert "Ghi số bản chính hoặc bản sao đã nhận" in response.content.decode()
    assert not Dossier.objects.exists() and not DossierComponent.objects.exists()
    with pytest.raises(DomainError, match="chỉ xuất trình"):
        services.dossier_create_at_desk(actor=world.reception, version=world.birth, agency=world.pleiku,
                                        components={birth[ID_CARD].pk: {"originals": 1}}, **APPLICANT)
    # Handed in with the proxy letter: received, with both on the receipt.
    response = client.post(reverse("dossiers:desk"), {**base, "components": [birth[FORM].pk, birth[PROXY].pk]})
    assert response.status_code == 302
    d = Dossier.objects.get()
    rows = _table_rows(_receipt(client, d, "receipt-desk-proxy"))
    assert len(rows) == 2 and PROXY in rows[1] and "01 bản chính" in rows[1]


def test_form02_asks_for_exactly_what_is_missing(client, world, birth):
    d = services.dossier_create_draft(citizen=world.citizen, version=world.birth, agency=world.pleiku, **APPLICANT)
    attachment_add(dossier=d, actor=world.citizen, document=birth[FORM], upload=_file())
    d = services.dossier_submit(dossier=d, actor=world.citizen)
    client.force_login(world.reception)
    page = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert 'data-testid="supplement-components"' in page
    with pytest.raises(DomainError, match="chỉ xuất trình"):  # an identity paper is shown, never asked for
        services.dossier_guide(dossier=d, actor=world.reception, reason="x", components=[birth[ID_CARD].pk])
    assert Dossier.objects.get(pk=d.pk).status == Status.SUBMITTED
    response = client.post(reverse("dossiers:action", args=[d.pk, "guide"]), {
        "expected_status": "submitted", "reason": "Người đi đăng ký là người được ủy quyền.",
        "components": [birth[PROXY].pk]})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.GUIDED
    response = client.get(reverse("dossiers:form", args=[d.pk, "02"]))
    text = pdf_text(response.content, name="form02")
    flat = squeeze(text)
    assert "Mẫu số 02" in flat and "Giấy tờ còn thiếu" in flat
    assert f"1 {PROXY}" in flat and "01 bản chính" in flat
    assert "Người đi đăng ký là người được ủy quyền." in flat
    for not_missing in (FORM, SURROGACY, ID_CARD):
        assert not_missing not in flat
    # The officer's word makes the case apply: the citizen must now upload it before submitting again.
    client.force_login(world.citizen)
    with pytest.raises(DomainError, match=PROXY):
        services.dossier_submit(dossier=d, actor=world.citizen)


# Names of communes of the demo province, long and short: wherever the line happens to end, "Ủy ban
# nhân dân" is never split (it was with some of them).
AGENCY_NAMES = ["Ủy ban nhân dân phường Pleiku", "Ủy ban nhân dân xã Ia Grai", "Ủy ban nhân dân phường An Nhơn Đông",
                "Ủy ban nhân dân xã Kbang", "Ủy ban nhân dân phường Quy Nhơn Nam", "Ủy ban nhân dân xã Chư Păh",
                "Ủy ban nhân dân phường Diên Hồng", "Ủy ban nhân dân xã Đak Đoa", "Ủy ban nhân dân phường Bình Định"]
SPLIT = re.compile(r"(^|\s)(Ủy|ỦY|Ủy ban|ỦY BAN|Ủy ban nhân|ỦY BAN NHÂN)$")


def test_form04_never_splits_the_agency_name(client, world):
    from dossiers.lateness.sweep import sweep_deadlines
    from dossiers.printing import render_apology

    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, 10), **APPLICANT)
    services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser, at=at(2026, 3, 2, 10))
    sweep_deadlines(now=at(2026, 3, 9, 9))
    letter = d.apology_letters.get()
    client.force_login(world.approver)
    text = pdf_text(client.get(f"/ho-so/{d.pk}/xin-loi/{letter.pk}.pdf").content, name="form04")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert "Mẫu số 04" in text
    broken = []
    proposed = letter.proposed_due_at
    for name in AGENCY_NAMES:
        world.pleiku.name = name
        world.pleiku.save(update_fields=["name"])
        for new_date in (proposed, None):  # with a new appointment, and a promise to call back
            letter.refresh_from_db()
            letter.proposed_due_at = new_date
            text = pdf_text(render_apology(letter))
            broken += [(name, line) for line in text.splitlines() if SPLIT.search(line.strip())]
            assert squeeze(name) in squeeze(text)
    assert not broken, broken
    # The header block: the organ on one line, the place on the next.
    assert "ỦY BAN NHÂN DÂN" in lines[1] and "PHƯỜNG PLEIKU" in lines[2], lines[:4]


def test_form05_every_row_names_its_step_and_officer(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        d = _handled(world)
    assert d.events.filter(type="notified").exists()  # e-mails went out: not hand-overs
    client.force_login(world.reception)
    text = pdf_text(client.get(reverse("dossiers:form", args=[d.pk, "05"])).content, name="form05")
    flat = squeeze(text)
    assert "Mẫu số 05" in flat and d.code in flat
    from dossiers.printing import control_sheet_rows

    rows = control_sheet_rows(d)
    assert [r["event"].type for r in rows] == ["receive", "assign", "consult", "consultation_answered", "propose"]
    for row in rows:
        assert row["step"] and row["officer"], row
    assert "Tiếp nhận" in flat and "Thẩm định" in flat
    table = flat.split("Ghi chú", 1)[1].split("NGƯỜI HƯỚNG DẪN", 1)[0]
    stamps = re.findall(r"\d\d:\d\d \d\d/\d\d/\d{4}", table)
    assert len(stamps) == 5 and all(s.endswith("/03/2026") for s in stamps), stamps  # no "notified" row
    assert "Đã nộp, chờ tiếp nhận" not in table  # the citizen's own submission hands nothing over
    assert "Huỳnh Thị Định" in table or _quynhon_officer(world).full_name in table  # who answered for Quy Nhơn
    for person in ("Võ Minh Thẩm",):
        assert person in flat


def _handled(world):
    d = services.dossier_create_draft(citizen=world.citizen, version=world.household, agency=world.pleiku,
                                      **APPLICANT)
    for doc in world.household.documents.filter(requirement="required"):
        attachment_add(dossier=d, actor=world.citizen, document=doc, upload=_file())
    d = services.dossier_submit(dossier=d, actor=world.citizen, at=at(2026, 3, 2, 9))
    d = services.dossier_receive(dossier=d, actor=world.reception, at=at(2026, 3, 2, 10))
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser, at=at(2026, 3, 2, 11))
    services.dossier_consult(dossier=d, actor=world.appraiser, reason="Xin ý kiến.", agency=world.quynhon,
                             at=at(2026, 3, 3, 9))
    task = d.consultations.get()
    services.consultation_answer(task=task, actor=_quynhon_officer(world),
                                 answer="Đồng ý.", at=at(2026, 3, 4, 9))
    d = services.dossier_propose(dossier=Dossier.objects.get(pk=d.pk), actor=world.appraiser, proposal="approve",
                                 at=at(2026, 3, 4, 10))
    return d


def _quynhon_officer(world):
    from accounts.models import Role, StaffRole

    role = StaffRole.objects.filter(agency=world.quynhon, role__in=[Role.APPRAISER, Role.APPROVER]).first()
    return role.user


def test_dossiers_received_before_the_record_get_it_from_their_events_and_files(world, birth):
    import importlib

    from django.apps import apps as live_apps

    desk = services.dossier_create_at_desk(actor=world.reception, version=world.birth, agency=world.pleiku,
                                           components=[birth[FORM].pk, birth[PROXY].pk], **APPLICANT)
    online = services.dossier_create_draft(citizen=world.citizen, version=world.birth, agency=world.pleiku,
                                           **APPLICANT)
    attachment_add(dossier=online, actor=world.citizen, document=birth[FORM], upload=_file(), reused=True)
    services.dossier_submit(dossier=online, actor=world.citizen)
    DossierComponent.objects.all().delete()  # as before migration 0012
    importlib.import_module("dossiers.migrations.0012_dossier_components").backfill(live_apps, None)
    got = {(c.dossier_id, c.name): (c.originals, c.copies, c.files, c.reused, c.applies)
           for c in DossierComponent.objects.all()}
    assert got[(desk.pk, FORM)] == (1, 0, 0, 0, True)
    assert got[(desk.pk, PROXY)] == (1, 0, 0, 0, True)
    assert got[(desk.pk, SURROGACY)] == (0, 0, 0, 0, False)
    assert got[(desk.pk, ID_CARD)] == (0, 0, 0, 0, False)
    assert got[(online.pk, FORM)] == (0, 0, 1, 1, True)


def test_blank_address_and_email_print_no_empty_line(client, world):
    """Mẫu 01, the e-receipt and Mẫu 04 print "Địa chỉ:" and "Email:" only with a value after them."""
    from dossiers.lateness.sweep import sweep_deadlines
    from dossiers.printing import render_apology
    from payments.services import payment_record_desk

    bare = {**APPLICANT, "applicant_address": "", "applicant_commune": "", "applicant_email": ""}
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 2, 10), **bare)
    client.force_login(world.reception)
    receipt = _receipt(client, d, "receipt-bare")
    paid = payment_record_desk(dossier=d, actor=world.reception, method="cash", at=at(2026, 3, 2, 10, 30))
    e_receipt = pdf_text(b"".join(client.get(reverse("payments:receipt", args=[paid.pk])).streaming_content),
                         name="e-receipt-bare")
    services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser, at=at(2026, 3, 2, 11))
    sweep_deadlines(now=at(2026, 3, 9, 9))
    apology = pdf_text(render_apology(d.apology_letters.get()), name="form04-bare")
    for text in (receipt, e_receipt, apology):
        assert "Địa chỉ" not in text and "Email" not in text and "Địa chỉ: ……" not in text, text
    assert "Số điện thoại: 0912 345 678" in squeeze(receipt) and "Số điện thoại: 0912 345 678" in squeeze(apology)

    # The receipt is an issued document (#19): once what it states changes (the fee paid above, the address
    # below) it is a new receipt (the earlier one is marked replaced). The other layouts on a fresh rendering.
    from dossiers.printing import render_receipt
    from signing.models import IssuedDocument

    Dossier.objects.filter(pk=d.pk).update(applicant_commune="Phường Pleiku")
    again = squeeze(_receipt(client, d, "receipt-again"))
    assert "Địa chỉ: Phường Pleiku" in again and "Email" not in again
    assert list(IssuedDocument.objects.filter(kind="receipt").values_list("status", flat=True).order_by("id")) \
        == ["replaced", "valid"]
    receipt = squeeze(pdf_text(render_receipt(Dossier.objects.get(pk=d.pk), "https://x/tra-cuu/")))
    assert "Địa chỉ: Phường Pleiku" in receipt and "Email" not in receipt
    Dossier.objects.filter(pk=d.pk).update(applicant_address="12 Trần Phú", applicant_email="an.nguyen@example.com")
    receipt = squeeze(pdf_text(render_receipt(Dossier.objects.get(pk=d.pk), "https://x/tra-cuu/")))
    assert "Địa chỉ: 12 Trần Phú, Phường Pleiku" in receipt and "Email: an.nguyen@example.com" in receipt
