"""Who may do what with agencies, staff accounts and the staff pages, written once (ARCHITECTURE.md §3.6).

The scope rules themselves (who sees and acts for which agency) are `access`; these rules read them:
- an administrator edits the agencies of their subtree and manages their staff, but never revokes
  their own administrator role;
- each role has a workspace; a Home Affairs workspace lists every agency of the officer's scope
  (read-only), another role's lists the agencies where the role is held;
- the header shows the dossier worklist to reception, appraisers and approvers, the satisfaction and
  feedback pages to every staff role, the index to agency leaders who are not Home Affairs readers.
"""

from __future__ import annotations

from .access import acting_agency_ids, has_role, roles_of
from .models import Agency, Role, StaffRole, User

DOSSIER_ROLES = frozenset({Role.RECEPTION, Role.APPRAISER, Role.APPROVER})
STAFF_ROLES = frozenset({Role.RECEPTION, Role.APPRAISER, Role.APPROVER, Role.HOME_AFFAIRS, Role.ADMIN})


# -- administration --------------------------------------------------------------------------------


def administered_agency_ids(user: User) -> frozenset[int]:
    """The agencies the user administers (their own and every one below it)."""
    return acting_agency_ids(user, [Role.ADMIN])


def can_administer_agency(user: User, agency: Agency | int) -> bool:
    """Edit the agency's information and office hours, manage its staff."""
    return (agency.pk if isinstance(agency, Agency) else agency) in administered_agency_ids(user)


def can_manage_staff(user: User) -> bool:
    """Open the staff management page (an administrator of some agency)."""
    return bool(administered_agency_ids(user))


def is_own_admin_role(user: User, staff_role: StaffRole) -> bool:
    """The administrator role the user holds themselves (an administrator cannot revoke it: someone
    must still administer the agency)."""
    return staff_role.user_id == user.pk and staff_role.role == Role.ADMIN


# -- workspaces and the header ------------------------------------------------------------------------


def can_open_workspace(user: User, role: str) -> bool:
    return role in Role.values and has_role(user, role)


def workspace_lists_scope(role: str) -> bool:
    """Whether the role's workspace lists every agency the user sees (Home Affairs reads its scope),
    rather than the agencies where the role is held."""
    return role == Role.HOME_AFFAIRS


def works_on_dossiers(user: User) -> bool:
    """Reception, appraisers and approvers: their daily work is the dossier worklist."""
    return bool(roles_of(user) & DOSSIER_ROLES)


def sees_service_quality(user: User) -> bool:
    """Every staff role reads the satisfaction results and the feedback queue."""
    return bool(roles_of(user) & STAFF_ROLES)


def sees_own_index(user: User) -> bool:
    """Agency leaders (administrators, approvers) see their agency's index; a Home Affairs officer has
    the index in their own workspace instead."""
    roles = roles_of(user)
    return bool(roles & {Role.ADMIN, Role.APPROVER}) and Role.HOME_AFFAIRS not in roles
