"""Who may do what to a dossier, written once (ARCHITECTURE.md §3.6).

Each rule is a function `(user, dossier[, …]) -> bool`. Services raise on them (with their own error
codes and messages), pages and the API ask them to show or hide actions, templates only read the
booleans the views computed here. The base predicates (a superuser acts on everything, a role held
at an agency, what a user may see) come from `accounts.access`.

Who acts for a dossier (`acts_as`), the base of every rule below:
- the applicant's own account (`workflow.CITIZEN`) for the dossier it filed;
- a reception officer (Bộ phận Một cửa) for the desk a transition names (`Transition.desks`): the
  receiving desk receives, the competent agency's desk assigns and resolves, the desk the citizen chose
  hands the result over (reception regardless of administrative boundaries, Decree 118/2025); for
  files, fees and the PIN the receiving desk;
- an appraiser or an approver for the handling agency (`workflow.AGENCY_COLUMN`);
- a superuser for every dossier.
An administrator administers agencies and staff, not dossiers; a Home Affairs officer only reads
(the control sheet and the numbers, never the applicant: `can_see_applicant`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django_fsm import can_proceed

from accounts import access
from accounts.models import Agency, Role, User

from .models import Attachment, AttachmentKind, ConsultationTask, Dossier, Handover, HandoverKind
from .workflow import (
    AGENCY_COLUMN,
    BY_NAME,
    CITIZEN,
    HANDLING,
    QUEUE_ROLES,
    RECEIVING,
    RETURNING,
    TRANSITIONS,
    Status,
    Transition,
)

# -- who acts for a dossier ------------------------------------------------------------------------


def acts_as(user: User | None, dossier: Dossier, actors: Iterable[str], desks: Iterable[str] = (RECEIVING,)) -> bool:
    """Whether the user acts for this dossier as one of `actors` (CITIZEN and role names, as the
    workflow table and the upload table declare them); a reception officer for one of the dossier's
    agencies `desks` names (column names: receiving, handling, returning agency)."""
    if user is None or not user.is_authenticated:
        return False
    if access.is_unrestricted(user):
        return True
    for actor in actors:
        if actor == CITIZEN:
            if dossier.citizen_id == user.pk:
                return True
        elif actor == Role.RECEPTION:
            if any(access.has_role(user, actor, getattr(dossier, f"{column}_id")) for column in desks):
                return True
        elif actor in AGENCY_COLUMN and access.has_role(user, actor, getattr(dossier, f"{AGENCY_COLUMN[actor]}_id")):
            return True
    return False


def is_receiving_desk(user: User | None, dossier: Dossier) -> bool:
    """A reception officer of the receiving agency (or a superuser): who receives the dossier, scans its
    papers, collects its fees, unlocks its tracking PIN and hands the result over."""
    return acts_as(user, dossier, (Role.RECEPTION,))


def is_returning_desk(user: User | None, dossier: Dossier) -> bool:
    """A reception officer of the desk where the citizen collects the result (or a superuser)."""
    return acts_as(user, dossier, (Role.RECEPTION,), (RETURNING,))


def is_applicant(user: User | None, dossier: Dossier) -> bool:
    """The account that filed the dossier online."""
    return bool(user is not None and user.is_authenticated and dossier.citizen_id == user.pk)


# -- the workflow's transitions ----------------------------------------------------------------------


def may_fire(user: User | None, dossier: Dossier, name: str) -> bool:
    """Who may fire transition `name` on this dossier, whatever its state (`workflow` declares the actors
    of each transition as data, this reads them; the state machine itself knows no people)."""
    spec = BY_NAME[name]
    return acts_as(user, dossier, spec.actors, spec.desks)


def can_fire(user: User | None, dossier: Dossier, name: str) -> bool:
    """Whether the user may fire transition `name` now: the state machine allows it from the dossier's
    state (and its conditions hold) and `may_fire` allows the user."""
    return can_proceed(getattr(dossier, name)) and may_fire(user, dossier, name)


def available_actions(user: User | None, dossier: Dossier) -> list[Transition]:
    """What this user may do to this dossier now, in the table's order: the transitions the state machine
    offers from the dossier's state that `may_fire` allows the user (never the service-only rows)."""
    names = {t.name for t in dossier.get_available_status_transitions()}
    return [spec for spec in TRANSITIONS if spec.name in names and spec.manual and may_fire(user, dossier, spec.name)]


def can_receive(user: User | None, dossier: Dossier) -> bool:
    return can_fire(user, dossier, "receive")


def can_assign(user: User | None, dossier: Dossier) -> bool:
    """Send a received dossier to an appraiser (the desk of the receiving agency or the handling
    agency's approver)."""
    return can_fire(user, dossier, "assign")


def can_be_assigned(user: User, dossier: Dossier) -> bool:
    """Whether `user` may be the dossier's appraiser: an appraiser of the handling agency (or a superuser)."""
    return access.is_unrestricted(user) or access.has_role(user, Role.APPRAISER, dossier.handling_agency_id)


def assignable_appraisers(dossier: Dossier) -> QuerySet[User]:
    """The appraisers a page offers to assign: those `can_be_assigned` accepts (active accounts with the
    appraiser role at the handling agency, while that agency is active). Superusers, also accepted, are
    not offered."""
    return agency_appraisers(dossier.handling_agency_id)


def agency_appraisers(agency_id: int) -> QuerySet[User]:
    """The active appraisers of an (active) agency, by name."""
    return User.objects.filter(is_active=True, staff_roles__agency=agency_id, staff_roles__agency__is_active=True,
                               staff_roles__role=Role.APPRAISER).distinct().order_by("full_name")


def heads_agency(user: User | None, agency_id: int | None) -> bool:
    """Whether the user is the head (thủ trưởng) of that agency (`Agency.head`)."""
    return bool(user is not None and user.is_authenticated and agency_id
                and Agency.objects.filter(pk=agency_id, head=user.pk).exists())


def can_reassign(user: User | None, dossier: Dossier) -> bool:
    """Give a dossier being appraised to another appraiser: the head of the handling agency, or whoever may
    assign it in the first place (`may_fire(…, "assign")`: the competent agency's desk and its approvers)."""
    return may_fire(user, dossier, "assign") or heads_agency(user, dossier.handling_agency_id)


def risk_desk_agency_ids(user: User | None) -> frozenset[int]:
    """The agencies whose dossiers at risk of being late the user watches and reassigns (the at-risk page and
    the morning digest's link): those where they are an approver (a leader) and those they head, among the
    agencies they see (the page lists nothing the dossier pages would not show them)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    headed = Agency.objects.filter(head=user.pk, is_active=True).values_list("pk", flat=True)
    return (frozenset(headed) & access.visible_agency_ids(user)) | access.acting_agency_ids(user, [Role.APPROVER])


# -- the desk --------------------------------------------------------------------------------------


def can_receive_at_desk(user: User, agency: Agency | int | None = None) -> bool:
    """Whether the user records walk-in and postal dossiers at the desk of `agency` (of any agency when
    `agency` is None)."""
    return access.has_role(user, Role.RECEPTION, agency)


def desk_agency_ids(user: User) -> frozenset[int]:
    """The agencies at whose desk the user receives dossiers."""
    return access.acting_agency_ids(user, [Role.RECEPTION])


def can_unlock_pin(user: User | None, dossier: Dossier) -> bool:
    """The tracking PIN is unlocked by the desk of the receiving agency (who handed out the receipt with
    the PIN), once the dossier has a code."""
    return bool(dossier.code) and is_receiving_desk(user, dossier)


def desk_officers(agency_id: int) -> QuerySet[User]:
    """The active reception officers of an agency's one-stop desk."""
    return User.objects.filter(staff_roles__agency=agency_id, staff_roles__role=Role.RECEPTION,
                               is_active=True).distinct()


def desk_officer_ids(agency_ids) -> dict[int, list[int]]:
    """{agency id: [ids of its active reception officers]} for several agencies in one query."""
    out: dict[int, list[int]] = {}
    for agency_id, user_id in (User.objects.filter(staff_roles__agency__in=list(agency_ids),
                                                   staff_roles__role=Role.RECEPTION, is_active=True)
                               .values_list("staff_roles__agency", "pk").distinct()):
        out.setdefault(agency_id, []).append(user_id)
    return out


def agencies_with_desk() -> QuerySet[Agency]:
    """The agencies with a one-stop desk: at least one active reception officer."""
    return Agency.objects.filter(staff_roles__role=Role.RECEPTION, staff_roles__user__is_active=True).distinct()


def returning_desk_officers(dossier: Dossier) -> QuerySet[User]:
    """The active reception officers of the desk that hands the result over (who are told when an apology
    letter is issued: the letter reaches the citizen through that desk)."""
    return desk_officers(dossier.returning_agency_id)


# -- hand-overs between desks (reception regardless of administrative boundaries) ---------------------------


def can_send_handover(user: User | None, dossier: Dossier, kind: str) -> bool:
    """The dossier is forwarded by the receiving desk; the result by the competent agency's desk."""
    return acts_as(user, dossier, (Role.RECEPTION,), (RECEIVING,) if kind == "dossier" else (HANDLING,))


def can_acknowledge_handover(user: User | None, handover) -> bool:
    """The desk of the agency a hand-over goes to confirms what arrived."""
    return user is not None and user.is_authenticated and (
        access.is_unrestricted(user) or access.has_role(user, Role.RECEPTION, handover.to_agency_id))


# -- the role queues --------------------------------------------------------------------------------


def can_open_queue(user: User, role: str) -> bool:
    """Whether the user may open the worklist of `role` (they hold it somewhere)."""
    return access.has_role(user, role)


def queue_roles(user: User) -> list[str]:
    """The queue roles (reception, appraiser, approver) the user holds somewhere."""
    return [role for role in QUEUE_ROLES if access.has_role(user, role)]


def queue_agency_ids(user: User, role: str) -> frozenset[int]:
    """The agencies whose dossiers the user works on in `role` (on the side `AGENCY_COLUMN` names)."""
    return access.acting_agency_ids(user, [role])


# -- files ------------------------------------------------------------------------------------------
K, S = AttachmentKind, Status


@dataclass(frozen=True)
class UploadRule:
    kind: str
    actors: tuple[str, ...]  # as in workflow.TRANSITIONS: CITIZEN = the applicant's own account
    states: frozenset[str]
    why: str
    desks: tuple[str, ...] = (RECEIVING,)  # for a reception officer: which of the dossier's desks


# Who may add which kind of file in which state of the workflow: declared once, here. The pages,
# the API and `attachments.attachment_add` all ask `can_add_attachment`; `print_workflow` prints the table.
UPLOAD_RULES: tuple[UploadRule, ...] = (
    UploadRule(K.COMPONENT, (CITIZEN,), frozenset({S.DRAFT, S.GUIDED, S.SUPPLEMENT_REQUESTED}),
               "the applicant prepares the dossier or completes it when asked"),
    UploadRule(K.COMPONENT, (Role.RECEPTION,), frozenset({S.SUBMITTED, S.GUIDED, S.RECEIVED, S.IN_APPRAISAL,
                                                          S.SUPPLEMENT_REQUESTED, S.CONSULTING}),
               "the desk scans the papers handed in (digitisation), until the dossier goes to the head",
               (RECEIVING, HANDLING)),
    UploadRule(K.SUPPLEMENT, (CITIZEN, Role.RECEPTION), frozenset({S.GUIDED, S.SUPPLEMENT_REQUESTED}),
               "the papers a guidance or supplement request (Mẫu 02) asked for", (RECEIVING, HANDLING)),
    UploadRule(K.RESULT, (Role.APPRAISER, Role.APPROVER), frozenset({S.IN_APPRAISAL, S.AWAITING_APPROVAL,
                                                                     S.APPROVED, S.REFUSED}),
               "the draft result the head signs, then the signed result or refusal"),
    UploadRule(K.RESULT, (Role.RECEPTION,), frozenset({S.APPROVED, S.REFUSED, S.RESULT_READY}),
               "the desk scans the signed paper result before handing it over", (HANDLING,)),
)


def allowed_actors(kind: str, state: str) -> set[str]:
    """Who may add this kind of file in this state (CITIZEN and role names), read from the table."""
    return {actor for rule in UPLOAD_RULES if rule.kind == kind and state in rule.states for actor in rule.actors}


def rules_as_markdown() -> str:
    rows = ["| file kind | who | desk (reception) | in states | why |", "|---|---|---|---|---|"]
    for rule in UPLOAD_RULES:
        states = ", ".join(s for s in Status.values if s in rule.states)
        desks = ", ".join(d.removesuffix("_agency") for d in rule.desks) if Role.RECEPTION in rule.actors else ""
        rows.append(f"| {rule.kind} | {', '.join(rule.actors)} | {desks} | {states} | {rule.why} |")
    return "\n".join(rows)


def can_add_attachment(user: User | None, dossier: Dossier, kind: str) -> bool:
    """Whether this user may add a file of this kind to the dossier in its current state."""
    return any(acts_as(user, dossier, rule.actors, rule.desks) for rule in UPLOAD_RULES
               if rule.kind == kind and dossier.status in rule.states)


def adds_attachments_of(user: User | None, dossier: Dossier, kind: str) -> bool:
    """Whether this user adds files of this kind to the dossier in some state (telling "never you" from
    "not now")."""
    return any(acts_as(user, dossier, rule.actors, rule.desks) for rule in UPLOAD_RULES if rule.kind == kind)


def can_remove_attachment(user: User | None, dossier: Dossier, attachment: Attachment) -> bool:
    """The applicant takes back a file while still allowed to add that kind."""
    return is_applicant(user, dossier) and can_add_attachment(user, dossier, attachment.kind)


def can_declare_cases(user: User | None, dossier: Dossier) -> bool:
    """The applicant says which conditional cases apply while the dossier is theirs to complete (the same
    rule as their uploads of components)."""
    return is_applicant(user, dossier) and can_add_attachment(user, dossier, AttachmentKind.COMPONENT)


# -- consultations (liên thông) ---------------------------------------------------------------------
CONSULTED_ROLES = (Role.APPRAISER, Role.APPROVER, Role.ADMIN)


def consulted_agency_ids(user: User) -> frozenset[int]:
    """The agencies for which the user answers other agencies' questions."""
    return access.acting_agency_ids(user, CONSULTED_ROLES)


def can_answer_consultation(user: User, task: ConsultationTask) -> bool:
    return access.is_unrestricted(user) or task.agency_id in consulted_agency_ids(user)


# -- apology letters (Mẫu 04) -------------------------------------------------------------------------


def can_draft_apology(user: User | None, dossier: Dossier) -> bool:
    """The handling agency's appraisers and approvers draft (and edit) the letter."""
    return acts_as(user, dossier, (Role.APPRAISER, Role.APPROVER))


def can_issue_apology(user: User | None, dossier: Dossier) -> bool:
    """The handling agency's approver (its head) issues or cancels the letter and sets the new due date."""
    return acts_as(user, dossier, (Role.APPROVER,))


# -- the applicant's personal data (Decree 13/2023) ---------------------------------------------------


def returning_desk_sees(user: User, dossier: Dossier) -> bool:
    """The desk where the citizen collects the result, when it is not the receiving or competent agency, sees
    the dossier once the result was sent to it (before that it has nothing to do with it); only its reception
    officers."""
    if dossier.returning_agency_id in (dossier.receiving_agency_id, dossier.handling_agency_id) or not access.has_role(
            user, Role.RECEPTION, dossier.returning_agency_id):
        return False
    sent = getattr(dossier, "result_sent", None)  # read with the rows by a list (selectors.worklist), else asked
    return sent if sent is not None else dossier.handovers.filter(kind="result").exists()


def sees_as_staff(user: User, dossier: Dossier) -> bool:
    """Whether the dossier page shows the staff view (control sheet, internal events, staff actions): for
    anyone who sees its receiving or handling agency, a Home Affairs reader included, and the returning desk
    once the result was sent to it (`returning_desk_sees`)."""
    return (access.is_unrestricted(user) or bool(access.visible_agency_ids(user) & {
        dossier.receiving_agency_id, dossier.handling_agency_id}) or returning_desk_sees(user, dossier))


def can_see_applicant(user: User, dossier: Dossier) -> bool:
    """The applicant's name, ID number, address, phone, e-mail and the dossier's files: the citizen who
    filed it and the staff acting for its receiving or handling agency (not a Home Affairs reader), and the
    returning desk once the result was sent to it (it checks the person it hands the result to)."""
    if is_applicant(user, dossier):
        return True
    return (access.may_see_personal_data(user, (dossier.receiving_agency_id, dossier.handling_agency_id))
            or returning_desk_sees(user, dossier))


def applicant_agency_ids(user: User) -> frozenset[int] | None:
    """The agencies whose dossiers' applicant data the user may see as staff (`can_see_applicant` for lists:
    searching by what was declared, exporting declarations); None: every agency (an unrestricted user)."""
    if access.is_unrestricted(user):
        return None
    return access.acting_agency_ids(user) if user.is_authenticated else frozenset()


def applicant_visible(user: User) -> Q:
    """`can_see_applicant` as a filter on dossiers, for staff lists: the dossiers received or handled by an agency
    the user acts for, and those whose result was sent to the user's desk (`returning_desk_sees`)."""
    agencies = applicant_agency_ids(user)
    if agencies is None:
        return Q()
    return (Q(receiving_agency__in=agencies) | Q(handling_agency__in=agencies)
            | Q(returning_agency__in=desk_agency_ids(user),
                pk__in=Handover.objects.filter(kind=HandoverKind.RESULT).values("dossier_id")))


def can_export_declarations(user: User) -> bool:
    """The export of declared data: staff who may see some applicants' data (it holds nothing else)."""
    agencies = applicant_agency_ids(user)
    return agencies is None or bool(agencies)


def require_applicant(user: User, dossier: Dossier) -> None:
    """For downloads and printed forms that carry the applicant's data or files: 403 otherwise."""
    if not can_see_applicant(user, dossier):
        raise PermissionDenied("Bạn chỉ được xem phiếu kiểm soát và số liệu của hồ sơ này, không được xem "
                               "thông tin cá nhân và tệp của người nộp.")


def initials(name: str) -> str:
    """Nguyễn Văn An -> N. V. A. (what anyone without the applicant's data sees)."""
    return " ".join(word[0] + "." for word in (name or "").split() if word)


def applicant_name_for(user: User, dossier: Dossier) -> str:
    return dossier.applicant_name if can_see_applicant(user, dossier) else initials(dossier.applicant_name)


# -- the electronic result (signed, revoked) ----------------------------------------------------------


def can_sign_result(user: User | None, dossier: Dossier) -> bool:
    """The head of the handling agency signs the result: while it awaits approval (signing is approving)
    and after approval until the result is sent to the desk (a corrected result, signed again, replaces the
    previous one)."""
    return dossier.status in (S.AWAITING_APPROVAL, S.APPROVED) and acts_as(user, dossier, (Role.APPROVER,))


def can_revoke_result(user: User | None, dossier: Dossier) -> bool:
    """The head of the handling agency withdraws a result it issued (its verification page says so)."""
    return acts_as(user, dossier, (Role.APPROVER,))
