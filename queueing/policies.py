"""Who may do what on the desk floor."""

from __future__ import annotations

from accounts import access
from accounts.models import Role


def can_staff_counter(user, counter) -> bool:
    """Reception officers of the centre open, call and close its counters."""
    return access.has_role(user, Role.RECEPTION, counter.agency_id)


def can_manage_queue(user, agency) -> bool:
    """Counters, services and the centre's queue statistics: the centre's administrator and its head."""
    return access.has_role(user, Role.ADMIN, agency.pk) or access.has_role(user, Role.APPROVER, agency.pk)


def can_see_queue_stats(user, agency) -> bool:
    """The centre's waiting-time statistics and the tickets behind them (they name officers): its head
    (Role.APPROVER), its administrator (Role.ADMIN, also one of an agency above it), and the Home Affairs
    officers covering it (read-only readers of every index). Not its reception officers, nor a citizen."""
    return (agency.pk in access.acting_agency_ids(user, [Role.APPROVER, Role.ADMIN])
            or access.covers_as_home_affairs(user, agency))
