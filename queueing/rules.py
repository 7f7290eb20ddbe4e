"""The calling order, in one place (README "Calling order"). Among the waiting tickets a counter may call:

1. a ticket transferred to this very counter (it already waited once);
2. a booked ticket whose slot has begun (an appointment is kept in its slot);
3. a priority group, by rank (elderly, people with disabilities, pregnant women, people with meritorious
   service… — `PriorityGroup` rows, rank 1 first);
4. everyone else, first come first served (the time the ticket was taken, then its number).

Office hours: tickets are issued on working days of the centre's calendar, from OPEN_EARLY before the
morning session to the end of the afternoon session."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, IntegerField, Q, Value, When

NO_PRIORITY = 1000
OPEN_EARLY = dt.timedelta(minutes=30)
ACTIVE_PER_PHONE = 2  # waiting or called tickets per phone number per centre and day (each may get a text)
NEAR_TURN = 3  # an SMS "your turn nears" when at most this many people are ahead


def calling_order(queryset, *, counter, now: dt.datetime):
    """`queryset` (waiting tickets) ordered as the rule says, for `counter`."""
    return queryset.annotate(
        _transferred=Case(When(target_counter=counter, then=Value(0)), default=Value(1), output_field=IntegerField()),
        _in_slot=Case(When(slot_start__lte=now, then=Value(0)), default=Value(1), output_field=IntegerField()),
    ).order_by("_transferred", "_in_slot", "priority_rank", "issued_at", "id")


def callable_by(counter) -> Q:
    """Tickets this counter may call: transferred to it, or not transferred and for one of its services."""
    return Q(target_counter=counter) | Q(target_counter__isnull=True, service__in=counter.services.all())
