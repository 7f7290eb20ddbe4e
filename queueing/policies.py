"""Who may do what on the desk floor."""

from __future__ import annotations

from accounts import access
from accounts.models import Agency, Role


def can_staff_counter(user, counter) -> bool:
    """Reception officers of the centre open, call and close its counters."""
    return access.has_role(user, Role.RECEPTION, counter.agency_id)


def can_manage_queue(user, agency) -> bool:
    """Counters, services and the centre's queue statistics: the centre's administrator and its head."""
    return access.has_role(user, Role.ADMIN, agency.pk) or access.has_role(user, Role.APPROVER, agency.pk)


# -- online appointments (queueing/booking.py) ---------------------------------------------------------

def can_see_agency_bookings(user, agency) -> bool:
    """The centre's bookings of a day: its reception officers and its head (approver role or Agency.head)."""
    agency_id = getattr(agency, "pk", agency)
    return (access.has_role(user, Role.RECEPTION, agency_id) or access.has_role(user, Role.APPROVER, agency_id)
            or (getattr(agency, "head_id", None) is not None and agency.head_id == getattr(user, "pk", None)))


def can_see_appointment(user, appointment) -> bool:
    """A booking: the citizen who made it, or the centre's reception officers and head."""
    if not user.is_authenticated:
        return False
    return appointment.citizen_id == user.pk or can_see_agency_bookings(user, appointment.agency)


def can_cancel_appointment(user, appointment) -> bool:
    """The citizen who booked, or the centre's reception officers and head (the time rule is the service's)."""
    return can_see_appointment(user, appointment)


def can_see_queue_stats(user, agency) -> bool:
    """The centre's waiting-time statistics and the tickets behind them (they name officers): its head
    (Role.APPROVER), its administrator (Role.ADMIN, also one of an agency above it), and the Home Affairs
    officers covering it (read-only readers of every index). Not its reception officers, nor a citizen."""
    return (agency.pk in access.acting_agency_ids(user, [Role.APPROVER, Role.ADMIN])
            or access.covers_as_home_affairs(user, agency))


# -- the desk floor's pages ------------------------------------------------------------------------------

def counter_agency_ids(user) -> frozenset[int]:
    """Centres whose counters `user` may open and call at: where they are a reception officer."""
    return access.acting_agency_ids(user, [Role.RECEPTION])


def works_at_counters(user) -> bool:
    """The staff menu's "Quầy tiếp dân" and the counter page: reception officers."""
    return access.has_role(user, Role.RECEPTION)


def booking_staff_agency_ids(user) -> set[int] | None:
    """Centres whose bookings `user` may list: reception officers, approvers and heads of the centre; None
    means every centre (an unrestricted user)."""
    if access.is_unrestricted(user):
        return None
    ids = set(access.acting_agency_ids(user, roles=[Role.RECEPTION, Role.APPROVER]))
    ids |= set(Agency.objects.filter(head=user).values_list("pk", flat=True))
    return ids
