"""axe-core on the pages citizens and the desk use: no serious or critical violation (labels, contrast,
focus order, the page language...). Debian Chromium, Playwright; axe-core is vendored (tests/e2e/vendor)."""

import hashlib
import json
from pathlib import Path

import pytest

from procedures.models import Procedure, VersionStatus
from procedures.transfer import import_procedures

from .test_survey_journey import _returned

pytestmark = pytest.mark.e2e
SAMPLE = Path(__file__).resolve().parents[2] / "procedures" / "tests" / "data" / "sample.json"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"  # axe-core 4.14.1
BLOCKING = ("serious", "critical")


def _axe_source() -> str:
    data = AXE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == AXE_SHA256, "tests/e2e/vendor/axe.min.js is not axe-core 4.14.1"
    return data.decode("utf-8")


def audit(page, source: str) -> list[dict]:
    """Run every axe rule on the loaded page; return the serious and critical violations."""
    page.add_script_tag(content=source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in BLOCKING]


def login(page, base, email, password="MotCua@2026"):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_citizen_and_desk_pages_have_no_serious_accessibility_violation(demo, base, browser):
    source = _axe_source()
    import_procedures(SAMPLE.read_text(encoding="utf-8"))
    returned = _returned(demo)  # a dossier with a result, a tracking PIN and a survey invitation
    household = Procedure.objects.get(code="2.000575").versions.get(status=VersionStatus.PUBLISHED)
    # The axe script is injected inline: the test's browser lets it past the page's Content-Security-Policy.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    pages = {
        "home": "/",
        "catalogue search": "/thu-tuc/?q=khai+sinh",
        "procedure detail": "/thu-tuc/1.001193/",
        "tracking form": "/ho-so/tra-cuu/",
        "tracking result": f"/ho-so/tra-cuu/?code={returned.code}&pin={returned.pin}",
        "survey": f"/danh-gia/{returned.survey_invitation.token}/",
        "feedback form": "/phan-anh/gui/",
    }
    found: dict[str, list] = {}
    checked = []

    def check(name: str, path: str) -> None:
        page.goto(base + path)
        page.wait_for_load_state()
        assert page.locator("main").count() == 1, f"{name}: {path} did not render"
        checked.append(name)
        if violations := audit(page, source):
            found[name] = violations

    def submit_unvalidated(name: str) -> None:
        """Send the page's main form as it is (past the browser's own checks): the server's errors show."""
        page.evaluate("() => { const f = document.querySelector('main form.form'); f.noValidate = true; }")
        page.locator("main form.form [type=submit]").last.click()
        page.wait_for_load_state()
        checked.append(name)
        if violations := audit(page, source):
            found[name] = violations

    for name, path in pages.items():
        check(name, path)
    check("tracking, wrong PIN", f"/ho-so/tra-cuu/?code={returned.code}&pin=000000")
    check("feedback form", "/phan-anh/gui/")
    submit_unvalidated("feedback form with errors")
    login(page, base, "an.nguyen@example.com")
    check("online submission start", "/ho-so/nop/1.001193/")
    check("notifications", "/thong-bao/")
    login(page, base, "tiepnhan.pleiku@demo.gov.vn")
    check("desk reception form", f"/ho-so/tiep-nhan/?version={household.pk}")
    submit_unvalidated("desk reception form with errors")
    # English pages say so (lang="en"), and the phone layout (the header and the forms reflow).
    page.context.clear_cookies()
    page.goto(base + "/")
    page.locator("button.lang-btn[value=en]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    check("home (English)", "/")
    check("procedure detail (English)", "/thu-tuc/1.001193/")
    page.set_viewport_size({"width": 390, "height": 844})
    check("home (English, phone)", "/")
    page.context.clear_cookies()
    check("feedback form (phone)", "/phan-anh/gui/")
    check("survey (phone)", f"/danh-gia/{returned.survey_invitation.token}/")
    context.close()
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)
    assert len(checked) == 19


def test_the_audit_reports_what_axe_finds(browser):
    """The harness itself: a page with no language, an unlabelled field and faint text fails it."""
    page = browser.new_page()
    page.set_content("<html><head><title>x</title></head><body><main><h1>x</h1><input type=text>"
                     "<p style='color:#ccc;background:#fff'>mờ</p></main></body></html>")
    rules = {v["rule"] for v in audit(page, _axe_source())}
    page.close()
    assert rules == {"html-has-lang", "label", "color-contrast"}
