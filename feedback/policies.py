"""Who may do what with citizen feedback: every rule written once (services raise on it, pages ask it).

- Anyone, with or without an account, files feedback and reads a published answer; a harassment report is
  never public.
- The sender follows their feedback: a logged-in citizen who filed it, or whoever holds the access key of the
  link sent to them. The key (and only the key) lets them supply the information the agency asked for; a
  logged-in sender also downloads their attachment.
- Handling (accept, reject, ask for more information, forward, answer, publish) belongs to the head of the
  competent agency and its administrators and approvers; a harassment report only to the head of the agency
  and the Home Affairs officers over it (`accounts.access.covers_as_home_affairs`). Never to the officer the
  feedback is about. A superuser handles everything except feedback about themselves.
- Each handling action starts from the states in `ACTION_STATES` (the service answers a wrong state with a
  Conflict, a wrong person with PermissionDenied).
"""

from __future__ import annotations

import secrets

from django.db.models import Q, QuerySet

from accounts import access
from accounts.models import Agency, Role, StaffRole, User

from .models import Feedback, FeedbackStatus

HANDLER_ROLES = (Role.ADMIN, Role.APPROVER)  # besides the head of the agency

ACTION_STATES: dict[str, tuple[str, ...]] = {
    "accept": (FeedbackStatus.RECEIVED,),
    "reject": (FeedbackStatus.RECEIVED, FeedbackStatus.INFO_REQUESTED),
    "request_info": (FeedbackStatus.RECEIVED, FeedbackStatus.ACCEPTED),
    "forward": (FeedbackStatus.RECEIVED, FeedbackStatus.ACCEPTED),
    "answer": (FeedbackStatus.ACCEPTED,),
    "publish": (FeedbackStatus.ANSWERED,),
}

PUBLIC = Q(status=FeedbackStatus.PUBLISHED, harassment=False)  # what anybody may read


# -- the public and the sender ---------------------------------------------------------------------------

def is_public(feedback: Feedback) -> bool:
    return feedback.status == FeedbackStatus.PUBLISHED and not feedback.harassment


def holds_key(feedback: Feedback, key: str | None) -> bool:
    """The access key of the sender's link (a sender without an account follows their feedback with it)."""
    return bool(key) and secrets.compare_digest(key, feedback.access_key)


def is_sender(user: User | None, feedback: Feedback, key: str | None = "") -> bool:
    return holds_key(feedback, key) or bool(
        user is not None and user.is_authenticated and feedback.citizen_id == user.pk)


def can_view(user: User | None, feedback: Feedback, key: str | None = "") -> bool:
    return is_public(feedback) or is_sender(user, feedback, key)


def can_provide_info(feedback: Feedback, key: str | None) -> bool:
    """Only the key answers a request for more information (a logged-in sender's page passes theirs)."""
    return holds_key(feedback, key)


def can_download_attachment(user: User | None, feedback: Feedback) -> bool:
    return can_handle(user, feedback) or bool(
        user is not None and user.is_authenticated and feedback.citizen_id == user.pk)


# -- handling -------------------------------------------------------------------------------------------

def can_view_queue(user: User | None) -> bool:
    """The handling queue is a staff page (it lists only what the user handles, see `handling_scope`)."""
    return user is not None and access.is_staff_member(user)


def can_handle(user: User | None, feedback: Feedback) -> bool:
    """Whether the user handles this feedback at all (whatever its state)."""
    if user is None or not user.is_authenticated or user.pk == feedback.officer_id:
        return False
    if user.is_superuser:
        return True
    if feedback.harassment:
        return user.pk == feedback.agency.head_id or access.covers_as_home_affairs(user, feedback.agency)
    return bool(access.acting_agency_ids(user, HANDLER_ROLES) & {feedback.agency_id})


def _can(action: str, user: User | None, feedback: Feedback) -> bool:
    return feedback.status in ACTION_STATES[action] and can_handle(user, feedback)


def can_accept(user: User | None, feedback: Feedback) -> bool:
    return _can("accept", user, feedback)


def can_reject(user: User | None, feedback: Feedback) -> bool:
    return _can("reject", user, feedback)


def can_request_info(user: User | None, feedback: Feedback) -> bool:
    return _can("request_info", user, feedback)


def can_forward(user: User | None, feedback: Feedback) -> bool:
    return _can("forward", user, feedback)


def can_answer(user: User | None, feedback: Feedback) -> bool:
    return _can("answer", user, feedback)


def can_publish(user: User | None, feedback: Feedback) -> bool:
    return _can("publish", user, feedback)


CHECKS = {"accept": can_accept, "reject": can_reject, "request_info": can_request_info, "forward": can_forward,
          "answer": can_answer, "publish": can_publish}


def allowed_actions(user: User | None, feedback: Feedback) -> dict[str, bool]:
    """What the handling page offers: {action: may the user do it now}."""
    return {action: check(user, feedback) for action, check in CHECKS.items()}


def handling_scope(user: User, queryset: QuerySet[Feedback]) -> QuerySet[Feedback]:
    """The feedback the user handles (the queue): the same rule as `can_handle`, as a filter."""
    queryset = queryset.exclude(officer=user)
    if user.is_superuser:
        return queryset
    agencies = access.acting_agency_ids(user, HANDLER_ROLES)
    visible = Q(agency__in=agencies, harassment=False) | Q(harassment=True, agency__head=user)
    if access.has_role(user, Role.HOME_AFFAIRS):
        covered = [a.pk for a in Agency.objects.filter(pk__in=access.visible_agency_ids(user))
                   if access.covers_as_home_affairs(user, a)]
        visible |= Q(harassment=True, agency__in=covered)
    return queryset.filter(visible)


def _agency_handlers(agency: Agency) -> set[int]:
    return ({agency.head_id} | set(StaffRole.objects.filter(agency=agency, role__in=HANDLER_ROLES)
                                   .values_list("user_id", flat=True))) - {None}


def handlers(feedback: Feedback) -> set[int]:
    """Who is told about it: the head and the administrators and approvers of the agency; for harassment the
    head and the Home Affairs officers over that agency. Never the officer the feedback is about."""
    agency = feedback.agency
    people = ({agency.head_id} | access.home_affairs_for(agency)) if feedback.harassment else _agency_handlers(agency)
    return people - {None, feedback.officer_id}


def addressable_agencies() -> QuerySet[Agency]:
    """The agencies a citizen can address (someone there handles feedback)."""
    staffed = StaffRole.objects.filter(role__in=HANDLER_ROLES).values("agency_id")
    return Agency.objects.filter(Q(head__isnull=False) | Q(pk__in=staffed), is_active=True).order_by("name")
