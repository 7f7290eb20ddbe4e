"""In the browser (#15): the main pages run under the Content-Security-Policy without a single
violation, and on a 390-px phone a refused upload or a form with errors takes the focus at the top
of the page, and the navigation folds behind a Menu button."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from procedures.transfer import import_procedures

from .test_dossier_journey import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SAMPLE = Path(__file__).resolve().parents[2] / "procedures" / "tests" / "data" / "sample.json"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PHONE = {"width": 390, "height": 844}
# Screenshots for a person to look at: SCREENSHOT_DIR keeps them, else pytest's tmp_path.
SHOTS = os.environ.get("SCREENSHOT_DIR")

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


class Violations:
    """CSP violations seen by the page: the DOM event (per document) and the console messages."""

    def __init__(self, page):
        self.page, self.console = page, []
        page.add_init_script(WATCH)
        page.on("console", lambda m: self.console.append(m.text) if "Content Security Policy" in m.text else None)

    def visit(self, url, settle=None):
        response = self.page.goto(url)
        assert response.status < 400, (url, response.status)
        assert "default-src 'self'" in response.headers["content-security-policy"], url
        if settle:
            self.page.wait_for_selector(settle)
        self.page.wait_for_load_state("load")
        return self.seen(url)

    def seen(self, where):
        found = self.page.evaluate("window.__cspViolations || []") + self.console
        self.console = []
        return [f"{where}: {v}" for v in found]


def test_the_main_pages_run_under_the_policy_without_a_violation(page, base, demo):
    from accounts.models import User
    from dossiers.models import Dossier

    import_procedures(SAMPLE.read_text(encoding="utf-8"))
    watch = Violations(page)
    seen = []
    # Anonymous: the catalogue (htmx search as one types), tracking, login, registration, the API docs.
    for url in ("/", "/thu-tuc/", "/thu-tuc/1.001193/", "/ho-so/tra-cuu/", "/accounts/login/",
                "/accounts/register/", "/phan-anh/gui/", "/danh-gia/quay/"):
        seen += watch.visit(base + url)
    page.goto(base + "/thu-tuc/")
    with page.expect_response(lambda r: "/thu-tuc/?" in r.url):
        page.fill("#q", "khai sinh")
    page.wait_for_load_state("load")
    seen += watch.seen("catalogue search (htmx)")
    seen += watch.visit(base + "/api/docs/", settle=".swagger-ui .info")

    # A citizen: start a dossier, its page, the store, the profile, the notifications.
    login(page, base, "an.nguyen@example.com")
    seen += watch.seen("login")
    page.goto(base + "/thu-tuc/1.001193/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.select_option("select[name=agency]", label="Ủy ban nhân dân phường Pleiku")
    page.fill("input[name=applicant_address]", "12 Trần Phú")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state("load")
    seen += watch.seen("dossier start")
    dossier = Dossier.objects.get()
    for url in (f"/ho-so/{dossier.pk}/", "/ho-so/", "/kho-du-lieu/", "/accounts/me/", "/thong-bao/"):
        seen += watch.visit(base + url)

    # The desk: the reception form reloads with the procedure's components (static/js/desk.js).
    login(page, base, "tiepnhan.pleiku@demo.gov.vn")
    seen += watch.visit(base + "/ho-so/tiep-nhan/")
    page.select_option("select[name=version]", index=1)
    page.wait_for_selector("[data-testid=desk-components] input[type=checkbox]")
    seen += watch.seen("desk after choosing the procedure")
    seen += watch.visit(base + "/ho-so/can-xu-ly/")

    # The administrator: the admin site and the working-calendar year page (autosubmit select).
    User.objects.filter(email="admin@demo.gov.vn").update(is_staff=True, is_superuser=True)
    login(page, base, "admin@demo.gov.vn")
    from procedures.models import ProcedureVersion

    version = ProcedureVersion.objects.order_by("pk").first()
    for url in ("/admin/", "/admin/accounts/user/", "/admin/accounts/user/add/",
                reverse("admin:procedures_procedureversion_change", args=[version.pk]),  # inlines, widgets
                reverse("admin:dossiers_dossier_changelist")):
        seen += watch.visit(base + url)
    seen += watch.visit(base + reverse("admin:workcalendar_year", args=[2026]))
    with page.expect_navigation():  # the province select sends its form by itself (data-autosubmit)
        page.select_option("select[name=province]", index=1)
    assert "province=" in page.url
    seen += watch.seen("calendar year, one province")
    seen += watch.visit(base + "/workspace/staff/")
    assert seen == []


def test_a_refused_upload_on_a_phone_takes_the_focus_at_the_top(page, base, demo, tmp_path):
    import_procedures(SAMPLE.read_text(encoding="utf-8"))
    shots = Path(SHOTS) if SHOTS else tmp_path
    page.set_viewport_size(PHONE)
    login(page, base, "an.nguyen@example.com")

    # A form sent with errors: the summary at the top is focused and lists each field with a link.
    page.goto(base + "/thu-tuc/1.001193/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.fill("input[name=applicant_name]", "")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state("load")
    summary = page.locator("[data-error-summary]")
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert summary.is_visible() and _in_viewport(page, "[data-error-summary]")
    page.screenshot(path=str(shots / "phone-390-form-errors.png"))
    link = summary.locator("a[href='#id_applicant_name']")
    assert link.count() == 1
    link.click()
    assert page.evaluate("document.activeElement.id") == "id_applicant_name"
    assert _in_viewport(page, "label[for=id_applicant_name]")  # the field comes with its label

    # A refused upload (a PNG named .pdf), far down the dossier page: the error comes into view, focused.
    page.select_option("select[name=agency]", label="Ủy ban nhân dân phường Pleiku")
    page.fill("input[name=applicant_name]", "Nguyễn Văn An")
    page.fill("input[name=applicant_address]", "12 Trần Phú")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state("load")
    row = page.locator("[data-testid=components] tr", has_text="Tờ khai đăng ký khai sinh")
    row.locator("input[type=file]").set_input_files(files=[{"name": "to-khai.pdf", "mimeType": "application/pdf",
                                                            "buffer": PNG}])
    row.locator("button[type=submit]").scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 300  # the upload button is well below the top
    row.locator("button[type=submit]").click()
    error = page.locator(".message-error[data-error-summary]")
    error.wait_for()
    expect(error).to_be_focused()  # (not wait_for_function: its string predicate is eval'd, which the CSP refuses)
    assert "PNG" in error.inner_text()
    assert _in_viewport(page, ".message-error[data-error-summary]")
    page.screenshot(path=str(shots / "phone-390-upload-error.png"))


def test_the_phone_header_folds_the_navigation_behind_a_menu_button(page, base, demo, tmp_path):
    shots = Path(SHOTS) if SHOTS else tmp_path
    page.set_viewport_size(PHONE)
    login(page, base, "an.nguyen@example.com")
    page.goto(base + "/thu-tuc/")
    nav, button = page.locator("#site-nav"), page.locator("[data-menu-toggle]")
    assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
    assert button.get_attribute("aria-controls") == "site-nav"
    assert not nav.is_visible()
    page.screenshot(path=str(shots / "phone-390-menu-closed.png"))
    # By keyboard: Tab to the button, Enter opens it and moves into the menu, Escape closes it.
    button.focus()
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true" and nav.is_visible()
    assert page.evaluate("document.activeElement.closest('#site-nav') !== null")
    page.screenshot(path=str(shots / "phone-390-menu-open.png"))
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false" and not nav.is_visible()
    assert page.evaluate("document.activeElement.hasAttribute('data-menu-toggle')")
    page.keyboard.press("Space")
    assert nav.is_visible()
    nav.get_by_role("link", name="Tài khoản của tôi").click()
    page.wait_for_load_state("load")
    assert "/accounts/me/" in page.url or "/workspace/" in page.url

    # On a desktop the navigation is always shown and the button is not.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(base + "/thu-tuc/")
    assert nav.is_visible() and not button.is_visible()
    page.screenshot(path=str(shots / "desktop-1280-catalogue.png"))


def _in_viewport(page, selector) -> bool:
    return page.evaluate("""(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight && r.bottom > 0; }""", selector)
