"""Who may see and answer unhappy survey answers (follow-ups), written once (ARCHITECTURE.md §3.6).

A follow-up belongs to the agency rated. Its leaders (approvers, administrators) read and answer it;
the Home Affairs officers whose scope covers that agency read it; nobody reads the follow-ups about
their own service. Citizen feedback (PAKN) has its own rules, beside its code.
"""

from __future__ import annotations

from accounts import access
from accounts.models import Agency, Role, User

from .models import FollowUp

LEADER_ROLES = (Role.APPROVER, Role.ADMIN)


def can_close_follow_up(user: User, follow_up: FollowUp) -> bool:
    """Answer the citizen and close the follow-up: a leader of the agency rated."""
    return access.is_unrestricted(user) or follow_up.agency_id in access.acting_agency_ids(user, LEADER_ROLES)


def follow_up_agency_ids(user: User) -> set[int] | None:
    """The agencies whose follow-ups the user reads (None: every agency). The officer rated is left out
    by the selector, whatever the agency."""
    if access.is_unrestricted(user):
        return None
    agencies = set(access.acting_agency_ids(user, LEADER_ROLES))
    if access.has_role(user, Role.HOME_AFFAIRS):
        agencies |= {a.pk for a in Agency.objects.filter(pk__in=access.visible_agency_ids(user))
                     if access.covers_as_home_affairs(user, a)}
    return agencies
