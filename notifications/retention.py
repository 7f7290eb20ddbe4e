"""How long in-portal notices are kept (#21: a leader buried under tens of thousands of sweep notices is not
informed). The bell counts only recent unread notices (`selectors.bell_badge`); past `INBOX_KEEP_DAYS` a notice,
read or not, is deleted by the nightly task. Notices are copies: what happened stays on the dossier's control
sheet and in the e-mail log."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from .models import InboxItem

BATCH = 10_000  # rows per DELETE: short transactions on a big table


def inbox_purge(*, now: dt.datetime | None = None, batch: int = BATCH) -> int:
    """Delete the notices older than INBOX_KEEP_DAYS, a batch at a time; returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.INBOX_KEEP_DAYS)
    deleted = 0
    while True:
        ids = list(InboxItem.objects.filter(created_at__lt=cutoff).order_by().values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        deleted += InboxItem.objects.filter(pk__in=ids).delete()[0]
