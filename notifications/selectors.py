"""Reads on the delivery log and the in-portal list."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import CharField, F, QuerySet, Value
from django.utils import timezone

from .models import DeliveryStatus, EmailMessage, InboxItem, SmsMessage

CHANNEL_EMAIL = "email"
CHANNEL_SMS = "sms"


def sent_messages_for(user) -> QuerySet:
    """Every e-mail and SMS the portal queued for this account, newest first, as rows of one list:
    channel, summary (the e-mail's subject or the SMS text), recipient address, status, when queued
    and sent, and the page it is about. A union of two indexed reads (user, -created_at)."""
    if not user.is_authenticated:
        return EmailMessage.objects.none().values("pk")
    fields = ("pk", "to", "status", "created_at", "sent_at", "link", "channel", "summary")
    emails = (EmailMessage.objects.filter(user=user)
              .annotate(channel=Value(CHANNEL_EMAIL, output_field=CharField()), summary=F("subject"))
              .values(*fields).order_by())  # no ORDER BY inside a UNION: SQLite (make run) refuses it
    sms = (SmsMessage.objects.filter(user=user)
           .annotate(channel=Value(CHANNEL_SMS, output_field=CharField()), summary=F("body"))
           .values(*fields).order_by())
    return emails.union(sms, all=True).order_by("-created_at", "-pk")


def decorate(rows) -> list[dict]:
    """Labels for the page: the channel's and the status's names."""
    channels = {CHANNEL_EMAIL: "E-mail", CHANNEL_SMS: "SMS"}
    out = []
    for row in rows:
        out.append({**row, "channel_label": channels.get(row["channel"], row["channel"]),
                    "status_label": DeliveryStatus(row["status"]).label, "at": row["sent_at"] or row["created_at"]})
    return out


BELL_CAP = 99  # the bell says "99+" beyond this: it never counts more rows than this


def bell_badge(user, *, now=None) -> str:
    """What the header bell shows: the number of unread notices of the last `INBOX_BELL_DAYS` days, "99+"
    beyond `BELL_CAP`, "" for none. Bounded work whatever the backlog: one index range read of at most
    BELL_CAP + 1 rows of (user, read_at, created_at), not a COUNT of tens of thousands of sweep notices.
    Older unread notices stay on the notices page; they no longer ring."""
    since = (now or timezone.now()) - dt.timedelta(days=settings.INBOX_BELL_DAYS)
    unread = InboxItem.objects.filter(user=user, read_at__isnull=True, created_at__gte=since).order_by()
    shown = unread.values("pk")[:BELL_CAP + 1].count()
    if not shown:
        return ""
    return f"{BELL_CAP}+" if shown > BELL_CAP else str(shown)


def inbox_items_for(user, *, limit: int = 200) -> list[InboxItem]:
    return list(InboxItem.objects.filter(user=user).order_by("-created_at")[:limit])
