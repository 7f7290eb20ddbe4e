"""queueing listens to dossiers (a lower layer) and never the other way round (connected by
`QueueingConfig.ready()` importing this module)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import receiver

from dossiers.events import dossier_event_recorded
from dossiers.models import Dossier, EventType
from procedures.models import Channel

from . import services

logger = logging.getLogger(__name__)

# A dossier recorded or received in front of the citizen: the ticket the officer is serving becomes it.
DESK_EVENTS = frozenset({EventType.CREATE_AT_DESK, EventType.RECEIVE})


@receiver(dossier_event_recorded, sender=Dossier, dispatch_uid="queueing.on_dossier_event")
def on_dossier_event(sender, dossier, event, **kwargs):
    """A walk-in dossier received at the desk by an officer serving a ticket: link the two (ticket → dossier
    → survey). Online and postal dossiers are received with no citizen at the counter: never linked.

    Runs inside the reception's transaction, in its own savepoint: a failure here is logged and undoes only
    the link, never the reception."""
    if event.type not in DESK_EVENTS or event.actor_id is None or dossier.channel != Channel.IN_PERSON:
        return
    try:
        with transaction.atomic():
            services.ticket_link_dossier(officer=event.actor, dossier=dossier, at=event.at)
    except Exception:  # any bug of this listener: it must not roll back the reception; logged
        logger.exception("linking dossier %s (pk %s) to the officer's ticket failed; the reception stands",
                         dossier.code, dossier.pk)
