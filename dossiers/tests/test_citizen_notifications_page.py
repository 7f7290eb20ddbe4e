"""The citizen's notifications page lists every e-mail and SMS the portal sent them, newest first."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from dossiers import services
from notifications.models import DeliveryStatus, EmailMessage, SmsMessage
from notifications.services import email_queue, sms_queue

from .conftest import at
from .transitions_helper import RECEIVED_AT, online_submitted

pytestmark = pytest.mark.django_db


def _rows(page: str) -> list[str]:
    table = page.split('data-testid="sent-messages"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr data-channel=.*?</tr>", table, flags=re.S)


def test_page_lists_the_mail_and_sms_of_the_citizens_dossier(client, world, django_capture_on_commit_callbacks):
    d = online_submitted(world)
    with django_capture_on_commit_callbacks(execute=True):
        d = services.dossier_receive(dossier=d, actor=world.reception, at=RECEIVED_AT)
    email = EmailMessage.objects.get(key__startswith="dossier-event:", to=d.applicant_email)
    sms = SmsMessage.objects.get(key__startswith="dossier-event-sms:")
    assert email.user_id == sms.user_id == world.citizen.pk  # the delivery log knows whose they are
    assert email.link == sms.link == reverse("dossiers:detail", args=[d.pk])
    assert email.status == sms.status == DeliveryStatus.SENT

    client.force_login(world.citizen)
    page = client.get(reverse("notifications:inbox")).content.decode()
    rows = _rows(page)
    assert len(rows) == 2
    by_channel = {re.search(r'data-channel="(\w+)"', r).group(1): r for r in rows}
    assert email.subject in by_channel["email"] and "Đã gửi" in by_channel["email"]
    assert d.code in by_channel["sms"] and "SMS" in by_channel["sms"]
    for row in rows:
        assert f'href="/ho-so/{d.pk}/"' in row
    assert "Chưa có thư điện tử" not in page

    # Nobody else sees them: the reception officer's page holds none of the citizen's messages.
    client.force_login(world.reception)
    assert _rows(client.get(reverse("notifications:inbox")).content.decode()) == []


def test_a_desk_dossier_mailed_to_a_citizens_verified_address_is_on_their_page(client, world,
                                                                              django_capture_on_commit_callbacks):
    from .conftest import APPLICANT

    with django_capture_on_commit_callbacks(execute=True):  # received at the desk, no account on the dossier
        d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                            at=RECEIVED_AT, **APPLICANT)
    assert d.citizen_id is None and d.applicant_email == world.citizen.email
    email = EmailMessage.objects.get(key__startswith="dossier-event:")
    assert email.user_id == world.citizen.pk and email.link == f"/ho-so/tra-cuu/?code={d.code}"
    client.force_login(world.citizen)
    rows = _rows(client.get(reverse("notifications:inbox")).content.decode())
    assert len(rows) == 1 and f"/ho-so/tra-cuu/?code={d.code}" in rows[0]


def test_an_unverified_account_never_gets_messages_sent_to_its_address(client, world,
                                                                        django_capture_on_commit_callbacks):
    from accounts.models import User

    from .conftest import APPLICANT

    squatter = User.objects.create_user(email="la.ai@example.com", password="x-Password-12", full_name="Ai Đó")
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=RECEIVED_AT, **{**APPLICANT, "applicant_email": "La.Ai@example.com"})
    assert EmailMessage.objects.get(key__startswith="dossier-event:").user_id is None
    client.force_login(squatter)
    assert _rows(client.get(reverse("notifications:inbox")).content.decode()) == []


def test_newest_first_and_paginated(client, world):
    citizen = world.citizen
    for i in range(23):
        message = email_queue(to=citizen.email, template="notifications/email/password_reset",
                              context={"user": citizen, "uid": "MQ", "token": f"t{i}"}, key=f"page-test:{i}",
                              user_id=citizen.pk)
        EmailMessage.objects.filter(pk=message.pk).update(created_at=at(2026, 3, 1, 8) + dt.timedelta(minutes=i))
    newest = sms_queue(to="+84912345678", text="Tin moi nhat", key="page-test-sms", user_id=citizen.pk)
    SmsMessage.objects.filter(pk=newest.pk).update(created_at=at(2026, 3, 2, 8))
    client.force_login(citizen)
    first = client.get(reverse("notifications:inbox")).content.decode()
    rows = _rows(first)
    assert len(rows) == 20
    assert "Tin moi nhat" in rows[0] and "08:22 01/03/2026" in rows[1] and "08:04 01/03/2026" in rows[19]
    assert "Trang 1/2" in first and "?page=2" in first
    second = _rows(client.get(reverse("notifications:inbox"), {"page": 2}).content.decode())
    assert len(second) == 4 and "08:00 01/03/2026" in second[-1]
    # A page number out of range or not a number shows a page, never an error.
    assert client.get(reverse("notifications:inbox"), {"page": "x"}).status_code == 200
    assert len(_rows(client.get(reverse("notifications:inbox"), {"page": 99}).content.decode())) == 4


def test_messages_sent_before_the_recipient_was_recorded_are_linked_by_address(world):
    """The migration links past e-mails to the account whose verified address they went to."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("notifications.migrations.0004_delivery_recipient")
    old_mail = EmailMessage.objects.create(to=world.citizen.email.upper(), subject="Cũ", body_text="x")
    stranger = EmailMessage.objects.create(to="nobody@example.com", subject="Lạ", body_text="x")
    from accounts.models import User

    User.objects.create_user(email="chua.xac.thuc@example.com", password="x-Password-12", full_name="Chưa Xác Thực")
    unverified = EmailMessage.objects.create(to="chua.xac.thuc@example.com", subject="Chưa", body_text="x")
    migration.link_past_messages(apps, None)
    for message in (old_mail, stranger, unverified):
        message.refresh_from_db()
    assert old_mail.user_id == world.citizen.pk and stranger.user_id is None and unverified.user_id is None
