"""In the browser (#21), on a 390-px phone with JavaScript turned off: a leader with hundreds of sweep notices
sees one line per day and kind with its count, opens one, pages through its notices and marks it read; the
bell follows. Screenshots go to SCREENSHOT_DIR (else /tmp/notices-shots) for a person to look at."""

import datetime as dt
import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or "/tmp/notices-shots")


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_a_leader_reads_a_digest_of_sweep_notices_on_a_phone_without_javascript(browser, base, demo):
    from django.utils import timezone

    from notifications.models import InboxDigest
    from notifications.services import Notice, inbox_post, inbox_post_many

    leader = demo.user("lanhdao.pleiku@demo.gov.vn")
    for days_ago, n in ((0, 120), (1, 80)):
        at = timezone.now() - dt.timedelta(days=days_ago)
        inbox_post_many(notices=[Notice(user_id=leader.pk, key=f"track:{days_ago}{i}:overdue:x:{leader.pk}",
                                        text=f"Hồ sơ H21.65-260301-{i:04d} quá hạn (hẹn trả 17:00 01/03/2026).",
                                        url="/ho-so/", at=at) for i in range(n)])
    inbox_post(user_id=leader.pk, key=f"reassign:1:{leader.pk}", text="Hồ sơ H21.65-260301-9999 được giao lại.")

    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/?next=/thong-bao/")
    page.fill("input[name=username]", leader.email)
    page.fill("input[name=password]", demo.password)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/thong-bao/")
    assert page.locator(".bell").first.inner_text() == "201"
    lines = page.locator("[data-testid=digest]")
    assert lines.count() == 3  # 201 notices, three lines
    assert "Hồ sơ H21.65-260301-9999 được giao lại." in lines.nth(0).inner_text()  # a digest of one: the notice
    assert "Hồ sơ quá hạn: 120 thông báo (120 chưa đọc)" in lines.nth(1).inner_text()  # today's, then yesterday's
    assert "Hồ sơ quá hạn: 80 thông báo (80 chưa đọc)" in lines.nth(2).inner_text()
    shot(page, "1-notices")
    fits_the_phone(page)

    page.locator("[data-testid=digest] a", has_text="120 thông báo").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=digest-items] li").count() == 50
    assert "120 thông báo, 120 chưa đọc." in page.locator("[data-testid=digest-count]").inner_text()
    shot(page, "2-digest")
    fits_the_phone(page)
    page.get_by_role("link", name="Sau »").click()
    page.wait_for_load_state()
    assert "Trang 2/3" in page.content()
    page.get_by_role("button", name="Đánh dấu đã đọc cả nhóm").click()
    page.wait_for_load_state()
    assert "120 thông báo, 0 chưa đọc." in page.locator("[data-testid=digest-count]").inner_text()
    assert page.locator(".bell").first.inner_text() == "81"
    fits_the_phone(page)
    shot(page, "3-read")
    assert sorted(InboxDigest.objects.filter(user=leader).values_list("total", "unread")) == [(1, 1), (80, 80),
                                                                                               (120, 0)]
    context.close()
