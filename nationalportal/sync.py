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
signed with HMAC-SHA256 of the body under SYNC_SECRET (header X-Signature). `views.sync_receiver` is
the local receiver the tests and `make run` use to stand in for the national portal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.demo_mode import is_loading_demo
from dossiers.models import Dossier, DossierEvent

from .models import SyncItem, SyncStatus

MAX_BACKOFF = dt.timedelta(hours=6)


def enabled() -> bool:
    return bool(getattr(settings, "SYNC_TARGET_URL", ""))


def _max_attempts() -> int:
    return getattr(settings, "SYNC_MAX_ATTEMPTS", 10)


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 … minutes, at most 6 hours."""
    return min(dt.timedelta(minutes=2 ** max(0, attempts - 1)), MAX_BACKOFF)


def enqueue(event: DossierEvent) -> SyncItem | None:
    """Called for every recorded event (inside its transaction); keeps the status changes of dossiers
    that have a code (received), which are what the national portal tracks. The caller starts the push
    after the commit when the item is pending (receivers.on_dossier_event)."""
    if not enabled() or event.from_status == event.to_status or not event.to_status:
        return None
    dossier = event.dossier
    if not dossier.code:
        return None
    moment = event.at or timezone.now()
    if is_loading_demo():  # demo history: recorded as pushed, never queued (core.demo_mode)
        return SyncItem.objects.create(dossier=dossier, event=event, created_at=moment, next_attempt_at=moment,
                                       status=SyncStatus.SENT, sent_at=moment)
    return SyncItem.objects.create(dossier=dossier, event=event, created_at=moment, next_attempt_at=moment)


def payload(item: SyncItem) -> dict:
    event, dossier = item.event, item.dossier
    return {
        "dossier_code": dossier.code, "event_id": event.pk, "type": event.type, "status": event.to_status,
        "status_label": str(event.status_label), "at": event.at.isoformat(),
        "agency_code": dossier.receiving_agency.code, "handling_agency_code": dossier.handling_agency.code,
        "returning_agency_code": dossier.returning_agency.code,
        "procedure_code": dossier.procedure_version.procedure.code, "channel": dossier.channel,
        "due_at": dossier.due_at.isoformat() if dossier.due_at else None,
        "reason": event.reason[:1000],
    }


def sign(body: bytes) -> str:
    return hmac.new(getattr(settings, "SYNC_SECRET", "").encode(), body, hashlib.sha256).hexdigest()


class WebhookAdapter:
    """POST the JSON payload; any 2xx is a delivery, anything else (or no answer) an error."""

    def __init__(self, url: str | None = None, timeout: float = 10):
        self.url, self.timeout = url or settings.SYNC_TARGET_URL, timeout

    def send(self, data: dict) -> None:
        body = json.dumps(data, ensure_ascii=False).encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "X-Signature": sign(body)})
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


def push(*, adapter=None, batch: int = 200, now: dt.datetime | None = None) -> dict[str, int]:
    """Deliver the items that are due, oldest first, one dossier's items in order. Safe to run in
    several workers at once (rows are locked with SKIP LOCKED) and to run again after a worker was
    killed mid-batch: each item is delivered and marked sent in its own transaction, so the items
    delivered before the kill stay sent and are never pushed twice; only the one in flight at the
    kill goes out again (with the same event_id, which the receiver uses to recognise it)."""
    if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
        raise ValueError("batch phải là số nguyên dương.")
    adapter = adapter or WebhookAdapter()
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    passed: set[int] = set()  # waiting behind an earlier item of their dossier
    for _ in range(batch):
        with transaction.atomic():
            item = (SyncItem.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(status=SyncStatus.PENDING, next_attempt_at__lte=now).exclude(pk__in=passed)
                    .select_related("event", "dossier__receiving_agency", "dossier__handling_agency",
                                    "dossier__returning_agency", "dossier__procedure_version__procedure")
                    .order_by("id").first())
            if item is None:
                break
            # A dossier's changes go out in order: an item waits while an earlier one is undelivered.
            first_unsent = (SyncItem.objects.filter(dossier_id=item.dossier_id).exclude(status=SyncStatus.SENT)
                            .order_by("id").values_list("id", flat=True).first())
            if first_unsent != item.pk:
                passed.add(item.pk)
                continue
            item.attempts += 1
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
                item.status, item.sent_at, item.last_error = SyncStatus.SENT, now, ""
                counts["sent"] += 1
            item.save(update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at"])
    return counts


def retry(items, *, now: dt.datetime | None = None) -> int:
    """Staff queue failed items again (admin action)."""
    return items.filter(status=SyncStatus.FAILED).update(status=SyncStatus.PENDING, attempts=0,
                                                         next_attempt_at=now or timezone.now())


def failed_for(dossier: Dossier):
    return dossier.sync_items.filter(status=SyncStatus.FAILED)


def verify(body: bytes, signature: str) -> bool:
    return bool(signature) and hmac.compare_digest(sign(body), signature)
