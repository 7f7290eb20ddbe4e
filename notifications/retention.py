"""How long in-portal notices are kept (#21: a leader buried under tens of thousands of sweep notices is not
informed). The bell counts only the unread notices of the last `INBOX_BELL_DAYS` days (`selectors.unread_count`);
the notices page shows the last `INBOX_KEEP_DAYS` days, and the nightly task deletes what is older, read or not.
Notices are copies: what happened stays on the dossier's control sheet and in the e-mail log."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import InboxDigest, InboxItem

BATCH = 10_000  # rows per DELETE: short transactions on a big table


def keep_since(now: dt.datetime | None = None) -> dt.date:
    """The first day the notices page shows (today and the INBOX_KEEP_DAYS - 1 days before); older days go."""
    return timezone.localdate(now or timezone.now()) - dt.timedelta(days=settings.INBOX_KEEP_DAYS - 1)


def inbox_purge(*, now: dt.datetime | None = None, batch: int = BATCH) -> int:
    """Delete the notices of the days before `keep_since`, a digest and a batch at a time; returns how many.
    Each batch locks its digest, deletes up to `batch` items and takes them off the digest's counters in the
    same transaction (the digest goes with its last item), so an interrupted purge leaves true counts."""
    since = keep_since(now)
    deleted = 0
    for digest_id in InboxDigest.objects.filter(day__lt=since).order_by("day", "pk").values_list("pk", flat=True):
        while True:
            with transaction.atomic():
                digest = InboxDigest.objects.select_for_update().filter(pk=digest_id).first()
                if digest is None:
                    break
                items = InboxItem.objects.filter(user_id=digest.user_id, day=digest.day, kind=digest.kind)
                rows = list(items.order_by().values_list("pk", "read_at")[:batch])
                if rows:
                    InboxItem.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
                    deleted += len(rows)
                if len(rows) < batch:
                    digest.delete()
                    break
                InboxDigest.objects.filter(pk=digest_id).update(
                    total=F("total") - len(rows), unread=F("unread") - sum(1 for _, read in rows if read is None))
    while True:  # items that were never counted in a digest (written around the services)
        ids = list(InboxItem.objects.filter(day__lt=since).order_by().values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        deleted += InboxItem.objects.filter(pk__in=ids).delete()[0]
