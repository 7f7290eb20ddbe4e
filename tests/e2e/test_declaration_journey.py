"""In the browser, on a 390-px phone (#23): a citizen registers a birth with no upload at all. She starts an
online dossier, fills the birth registration declaration on the portal (her name and ID number from her account,
the place of birth from the Giấy chứng sinh in her document store), meets an error next to the field she left
empty, sees the number of copies asked only once she asks for copies, finishes it (the PDF is attached), takes the
Giấy chứng sinh from her document store and submits. The draft is saved as she types. Without JavaScript the page
still works: the conditional fields are shown with their "Chỉ điền khi …" note, the communes of every province
are listed, and the declaration is finished all the same."""

import datetime as dt
import importlib
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .test_dossier_journey import act, login, status

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
DECLARATION = "Tờ khai đăng ký khai sinh"
# Screenshots for a person to look at: SCREENSHOT_DIR keeps them (e.g. /tmp/eforms-shots), else pytest's tmp_path.
SHOTS = os.environ.get("SCREENSHOT_DIR")


@pytest.fixture
def birth_world(demo):
    """The seed catalogue with its declaration forms, the demo province's communes and the demo document stores
    (an.nguyen@example.com holds a Giấy chứng sinh)."""
    from docstore import demo as docstore_demo
    from eforms import demo as eforms_demo
    from eforms.models import AdministrativeUnit
    from procedures.demo import seed_text
    from procedures.transfer import import_procedures

    # the provinces come from a data migration, which an earlier transactional test's flush takes away
    provinces = importlib.import_module("eforms.migrations.0002_provinces").PROVINCES
    for code, name in provinces:
        AdministrativeUnit.objects.update_or_create(code=code, defaults={"name": name, "level": "province"})
    eforms_demo.seed({})
    import_procedures(seed_text())
    docstore_demo.seed({})


def start_birth_registration(page, base):
    page.goto(f"{base}/thu-tuc/1.001193/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.select_option("select[name=agency]", label="Ủy ban nhân dân phường Pleiku")
    page.fill("input[name=applicant_address]", "45 Trần Phú")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert status(page) == "Bản nháp"
    return page.url


def open_declaration(page):
    row = page.locator("[data-testid=components] tr", has_text=DECLARATION)
    row.get_by_role("link", name="Điền tờ khai trực tuyến").click()
    page.wait_for_selector("form[data-declaration]")
    # the form is parsed before its deferred script has run: wait for the script (it runs before DOMContentLoaded)
    page.wait_for_load_state("domcontentloaded")


def field(page, name):
    return page.locator(f"[data-field='{name}']")


def visible_optgroups(page, select):
    return page.eval_on_selector_all(f"{select} optgroup", "gs => gs.filter(g => !g.hidden).map(g => g.label)")


def test_a_birth_registration_on_a_phone_with_no_upload(page, base, birth_world, tmp_path):
    from accounts.models import User
    from dossiers.models import Attachment, Declaration, DeclarationStatus, Dossier

    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    an = User.objects.get(email="an.nguyen@example.com")
    page.set_viewport_size(PHONE)
    login(page, base, an.email)
    detail = start_birth_registration(page, base)
    open_declaration(page)

    # Pre-filled: the account's name, ID number and phone; the place of birth from the stored Giấy chứng sinh.
    assert page.input_value("#f-nyc_ho_ten") == "Nguyễn Văn An"
    assert page.input_value("#f-nyc_so_dinh_danh") == an.citizen_id
    assert page.input_value("#f-ks_noi_sinh") == "Bệnh viện Đa khoa tỉnh Gia Lai"
    # With JavaScript the conditional fields wait for their condition.
    expect(field(page, "f-uy_quyen_van_ban")).to_be_hidden()
    expect(field(page, "f-so_ban_sao")).to_be_hidden()
    page.screenshot(path=str(shots / "declaration-390-start.png"), full_page=True)

    # The draft is saved as she types (no button): reload, it is still there.
    page.fill("#f-ks_ho_ten", "Nguyễn Minh Khang")
    page.locator("#f-ks_ho_ten").press("Tab")  # the change event: saved three seconds later
    expect(page.locator("[data-autosave-status]")).to_contain_text("Đã lưu nháp lúc", timeout=15000)
    page.reload()
    assert page.input_value("#f-ks_ho_ten") == "Nguyễn Minh Khang"
    assert Declaration.objects.get().status == DeclarationStatus.DRAFT

    # The address: the province first, then only its communes are offered.
    assert len(visible_optgroups(page, "#f-nyc_noi_cu_tru-commune")) >= 1
    page.select_option("#f-nyc_noi_cu_tru-province", label="Tỉnh Gia Lai")
    assert visible_optgroups(page, "#f-nyc_noi_cu_tru-commune") == ["Tỉnh Gia Lai"]
    page.select_option("#f-nyc_noi_cu_tru-commune", label="Phường Pleiku")
    page.fill("#f-nyc_noi_cu_tru-street", "45 Trần Phú")
    page.check("input[name=f-quan_he][value=cha]")
    expect(field(page, "f-uy_quyen_van_ban")).to_be_hidden()  # only for an authorised person
    born = timezone.localdate() - dt.timedelta(days=6)
    page.fill("#f-ks_ngay_sinh", born.isoformat())
    page.check("input[name=f-ks_gioi_tinh][value=nam]")
    page.fill("#f-ks_dan_toc", "Kinh")
    page.fill("#f-ks_quoc_tich", "Việt Nam")
    page.fill("#f-me_nam_sinh", "1993")

    # "Hoàn tất" with the mother's name missing: the summary lists it, the error stands next to the field.
    page.click("[data-testid=declaration-finish]")
    page.wait_for_selector("[data-testid=error-summary]")
    page.wait_for_load_state("domcontentloaded")
    summary = page.locator("[data-testid=error-summary]")
    expect(summary).to_be_focused()
    link = summary.locator("a[href='#f-me_ho_ten']")
    assert "Chưa điền “Họ, chữ đệm, tên người mẹ”." in link.inner_text()
    error = page.locator("#f-me_ho_ten-error")
    assert error.is_visible() and "Chưa điền" in error.inner_text()
    assert page.get_attribute("#f-me_ho_ten", "aria-describedby") == "f-me_ho_ten-error"
    assert page.get_attribute("#f-me_ho_ten", "aria-invalid") == "true"
    page.screenshot(path=str(shots / "declaration-390-error.png"), full_page=True)
    link.click()
    expect(page.locator("#f-me_ho_ten")).to_be_focused()
    # what she typed came back
    assert page.input_value("#f-ks_ho_ten") == "Nguyễn Minh Khang"
    assert page.input_value("#f-nyc_noi_cu_tru-commune") == "D52001"
    assert Attachment.objects.count() == 0

    # The number of copies is asked only once she asks for copies.
    page.fill("#f-me_ho_ten", "Lê Thị Hạnh")
    expect(field(page, "f-so_ban_sao")).to_be_hidden()
    page.check("#f-ban_sao")
    expect(field(page, "f-so_ban_sao")).to_be_visible()
    page.fill("#f-so_ban_sao", "2")
    page.uncheck("#f-ban_sao")
    expect(field(page, "f-so_ban_sao")).to_be_hidden()
    page.check("#f-ban_sao")
    page.screenshot(path=str(shots / "declaration-390-filled.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(shots / "declaration-1280-filled.png"), full_page=True)
    page.set_viewport_size(PHONE)

    page.click("[data-testid=declaration-finish]")
    page.wait_for_selector("text=Đã hoàn tất tờ khai và đính kèm bản PDF vào hồ sơ.")
    assert page.url.split("#")[0] == detail.split("#")[0]
    row = page.locator("[data-testid=components] tr", has_text=DECLARATION)
    expect(row.get_by_role("link", name="Sửa tờ khai")).to_be_visible()

    # The Giấy chứng sinh from her document store, no upload.
    reuse = page.locator("[data-testid=reuse]")
    reuse.locator("[data-testid=reuse-component]").select_option(label="Giấy chứng sinh (còn thiếu)")
    reuse.locator("[data-testid=reuse-document]").select_option(
        index=reuse.locator("[data-testid=reuse-document] option").evaluate_all(
            "os => os.findIndex(o => o.textContent.startsWith('Giấy chứng sinh'))"))
    reuse.locator("[data-testid=reuse-submit]").click()
    page.wait_for_selector("text=Đã dùng lại giấy tờ từ kho dữ liệu cho “Giấy chứng sinh”.")
    page.screenshot(path=str(shots / "dossier-390-ready.png"), full_page=True)
    act(page, "submit")
    assert status(page) == "Đã nộp, chờ tiếp nhận"

    dossier = Dossier.objects.get()
    declaration = Declaration.objects.get(dossier=dossier)
    assert declaration.status == DeclarationStatus.DONE
    assert declaration.data["ks_ho_ten"] == "Nguyễn Minh Khang" and declaration.data["so_ban_sao"] == 2
    assert declaration.data["ks_noi_sinh"] == "Bệnh viện Đa khoa tỉnh Gia Lai"
    files = Attachment.objects.filter(dossier=dossier, is_active=True)
    assert {(f.document.name, f.content_type) for f in files} == {
        (DECLARATION, "application/pdf"), ("Giấy chứng sinh", "application/pdf")}
    pdf = files.get(document__name=DECLARATION)
    assert pdf.pk == declaration.attachment_id and not pdf.reused
    assert files.get(document__name="Giấy chứng sinh").reused
    uploaded = files.exclude(pk=declaration.attachment_id).filter(reused=False)
    assert not uploaded.exists()  # nothing was uploaded

    # After submission the declaration is read-only: its fields, tidy, on the phone.
    page.goto(base + page.locator("[data-testid=components] tr", has_text=DECLARATION)
              .get_by_role("link", name="Xem nội dung tờ khai").get_attribute("href"))
    page.wait_for_selector("[data-testid=declaration-fields]")
    assert "Nguyễn Minh Khang" in page.locator("[data-testid=declaration-fields]").inner_text()
    page.screenshot(path=str(shots / "declaration-390-readonly.png"), full_page=True)


def test_without_javascript_the_declaration_still_works(browser, base, birth_world, tmp_path):
    from dossiers.models import Declaration, DeclarationStatus

    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    login(page, base, "an.nguyen@example.com")
    start_birth_registration(page, base)
    open_declaration(page)
    # the conditional fields are there, each with the condition that asks for it
    for name, note in (("f-so_ban_sao", "Chỉ điền khi “Đề nghị cấp bản sao Giấy khai sinh” là: có."),
                       ("f-uy_quyen_van_ban", "Chỉ điền khi “Quan hệ với người được khai sinh” là: "
                                              "Người được ủy quyền.")):
        assert field(page, name).is_visible()
        assert note in field(page, name).locator(".condition-note").inner_text()
    # every province's communes are listed (grouped by province)
    assert "Tỉnh Gia Lai" in visible_optgroups(page, "#f-nyc_noi_cu_tru-commune")
    page.screenshot(path=str(shots / "declaration-390-nojs.png"), full_page=True)

    page.select_option("#f-nyc_noi_cu_tru-province", label="Tỉnh Gia Lai")
    page.select_option("#f-nyc_noi_cu_tru-commune", label="Phường Pleiku")
    page.check("input[name=f-quan_he][value=me]")
    page.fill("#f-ks_ho_ten", "Nguyễn Minh Khang")
    page.fill("#f-ks_ngay_sinh", (timezone.localdate() - dt.timedelta(days=6)).isoformat())
    page.check("input[name=f-ks_gioi_tinh][value=nam]")
    page.fill("#f-ks_dan_toc", "Kinh")
    page.fill("#f-ks_quoc_tich", "Việt Nam")
    page.fill("#f-me_ho_ten", "Lê Thị Hạnh")
    page.check("#f-ban_sao")  # asked for copies, but not how many: refused, named next to the field
    page.click("[data-testid=declaration-finish]")
    page.wait_for_selector("#f-so_ban_sao-error")
    assert "Chưa điền “Số lượng bản sao”." in page.locator("#f-so_ban_sao-error").inner_text()
    page.fill("#f-so_ban_sao", "1")
    page.click("[data-testid=declaration-finish]")
    page.wait_for_selector("text=Đã hoàn tất tờ khai và đính kèm bản PDF vào hồ sơ.")
    declaration = Declaration.objects.get()
    assert declaration.status == DeclarationStatus.DONE and declaration.data["so_ban_sao"] == 1
    context.close()
