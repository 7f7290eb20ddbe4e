"""docstore listens to dossiers (a lower layer) and never the other way round (connected by
`DocstoreConfig.ready()` importing this module)."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver

from core.demo_mode import is_loading_demo
from dossiers.events import dossier_event_recorded
from dossiers.models import Dossier, EventType

from . import services, tasks
from .models import Source


@receiver(dossier_event_recorded, sender=Dossier, dispatch_uid="docstore.on_dossier_event")
def on_dossier_event(sender, dossier, event, **kwargs):
    """Reception verifies the components; the result reaching the desk completes the electronic result."""
    kind = {EventType.RECEIVE: Source.COMPONENT, EventType.RESOLVE: Source.RESULT}.get(event.type)
    if kind is None:
        return
    dossier_id = dossier.pk
    if is_loading_demo():  # the demo fills the stores in the process, queueing nothing (core.demo_mode)
        transaction.on_commit(lambda: services.store_intake(dossier_id=dossier_id, kind=kind))
        return
    transaction.on_commit(lambda: tasks.ingest.delay(dossier_id, kind))
