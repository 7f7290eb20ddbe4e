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
