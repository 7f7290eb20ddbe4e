"""satisfaction listens to dossiers (a lower layer) and never the other way round."""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import receiver

from dossiers.events import dossier_event_recorded
from dossiers.models import EventType

from . import services

logger = logging.getLogger(__name__)


@receiver(dossier_event_recorded, dispatch_uid="satisfaction.on_dossier_event")
def on_dossier_event(sender, dossier, event, **kwargs):
    """The result reached the citizen: invite them to rate the service and score the dossier.

    This runs inside the hand-over's transaction (the invitation exists as soon as the result is returned, so
    the desk can print its QR slip), each step in its own savepoint: a failure here undoes only that step's
    rows, is logged, and never undoes the hand-over."""
    if event.type != EventType.RETURN_RESULT:
        return
    _isolated("survey invitation", dossier, lambda: services.invitation_create(dossier=dossier, officer=event.actor,
                                                                                at=event.at))
    _isolated("dossier evaluation", dossier, lambda: services.evaluation_compute(dossier=dossier, at=event.at))


def _isolated(what: str, dossier, step) -> None:
    try:
        with transaction.atomic():
            step()
    except Exception:  # any bug of a listener: it must not roll back the dossier's hand-over; logged
        logger.exception("%s failed for dossier %s (pk %s); the hand-over stands", what, dossier.code, dossier.pk)
