"""nationalportal listens to dossiers (a lower layer) and never the other way round (connected by
`NationalPortalConfig.ready()` importing this module)."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver

from dossiers.events import dossier_event_recorded
from dossiers.models import Dossier, EventType

from . import fees, sync
from .models import SyncStatus
from .tasks import push_sync_task


@receiver(dossier_event_recorded, sender=Dossier, dispatch_uid="nationalportal.on_dossier_event")
def on_dossier_event(sender, dossier, event, **kwargs):
    """Every recorded dossier event (one by one, or announced by a bulk writer), inside the transaction
    that wrote it: the outbox row of a status change, then the push once that transaction commits."""
    if event.type == EventType.RECEIVE and dossier.national_code:
        fees.settle_on_receipt(dossier, event)
    item = sync.enqueue(event)
    if item is not None and item.status == SyncStatus.PENDING:
        transaction.on_commit(kick)


def kick() -> None:
    try:
        push_sync_task.delay()
    except Exception:  # noqa: BLE001 - the broker is down: beat picks the item up later
        pass
