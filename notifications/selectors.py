"""Reads on the delivery log and the in-portal list."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import CharField, F, QuerySet, Sum, Value
from django.utils import timezone

from .kinds import label_of
from .models import DeliveryStatus, EmailMessage, InboxDigest, InboxItem, SmsMessage
from .retention import keep_since

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


def bell_since(now: dt.datetime | None = None) -> dt.date:
    """The first day the header bell counts: today and the INBOX_BELL_DAYS - 1 days before."""
    return timezone.localdate(now or timezone.now()) - dt.timedelta(days=settings.INBOX_BELL_DAYS - 1)


def unread_count(user, *, now: dt.datetime | None = None) -> int:
    """What the header bell shows: the true number of unread notices of the last INBOX_BELL_DAYS days.
    A sum of the digests' counters (`InboxDigest.unread`) over the user's digests of those days: at most
    INBOX_BELL_DAYS x the kinds of notices rows, one range read of the (user, day, kind) index, however many
    notices there are. Older unread notices stay on the notices page; they no longer ring."""
    total = (InboxDigest.objects.filter(user=user, day__gte=bell_since(now)).order_by()
             .aggregate(n=Sum("unread"))["n"])
    return total or 0


def digests_for(user, *, now: dt.datetime | None = None) -> QuerySet:
    """The notices page: one line per (day, kind) of the last INBOX_KEEP_DAYS days, newest first."""
    return (InboxDigest.objects.filter(user=user, day__gte=keep_since(now))
            .order_by("-day", "-latest_at", "-pk"))


def digest_get(user, pk) -> InboxDigest | None:
    """One of this account's digests (None for another account's, or nonsense)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return InboxDigest.objects.filter(user=user, pk=pk).first()


def digest_items(digest: InboxDigest) -> QuerySet:
    """The notices of a digest, newest first (the (user, day, kind, -created_at) index)."""
    return (InboxItem.objects.filter(user_id=digest.user_id, day=digest.day, kind=digest.kind)
            .order_by("-created_at", "-pk"))


def decorate_digests(digests) -> list[InboxDigest]:
    for digest in digests:
        digest.label = label_of(digest.kind)
    return list(digests)
