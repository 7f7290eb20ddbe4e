"""Citizen self-registration with e-mail verification, login by e-mail or phone."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from notifications.models import DeliveryStatus, EmailMessage

pytestmark = pytest.mark.django_db

FORM = {
    "full_name": "  Nguyễn   Thị Hoa ", "email": "Hoa.Nguyen@Example.com", "phone": "0912 000 111",
    "citizen_id": "064190001234", "password1": "Lua#Vang2026", "password2": "Lua#Vang2026",
}


def _register(client, **changes):
    return client.post(reverse("accounts:register"), {**FORM, **changes})


def _link(body: str) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", body).group(1)


def test_registration_creates_unverified_user_and_queues_verification_email(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _register(client)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:register_done")
    user = User.objects.get()
    assert user.email == "hoa.nguyen@example.com"
    assert user.full_name == "Nguyễn Thị Hoa"
    assert user.phone == "+84912000111"
    assert user.citizen_id == "064190001234"
    assert user.email_verified_at is None
    assert not user.staff_roles.exists() and not user.is_staff
    logged = EmailMessage.objects.get()
    assert logged.to == "hoa.nguyen@example.com" and logged.status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1 and "/accounts/verify/" in mail.outbox[0].body


def test_unverified_user_cannot_log_in_until_link_followed(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _register(client)
    login = {"username": "hoa.nguyen@example.com", "password": FORM["password1"]}
    response = client.post(reverse("accounts:login"), login)
    assert response.status_code == 200
    assert "chưa xác thực" in response.content.decode()
    assert "_auth_user_id" not in client.session

    response = client.get(_link(mail.outbox[0].body))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert User.objects.get().email_verified_at is not None

    response = client.post(reverse("accounts:login"), login)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == User.objects.get().pk


@pytest.mark.parametrize("identifier", ["0912000111", "+84 912 000 111", "0912-000-111", "HOA.NGUYEN@example.com"])
def test_login_by_email_or_phone_in_any_usual_form(client, identifier, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _register(client)
    client.get(_link(mail.outbox[0].body))
    response = client.post(reverse("accounts:login"), {"username": identifier, "password": FORM["password1"]})
    assert response.status_code == 302, response.content.decode()[:500]


def test_verification_link_with_bad_token_changes_nothing(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _register(client)
    link = _link(mail.outbox[0].body)
    bad = link.rstrip("/").rsplit("/", 1)[0] + "/abc-123/"
    response = client.get(bad, follow=True)
    assert "Liên kết xác thực không đúng hoặc đã hết hạn" in response.content.decode()
    assert User.objects.get().email_verified_at is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"phone": "12345"}, "Số điện thoại"),
        ({"phone": "+33 6 12 34 56 78"}, "không phải số Việt Nam"),
        ({"citizen_id": "12345678901"}, "12 chữ số"),
        ({"citizen_id": "999190001234"}, "mã tỉnh"),
        ({"password1": "123456", "password2": "123456"}, "Mật khẩu"),
        ({"password2": "khac#Hoan2026"}, "Hai mật khẩu không khớp"),
        ({"email": "khong-phai-email"}, "email"),
        ({"full_name": "   "}, "họ và tên"),
    ],
)
def test_bad_registration_is_refused_in_vietnamese_and_creates_nothing(client, changes, message):
    response = _register(client, **changes)
    assert response.status_code == 200
    assert message.lower() in response.content.decode().lower()
    assert User.objects.count() == 0
    assert EmailMessage.objects.count() == 0


def test_duplicate_email_phone_or_citizen_id_refused(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _register(client)
    for changes, message in [
        ({"email": "HOA.NGUYEN@example.com", "phone": "", "citizen_id": ""}, "Email này đã được dùng"),
        ({"email": "khac@example.com", "phone": "+84912000111", "citizen_id": ""}, "Số điện thoại này đã được dùng"),
        ({"email": "khac@example.com", "phone": "", "citizen_id": "064190001234"}, "Số CCCD này đã được đăng ký"),
    ]:
        response = _register(client, **changes)
        assert message in response.content.decode()
    assert User.objects.count() == 1


def test_resend_verification_does_not_reveal_whether_email_exists(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _register(client)
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("accounts:resend_verification"), {"email": "hoa.nguyen@example.com"}, follow=True)
        unknown = client.post(reverse("accounts:resend_verification"), {"email": "ai@example.com"}, follow=True)
    assert len(mail.outbox) == 2  # the first verification + the re-sent one, none for the unknown address
    assert [m.to for m in mail.outbox] == [["hoa.nguyen@example.com"]] * 2
    text = "Nếu email này đã đăng ký và chưa xác thực"
    assert text in known.content.decode() and text in unknown.content.decode()


def test_logged_in_user_is_sent_home_from_register(client, demo):
    client.force_login(demo.user("an.nguyen@example.com"))
    assert client.get(reverse("accounts:register")).status_code == 302


def test_every_mistake_is_shown_at_once(client):
    response = _register(client, phone="12345", citizen_id="999190001234", password2="khac#Hoan2026")
    page = response.content.decode()
    assert "Số điện thoại" in page and "mã tỉnh" in page and "Hai mật khẩu không khớp" in page
    assert User.objects.count() == 0
