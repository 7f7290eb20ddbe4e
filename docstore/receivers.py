from django.db import transaction

from core.demo_mode import is_loading_demo
from dossiers.models import EventType

from .models import Source


def on_dossier_event(sender, dossier, event, **kwargs):
    """Reception verifies the components; the result reaching the desk completes the electronic result."""
    kind = {EventType.RECEIVE: Source.COMPONENT, EventType.RESOLVE: Source.RESULT}.get(event.type)
    if kind is None:
        return
    dossier_id = dossier.pk
    if is_loading_demo():  # the demo fills the stores in the process, queueing nothing (core.demo_mode)
        from .services import store_intake

        transaction.on_commit(lambda: store_intake(dossier_id=dossier_id, kind=kind))
        return
    from .tasks import ingest

    transaction.on_commit(lambda: ingest.delay(dossier_id, kind))
