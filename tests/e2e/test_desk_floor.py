"""The desk floor in the browser (#20): a citizen takes a number at the kiosk while the calling display is
open in a second tab; an officer opens a counter and calls; the display shows the number within 2 s without
reloading, and the tracking page says which counter. The display survives a network cut: a banner, greyed
numbers, and after the reconnection the current state. Screenshots go to SCREENSHOT_DIR (or /tmp/qfloor-shots)."""

import datetime as dt
import os
import re
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from .test_dossier_journey import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
MONDAY = dt.datetime(2026, 12, 7, 8, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))  # a working day, office open
SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or "/tmp/qfloor-shots")
COUNT_PRINTS = "window.__prints = 0; window.print = function () { window.__prints += 1; };"


def watch_csp(page, seen):
    page.on("console", lambda m: seen.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text else None)


def test_a_ticket_from_the_kiosk_is_called_on_the_display_and_the_tracking_page(demo, base, browser, settings,
                                                                                tmp_path):
    settings.VAR_DIR = tmp_path
    SHOTS.mkdir(parents=True, exist_ok=True)
    csp = []
    with time_machine.travel(MONDAY, tick=True):
        # The calling display, open before anyone takes a number (a TV: 1920×1080).
        tv = browser.new_context(viewport={"width": 1920, "height": 1080})
        display = tv.new_page()
        watch_csp(display, csp)
        voices = []
        display.on("response", lambda r: voices.append(r.status) if "/am-thanh/" in r.url else None)
        display.goto(f"{base}/xep-hang/H21.65/man-hinh/")
        display.click("[data-sound-on]")
        expect(display.locator("[data-sound-on]")).to_be_hidden()

        # The kiosk (1080×1920 portrait): a service, a phone number on the keypad, a priority group.
        kiosk_context = browser.new_context(viewport={"width": 1080, "height": 1920})
        kiosk_context.add_init_script(COUNT_PRINTS)
        kiosk = kiosk_context.new_page()
        watch_csp(kiosk, csp)
        kiosk.goto(f"{base}/xep-hang/H21.65/lay-so/")
        kiosk.screenshot(path=str(SHOTS / "kiosk-start-1080x1920.png"))
        kiosk.locator("[data-testid=kiosk-service]", has_text="Hộ tịch").click()
        for key in "0912345678":
            kiosk.click(f"[data-keypad] [data-key='{key}']")
        expect(kiosk.locator("#kiosk-phone")).to_have_value("0912345678")
        kiosk.locator("label.kiosk-choice", has_text="Người cao tuổi").click()
        kiosk.screenshot(path=str(SHOTS / "kiosk-form-1080x1920.png"))
        kiosk.click("[data-testid=kiosk-take]")
        number = kiosk.locator("[data-testid=ticket-number]")
        expect(number).to_have_text("1001")
        for _ in range(40):  # (wait_for_function evaluates a string: the page's policy forbids eval)
            if kiosk.evaluate("window.__prints"):
                break
            kiosk.wait_for_timeout(100)
        assert kiosk.evaluate("window.__prints") == 1
        assert "in=1" not in kiosk.url  # a reload does not print it again
        kiosk.screenshot(path=str(SHOTS / "kiosk-ticket-1080x1920.png"))
        kiosk.emulate_media(media="print")
        kiosk.screenshot(path=str(SHOTS / "kiosk-ticket-print.png"))
        pdf = kiosk.pdf(prefer_css_page_size=True)  # what the thermal printer gets: one 80 mm page
        kiosk.emulate_media(media="screen")
        (SHOTS / "kiosk-ticket.pdf").write_bytes(pdf)
        assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
        assert re.search(rb"/MediaBox \[0 0 22[67]\.\d+ ", pdf)  # 80 mm ≈ 227 pt wide
        kiosk.set_viewport_size({"width": 1280, "height": 800})
        kiosk.goto(f"{base}/xep-hang/H21.65/lay-so/")
        kiosk.screenshot(path=str(SHOTS / "kiosk-start-tablet-1280x800.png"))
        kiosk.set_viewport_size({"width": 390, "height": 844})
        kiosk.locator("[data-testid=kiosk-service]", has_text="Chứng thực").click()
        kiosk.screenshot(path=str(SHOTS / "kiosk-form-phone-390x844.png"), full_page=True)
        kiosk.set_viewport_size({"width": 1080, "height": 1920})
        kiosk.goto(f"{base}/xep-hang/H21.65/lay-so/")

        from queueing.models import Ticket

        ticket = Ticket.objects.get(code="1001", agency__code="H21.65")
        assert ticket.phone == "+84912345678" and ticket.priority.code == "nguoi-cao-tuoi"

        # The officer opens counter 1 and calls (1366×900).
        desk = browser.new_context(viewport={"width": 1366, "height": 900})
        officer = desk.new_page()
        watch_csp(officer, csp)
        login(officer, base, "tiepnhan.pleiku@demo.gov.vn")
        officer.click("[data-nav=queue-counter]")
        officer.click("[data-testid=counter-open-1]")
        expect(officer.locator("[data-testid=counter-next]")).to_contain_text("1001")
        officer.click("[data-action=call]")
        expect(officer.locator("[data-testid=counter-current]")).to_have_text("1001")

        # The display shows it within 2 s, without a reload.
        expect(display.locator("[data-latest-code]")).to_have_text("1001", timeout=2000)
        expect(display.locator("[data-latest-counter]")).to_have_text("1")
        expect(display.locator(".display-counter.is-latest")).to_contain_text("1001")
        display.screenshot(path=str(SHOTS / "display-1920x1080.png"))
        for _ in range(50):  # the call is read out (espeak-ng on the server)
            if voices:
                break
            display.wait_for_timeout(100)
        assert voices and voices[0] == (200 if shutil.which("espeak-ng") else 503), voices  # 503: shown, silent

        # A second ticket taken meanwhile appears on the officer's page without a reload.
        kiosk.locator("[data-testid=kiosk-service]", has_text="Hộ tịch").click()
        kiosk.click("[data-testid=kiosk-take]")
        expect(kiosk.locator("[data-testid=ticket-number]")).to_have_text("1002")
        expect(officer.locator("[data-testid=counter-next]")).to_contain_text("1002", timeout=2000)
        officer.screenshot(path=str(SHOTS / "counter-1366x900.png"), full_page=True)

        # The tracking page (a phone, 390×844) says which counter.
        phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        watch_csp(phone, csp)
        phone.goto(f"{base}/xep-hang/ve/{ticket.token}/")
        expect(phone.locator("[data-testid=track-message]")).to_have_text("Mời đến quầy số 1")
        phone.screenshot(path=str(SHOTS / "track-390x844.png"), full_page=True)

        # The network drops: a banner after ~5 s and greyed numbers; back, the state is current again.
        display.route("**/man-hinh/trang-thai/**", lambda route: route.abort())
        banner = display.locator("[data-offline-banner]")
        expect(banner).to_be_visible(timeout=8000)
        expect(display.locator(".display.is-offline")).to_have_count(1)
        display.screenshot(path=str(SHOTS / "display-offline-1920x1080.png"))
        officer.click("[data-action=finish]")
        officer.click("[data-action=call]")
        expect(officer.locator("[data-testid=counter-current]")).to_have_text("1002")
        display.unroute("**/man-hinh/trang-thai/**")
        expect(banner).to_be_hidden(timeout=8000)
        expect(display.locator("[data-latest-code]")).to_have_text("1002")
        expect(display.locator(".display.is-offline")).to_have_count(0)
        # The tracking page follows by itself (polls every 5 s).
        phone.goto(f"{base}/xep-hang/ve/{ticket.token}/")
        expect(phone.locator("[data-testid=track-message]")).to_have_text("Đã phục vụ xong. Cảm ơn quý vị.")

    assert not csp, csp
