import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_password_reset_link_sets_new_password(client, demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "an.nguyen@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["an.nguyen@example.com"]
    path = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[0].body).group(1)
    response = client.get(path)  # Django redirects to the set-password form with the token in the session
    assert response.status_code == 302
    form_url = response["Location"]
    response = client.post(form_url, {"new_password1": "Moi#MatKhau2026", "new_password2": "Moi#MatKhau2026"})
    assert response.status_code == 302
    user = demo.user("an.nguyen@example.com")
    assert user.check_password("Moi#MatKhau2026")
    # The link is single-use.
    response = client.get(path, follow=True)
    assert "Liên kết không đúng hoặc đã được dùng" in response.content.decode()


def test_unknown_email_gets_the_same_answer_and_no_mail(client, demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "khong-co@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []
