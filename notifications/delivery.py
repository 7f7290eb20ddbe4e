"""Deliver one queued e-mail or SMS (run by the Celery tasks in tasks.py); safe to run twice."""

from __future__ import annotations

import logging
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .models import DeliveryStatus, EmailMessage, SmsMessage
from .sms import get_backend, reference_for

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def message_id_header(message: EmailMessage) -> str:
    """The same Message-ID for every attempt of one row. A worker killed after the SMTP server took the
    message but before the row was marked sent runs the task again; the copy it sends carries the
    same Message-ID, by which mail servers and clients recognise and drop the duplicate."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<portal-email-{message.pk}.{message.created_at:%Y%m%d%H%M%S}@{domain}>"


def email_deliver(*, message_id: int) -> EmailMessage | None:
    """Send one queued message; safe to call twice (a sent message is never resent).

    A failed attempt is recorded (attempts, last error) and then re-raised so the Celery task
    retries it; after MAX_ATTEMPTS the message is marked failed and no longer raised.
    """
    error: Exception | None = None
    with transaction.atomic():
        message = EmailMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status == DeliveryStatus.SENT:
            return message
        message.attempts += 1
        mail = EmailMultiAlternatives(message.subject, message.body_text, settings.DEFAULT_FROM_EMAIL, [message.to],
                                      headers={"Message-ID": message_id_header(message)})
        if message.body_html:
            mail.attach_alternative(message.body_html, "text/html")
        try:
            mail.send()
        except Exception as exc:  # noqa: BLE001 - SMTP errors are many; all are retried
            message.last_error = f"{exc.__class__.__name__}: {exc}"
            message.status = DeliveryStatus.FAILED if message.attempts >= MAX_ATTEMPTS else DeliveryStatus.QUEUED
            message.save(update_fields=["attempts", "last_error", "status"])
            logger.warning("email %s to %s failed (attempt %s): %s", message.pk, message.to, message.attempts, exc)
            if message.status == DeliveryStatus.QUEUED:
                error = exc
        else:
            message.status = DeliveryStatus.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
            message.save(update_fields=["attempts", "last_error", "status", "sent_at"])
    if error is not None:
        raise error  # after the commit: the attempt stays recorded
    return message


def sms_deliver(*, message_id: int) -> SmsMessage | None:
    error: Exception | None = None
    with transaction.atomic():
        message = SmsMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status == DeliveryStatus.SENT:
            return message
        message.attempts += 1
        try:
            # The same reference on every attempt: a gateway that already took it does not send it again.
            message.provider_id = get_backend().send(message.to, message.body,
                                                     reference=reference_for(message))[:100]
        except Exception as exc:  # noqa: BLE001 - any gateway error is retried
            message.last_error = f"{exc.__class__.__name__}: {exc}"
            message.status = DeliveryStatus.FAILED if message.attempts >= MAX_ATTEMPTS else DeliveryStatus.QUEUED
            if message.status == DeliveryStatus.QUEUED:
                error = exc
        else:
            message.status, message.sent_at, message.last_error = DeliveryStatus.SENT, timezone.now(), ""
        message.save()
    if error is not None:
        raise error
    return message
