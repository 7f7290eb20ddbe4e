"""One small function per kind of dossier event (Saleor style). Each writes one DossierEvent row
and announces it with a signal, so higher layers (satisfaction, notifications) can react without
dossiers importing them."""

from __future__ import annotations

from django.dispatch import Signal

from .models import Dossier, DossierEvent

# kwargs: dossier, event
dossier_event_recorded = Signal()


def record(*, dossier: Dossier, type: str, actor=None, from_status: str = "", to_status: str = "",
           from_agency=None, to_agency=None, step: str = "", at, step_due_at=None, punctuality: str = "",
           reason: str = "", payload: dict | None = None) -> DossierEvent:
    event = DossierEvent.objects.create(
        dossier=dossier, type=type, actor=actor, from_status=from_status, to_status=to_status,
        from_agency=from_agency, to_agency=to_agency, step=step, at=at, step_due_at=step_due_at,
        punctuality=punctuality, reason=reason, payload=payload or {},
    )
    dossier_event_recorded.send(sender=Dossier, dossier=dossier, event=event)
    return event
