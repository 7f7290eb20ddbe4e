"""Browser journeys: each demo role logs in through the real form and sees its navigation;
a citizen registers, follows the e-mailed link and logs in with the phone number."""

import re

import pytest
from django.core import mail

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROLES = {
    "tiepnhan.pleiku@demo.gov.vn": ("Tiếp nhận hồ sơ", "Phê duyệt"),
    "thamdinh.pleiku@demo.gov.vn": ("Thẩm định", "Tiếp nhận hồ sơ"),
    "lanhdao.pleiku@demo.gov.vn": ("Phê duyệt", "Thẩm định"),
    "noivu@demo.gov.vn": ("Chỉ số CCHC", "Quản trị"),
    "admin@demo.gov.vn": ("Quản trị", "Tài khoản của tôi"),
    "an.nguyen@example.com": ("Tài khoản của tôi", "Tiếp nhận hồ sơ"),
}


def _login(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("email", list(ROLES))
def test_demo_user_logs_in_and_sees_role_navigation(page, base, demo, email):
    shown, hidden = ROLES[email]
    _login(page, base, email, demo.password)
    nav = page.locator("[data-testid=main-nav]")
    assert nav.get_by_text(shown, exact=True).is_visible()
    assert nav.get_by_text(hidden, exact=True).count() == 0
    assert page.locator("[data-testid=current-user]").inner_text() == demo.user(email).full_name
    nav.get_by_text(shown, exact=True).click()
    page.wait_for_load_state()
    assert page.locator("h1").first.is_visible()
    assert "403" not in page.title() and "404" not in page.title()


def test_citizen_registers_verifies_and_logs_in_by_phone(page, base, db):
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{base}/")
    page.get_by_role("link", name="Đăng ký tài khoản").click()
    page.fill("input[name=full_name]", "Lê Thị Hạnh")
    page.fill("input[name=email]", "hanh.le@example.com")
    page.fill("input[name=phone]", "0935 111 222")
    page.fill("input[name=password1]", "Hanh#Phuc2026")
    page.fill("input[name=password2]", "Hanh#Phuc2026")
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r".*/register/done/"))
    assert "hanh.le@example.com" in page.content()

    link = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body).group(1)
    page.goto(base + link)
    assert "Email đã được xác thực" in page.content()
    _login(page, base, "+84 935 111 222", "Hanh#Phuc2026")
    assert page.locator("[data-testid=current-user]").inner_text() == "Lê Thị Hạnh"


def test_language_switch_in_header(page, base, db):
    page.goto(f"{base}/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.click("button.lang-btn[value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Log in").is_visible()
    page.click("button.lang-btn[value=vi]")
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Đăng nhập").is_visible()


def test_wrong_password_shows_vietnamese_error(page, base, demo):
    _login(page, base, "an.nguyen@example.com", "sai-mat-khau")
    assert "mật khẩu không đúng" in page.locator(".form-errors").inner_text()
