"""Queue e-mail, SMS and in-portal notices. Callers queue; a Celery task (tasks.py) delivers after the transaction
commits, through delivery.py."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from core.demo_mode import is_loading_demo

from .models import DeliveryStatus, EmailMessage, InboxItem, SmsMessage
from .tasks import deliver_email, deliver_sms

logger = logging.getLogger(__name__)

def account_of_address(address: str) -> int | None:
    """The account whose verified e-mail address this is (a dossier received at the desk for a citizen who
    has an account): its notifications page lists the message. An unverified address proves nothing, so it
    never links (someone could register with another person's address)."""
    return (User.objects.filter(email__iexact=address.strip(), email_verified_at__isnull=False, is_active=True)
            .values_list("pk", flat=True).first()) if address else None


def email_queue(*, to: str, template: str, context: dict, key: str | None = None, user_id: int | None = None,
                link: str = "") -> EmailMessage:
    """Render `<template>_subject.txt`, `.txt` (and `.html` if present) and queue the message.

    With a `key`, queuing the same message twice is a no-op that returns the first one. `user_id` is the
    account the message is for and `link` the page it is about (the recipient's notifications page lists both).
    """
    if key:
        existing = EmailMessage.objects.filter(key=key).first()
        if existing:
            return existing
    if user_id is None:
        user_id = account_of_address(to)
    ctx = {"portal_name": settings.PORTAL_NAME, "site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", ctx).split())
    body_text = render_to_string(f"{template}.txt", ctx)
    try:
        body_html = render_to_string(f"{template}.html", ctx)
    except Exception:  # noqa: BLE001 - the HTML part is optional
        body_html = ""
    demo = _demo_delivery()  # demo data: recorded as sent, never queued (core.demo_mode)
    try:
        with transaction.atomic():
            message = EmailMessage.objects.create(
                key=key, to=to, subject=subject, body_text=body_text, body_html=body_html, user_id=user_id,
                link=link[:300], **demo
            )
    except IntegrityError:
        return EmailMessage.objects.get(key=key)
    if demo:
        return message
    transaction.on_commit(lambda: deliver_email.delay(message.pk))
    return message


def _demo_delivery() -> dict:
    """While the demo data loads, a message is stored as sent (attempts 0: no gateway was called)."""
    return {"status": DeliveryStatus.SENT, "sent_at": timezone.now()} if is_loading_demo() else {}


def sms_queue(*, to: str, text: str, key: str | None = None, user_id: int | None = None,
              link: str = "") -> SmsMessage:
    """Queue an SMS (delivered by a Celery task after the commit); one message per key. `user_id` and `link`
    as for `email_queue`."""
    demo = _demo_delivery()
    if key:
        existing = SmsMessage.objects.filter(key=key).first()
        if existing:
            return existing
    try:
        with transaction.atomic():
            message = SmsMessage.objects.create(key=key, to=to, body=text[:480], user_id=user_id, link=link[:300],
                                                **demo)
    except IntegrityError:
        return SmsMessage.objects.get(key=key)
    if demo:
        return message
    transaction.on_commit(lambda: deliver_sms.delay(message.pk))
    return message


def inbox_post(*, user_id: int, key: str, text: str, url: str = "") -> bool:
    """Put a notification in a staff member's in-portal list; False if that key was already posted."""
    _item, created = InboxItem.objects.get_or_create(key=key, defaults={"user_id": user_id, "text": text[:500],
                                                                        "url": url[:300]})
    return created


def inbox_read_all(*, user, at=None) -> int:
    """Mark every unread in-portal notification of this account as read; the number marked."""
    return InboxItem.objects.filter(user=user, read_at__isnull=True).update(read_at=at or timezone.now())
