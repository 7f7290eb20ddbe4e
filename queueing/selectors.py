"""Reads of the desk floor: a ticket's place in the queue, a counter's state, the display's state."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from . import policies, rules
from .models import Announcement, Counter, Service, Ticket, TicketStatus


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


RECENT = dt.timedelta(seconds=5)
MAX_CALLS = 100  # a poll carries every call since the last one, even at 50 counters (the view announces 3)


def display_state(agency, *, after: int = 0, next_count: int = 6) -> dict:
    """What the calling display shows: per open counter the number being served, the next numbers, and the
    calls after id `after` (each once, to be announced)."""
    today = timezone.localdate()
    counters = list(Counter.objects.filter(agency=agency, is_active=True).order_by("number"))
    current = {t.counter_id: t for t in Ticket.objects.filter(
        agency=agency, day=today, status__in=(TicketStatus.CALLED, TicketStatus.SERVING)).order_by("last_called_at")}
    waiting = list(Ticket.objects.filter(agency=agency, day=today, status=TicketStatus.WAITING)
                   .order_by("priority_rank", "issued_at", "id").values_list("code", flat=True)[:next_count])
    if after >= 0:
        # Ids are taken when a call is written but seen when it commits: a call that commits after a later
        # one would be skipped by an id cursor alone. So the last RECENT seconds are sent again, and the
        # display keeps the ids it has announced. The newest MAX_CALLS at most (a display announces 3).
        recent = timezone.now() - RECENT
        calls = list(Announcement.objects.filter(agency=agency, at__date=today)
                     .filter(Q(id__gt=after) | Q(at__gte=recent))
                     .select_related("ticket", "counter").order_by("-id")[:MAX_CALLS])[::-1]
        last = max([after, *(a.id for a in calls)])
    else:
        calls = []
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


def display_latest(agency) -> dict | None:
    """Today's latest call (the display highlights it), public fields only."""
    a = (Announcement.objects.filter(agency=agency, at__date=timezone.localdate()).select_related("ticket", "counter")
         .order_by("-id").first())
    return {"id": a.id, "code": a.ticket.code, "counter": a.counter.number} if a else None


def counters_for_officer(user):
    """The active counters of the centres where `user` is a reception officer."""
    ids = policies.counter_agency_ids(user)
    return Counter.objects.filter(agency_id__in=ids, is_active=True).select_related("agency", "officer").order_by(
        "agency__name", "number")


def counter_state(counter: Counter, *, now: dt.datetime | None = None, next_count: int = 5) -> dict:
    """What the officer at `counter` sees: the current ticket, the waiting per service of the centre and the
    next numbers this counter would call (the calling order of rules.py)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    current = (Ticket.objects.filter(counter=counter, status__in=(TicketStatus.CALLED, TicketStatus.SERVING))
               .select_related("service", "priority", "appointment").order_by("-last_called_at", "-id").first())
    waiting = Ticket.objects.filter(agency_id=counter.agency_id, day=today, status=TicketStatus.WAITING)
    mine = set(counter.services.values_list("pk", flat=True))
    counts = waiting_by_service(counter.agency, today)
    services = [{"name": s.name, "code": s.code, "waiting": counts.get(s.pk, 0), "mine": s.pk in mine}
                for s in Service.objects.filter(agency_id=counter.agency_id, is_active=True)]
    upcoming = list(rules.calling_order(waiting.filter(rules.callable_by(counter)), counter=counter, now=now)
                    .select_related("priority")[:next_count])
    return {"current": current, "services": services, "next": upcoming,
            "waited_minutes": int(((current.called_at or now) - current.issued_at).total_seconds() // 60)
            if current else None}
