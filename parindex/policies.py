"""Who may do what with the PAR INDEX self-assessment and the dashboards, written once
(ARCHITECTURE.md §3.6).

- An agency's leaders (approvers, administrators) score their own agency with evidence.
- A Home Affairs officer appraises the agencies their role covers (`access.covers_as_home_affairs`:
  the province from the province or a department, a commune from that commune) and imports the survey
  points and the province's yearly results; every Home Affairs officer reads every round's results.
- The dashboards: Home Affairs officers and administrators see their scope with the province view;
  an agency head sees their own agency only, read-only.
"""

from __future__ import annotations

from accounts import access
from accounts.models import Agency, Role, User

from .models import AssessmentRound

LEADER_ROLES = (Role.APPROVER, Role.ADMIN)


def is_home_affairs(user: User) -> bool:
    """A Home Affairs officer (of any agency) or a superuser: reads every result, imports points."""
    return access.is_unrestricted(user) or access.has_role(user, Role.HOME_AFFAIRS)


def reads_assessments(user: User) -> bool:
    """Whether the assessment pages are for this user at all (Home Affairs and agency heads)."""
    return is_home_affairs(user) or access.has_role(user, Role.APPROVER)


def can_self_assess(user: User, agency: Agency) -> bool:
    """Enter the agency's self-scores and evidence: its leaders."""
    return access.is_unrestricted(user) or agency.pk in access.acting_agency_ids(user, LEADER_ROLES)


def self_assessing_agencies(user: User, round_: AssessmentRound) -> list[Agency]:
    """The agencies of the round the user scores (`can_self_assess`)."""
    if access.is_unrestricted(user):
        return list(round_.agencies.all())
    return list(round_.agencies.filter(pk__in=access.acting_agency_ids(user, LEADER_ROLES)))


def can_appraise(user: User, agency: Agency) -> bool:
    """Accept or adjust the agency's self-scores: the Home Affairs officers whose role covers it (the same
    scope rule as for harassment reports)."""
    return access.is_unrestricted(user) or access.covers_as_home_affairs(user, agency)


def can_import_survey_points(user: User) -> bool:
    return is_home_affairs(user)


def can_import_external_results(user: User) -> bool:
    return is_home_affairs(user)


def dashboard_scope(user: User) -> tuple[list[int], bool] | None:
    """(agency ids the user may see on the dashboards, whether they see the province view), or None when
    the dashboards are not for them."""
    if access.is_unrestricted(user):
        return list(Agency.objects.values_list("pk", flat=True)), True
    wide = access.acting_agency_ids(user, [Role.HOME_AFFAIRS, Role.ADMIN])
    if wide:
        return sorted(access.visible_agency_ids(user) or wide), True
    own = access.acting_agency_ids(user, [Role.APPROVER])
    if own:
        return sorted(own), False
    return None
