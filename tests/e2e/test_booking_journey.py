"""In the browser (#20): a citizen on a 390-px phone books a slot at a centre step by step and sees the
confirmation with its QR code; the kiosk at the centre finds the booking by its code. Screenshots go to
SCREENSHOT_DIR (else /tmp/qbook-shots) for a person to look at."""

import datetime as dt
import os
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or "/tmp/qbook-shots")


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_a_citizen_books_a_slot_on_a_phone_and_the_kiosk_finds_it(page, base, demo):
    from queueing.models import Appointment, Counter, Service

    centre = demo.agency("H21.65")
    centre.address = centre.address or "01 Hùng Vương, phường Pleiku"
    centre.save()
    service = Service.objects.create(agency=centre, code="7", name="Hộ tịch, chứng thực", slot_minutes=30,
                                     bookings_per_counter_slot=2)
    Counter.objects.create(agency=centre, number=17).services.set([service])  # the demo floor has 1–6

    page.set_viewport_size(PHONE)
    page.goto(f"{base}/xep-hang/dat-lich/")
    assert "/accounts/login/" in page.url  # a visitor logs in first, then comes back
    page.fill("input[name=username]", "an.nguyen@example.com")
    page.fill("input[name=password]", demo.password)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/xep-hang/dat-lich/")
    shot(page, "1-centres")
    page.locator("[data-testid=agency-list] a", has_text=centre.name).click()
    page.locator("[data-testid=service-list] a", has_text="Hộ tịch, chứng thực").click()
    shot(page, "2-days")
    fits_the_phone(page)
    page.locator("[data-testid=day-list] a.choice").first.click()
    shot(page, "3-slots")
    fits_the_phone(page)
    page.locator("[data-testid=slot-list] a.choice").first.click()
    assert page.input_value("input[name=name]") == "Nguyễn Văn An"  # from the account
    shot(page, "4-confirm")
    page.click("[data-testid=book-submit]")
    page.wait_for_load_state()

    appointment = Appointment.objects.get()
    expect(page.locator("[data-testid=appointment-qr] svg")).to_be_visible()
    expect(page.locator("[data-testid=appointment-code]")).to_have_text(appointment.code)
    expect(page.locator("[data-testid=appointment-address]")).to_contain_text("Pleiku")
    assert page.locator("[data-testid=cancel-form] button").is_visible()
    fits_the_phone(page)
    shot(page, "5-confirmation")

    page.goto(f"{base}/xep-hang/lich-hen/")
    expect(page.locator("[data-testid=upcoming]")).to_contain_text("Hộ tịch, chứng thực")
    fits_the_phone(page)
    shot(page, "6-my-bookings")

    # The kiosk at the centre (a tablet): the code typed as a scanner would, the booking found, name masked.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 800, "height": 1100})
    page.goto(f"{base}/xep-hang/{centre.code}/lay-so/lich-hen/")
    shot(page, "7-kiosk")
    page.fill("[data-testid=checkin-code-input]", appointment.code)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("[data-testid=checkin-initials]")).to_have_text("N. V. A.")
    shot(page, "8-kiosk-found")
    # Twenty minutes before the slot (the clock moved for the server too): the citizen scans again on arrival
    # (a booking found is held for 15 minutes) and "Lấy số" gives the ticket.
    with time_machine.travel(appointment.slot_start - dt.timedelta(minutes=20), tick=True):
        page.goto(f"{base}/xep-hang/{centre.code}/lay-so/lich-hen/")
        page.fill("[data-testid=checkin-code-input]", appointment.code)
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        page.click("[data-testid=checkin-submit]")
        page.wait_for_load_state()
    expect(page.locator("[data-testid=ticket-number]")).to_have_text("7001")
    expect(page.locator("[data-testid=ticket]")).to_contain_text("Ưu tiên trong khung giờ hẹn")
    shot(page, "9-kiosk-ticket")
