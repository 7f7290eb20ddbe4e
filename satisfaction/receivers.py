"""satisfaction listens to dossiers (a lower layer) and never the other way round."""

from __future__ import annotations

from django.dispatch import receiver

from dossiers.events import dossier_event_recorded
from dossiers.models import EventType


@receiver(dossier_event_recorded, dispatch_uid="satisfaction.on_dossier_event")
def on_dossier_event(sender, dossier, event, **kwargs):
    """The result reached the citizen: invite them to rate the service and score the dossier."""
    if event.type != EventType.RETURN_RESULT:
        return
    from .services import evaluation_compute, invitation_create

    invitation_create(dossier=dossier, officer=event.actor, at=event.at)
    evaluation_compute(dossier=dossier, at=event.at)
