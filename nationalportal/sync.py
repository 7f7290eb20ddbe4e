"""Real-time status sync to the national portal (Decree 224/2026 Art. 15(1)(g); the Decision-766
"dossier sync" indicator).

Every status change of a received dossier becomes a SyncItem in the same transaction as the change
(an outbox: nothing is lost if the target is down): `receivers.py` hears each recorded dossier event
(dossiers.events.dossier_event_recorded, sent inside the service's transaction) and calls `enqueue`.
The items are pushed right after the commit by a Celery task and again by beat until delivered,
with exponential back-off. Items of one dossier go out in order. After SYNC_MAX_ATTEMPTS tries an
item is marked failed: staff see it on the dossier page (a panel) and in the admin, where it can be
queued again.

The target is an adapter (`Adapter.send(payload)`); the shipped one posts JSON to SYNC_TARGET_URL,
signed like every request of the link (`signing`: HMAC-SHA256 of "<timestamp>.<body>" under SYNC_SECRET,
headers X-Timestamp and X-Signature). `views.sync_receiver` is the local receiver the tests and `make run`
use to stand in for the national portal (the simulator records what it receives).

The payload speaks both vocabularies: this portal's status and the national portal's (`StatusMapping`,
data), with the national dossier code of a dossier filed there, the appointment, the apology letter when
one is issued (its new appointment and a signed link to the PDF) and the result file when the result is
released (a signed link, its SHA-256). A dossier filed on the national portal is synced from its
submission (guided or refused at reception before it has a code of ours); others once received.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core import signing as django_signing
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from core.demo_mode import is_loading_demo
from dossiers.models import AttachmentKind, Dossier, DossierEvent, EventType, LetterStatus
from dossiers.workflow import RESULT_RELEASED, Status

from . import signing
from .models import StatusMapping, SyncItem, SyncStatus

FILE_LINK_SALT = "nationalportal.file"
FILE_LINK_DAYS = 30
# Events pushed although the status stays: an apology letter issued (its new appointment).
PUSHED_NOTES = frozenset({EventType.APOLOGY_ISSUED})

MAX_BACKOFF = dt.timedelta(hours=6)


def enabled() -> bool:
    return bool(getattr(settings, "SYNC_TARGET_URL", ""))


def _max_attempts() -> int:
    return getattr(settings, "SYNC_MAX_ATTEMPTS", 10)


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 … minutes, at most 6 hours."""
    return min(dt.timedelta(minutes=2 ** max(0, attempts - 1)), MAX_BACKOFF)


def pushed(event: DossierEvent) -> bool:
    """Whether the national portal hears of this event: a status change (or a pushed note) of a dossier that
    has a code (received) or a national code (filed there: from its submission on, not the draft it is
    created as within the same intake)."""
    if event.type not in PUSHED_NOTES and (event.from_status == event.to_status or not event.to_status):
        return False
    if event.to_status == Status.DRAFT:
        return False
    return bool(event.dossier.code or event.dossier.national_code)


def enqueue(event: DossierEvent) -> SyncItem | None:
    """Called for every recorded event (inside its transaction); keeps the events `pushed` says the
    national portal tracks. The caller starts the push after the commit when the item is pending
    (receivers.on_dossier_event).

    A national-portal dossier is created as a draft and submitted in one transaction: the draft is not pushed
    (the national portal has no such status, StatusMapping has none; an item it refused would hold back every
    later change of the dossier, which go out in order)."""
    if not enabled() or not pushed(event):
        return None
    dossier = event.dossier
    moment = event.at or timezone.now()
    if is_loading_demo():  # demo history: recorded as pushed, never queued (core.demo_mode)
        return SyncItem.objects.create(dossier=dossier, event=event, created_at=moment, next_attempt_at=moment,
                                       status=SyncStatus.SENT, sent_at=moment)
    return SyncItem.objects.create(dossier=dossier, event=event, created_at=moment, next_attempt_at=moment)


def _iso(moment) -> str | None:
    """Local time (Asia/Ho_Chi_Minh) with its offset, as the national portal shows it."""
    return timezone.localtime(moment).isoformat() if moment else None


def national_status(status: str) -> dict:
    """{"code", "label"} of the national portal's status for one of ours (StatusMapping), empty when unmapped."""
    row = StatusMapping.objects.filter(status=status).values("national_status", "national_label").first()
    return {"code": row["national_status"], "label": row["national_label"]} if row else {}


def file_link(kind: str, pk: int) -> str:
    """An absolute link the national portal can fetch a file by, without an account: signed, valid
    FILE_LINK_DAYS days (views.signed_file)."""
    token = django_signing.dumps({"k": kind, "id": pk}, salt=FILE_LINK_SALT)
    return settings.SITE_URL.rstrip("/") + reverse("national-file", args=[token])


def _apology(event: DossierEvent) -> dict | None:
    letter = event.dossier.apology_letters.filter(pk=(event.payload or {}).get("letter")).first()
    if letter is None or letter.status != LetterStatus.ISSUED:
        return None
    return {"number": letter.number, "issued_at": _iso(letter.issued_at), "new_due_at": _iso(letter.new_due_at),
            "reason": letter.reason_text[:1000], "url": file_link("apology", letter.pk)}


def _result(dossier: Dossier) -> dict | None:
    result = (dossier.attachments.filter(kind=AttachmentKind.RESULT, is_active=True).order_by("-uploaded_at", "-pk")
              .first())
    if result is None:
        return None
    return {"name": result.original_name, "sha256": result.sha256, "size": result.size,
            "content_type": result.content_type, "url": file_link("result", result.pk)}


def payload(item: SyncItem) -> dict:
    event, dossier = item.event, item.dossier
    status = event.to_status or dossier.status
    data = {
        "dossier_code": dossier.code, "national_code": dossier.national_code, "event_id": event.pk,
        "type": event.type, "status": status, "status_label": str(event.status_label),
        "national_status": national_status(status), "at": _iso(event.at),
        "agency_code": dossier.receiving_agency.code, "handling_agency_code": dossier.handling_agency.code,
        "returning_agency_code": dossier.returning_agency.code,
        "procedure_code": dossier.procedure_version.procedure.code, "channel": dossier.channel,
        "due_at": _iso(dossier.due_at),
        "reason": event.reason[:1000],
    }
    if event.type == EventType.APOLOGY_ISSUED:
        data["apology"] = _apology(event)
    if status in RESULT_RELEASED and event.from_status not in RESULT_RELEASED:
        data["result"] = _result(dossier)
    return data


def push_key() -> str:
    return getattr(settings, "SYNC_SECRET", "") or signing.secret()


class WebhookAdapter:
    """POST the JSON payload; any 2xx is a delivery, anything else (or no answer) an error."""

    def __init__(self, url: str | None = None, timeout: float = 10):
        self.url, self.timeout = url or settings.SYNC_TARGET_URL, timeout

    def send(self, data: dict) -> None:
        body = json.dumps(data, ensure_ascii=False).encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            **signing.headers(body, method="POST", target=self.url, key=push_key())})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                if not 200 <= response.status < 300:
                    raise SyncError(f"HTTP {response.status}")
        except urllib.error.HTTPError as exc:
            raise SyncError(f"HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SyncError(f"Không kết nối được: {getattr(exc, 'reason', exc)}") from None


class SyncError(Exception):
    pass


LEASE = dt.timedelta(minutes=5)  # SQLite: an item claimed by a worker that died is due again after this


def _next(now: dt.datetime, passed: set[int]) -> SyncItem | None:
    """Inside a transaction: the next due item whose dossier has nothing undelivered before it, locked (SKIP
    LOCKED: another worker takes the next one). Items waiting behind an earlier one are added to `passed`."""
    while True:
        item = (SyncItem.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=SyncStatus.PENDING, next_attempt_at__lte=now).exclude(pk__in=passed)
                .select_related("event", "dossier__receiving_agency", "dossier__handling_agency",
                                "dossier__returning_agency", "dossier__procedure_version__procedure")
                .order_by("id").first())
        if item is None:
            return None
        # A dossier's changes go out in order: an item waits while an earlier one is undelivered.
        first_unsent = (SyncItem.objects.filter(dossier_id=item.dossier_id).exclude(status=SyncStatus.SENT)
                        .order_by("id").values_list("id", flat=True).first())
        if first_unsent == item.pk:
            return item
        passed.add(item.pk)


def _deliver(item: SyncItem, adapter, now: dt.datetime, counts: dict[str, int], started: float | None = None) -> None:
    """Send one item (its attempt already counted) and record the outcome. Delivered at `now` plus the time since
    `started` (time.monotonic() when the batch began): the moment of this delivery, not the batch's start, since a
    batch of slow calls takes minutes and the figures' refresh reads the statuses delivered since its last run
    by `sent_at` (parindex.services)."""
    try:
        adapter.send(payload(item))
    except SyncError as exc:
        item.last_error = str(exc)[:500]
        if item.attempts >= _max_attempts():
            item.status = SyncStatus.FAILED
            counts["failed"] += 1
        else:
            item.next_attempt_at = now + backoff(item.attempts)
            counts["retry"] += 1
    else:
        sent_at = now if started is None else now + dt.timedelta(seconds=time.monotonic() - started)
        item.status, item.sent_at, item.last_error = SyncStatus.SENT, sent_at, ""
        counts["sent"] += 1
    item.save(update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at"])


def push(*, adapter=None, batch: int = 200, now: dt.datetime | None = None) -> dict[str, int]:
    """Deliver the items that are due, oldest first, one dossier's items in order. Safe to run in
    several workers at once (rows are locked with SKIP LOCKED) and to run again after a worker was
    killed mid-batch: each item is delivered and marked sent in its own transaction, so the items
    delivered before the kill stay sent and are never pushed twice; only the one in flight at the
    kill goes out again (with the same event_id, which the receiver uses to recognise it).

    On SQLite (`make run`) a transaction locks the whole database, the local receiver's writes included, so
    there an item is claimed (attempt counted, leased for LEASE) and committed before it is sent, and its
    outcome recorded after; a worker killed in flight leaves it due again when the lease ends."""
    if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
        raise ValueError("batch phải là số nguyên dương.")
    adapter = adapter or WebhookAdapter()
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    passed: set[int] = set()  # waiting behind an earlier item of their dossier
    lease = connection.vendor == "sqlite"
    started = time.monotonic()
    for _ in range(batch):
        with transaction.atomic():
            item = _next(now, passed)
            if item is None:
                break
            item.attempts += 1
            if lease:
                item.next_attempt_at = now + LEASE
                item.save(update_fields=["attempts", "next_attempt_at"])
            else:
                _deliver(item, adapter, now, counts, started)
        if lease:
            _deliver(item, adapter, now, counts, started)
    return counts


def retry(items, *, now: dt.datetime | None = None) -> int:
    """Staff queue failed items again (admin action)."""
    return items.filter(status=SyncStatus.FAILED).update(status=SyncStatus.PENDING, attempts=0,
                                                         next_attempt_at=now or timezone.now())


def failed_for(dossier: Dossier):
    return dossier.sync_items.filter(status=SyncStatus.FAILED)


def verify(request) -> bool:
    """A push signed with the sync secret for the receiver's address, and fresh (the receiver's check)."""
    key = push_key()
    return bool(key) and not signing.matches(
        request.body, request.headers.get(signing.TIMESTAMP_HEADER), request.headers.get(signing.SIGNATURE_HEADER),
        method=request.method, target=request.get_full_path(), key=key)
