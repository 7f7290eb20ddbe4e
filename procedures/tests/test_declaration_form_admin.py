"""The declaration form editor in the admin (tờ khai điện tử): schema and layout as JSON, saved only through
`services.declaration_form_save`; every problem of a definition, and a JSON syntax error with its line and column,
shown on the form with nothing changed; a published version's form read-only; and the preview of the citizen's
page, checked like the real one, its PDF downloaded, nothing stored."""

import copy
import io
import json
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import User
from eforms.models import AdministrativeUnit, UnitLevel
from eforms.units import provinces_ensure
from procedures import services
from procedures.models import DeclarationForm, Procedure, RequiredDocument, Requirement, VersionStatus

SEED = Path(__file__).resolve().parent.parent / "seed" / "forms" / "1.001193.json"
pytestmark = pytest.mark.django_db
PROXY = "Văn bản ủy quyền được chứng thực"


@pytest.fixture
def spec():
    return json.loads(SEED.read_text(encoding="utf-8"))


@pytest.fixture
def published(catalogue, spec):
    """The birth registration's published version with its declaration form (as an import brings it)."""
    version = Procedure.objects.get(code="1.001193").versions.get(status=VersionStatus.PUBLISHED)
    document = version.documents.get(name="Tờ khai đăng ký khai sinh")
    # the conditional component the form's `cases` names, as in the seed catalogue (the sample lacks it)
    RequiredDocument.objects.create(version=version, order=9, name=PROXY, originals=1, copies=0,
                                    requirement=Requirement.CONDITIONAL, condition="Nộp thông qua người được ủy quyền")
    return DeclarationForm.objects.create(document=document, schema=spec["schema"], layout=spec["layout"],
                                          official_template=spec["official_template"])


@pytest.fixture
def draft_form(published, demo):
    """The same form on a new draft version (copied with it): the one that may be edited."""
    draft = services.version_new_draft_from(actor=demo.user("admin@demo.gov.vn"),
                                            version=published.document.version, decision_number="99/QĐ-TEST")
    return DeclarationForm.objects.get(document__version=draft)


def change_url(form):
    return reverse("admin:procedures_declarationform_change", args=[form.pk])


def preview_url(form):
    return reverse("admin:procedures_declarationform_preview", args=[form.pk])


def posted(form, **changes):
    data = {"schema": json.dumps(form.schema, ensure_ascii=False),
            "layout": json.dumps(form.layout, ensure_ascii=False), "print_template": form.print_template,
            "official_template": form.official_template}
    data.update(changes)
    return data


def staff_with_model_rights(email, demo):
    """A staff account holding every Django permission on declaration forms (what the admin site itself asks)."""
    user = demo.user(email)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="procedures",
                                                         content_type__model="declarationform"))
    return User.objects.get(pk=user.pk)


def test_the_editor_shows_pretty_json_in_monospace_boxes_and_the_template_choice(admin_client, draft_form):
    page = admin_client.get(change_url(draft_form))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="json-editor"' in html and 'name="schema"' in html and 'name="layout"' in html
    assert '\n  &quot;type&quot;: &quot;object&quot;,' in html  # indented, two spaces
    assert "Tờ khai đăng ký khai sinh" in html  # not \\u-escaped
    assert '<select name="print_template"' in html and 'value="generic"' in html
    assert preview_url(draft_form) in html


def test_a_valid_definition_is_saved_through_the_service(admin_client, draft_form):
    layout = {**draft_form.layout, "title": "Tờ khai đăng ký khai sinh (mẫu mới)"}
    with mock.patch.object(services, "declaration_form_save", wraps=services.declaration_form_save) as save:
        response = admin_client.post(change_url(draft_form), posted(draft_form, layout=json.dumps(layout),
                                                                    official_template="Thông tư 04/2024/TT-BTP"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert save.call_count == 1 and save.call_args.kwargs["document"].pk == draft_form.document_id
    draft_form.refresh_from_db()
    assert draft_form.layout["title"] == "Tờ khai đăng ký khai sinh (mẫu mới)"
    assert draft_form.official_template == "Thông tư 04/2024/TT-BTP"
    assert DeclarationForm.objects.count() == 2  # no new row: the published one and this one


def test_every_problem_of_an_invalid_definition_is_shown_and_nothing_changes(admin_client, draft_form):
    before = (copy.deepcopy(draft_form.schema), copy.deepcopy(draft_form.layout), draft_form.updated_at)
    schema = copy.deepcopy(draft_form.schema)
    del schema["properties"]["ks_dan_toc"]["maxLength"]
    layout = copy.deepcopy(draft_form.layout)
    layout["sections"][0]["items"].append({"field": "khong_co", "label": "Không có"})
    with mock.patch.object(services, "declaration_form_save") as save:
        response = admin_client.post(change_url(draft_form), posted(draft_form, schema=json.dumps(schema),
                                                                    layout=json.dumps(layout)))
    assert response.status_code == 200 and not save.called
    errors = response.context["adminform"].form.errors
    assert any("“ks_dan_toc” phải có maxLength" in e for e in errors["schema"])
    assert "layout: trường “khong_co” không có trong schema." in errors["layout"]
    html = response.content.decode()
    assert "ks_dan_toc" in html and "khong_co" in html
    draft_form.refresh_from_db()
    assert (draft_form.schema, draft_form.layout, draft_form.updated_at) == before


def test_a_case_must_name_a_conditional_component_of_the_version(admin_client, draft_form):
    """The layout's `cases` (the components the declaration settles) name the version's conditional components only:
    a missing one or one always required is refused on the layout, nothing saved."""
    before = copy.deepcopy(draft_form.layout)
    for document, expected in (("Giấy không có", "thành phần hồ sơ “Giấy không có” không có trong phiên bản"),
                               ("Tờ khai đăng ký khai sinh", "thành phần hồ sơ “Tờ khai đăng ký khai sinh” không có"),
                               (PROXY, None)):
        layout = {**before, "cases": [{"document": document, "field": "quan_he", "values": ["uy_quyen"]}]}
        response = admin_client.post(change_url(draft_form), posted(draft_form, layout=json.dumps(layout)))
        if expected is None:
            assert response.status_code == 302
        else:
            assert response.status_code == 200
            assert any(expected in e for e in response.context["adminform"].form.errors["layout"])
            draft_form.refresh_from_db()
            assert draft_form.layout == before
    draft_form.document.version.documents.filter(name=PROXY).update(requirement=Requirement.REQUIRED)
    response = admin_client.post(change_url(draft_form), posted(draft_form))
    assert response.status_code == 200
    assert any(f"“{PROXY}” không phải thành phần nộp theo điều kiện" in e
               for e in response.context["adminform"].form.errors["layout"])


def test_invalid_json_names_line_and_column_and_changes_nothing(admin_client, draft_form):
    before = copy.deepcopy(draft_form.layout)
    broken = '{\n  "title": "A",\n  sections: []\n}'
    response = admin_client.post(change_url(draft_form), posted(draft_form, layout=broken))
    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["layout"]
    assert message.startswith("JSON không hợp lệ: dòng 3, cột 3: ")
    assert "sections: []" in response.content.decode()  # what was typed stays in the box
    draft_form.refresh_from_db()
    assert draft_form.layout == before


def test_a_published_versions_form_is_read_only_with_the_reason(admin_client, published):
    page = admin_client.get(change_url(published))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="schema"' not in html and 'name="layout"' not in html and 'name="print_template"' not in html
    assert "hãy tạo phiên bản mới từ phiên bản này" in html
    assert 'class="json-view"' in html and "nyc_ho_ten" in html  # still readable
    assert "/delete/" not in html
    layout = {**published.layout, "title": "Đổi"}
    assert admin_client.post(change_url(published), posted(published, layout=json.dumps(layout))).status_code == 403
    assert admin_client.post(reverse("admin:procedures_declarationform_delete", args=[published.pk]),
                             {"post": "yes"}).status_code == 403
    published.refresh_from_db()
    assert published.layout["title"] == "Tờ khai đăng ký khai sinh"


def test_a_form_is_added_from_the_version_page_to_a_component_of_a_draft(admin_client, draft_form, spec):
    version = draft_form.document.version
    other = version.documents.exclude(pk=draft_form.document_id).first()
    page = admin_client.get(reverse("admin:procedures_procedureversion_change", args=[version.pk])).content.decode()
    assert change_url(draft_form) in page and "Sửa tờ khai" in page
    add = reverse("admin:procedures_declarationform_add")
    assert f"{add}?document={other.pk}" in page
    published_page = admin_client.get(reverse("admin:procedures_procedureversion_change",
                                              args=[version.procedure.versions.get(status="published").pk]))
    assert "Xem tờ khai" in published_page.content.decode()
    form = admin_client.get(add, {"document": other.pk}).content.decode()
    assert f'<option value="{other.pk}" selected>' in form
    response = admin_client.post(add, {"document": other.pk, "schema": json.dumps(spec["schema"]),
                                       "layout": json.dumps(spec["layout"]), "print_template": "generic",
                                       "official_template": ""})
    assert response.status_code == 302
    assert DeclarationForm.objects.get(document=other).layout["title"] == "Tờ khai đăng ký khai sinh"


def test_only_catalogue_administrators_reach_the_editor_and_the_preview(client, demo, draft_form):
    officer = staff_with_model_rights("tiepnhan.pleiku@demo.gov.vn", demo)
    client.force_login(officer)
    assert client.get(change_url(draft_form)).status_code == 403
    assert client.get(preview_url(draft_form)).status_code == 403
    assert client.get(reverse("admin:procedures_declarationform_changelist")).status_code == 403
    administrator = staff_with_model_rights("admin.pleiku@demo.gov.vn", demo)  # Role.ADMIN, not a superuser
    client.force_login(administrator)
    assert client.get(change_url(draft_form)).status_code == 200
    assert client.get(preview_url(draft_form)).status_code == 200


# -- the preview ----------------------------------------------------------------------------------------------

def filled(**changes):
    raw = {"f-nyc_ho_ten": "Nguyễn Văn An", "f-nyc_so_dinh_danh": "064090000123",
           "f-nyc_noi_cu_tru-province": "52", "f-nyc_noi_cu_tru-commune": "T001",
           "f-nyc_noi_cu_tru-street": "12 Trần Phú", "f-quan_he": "cha", "f-ks_ho_ten": "Nguyễn Minh Khang",
           "f-ks_ngay_sinh": "05/03/2026", "f-ks_gioi_tinh": "nam", "f-ks_dan_toc": "Kinh",
           "f-ks_quoc_tich": "Việt Nam", "f-ks_noi_sinh": "Bệnh viện Đa khoa tỉnh Gia Lai",
           "f-me_ho_ten": "Trần Thị Cúc", "f-me_nam_sinh": "1996"}
    raw.update(changes)
    return raw


@pytest.fixture
def commune(db):
    return AdministrativeUnit.objects.create(code="T001", name="Phường Thử", level=UnitLevel.COMMUNE,
                                             parent=provinces_ensure()["52"])


def test_the_preview_draws_the_citizens_page(admin_client, published, commune):
    page = admin_client.get(preview_url(published))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Tờ khai đăng ký khai sinh</h1>" in html
    assert 'name="f-ks_ho_ten"' in html and 'maxlength="60"' in html
    assert 'data-show-if="f-quan_he" data-show-values="uy_quyen"' in html
    assert "Phường Thử" in html  # the address selects
    assert "data-autosave-url" not in html  # the page's script saves nothing here
    assert 'data-testid="preview-pdf"' not in html


def test_the_preview_checks_like_the_real_page_with_errors_next_to_fields(admin_client, published, commune):
    response = admin_client.post(preview_url(published), {"action": "check", **filled(
        **{"f-ks_ho_ten": "", "f-nyc_so_dinh_danh": "12345", "f-quan_he": "uy_quyen"})})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="f-ks_ho_ten-error"' in html and "Chưa điền “Họ, chữ đệm, tên”." in html
    assert 'id="f-nyc_so_dinh_danh-error"' in html and "Số CCCD phải gồm đúng 12 chữ số" in html
    assert 'id="f-uy_quyen_van_ban-error"' in html
    assert 'value="Nguyễn Văn An"' in html  # what was typed stays
    assert 'data-testid="preview-pdf"' not in html


def test_valid_preview_data_gives_the_pdf_and_nothing_is_stored(admin_client, published, commune):
    from dossiers.models import Attachment, Declaration  # a higher app, only to prove nothing was stored there

    before = published.updated_at
    checked = admin_client.post(preview_url(published), {"action": "check", **filled()})
    assert checked.status_code == 200
    html = checked.content.decode()
    assert 'data-testid="preview-valid"' in html and "Tải PDF mẫu" in html
    pdf = admin_client.post(preview_url(published), {"action": "pdf", **filled()})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    words = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in words and "Nguyễn Minh Khang" in words
    assert "12 Trần Phú, Phường Thử, Tỉnh Gia Lai" in words
    invalid_pdf = admin_client.post(preview_url(published), {"action": "pdf", **filled(**{"f-ks_ho_ten": ""})})
    assert invalid_pdf.status_code == 400 and invalid_pdf["Content-Type"].startswith("text/html")
    assert not Declaration.objects.exists() and not Attachment.objects.exists()
    published.refresh_from_db()
    assert published.updated_at == before and DeclarationForm.objects.count() == 1


def test_the_preview_adds_a_row_to_a_group_without_javascript(admin_client, catalogue):
    from eforms.tests.test_definition import small  # the small definition with a repeating group

    schema, layout = small()
    version = Procedure.objects.get(code="1.001193").versions.get(status=VersionStatus.PUBLISHED)
    form = DeclarationForm.objects.create(document=version.documents.first(), schema=schema, layout=layout)
    page = admin_client.post(preview_url(form), {"action": "add:thanh_vien", "f-ho_ten": "A",
                                                 "f-thanh_vien-rows": "1", "f-thanh_vien-0-ten": "B"})
    html = page.content.decode()
    assert page.status_code == 200 and 'name="f-thanh_vien-1-ten"' in html and 'value="B"' in html
