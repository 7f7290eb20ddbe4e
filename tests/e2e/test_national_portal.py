"""A dossier filed on the National Public Service Portal (Cổng Dịch vụ công quốc gia), in the browser (Debian
Chromium, Playwright), at a desktop's width and at a phone's: a citizen files a birth registration for the Pleiku
ward desk on the simulated national portal, which posts it signed over HTTP to this portal's intake; the desk
officer finds it in the reception queue marked as coming from the national portal, sees what that portal vouched
for and receives it (the receipt is issued); the simulated portal shows the statuses pushed back, in its own
vocabulary: "Mới đăng ký", then "Được tiếp nhận"."""

import re
from pathlib import Path

import pytest

from nationalportal import mapping
from nationalportal.tests.test_simulator import seed_national_statuses
from procedures.models import Procedure, VersionStatus
from procedures.transfer import import_procedures

from .test_dossier_journey import act, login, status

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SAMPLE = Path(__file__).resolve().parents[2] / "procedures" / "tests" / "data" / "sample.json"
SHOTS = Path("/tmp/shots18")
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SIMULATOR = "/gia-lap/cong-dvc-quoc-gia/"


@pytest.fixture
def loop(settings, live_server, demo):
    """The birth registration mapped with the national portal; the simulator posts to the live server's intake
    and the status outbox pushes to its receiver."""
    import_procedures(SAMPLE.read_text(encoding="utf-8"))
    mapping.map_version(Procedure.objects.get(code="1.001193").versions.get(status=VersionStatus.PUBLISHED))
    seed_national_statuses()
    settings.NATIONAL_PORTAL_INTAKE_URL = live_server.url + "/api/national-portal/dossiers/"
    settings.SYNC_TARGET_URL = live_server.url + "/ho-so/dong-bo/nhan/"
    settings.SYNC_RECEIVER_ENABLED = True
    return live_server


def _fits(page, name, size):
    """A screenshot of the page; nothing wider than the screen."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{size['width']}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"] + 1, name


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_filed_on_the_national_portal_received_at_the_desk_statuses_back(page, base, loop, size):
    page.set_viewport_size(size)

    # The citizen files on the (simulated) national portal.
    login(page, base, "an.nguyen@example.com")
    page.goto(base + SIMULATOR)
    assert page.locator("[data-testid=sim-title]").inner_text() == "Cổng Dịch vụ công quốc gia (giả lập)"
    page.locator("[data-testid=sim-new]").click()
    page.wait_for_load_state()
    with page.expect_navigation():  # desk.js reloads the form with the version's components
        page.select_option("select[name=version]", label="1.001193 — Thủ tục đăng ký khai sinh")
    page.select_option("select[name=agency]", label="Ủy ban nhân dân phường Pleiku")
    assert page.input_value("input[name=applicant_name]") == "Nguyễn Văn An"  # the portal's account
    page.fill("input[name=applicant_commune]", "Phường Pleiku")
    page.check("input[name=vneid_verified]")
    assert "Tờ khai đăng ký khai sinh" in page.locator("[data-testid=sim-components]").inner_text()
    _fits(page, "simulator-file", size)
    page.locator("[data-testid=sim-submit]").click()
    page.wait_for_load_state()
    notice = page.locator(".message-success").inner_text()
    assert "hồ sơ vào hàng chờ tiếp nhận của Ủy ban nhân dân phường Pleiku" in notice
    row = page.locator("[data-testid=sim-row]").first
    national_code = row.locator("[data-testid=sim-code]").inner_text()
    assert re.fullmatch(r"G22\.99-\d{6}-\d{4}", national_code) and national_code in notice
    assert "Đã được tiếp nhận vào hệ thống" in row.locator("[data-testid=sim-answer]").inner_text()
    assert row.locator("[data-testid=sim-status]").all_inner_texts()[0].startswith("Mới đăng ký (mã 1)")

    # The Pleiku desk finds it in its reception queue, marked as filed on the national portal, and receives it.
    login(page, base, "tiepnhan.pleiku@demo.gov.vn")
    page.goto(f"{base}/ho-so/can-xu-ly/?role=reception")
    queued = page.locator("[data-testid=worklist] tr", has_text=national_code)
    assert queued.locator("[data-testid=national-portal]").inner_text() == "Trực tuyến (Cổng DVC quốc gia)"
    _fits(page, "desk-queue", size)
    queued.get_by_role("link", name="(chưa tiếp nhận)").click()
    page.wait_for_load_state()
    assert status(page) == "Đã nộp, chờ tiếp nhận"
    assert national_code in page.locator("[data-testid=national-code]").inner_text()
    panel = page.locator("[data-testid=national-intake]").inner_text()
    assert "Đã xác thực qua VNeID" in panel and national_code in panel
    assert page.locator("[data-testid=channel]").inner_text().startswith("Trực tuyến (Cổng DVC quốc gia)")
    _fits(page, "desk-dossier", size)
    act(page, "receive")
    assert status(page) == "Đã tiếp nhận"
    code = page.locator("[data-testid=code]").inner_text()
    assert re.fullmatch(r"H21\.65-\d{6}-\d{4}", code)
    receipt = page.locator("a[href$='/giay-hen.pdf']")
    assert receipt.count() == 1  # the receipt and appointment slip (Mẫu 01) is issued
    pdf = page.request.get(base + receipt.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    # the staff search finds it by its national code
    page.goto(f"{base}/ho-so/can-xu-ly/?code={national_code}")
    assert code in page.locator("[data-testid=worklist]").inner_text()

    # The national portal received both statuses back, in its own vocabulary.
    login(page, base, "an.nguyen@example.com")
    page.goto(base + SIMULATOR)
    row = page.locator("[data-testid=sim-row]", has_text=national_code)
    statuses = row.locator("[data-testid=sim-status]").all_inner_texts()
    assert [s.split(" (")[0] for s in statuses] == ["Mới đăng ký", "Được tiếp nhận"]
    assert "Hẹn trả" in statuses[1]
    assert row.locator("[data-testid=sim-dossier-code]").inner_text() == code
    _fits(page, "simulator-statuses", size)
