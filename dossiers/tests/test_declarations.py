"""Declarations filled in on the portal (tờ khai điện tử): the citizen's page, pre-fill, draft and resume, the
finished declaration attached as the component's PDF (its text read back), the desk path, the appraiser's view,
the versioning of the form with the procedure version, and bad input changing nothing."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from core.errors import DomainError
from dossiers import declarations, services
from dossiers.attachments import attachment_add
from dossiers.models import Attachment, Declaration, DeclarationStatus, Dossier, DossierComponent
from dossiers.workflow import Status
from eforms.models import AdministrativeUnit, UnitLevel
from eforms.units import provinces_ensure
from procedures import services as catalogue
from procedures.models import DeclarationForm, RequiredDocument, Requirement, VersionStatus

from .conftest import APPLICANT, PDF, at
from .transitions_helper import desk_submitted

SEED = Path(__file__).resolve().parents[2] / "procedures" / "seed" / "forms" / "1.001193.json"
NOW = dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)  # 09:00 in Hà Nội

PROXY = "Văn bản ủy quyền được chứng thực"  # conditional in the seed catalogue; the seed form's `cases` names it
BY_PROXY = {"f-quan_he": "uy_quyen", "f-uy_quyen_van_ban": "Giấy ủy quyền chứng thực ngày 20/05/2026"}


@pytest.fixture
def form(world):
    spec = json.loads(SEED.read_text(encoding="utf-8"))
    document = world.birth.documents.get(name="Tờ khai đăng ký khai sinh")
    province = provinces_ensure()["52"]
    AdministrativeUnit.objects.create(code="T001", name="Phường Thử", level=UnitLevel.COMMUNE, parent=province)
    # the component the form's `cases` names, conditional as in the seed catalogue
    RequiredDocument.objects.create(version=world.birth, order=9, name=PROXY, originals=1, copies=0,
                                    requirement=Requirement.CONDITIONAL, condition="Nộp thông qua người được ủy quyền")
    # a published version's form comes with it (import); here it is added to the sample's published version
    return DeclarationForm.objects.create(document=document, schema=spec["schema"], layout=spec["layout"],
                                          official_template=spec["official_template"])


def filled(**changes):
    raw = {"f-nyc_ho_ten": "Nguyễn Văn An", "f-nyc_so_dinh_danh": "064090000123",
           "f-nyc_noi_cu_tru-province": "52", "f-nyc_noi_cu_tru-commune": "T001",
           "f-nyc_noi_cu_tru-street": "12 Trần Phú", "f-quan_he": "cha", "f-ks_ho_ten": "Nguyễn Minh Khang",
           "f-ks_ngay_sinh": "05/03/2026", "f-ks_gioi_tinh": "nam", "f-ks_dan_toc": "Kinh",
           "f-ks_quoc_tich": "Việt Nam", "f-ks_noi_sinh": "Bệnh viện Đa khoa tỉnh Gia Lai",
           "f-me_ho_ten": "Trần Thị Cúc", "f-me_nam_sinh": "1996", "f-ban_sao": "on", "f-so_ban_sao": "2"}
    raw.update(changes)
    return {k: v for k, v in raw.items() if v is not None}


def draft(world):
    return services.dossier_create_draft(citizen=world.citizen, version=world.birth, agency=world.pleiku,
                                         at=at(2026, 5, 30, 20), **APPLICANT)


def url(dossier, form):
    return reverse("dossiers:declaration", args=[dossier.pk, form.document_id])


def pdf_words(attachment) -> str:
    with attachment.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@time_machine.travel(NOW, tick=False)
def test_the_page_prefills_from_the_account_and_works_without_javascript(client, world, form):
    dossier = draft(world)
    client.force_login(world.citizen)
    detail = client.get(reverse("dossiers:detail", args=[dossier.pk]))
    assert url(dossier, form) in detail.content.decode() and "Điền tờ khai trực tuyến" in detail.content.decode()
    page = client.get(url(dossier, form))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="f-nyc_ho_ten" value="Nguyễn Văn An"' in html          # account.full_name
    assert 'name="f-nyc_so_dinh_danh" value="064090000123"' in html     # account.citizen_id
    assert 'value="52"' in html and "Phường Thử" in html                # the two-tier address
    assert 'data-show-if="f-quan_he" data-show-values="uy_quyen"' in html  # the rule, for the script
    assert "Chỉ điền khi “Quan hệ với người được khai sinh” là: Người được ủy quyền." in html  # and without it
    assert 'maxlength="60"' in html


@time_machine.travel(NOW, tick=False)
def test_a_draft_is_saved_as_typed_and_resumed(client, world, form):
    dossier = draft(world)
    client.force_login(world.citizen)
    response = client.post(url(dossier, form), {"action": "save", "f-ks_ho_ten": "Khang", "f-ks_ngay_sinh": "31/02",
                                                "csrfmiddlewaretoken": "x", "other": "ignored"})
    assert response.status_code == 302
    saved = Declaration.objects.get(dossier=dossier)
    assert saved.status == DeclarationStatus.DRAFT and saved.data is None and saved.attachment is None
    assert saved.raw["f-ks_ho_ten"] == "Khang" and saved.raw["f-ks_ngay_sinh"] == "31/02"
    assert "other" not in saved.raw
    again = client.get(url(dossier, form)).content.decode()
    assert 'value="Khang"' in again and 'value="31/02"' in again
    auto = client.post(url(dossier, form), {"action": "save", "f-ks_ho_ten": "Minh Khang"}, HTTP_X_AUTOSAVE="1")
    assert auto.status_code == 200 and auto.json()["saved"] is True
    assert Declaration.objects.get(dossier=dossier).raw["f-ks_ho_ten"] == "Minh Khang"
    assert Declaration.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_finishing_attaches_the_declaration_pdf_and_the_dossier_submits_without_upload(client, world, form):
    dossier = draft(world)
    client.force_login(world.citizen)
    response = client.post(url(dossier, form), {"action": "finish", **filled()})
    assert response.status_code == 302
    declaration = Declaration.objects.get(dossier=dossier)
    assert declaration.status == DeclarationStatus.DONE
    assert declaration.data["ks_ngay_sinh"] == "2026-03-05" and declaration.data["so_ban_sao"] == 2
    attachment = declaration.attachment
    assert attachment.document_id == form.document_id and attachment.is_active
    assert attachment.content_type == "application/pdf" and attachment.dossier_id == dossier.pk
    words = pdf_words(attachment)
    for expected in ("TỜ KHAI ĐĂNG KÝ KHAI SINH", "Kính gửi: Ủy ban nhân dân phường Pleiku",  # the competent agency
                     "Nguyễn Minh Khang", "05/03/2026", "Nam", "Trần Thị Cúc", "1996",
                     "12 Trần Phú, Phường Thử, Tỉnh Gia Lai", "Cha", "Tôi cam đoan nội dung đề nghị đăng ký khai sinh",
                     "NGƯỜI YÊU CẦU", "Nguyễn Văn An"):
        assert expected in words, expected
    assert "Văn bản ủy quyền" not in words  # a conditional part that does not apply is not printed
    assert "khang" in declaration.search_text and "tran thi cuc" in declaration.search_text
    # no upload: the declaration is the component, the dossier can be submitted
    services.dossier_submit(dossier=dossier, actor=world.citizen, at=at(2026, 6, 1, 9))
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    assert not Attachment.objects.filter(dossier=dossier).exclude(pk=attachment.pk).exists()


@time_machine.travel(NOW, tick=False)
def test_a_refused_declaration_names_each_field_and_changes_nothing(client, world, form):
    dossier = draft(world)
    client.force_login(world.citizen)
    response = client.post(url(dossier, form), {"action": "finish", **filled(**{
        "f-ks_ngay_sinh": "01/07/2026", "f-nyc_so_dinh_danh": "12345", "f-ks_ho_ten": "",
        "f-quan_he": "uy_quyen", "f-me_ho_ten": "X" * 61})})
    assert response.status_code == 400
    html = response.content.decode()
    assert "không được sau ngày hôm nay" in html and "Chưa điền “Họ, chữ đệm, tên”." in html
    assert "Số CCCD phải gồm đúng 12 chữ số" in html and "mẫu in chỉ có chỗ cho 60 ký tự" in html
    assert "Chưa điền “Văn bản ủy quyền (số, ngày, nơi chứng thực)”." in html
    assert 'id="f-ks_ngay_sinh-error"' in html  # next to the field
    assert 'value="01/07/2026"' in html         # what was typed is shown again
    assert not Declaration.objects.exists() and not Attachment.objects.filter(dossier=dossier).exists()


@time_machine.travel(NOW, tick=False)
def test_finishing_twice_makes_one_file_and_a_change_replaces_it(world, form):
    dossier = draft(world)
    document = form.document
    first = declarations.declaration_finish(dossier=dossier, document=document, actor=world.citizen, post=filled())
    again = declarations.declaration_finish(dossier=dossier, document=document, actor=world.citizen, post=filled())
    assert again.replayed and again.declaration.attachment_id == first.declaration.attachment_id
    assert Attachment.objects.filter(dossier=dossier).count() == 1
    changed = declarations.declaration_finish(dossier=dossier, document=document, actor=world.citizen,
                                              post=filled(**{"f-ks_ho_ten": "Nguyễn Minh Khôi"}))
    assert not changed.replayed
    active = Attachment.objects.filter(dossier=dossier, is_active=True)
    assert list(active) == [changed.declaration.attachment]
    assert "Nguyễn Minh Khôi" in pdf_words(changed.declaration.attachment)
    assert Attachment.objects.filter(dossier=dossier, is_active=False).count() == 1  # the first kept, set aside


@time_machine.travel(NOW, tick=False)
def test_after_submission_the_citizen_cannot_change_it(client, world, form):
    dossier = draft(world)
    declarations.declaration_finish(dossier=dossier, document=form.document, actor=world.citizen, post=filled())
    services.dossier_submit(dossier=dossier, actor=world.citizen, at=at(2026, 6, 1, 9))
    with pytest.raises(DomainError) as refused:
        declarations.declaration_save_draft(dossier=dossier, document=form.document, actor=world.citizen,
                                            post=filled(**{"f-ks_ho_ten": "Khác"}))
    assert refused.value.http_status == 409
    client.force_login(world.citizen)
    page = client.get(url(dossier, form)).content.decode()
    assert 'data-testid="declaration-fields"' in page and "Nguyễn Minh Khang" in page
    assert 'class="form declaration-form"' not in page
    response = client.post(url(dossier, form), {"action": "finish", **filled(**{"f-ks_ho_ten": "Khác"})})
    assert response.status_code == 302
    assert Declaration.objects.get(dossier=dossier).data["ks_ho_ten"] == "Nguyễn Minh Khang"


@time_machine.travel(NOW, tick=False)
def test_the_desk_fills_it_for_a_walk_in_citizen_and_the_appraiser_reads_fields(client, world, form):
    dossier = desk_submitted(world, when=at(2026, 6, 1, 8), version=world.birth)
    client.force_login(world.reception)
    page = client.get(url(dossier, form)).content.decode()
    assert 'name="f-nyc_ho_ten" value="Nguyễn Văn An"' in page          # from the dossier's applicant
    assert "Tiếp" not in page.split('name="f-nyc_ho_ten"')[1][:60]       # never the officer's own name
    assert 'name="f-nyc_dien_thoai" value="0912 345 678"' in page    # as the receipt writes it, not +84…
    response = client.post(url(dossier, form), {"action": "finish", **filled()})
    assert response.status_code == 302
    declaration = Declaration.objects.get(dossier=dossier)
    assert declaration.by_desk and declaration.filled_by == world.reception
    words = pdf_words(declaration.attachment)
    assert "Cán bộ Bộ phận Một cửa điền theo lời khai của người yêu cầu" in words and "NGƯỜI YÊU CẦU" in words
    client.force_login(world.appraiser)
    shown = client.get(url(dossier, form))
    assert shown.status_code == 200
    html = shown.content.decode()
    assert 'data-testid="declaration-fields"' in html
    assert "Họ, chữ đệm, tên người mẹ" in html and "Trần Thị Cúc" in html and "05/03/2026" in html


@time_machine.travel(NOW, tick=False)
def test_others_cannot_read_or_fill_it(client, world, form, demo):
    dossier = draft(world)
    declarations.declaration_finish(dossier=dossier, document=form.document, actor=world.citizen, post=filled())
    client.force_login(demo.user("binh.tran@example.com"))
    assert client.get(url(dossier, form)).status_code == 404
    client.force_login(world.other_reception)
    assert client.get(url(dossier, form)).status_code in (403, 404)
    client.force_login(world.citizen)
    other = world.birth.documents.exclude(pk=form.document_id).first()
    assert client.get(reverse("dossiers:declaration", args=[dossier.pk, other.pk])).status_code == 404


def test_a_published_form_never_changes_and_a_new_version_copies_it(world, form, demo):
    admin = demo.user("admin@demo.gov.vn")
    with pytest.raises(DomainError) as refused:
        catalogue.declaration_form_save(actor=admin, document=form.document, schema=form.schema, layout=form.layout)
    assert refused.value.code == "form_published"
    new = catalogue.version_new_draft_from(actor=admin, version=world.birth, decision_number="99/QĐ-TEST")
    copy = DeclarationForm.objects.get(document__version=new)
    assert copy.schema == form.schema and copy.pk != form.pk
    layout = {**copy.layout, "title": "Tờ khai đăng ký khai sinh (mẫu mới)"}
    catalogue.declaration_form_save(actor=admin, document=copy.document, schema=copy.schema, layout=layout)
    form.refresh_from_db()
    assert form.layout["title"] == "Tờ khai đăng ký khai sinh"  # the published one is untouched
    bad = {**copy.layout, "sections": [{"title": "A", "items": [{"field": "khong_co", "label": "X"}]}]}
    with pytest.raises(DomainError) as invalid:
        catalogue.declaration_form_save(actor=admin, document=copy.document, schema=copy.schema, layout=bad)
    assert "layout: trường “khong_co” không có trong schema." in invalid.value.message
    assert DeclarationForm.objects.get(document=copy.document).layout["title"].endswith("(mẫu mới)")
    assert new.status == VersionStatus.DRAFT


@time_machine.travel(NOW, tick=False)
def test_changing_a_finished_declaration_keeps_it_finished_until_finished_again(client, world, form):
    """Found in the walk-through: an edit used to turn a finished declaration back into a draft, so the dossier
    was submitted with a PDF that no longer matched and the desk lost the declared fields."""
    dossier = draft(world)
    done = declarations.declaration_finish(dossier=dossier, document=form.document, actor=world.citizen,
                                           post=filled()).declaration
    client.force_login(world.citizen)
    client.post(url(dossier, form), {"action": "save", **filled(**{"f-ks_dan_toc": "Ê Đê"})})
    changed = Declaration.objects.get(pk=done.pk)
    assert changed.status == DeclarationStatus.DONE and changed.data["ks_dan_toc"] == "Kinh"
    assert changed.attachment_id == done.attachment_id and declarations.has_pending_changes(changed)
    page = client.get(url(dossier, form)).content.decode()
    assert 'data-testid="declaration-pending"' in page and 'value="Ê Đê"' in page
    with pytest.raises(DomainError) as refused:  # not submitted half-changed
        services.dossier_submit(dossier=dossier, actor=world.citizen, at=at(2026, 6, 1, 9))
    assert refused.value.code == "declaration_changed" and "Tờ khai đăng ký khai sinh" in refused.value.message
    assert client.post(url(dossier, form), {"action": "discard"}).status_code == 302
    restored = Declaration.objects.get(pk=done.pk)
    assert not declarations.has_pending_changes(restored) and restored.raw["f-ks_dan_toc"] == "Kinh"
    services.dossier_submit(dossier=dossier, actor=world.citizen, at=at(2026, 6, 1, 9))
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED


def test_changes_typed_back_then_finished_leave_nothing_pending(client, world, form):
    """Found in the walk-through: a change saved as a draft, then typed back and finished, matched the finished
    declaration, so finishing returned early and left the changed draft pending: the dossier could not be
    submitted and the form reopened on the change."""
    dossier = draft(world)
    done = declarations.declaration_finish(dossier=dossier, document=form.document, actor=world.citizen,
                                           post=filled()).declaration
    client.force_login(world.citizen)
    client.post(url(dossier, form), {"action": "save", **filled(**{"f-ks_dan_toc": "Ê Đê"})})
    assert declarations.has_pending_changes(Declaration.objects.get(pk=done.pk))
    again = declarations.declaration_finish(dossier=dossier, document=form.document, actor=world.citizen,
                                            post=filled())
    assert again.replayed  # the same content as finished: the same file
    back = Declaration.objects.get(pk=done.pk)
    assert not declarations.has_pending_changes(back) and back.raw["f-ks_dan_toc"] == "Kinh"
    assert back.attachment_id == done.attachment_id and Attachment.objects.filter(dossier=dossier).count() == 1
    assert 'value="Ê Đê"' not in client.get(url(dossier, form)).content.decode()
    services.dossier_submit(dossier=dossier, actor=world.citizen, at=at(2026, 6, 1, 9))
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED


@time_machine.travel(NOW, tick=False)
def test_the_desk_never_starts_from_someone_elses_unfinished_changes(client, world, form):
    dossier = draft(world)
    declarations.declaration_finish(dossier=dossier, document=form.document, actor=world.citizen, post=filled())
    client.force_login(world.citizen)
    client.post(url(dossier, form), {"action": "save", **filled(**{"f-ks_ho_ten": "Dở dang"})})
    declaration = Declaration.objects.get(dossier=dossier)
    assert declaration.raw["f-ks_ho_ten"] == "Dở dang"
    shown = declarations.initial_raw(dossier=dossier, document=form.document, user=world.reception,
                                     declaration=declaration, form=form)
    assert shown["f-ks_ho_ten"] == "Nguyễn Minh Khang"  # as finished and attached


@time_machine.travel(NOW, tick=False)
def test_the_declaration_settles_the_case_it_states(client, world, form):
    """The form says the declarant acts by authorisation: the authorisation becomes a component the dossier must hold
    (the citizen is told, and cannot submit without it); declared again as the father, it no longer applies, unless
    a file of it is already on record."""
    assert form.layout["cases"] == [{"document": PROXY, "field": "quan_he", "values": ["uy_quyen"]}]
    proxy = world.birth.documents.get(name=PROXY)
    dossier = draft(world)
    client.force_login(world.citizen)
    page = client.post(url(dossier, form), {"action": "finish", **filled(**BY_PROXY)}, follow=True)
    assert f"Theo nội dung tờ khai, hồ sơ cần có thêm: {PROXY}." in page.content.decode()
    detail = reverse("dossiers:detail", args=[dossier.pk])
    assert page.redirect_chain[0][0] == detail  # the top of the page, where the warning is (not the components)
    row = DossierComponent.objects.get(dossier=dossier, document=proxy)
    assert row.applies
    with pytest.raises(DomainError) as refused:
        services.dossier_submit(dossier=dossier, actor=world.citizen, at=at(2026, 6, 1, 9))
    assert PROXY in refused.value.message
    assert Dossier.objects.get(pk=dossier.pk).status == Status.DRAFT

    page = client.post(url(dossier, form), {"action": "finish", **filled()}, follow=True)  # the father after all
    assert "cần có thêm" not in page.content.decode() and page.redirect_chain[0][0] == f"{detail}#tai-lieu"
    row.refresh_from_db()
    assert not row.applies
    services.dossier_submit(dossier=dossier, actor=world.citizen, at=at(2026, 6, 1, 9))
    assert Dossier.objects.get(pk=dossier.pk).status == Status.SUBMITTED

    handed_in = draft(world)  # the authorisation uploaded, then the declaration changed: the file still counts
    declarations.declaration_finish(dossier=handed_in, document=form.document, actor=world.citizen,
                                    post=filled(**BY_PROXY))
    attachment_add(dossier=handed_in, actor=world.citizen, document=proxy,
                   upload=SimpleUploadedFile("uy-quyen.pdf", PDF, content_type="application/pdf"))
    done = declarations.declaration_finish(dossier=handed_in, document=form.document, actor=world.citizen,
                                           post=filled())
    assert done.cases == () and DossierComponent.objects.get(dossier=handed_in, document=proxy).applies
