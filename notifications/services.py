"""Queue e-mail, SMS and in-portal notices. Callers queue; a Celery task (tasks.py) delivers after the transaction
commits, through delivery.py."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.demo_mode import is_loading_demo
from core.errors import DomainError

from .kinds import KIND_MAX, kind_of
from .models import DeliveryStatus, EmailMessage, InboxDigest, InboxItem, SmsMessage
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


@dataclass(frozen=True)
class Notice:
    """One in-portal notice to post: `kind` defaults to the key's (`kinds.kind_of`), `at` to the call's time."""

    user_id: int
    key: str
    text: str
    url: str = ""
    kind: str = ""
    at: dt.datetime | None = None


CHUNK = 1000  # rows per INSERT statement


def inbox_post(*, user_id: int, key: str, text: str, url: str = "", kind: str = "",
               at: dt.datetime | None = None) -> bool:
    """Put a notification in a staff member's in-portal list; False if that key was already posted."""
    return bool(inbox_post_many(notices=[Notice(user_id=user_id, key=key, text=text, url=url, kind=kind)], at=at))


@transaction.atomic
def inbox_post_many(*, notices: Iterable[Notice], at: dt.datetime | None = None) -> list[Notice]:
    """Add the notices whose key is new and count them into their digests, in one transaction; returns the
    ones added. `INSERT ... ON CONFLICT (key) DO NOTHING RETURNING key`: a key posted twice, even by two
    transactions at once, is one item, and only the rows really inserted are counted."""
    now = at or timezone.now()
    seen: set[str] = set()
    rows = []
    for n in notices:
        if n.key in seen:
            continue
        seen.add(n.key)
        when = n.at or now
        rows.append((n, (n.kind or kind_of(n.key))[:KIND_MAX], timezone.localdate(when), when))
    table, ops = InboxItem._meta.db_table, connection.ops
    added, counted = [], []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        params: list = []
        for n, kind, day, when in chunk:
            params += [n.user_id, n.key, kind, ops.adapt_datefield_value(day), str(n.text)[:500], str(n.url)[:300],
                       ops.adapt_datetimefield_value(when)]
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} (user_id, key, kind, day, text, url, created_at) VALUES {values} "
                           f"ON CONFLICT (key) DO NOTHING RETURNING key", params)
            new = {key for (key,) in cursor.fetchall()}
        for n, kind, day, when in chunk:
            if n.key in new:
                added.append(n)
                counted.append((n.user_id, day, kind, when, str(n.text)[:500], str(n.url)[:300]))
    inbox_digests_add(added=counted)
    return added


@transaction.atomic
def inbox_digests_add(*, added: Iterable[tuple[int, dt.date, str, dt.datetime, str, str]]) -> int:
    """Count items just inserted (user_id, day, kind, created_at, text, url) into their digests: one upsert
    per chunk, `total` and `unread` raised by the number added (ON CONFLICT ... DO UPDATE SET total = total +
    excluded.total: concurrent posts add up, the unique (user, day, kind) allows one digest). The digests are
    written in key order, so two transactions adding to the same digests never wait on each other in a cycle.
    Call it in the transaction that inserted the items (the sweep's INSERT ... SELECT does). Returns how many
    digests it touched."""
    groups: dict[tuple[int, dt.date, str], list] = {}
    for user_id, day, kind, when, text, url in added:
        group = groups.get((user_id, day, kind))
        if group is None:
            groups[(user_id, day, kind)] = [1, when, text, url]
        else:
            group[0] += 1
            if when >= group[1]:
                group[1:] = [when, text, url]
    table, ops = InboxDigest._meta.db_table, connection.ops
    ordered = sorted(groups.items())
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start:start + CHUNK]
        params: list = []
        for (user_id, day, kind), (count, when, text, url) in chunk:
            params += [user_id, ops.adapt_datefield_value(day), kind, count, count,
                       ops.adapt_datetimefield_value(when), text, url]
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
        newer = f"excluded.latest_at >= {table}.latest_at"
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {table} (user_id, day, kind, total, unread, latest_at, latest_text, latest_url)
                VALUES {values}
                ON CONFLICT (user_id, day, kind) DO UPDATE SET
                    total = {table}.total + excluded.total, unread = {table}.unread + excluded.unread,
                    latest_at = CASE WHEN {newer} THEN excluded.latest_at ELSE {table}.latest_at END,
                    latest_text = CASE WHEN {newer} THEN excluded.latest_text ELSE {table}.latest_text END,
                    latest_url = CASE WHEN {newer} THEN excluded.latest_url ELSE {table}.latest_url END""",
                params)
    return len(ordered)


@transaction.atomic
def inbox_digest_read(*, user, digest_id, at: dt.datetime | None = None) -> int:
    """Mark the unread notices of one of this account's digests as read; the number marked. The digest row is
    locked first (a purge of the same digest waits), then `unread` goes down by exactly the rows this UPDATE
    changed: marking twice, or twice at once, marks nothing the second time and never goes below zero."""
    try:
        digest_id = int(digest_id)
    except (TypeError, ValueError):
        digest_id = 0
    digest = InboxDigest.objects.select_for_update().filter(user=user, pk=digest_id).first()
    if digest is None:
        raise DomainError("inbox_digest_unknown", _("Không tìm thấy nhóm thông báo này."), http_status=404)
    marked = InboxItem.objects.filter(user=user, day=digest.day, kind=digest.kind, read_at__isnull=True).update(
        read_at=at or timezone.now())
    if marked:
        InboxDigest.objects.filter(pk=digest.pk).update(unread=F("unread") - marked)
    return marked


def inbox_read_all(*, user, at=None) -> int:
    """Mark every unread in-portal notification of this account as read, a digest at a time (short
    transactions); the number marked."""
    at = at or timezone.now()
    unread = list(InboxDigest.objects.filter(user=user, unread__gt=0).order_by("day", "kind")
                  .values_list("pk", flat=True))
    marked = 0
    for digest_id in unread:
        try:
            marked += inbox_digest_read(user=user, digest_id=digest_id, at=at)
        except DomainError:  # purged meanwhile: nothing left to mark
            continue
    return marked
