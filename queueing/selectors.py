"""Reads of the desk floor: a ticket's place in the queue, a counter's state, the display's state."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from .models import Announcement, Counter, Ticket, TicketStatus


def people_ahead(ticket: Ticket) -> int:
    """Tickets of the same service still waiting that the calling order puts before this one (an estimate:
    a later booked or transferred ticket can still go first)."""
    if ticket.status != TicketStatus.WAITING:
        return 0
    return (Ticket.objects.filter(service_id=ticket.service_id, day=ticket.day, status=TicketStatus.WAITING)
            .filter(Q(priority_rank__lt=ticket.priority_rank)
                    | Q(priority_rank=ticket.priority_rank, issued_at__lt=ticket.issued_at)
                    | Q(priority_rank=ticket.priority_rank, issued_at=ticket.issued_at, id__lt=ticket.id))
            .count())


def waiting_by_service(agency, day=None) -> dict[int, int]:
    day = day or timezone.localdate()
    rows = (Ticket.objects.filter(agency=agency, day=day, status=TicketStatus.WAITING)
            .values("service_id").annotate(n=Count("id")))
    return {r["service_id"]: r["n"] for r in rows}


def display_state(agency, *, after: int = 0, next_count: int = 6) -> dict:
    """What the calling display shows: per open counter the number being served, the next numbers, and the
    calls after id `after` (each once, to be announced)."""
    today = timezone.localdate()
    counters = list(Counter.objects.filter(agency=agency, is_active=True).order_by("number"))
    current = {t.counter_id: t for t in Ticket.objects.filter(
        agency=agency, day=today, status__in=(TicketStatus.CALLED, TicketStatus.SERVING)).order_by("last_called_at")}
    waiting = list(Ticket.objects.filter(agency=agency, day=today, status=TicketStatus.WAITING)
                   .order_by("priority_rank", "issued_at", "id").values_list("code", flat=True)[:next_count])
    calls = list(Announcement.objects.filter(agency=agency, id__gt=after, at__date=today)
                 .select_related("ticket", "counter").order_by("id")[:20]) if after >= 0 else []
    last = Announcement.objects.filter(agency=agency).order_by("-id").values_list("id", flat=True).first() or 0
    return {
        "now": timezone.localtime().isoformat(),
        "last_id": last,
        "counters": [{"number": c.number, "name": str(c), "open": c.is_open,
                      "current": current[c.pk].code if c.pk in current else None,
                      "status": current[c.pk].status if c.pk in current else None} for c in counters],
        "next": waiting,
        "calls": [{"id": a.id, "code": a.ticket.code, "counter": a.counter.number, "text": a.text,
                   "at": timezone.localtime(a.at).isoformat()} for a in calls],
    }
