"""Reads of the chain ticket → dossier → survey: the tickets a dossier came from (the dossier page's section,
the survey answer's ticket)."""

from __future__ import annotations

from .models import Ticket


def dossier_tickets(dossier) -> list[Ticket]:
    """The tickets linked to `dossier`, latest first."""
    return list(Ticket.objects.filter(dossiers=dossier).select_related("service", "counter", "officer")
                .order_by("-issued_at", "-id"))


def latest_ticket_id(dossier_id: int) -> int | None:
    """The latest ticket linked to the dossier (the visit the survey answer is about), or None."""
    return (Ticket.objects.filter(dossiers=dossier_id).order_by("-issued_at", "-id")
            .values_list("pk", flat=True).first())


def wait_minutes(ticket: Ticket) -> int | None:
    """Whole minutes from taking the number to the first call (None: never called)."""
    if ticket.called_at is None:
        return None
    return max(0, round((ticket.called_at - ticket.issued_at).total_seconds() / 60))


def dossier_panel_context(request, dossier, staff_view: bool) -> dict | None:
    """The dossier page (staff): the ticket(s) the dossier was received under, e.g. "Vé 1023, chờ 12 phút,
    quầy 5"."""
    if not staff_view:
        return None
    tickets = dossier_tickets(dossier)
    if not tickets:
        return None
    for ticket in tickets:
        ticket.wait_minutes = wait_minutes(ticket)
    return {"queue_tickets": tickets}
