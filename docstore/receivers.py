from django.db import transaction

from .models import Source


def on_dossier_event(sender, dossier, event, **kwargs):
    """Reception verifies the components; the result reaching the desk completes the electronic result."""
    kind = {"receive": Source.COMPONENT, "resolve": Source.RESULT}.get(event.type)
    if kind is None:
        return
    from .tasks import ingest

    dossier_id = dossier.pk
    transaction.on_commit(lambda: ingest.delay(dossier_id, kind))
