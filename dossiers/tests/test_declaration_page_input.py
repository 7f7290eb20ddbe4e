"""The declaration page's accessibility and bad input (#23): every input has an id, the error summary links to
inputs that exist (address parts and group cells included), an input's aria-describedby names its error; a
forged, garbled or oversized POST gets a 200/400 page, never a 500, and stores nothing it should not."""

import re
from html.parser import HTMLParser

import pytest
import time_machine

from dossiers.models import Declaration
from eforms.tests.test_definition import small
from procedures.models import DeclarationForm

from .test_declarations import NOW, draft, filled, form, url  # noqa: F401 - the birth form fixture

pytestmark = pytest.mark.django_db


class Page(HTMLParser):
    """The ids, the inputs and the error summary's links of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.ids, self.inputs, self.links, self._summary = set(), [], [], 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        named = attrs.get("name", "").startswith("f-")
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden" and named:
            self.inputs.append(attrs)
        if tag == "div" and "data-error-summary" in attrs:
            self._summary = 1
        elif self._summary and tag == "a":
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "div" and self._summary:
            self._summary = 0


@pytest.fixture
def group_form(world):
    """A second form on the birth registration with an address, a radio choice and a group of at most 5 rows."""
    schema, layout = small()
    schema["properties"]["dia_chi"] = {"type": "object", "format": "vn-address", "properties": {
        "province": {"type": "string"}, "commune": {"type": "string"}, "street": {"type": "string", "maxLength": 80}},
        "required": ["province", "commune"]}
    schema["properties"]["loai"] = {"type": "string", "enum": ["a", "b"]}
    schema["required"] += ["dia_chi", "loai"]
    layout["sections"][0]["items"] += [{"field": "dia_chi", "label": "Địa chỉ"},
                                       {"field": "loai", "label": "Loại", "widget": "radio"}]
    document = world.birth.documents.exclude(name="Tờ khai đăng ký khai sinh").first()
    return DeclarationForm.objects.create(document=document, schema=schema, layout=layout)


def check_page(html: str) -> Page:
    page = Page(html)
    for attrs in page.inputs:
        assert attrs.get("id"), attrs                                   # every input has an id
        for ref in (attrs.get("aria-describedby") or "").split():
            assert ref in page.ids, (attrs["name"], ref)                # ...and what describes it exists
    for href in page.links:
        assert href.startswith("#") and href[1:] in page.ids, href      # every summary link has its target
    return page


@time_machine.travel(NOW, tick=False)
def test_the_error_summary_links_to_every_input_including_address_parts_and_group_cells(client, world, group_form):
    dossier = draft(world)
    client.force_login(world.citizen)
    response = client.post(url(dossier, group_form), {
        "action": "finish", "f-ho_ten": "", "f-la_dai_dien": "on", "f-thanh_vien-rows": "4",
        "f-thanh_vien-0-ten": "Bình", "f-thanh_vien-2-nam_sinh": "2001", "f-thanh_vien-3-nam_sinh": "năm",
        "f-dia_chi-province": "52"})
    assert response.status_code == 400
    html = response.content.decode()
    page = check_page(html)
    assert page.links == ["#f-ho_ten", "#f-nguoi_dai_dien", "#f-thanh_vien-2-ten", "#f-thanh_vien-3-nam_sinh",
                          "#f-dia_chi-commune", "#f-loai"]  # in the order of the page
    # the error of the page's third row is on the third row (the empty second row is not counted)
    assert 'id="f-thanh_vien-2-ten" name="f-thanh_vien-2-ten" value="" maxlength="30" aria-describedby=' \
           '"f-thanh_vien-2-ten-error" aria-required="true" aria-invalid="true"' in html
    assert 'id="f-thanh_vien-3-nam_sinh" name="f-thanh_vien-3-nam_sinh" value="năm" aria-describedby=' \
           '"f-thanh_vien-3-nam_sinh-error"' in html
    assert 'id="f-dia_chi-commune" name="f-dia_chi-commune" data-commune autocomplete="off" aria-required="true" ' \
           'aria-describedby="f-dia_chi-commune-error" aria-invalid="true"' in html
    assert '<fieldset class="choices" aria-describedby="f-loai-error">' in html
    assert 'id="f-loai" name="f-loai" value="a"' in html and 'id="f-loai-2" name="f-loai" value="b"' in html
    assert not Declaration.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_birth_form_has_an_id_for_every_input_and_errors_described(client, world, form):  # noqa: F811
    dossier = draft(world)
    client.force_login(world.citizen)
    check_page(client.get(url(dossier, form)).content.decode())
    response = client.post(url(dossier, form), {"action": "finish", **filled(**{
        "f-me_ho_ten": "", "f-nyc_noi_cu_tru-commune": "", "f-ks_ngay_sinh": "31/02/2026"})})
    html = response.content.decode()
    page = check_page(html)
    assert "#f-nyc_noi_cu_tru-commune" in page.links and "#f-ks_ngay_sinh" in page.links
    assert ('aria-describedby="f-ks_ngay_sinh-error f-ks_ngay_sinh-hint" aria-required="true" '
            'aria-invalid="true"') in html
    assert 'aria-describedby="f-so_ban_sao-condition"' in html  # a conditional field says when it is asked


def _draft_with(client, dossier, document_form):
    response = client.post(url(dossier, document_form), {"action": "save", "f-ho_ten": "Giữ nguyên",
                                                         "f-thanh_vien-rows": "1", "f-thanh_vien-0-ten": "Bình"})
    assert response.status_code == 302
    return Declaration.objects.get(dossier=dossier).raw


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("post, words", [
    ({"f-ho_ten": "Khác"}, "Thao tác không hợp lệ"),                                       # no action
    ({"action": "destroy", "f-ho_ten": "Khác"}, "Thao tác không hợp lệ"),
    ({"action": ["save", "finish"], "f-ho_ten": "Khác"}, None),                            # the last one counts
    ({"action": "add:khong_co", "f-ho_ten": "Khác"}, "Tờ khai không có nhóm này"),
    ({"action": "add:ho_ten", "f-ho_ten": "Khác"}, "Tờ khai không có nhóm này"),           # not a group
    ({"action": "add:thanh_vien", "f-ho_ten": "Khác", "f-thanh_vien-rows": "5"}, "“Thành viên”: tối đa 5 dòng."),
    ({"action": "add:thanh_vien", "f-ho_ten": "Khác", "f-thanh_vien-rows": "999999999999999999999"},
     "“Thành viên”: tối đa 5 dòng."),
    ({"action": "save", "other": "x", "f-": "y", "f-zzz": "z"}, "không có trường nào của mẫu"),
])
def test_a_forged_action_is_refused_and_changes_nothing(client, world, group_form, post, words):
    dossier = draft(world)
    client.force_login(world.citizen)
    before = _draft_with(client, dossier, group_form)
    response = client.post(url(dossier, group_form), post)
    if words is None:  # QueryDict: "finish" wins, refused as invalid (400), nothing stored either
        assert response.status_code == 400 and "Chưa hoàn tất được" in response.content.decode()
    else:
        assert response.status_code == 400
        assert words in response.content.decode()
    assert Declaration.objects.get(dossier=dossier).raw == before
    auto = client.post(url(dossier, group_form), post, HTTP_X_AUTOSAVE="1")
    assert auto.status_code == 400
    assert Declaration.objects.get(dossier=dossier).raw == before


@time_machine.travel(NOW, tick=False)
def test_adding_a_row_works_up_to_the_maximum(client, world, group_form):
    dossier = draft(world)
    client.force_login(world.citizen)
    response = client.post(url(dossier, group_form), {"action": "add:thanh_vien", "f-ho_ten": "A",
                                                      "f-thanh_vien-rows": "4", "f-thanh_vien-0-ten": "Bình"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="f-thanh_vien-4-ten"' in html and 'name="f-thanh_vien-rows" value="5"' in html
    # the page opens on the new row, ready for typing (without JavaScript too); only there
    assert re.search(r'<input [^>]*name="f-thanh_vien-4-ten"[^>]* autofocus', html) and html.count("autofocus") == 1
    assert 'value="add:thanh_vien"' not in html  # full: no more "Thêm dòng"
    assert Declaration.objects.get(dossier=dossier).raw["f-thanh_vien-0-ten"] == "Bình"


@time_machine.travel(NOW, tick=False)
def test_garbage_keys_values_and_bodies_never_give_a_500(client, world, group_form):
    dossier = draft(world)
    client.force_login(world.citizen)
    before = _draft_with(client, dossier, group_form)
    target = url(dossier, group_form)
    # keys the page never has are dropped; NUL and control characters (PostgreSQL refuses NUL) are removed
    response = client.post(target, {"action": "save", "f-ho_ten": "An\x00 Bình\x07", "f-zzz": "x",
                                    "f-thanh_vien-99-ten": "x", "f-thanh_vien-0-zzz": "x", "f-thanh_vien-00-ten": "x",
                                    "f-dia_chi": "x", "f-dia_chi-zzz": "x", "f-" + "a" * 500: "x",
                                    "f-dia_chi-province": "'; DROP TABLE x; --"})
    assert response.status_code == 302
    raw = Declaration.objects.get(dossier=dossier).raw
    assert raw == {"f-ho_ten": "An Bình", "f-dia_chi-province": "'; DROP TABLE x; --"}
    finish = client.post(target, {"action": "finish", "f-ho_ten": "A\x00", "f-dia_chi-province": "x" * 5000,
                                  "f-thanh_vien-0-nam_sinh": "9" * 400, "f-loai": "c"})
    assert finish.status_code == 400
    saved = Declaration.objects.get(dossier=dossier).raw
    # a body that is not a form at all
    garbage = b"\xff\xfe\x00garbage" * 1000
    assert client.post(target, garbage, content_type="application/octet-stream").status_code == 400
    assert client.post(target, "{not json", content_type="application/json").status_code == 400
    # too many fields, a body over the upload limit: Django refuses them before the view (400)
    many = {f"f-thanh_vien-0-x{n}": "x" for n in range(1200)}
    assert client.post(target, {"action": "save", **many}).status_code == 400
    huge = client.post(target, {"action": "save", "f-ho_ten": "x" * (11 * 1024 * 1024)})
    assert huge.status_code == 400
    assert Declaration.objects.get(dossier=dossier).raw == saved and before != saved
