"""django-axes: repeated wrong passwords lock the account from that address for a while."""

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _attempt(client, username, password, ip="10.0.0.5"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_account_even_with_the_right_password(client, demo):
    for _ in range(4):
        response = _attempt(client, "an.nguyen@example.com", "sai-mat-khau")
        assert response.status_code == 200
    response = _attempt(client, "an.nguyen@example.com", "sai-mat-khau")
    assert response.status_code == 429
    assert "Tạm khoá đăng nhập" in response.content.decode()
    response = _attempt(client, "an.nguyen@example.com", demo.password)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get().failures_since_start >= 5


def test_phone_and_email_spellings_count_as_one_account(client, demo):
    for username in ["0912345678", "+84912345678", "0912 345 678", "84912345678", "0912.345.678"]:
        _attempt(client, username, "sai-mat-khau")
    assert _attempt(client, "0912345678", demo.password).status_code == 429


def test_lock_is_per_address_so_a_shared_office_is_not_blocked(client, demo):
    for _ in range(5):
        _attempt(client, "an.nguyen@example.com", "sai-mat-khau", ip="10.0.0.5")
    assert _attempt(client, "an.nguyen@example.com", demo.password, ip="10.0.0.6").status_code == 302


def test_lock_expires_after_the_cool_off(client, demo, settings):
    for _ in range(5):
        _attempt(client, "an.nguyen@example.com", "sai-mat-khau")
    later = timezone.now() + settings.AXES_COOLOFF_TIME + timezone.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert _attempt(client, "an.nguyen@example.com", demo.password).status_code == 302


def test_success_resets_the_failure_count(client, demo):
    for _ in range(3):
        _attempt(client, "an.nguyen@example.com", "sai-mat-khau")
    assert _attempt(client, "an.nguyen@example.com", demo.password).status_code == 302
    client.logout()
    for _ in range(3):
        assert _attempt(client, "an.nguyen@example.com", "sai-mat-khau").status_code == 200


def test_switching_from_email_to_phone_gives_no_extra_guesses(client, demo):
    for _ in range(5):
        _attempt(client, "binh.tran@example.com", "sai-mat-khau")
    # The same account by its phone number, with the right password: still locked.
    assert _attempt(client, "0987654321", demo.password).status_code == 429
    assert _attempt(client, "+84 987 654 321", demo.password).status_code == 429
    assert "_auth_user_id" not in client.session
