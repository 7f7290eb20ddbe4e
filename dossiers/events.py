"""One small function per kind of dossier event (Saleor style). Each writes one DossierEvent row of a
declared `EventType` and announces it with a signal, so higher apps (nationalportal, docstore,
satisfaction) can react without dossiers importing them. Bulk writers (the deadline sweep) use
`bulk_record`, which announces every row the same way: the listeners hear every event.

Nothing else writes DossierEvent rows (the demo-data generator excepted: it fills an empty
database, with no listener to tell)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.dispatch import Signal

from .models import Dossier, DossierEvent, EventType
from .workflow import Status

# kwargs: dossier, event
dossier_event_recorded = Signal()


def _announce(event: DossierEvent) -> None:
    dossier_event_recorded.send(sender=Dossier, dossier=event.dossier, event=event)


def _record(*, dossier: Dossier, type: EventType, at: dt.datetime, actor=None, from_status: str = "",
            to_status: str = "", from_agency=None, to_agency=None, step: str = "", step_due_at=None,
            punctuality: str = "", reason: str = "", payload: dict | None = None) -> DossierEvent:
    """The one writer of single events."""
    event = DossierEvent.objects.create(
        dossier=dossier, type=EventType(type), actor=actor, from_status=from_status, to_status=to_status,
        from_agency=from_agency, to_agency=to_agency, step=step, at=at, step_due_at=step_due_at,
        punctuality=punctuality, reason=reason, payload=payload or {},
    )
    _announce(event)
    return event


def _note(*, dossier: Dossier, type: EventType, at: dt.datetime, actor=None, reason: str = "",
          payload: dict | None = None) -> DossierEvent:
    """An event that does not move the dossier (its status before and after is the current one)."""
    return _record(dossier=dossier, type=type, at=at, actor=actor, from_status=dossier.status,
                   to_status=dossier.status, reason=reason, payload=payload)


def bulk_record(rows: Iterable[DossierEvent]) -> list[DossierEvent]:
    """Write many unsaved events at once (one INSERT per 2,000 rows), then announce each of them
    exactly as a single event is announced. Build the rows with `dossier=` (not only `dossier_id=`)
    so that the listeners get the dossier without a query per row."""
    rows = list(rows)
    for event in rows:
        event.type = EventType(event.type)
        event.payload = event.payload or {}
    created = DossierEvent.objects.bulk_create(rows, batch_size=2000)
    for event in created:
        _announce(event)
    return created


# -- the workflow ---------------------------------------------------------------------------------

def transition_fired(*, dossier: Dossier, transition: str, actor, from_status: str, from_agency, step: str,
                     at: dt.datetime, step_due_at=None, punctuality: str = "", reason: str = "",
                     payload: dict | None = None) -> DossierEvent:
    """A transition of `dossiers.workflow` (the event type is the transition's name); `dossier` has
    already moved (its status and handling agency are the new ones)."""
    return _record(dossier=dossier, type=EventType(transition), actor=actor, from_status=from_status,
                   to_status=dossier.status, from_agency=from_agency, to_agency=dossier.handling_agency, step=step,
                   at=at, step_due_at=step_due_at, punctuality=punctuality, reason=reason, payload=payload)


def dossier_created(*, dossier: Dossier, actor, at: dt.datetime) -> DossierEvent:
    """A citizen started an online draft."""
    return _record(dossier=dossier, type=EventType.CREATE, actor=actor, to_status=Status.DRAFT, at=at)


def dossier_created_at_desk(*, dossier: Dossier, actor, agency, at: dt.datetime, channel: str,
                            components: list[str], presented: list[str]) -> DossierEvent:
    """The desk recorded a walk-in or postal dossier (the components counted and those presented)."""
    return _record(dossier=dossier, type=EventType.CREATE_AT_DESK, actor=actor, from_status=Status.DRAFT,
                   to_status=Status.SUBMITTED, to_agency=agency, at=at,
                   payload={"channel": channel, "components": components, "presented": presented})


def components_digitized(*, dossier: Dossier, actor, at: dt.datetime, components: list[str], complete: bool,
                         attachments: list[int]) -> DossierEvent:
    """The desk scanned the components handed in, at reception (the dossier is still submitted)."""
    return _record(dossier=dossier, type=EventType.DIGITIZE, actor=actor, from_status=Status.SUBMITTED,
                   to_status=Status.SUBMITTED, at=at,
                   payload={"components": components, "complete": complete, "attachments": attachments})


def attachment_added(*, dossier: Dossier, actor, at: dt.datetime, attachment: int, name: str, kind: str,
                     document: str, reused: bool) -> DossierEvent:
    return _note(dossier=dossier, type=EventType.ATTACHMENT_ADDED, actor=actor, at=at,
                 payload={"attachment": attachment, "name": name, "kind": kind, "document": document,
                          "reused": reused})


def attachment_removed(*, dossier: Dossier, actor, at: dt.datetime, attachment: int, name: str,
                       reused: bool) -> DossierEvent:
    """A file taken back while the dossier is being edited (the file is kept, marked unused)."""
    return _note(dossier=dossier, type=EventType.ATTACHMENT_REMOVED, actor=actor, at=at,
                 payload={"attachment": attachment, "name": name, "reused": reused})


def citizen_notified(*, dossier: Dossier, at: dt.datetime, channels: list[str], about: int) -> DossierEvent:
    """The citizen was sent e-mail and/or SMS about the event `about` (its id)."""
    return _note(dossier=dossier, type=EventType.NOTIFIED, at=at, payload={"channels": channels, "event": about})


# -- tracking by code + PIN ------------------------------------------------------------------------

def pin_locked(*, dossier: Dossier, at: dt.datetime, failures: int, until: dt.datetime) -> DossierEvent:
    return _note(dossier=dossier, type=EventType.PIN_LOCKED, at=at,
                 payload={"failures": failures, "until": until.isoformat()})


def pin_unlocked(*, dossier: Dossier, actor, at: dt.datetime, failures: int) -> DossierEvent:
    return _note(dossier=dossier, type=EventType.PIN_UNLOCKED, actor=actor, at=at, payload={"failures": failures})


# -- fees (the payments app) -----------------------------------------------------------------------

def fee_paid(*, dossier: Dossier, actor, at: dt.datetime, reason: str, payload: dict) -> DossierEvent:
    return _note(dossier=dossier, type=EventType.FEE_PAID, actor=actor, at=at, reason=reason, payload=payload)


def fee_paid_twice(*, dossier: Dossier, actor, at: dt.datetime, reason: str, payload: dict) -> DossierEvent:
    """Money received when nothing was owed any more (to be refunded)."""
    return _note(dossier=dossier, type=EventType.FEE_PAID_TWICE, actor=actor, at=at, reason=reason,
                 payload=payload)


def fee_refunded(*, dossier: Dossier, actor, at: dt.datetime, reason: str, amount: int) -> DossierEvent:
    return _note(dossier=dossier, type=EventType.FEE_REFUNDED, actor=actor, at=at, reason=reason,
                 payload={"amount": amount})


# -- apology letters (Mẫu 04) ----------------------------------------------------------------------

def apology_drafted(*, dossier: Dossier, actor, at: dt.datetime, letter) -> DossierEvent:
    return _note(dossier=dossier, type=EventType.APOLOGY_DRAFTED, actor=actor, at=at, reason=letter.reason_display,
                 payload={"letter": letter.pk})


def apology_issued(*, dossier: Dossier, actor, at: dt.datetime, letter) -> DossierEvent:
    """The head signed `letter`; its `due_at` is the appointment before, `new_due_at` the new one (or None)."""
    return _note(dossier=dossier, type=EventType.APOLOGY_ISSUED, actor=actor, at=at, reason=letter.reason_display,
                 payload={"letter": letter.pk, "number": letter.number, "late": letter.issued_late,
                          "previous_due": letter.due_at.isoformat() if letter.due_at else None,
                          "new_due": letter.new_due_at.isoformat() if letter.new_due_at else None})


def apology_cancelled(*, dossier: Dossier, actor, at: dt.datetime, letter) -> DossierEvent:
    return _note(dossier=dossier, type=EventType.APOLOGY_CANCELLED, actor=actor, at=at,
                 reason=letter.cancelled_reason, payload={"letter": letter.pk})


# -- calendar changes (a day off declared after reception) ------------------------------------------

def calendar_reappointed(rows: Iterable[tuple[Dossier, str, dict]], *, at: dt.datetime) -> list[DossierEvent]:
    """The appointment of each dossier moved because the working calendar changed after it was received
    (not the apology letter's re-appointment). `rows`: (dossier, reason shown to the citizen, payload with
    the dates before and after and the calendar changes). One INSERT for the batch, each row announced."""
    return bulk_record(DossierEvent(dossier=d, type=EventType.CALENDAR_REAPPOINTED, at=at, from_status=d.status,
                                    to_status=d.status, reason=reason, payload=payload)
                       for d, reason, payload in rows)


# -- hand-overs between desks (reception regardless of administrative boundaries) -------------------

def _handover_event(type: EventType, *, handover, actor, at: dt.datetime, reason: str = "",
                    payload: dict | None = None) -> DossierEvent:
    dossier = handover.dossier
    return _record(dossier=dossier, type=type, at=at, actor=actor, from_status=dossier.status,
                   to_status=dossier.status, from_agency=handover.from_agency, to_agency=handover.to_agency,
                   reason=reason, payload={"handover": handover.pk, "kind": handover.kind, **(payload or {})})


def handover_sent(*, handover, actor, at: dt.datetime) -> DossierEvent:
    return _handover_event(EventType.HANDOVER_SENT, handover=handover, actor=actor, at=at, reason=handover.note,
                           payload={"paper": handover.paper, "carrier": handover.carrier,
                                    "due_at": handover.due_at.isoformat()})


def handover_acknowledged(*, handover, actor, at: dt.datetime, late: bool) -> DossierEvent:
    return _handover_event(EventType.HANDOVER_ACKNOWLEDGED, handover=handover, actor=actor, at=at,
                           payload={"late": late})


def paper_received(*, handover, actor, at: dt.datetime) -> DossierEvent:
    return _handover_event(EventType.PAPER_RECEIVED, handover=handover, actor=actor, at=at,
                           payload={"carrier": handover.carrier})


def handover_overdue(*, handover, at: dt.datetime) -> DossierEvent:
    return _handover_event(EventType.HANDOVER_OVERDUE, handover=handover, actor=None, at=at,
                           payload={"due_at": handover.due_at.isoformat()})


# -- the appraiser changed (the at-risk page) --------------------------------------------------------

def dossier_reassigned(*, dossier: Dossier, actor, at: dt.datetime, previous, appraiser,
                       reason: str = "") -> DossierEvent:
    """`actor` gave the dossier, in the appraisal step, from the appraiser `previous` to `appraiser` (both
    named in the payload, as the control sheet names officers). The status does not change."""
    return _record(dossier=dossier, type=EventType.REASSIGN, actor=actor, at=at, from_status=dossier.status,
                   to_status=dossier.status, from_agency=dossier.handling_agency, to_agency=dossier.handling_agency,
                   step=dossier.step, reason=reason,
                   payload={"from_assignee": previous.pk if previous else None,
                            "from_name": previous.full_name if previous else "",
                            "to_assignee": appraiser.pk, "to_name": appraiser.full_name,
                            "risk": dossier.risk})


# -- the electronic result (signed, revoked) ----------------------------------------------------------

def result_signed(*, dossier: Dossier, actor, at: dt.datetime, document, attachment: int, how: str) -> DossierEvent:
    """The result was signed and issued as `document` (signing.IssuedDocument); `how`: "agency" (the
    agency's certificate, on the server) or "officer" (a leader's own certificate, the file uploaded)."""
    return _note(dossier=dossier, type=EventType.RESULT_SIGNED, actor=actor, at=at, reason=document.signer_name,
                 payload={"document": document.pk, "public_id": document.public_id, "sha256": document.sha256,
                          "attachment": attachment, "how": how})


def result_revoked(*, dossier: Dossier, actor, at: dt.datetime, document, reason: str) -> DossierEvent:
    return _note(dossier=dossier, type=EventType.RESULT_REVOKED, actor=actor, at=at, reason=reason,
                 payload={"document": document.pk, "public_id": document.public_id})
