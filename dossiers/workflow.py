"""The dossier state machine, declared once as a table (ARCHITECTURE.md §3.4).

Each row says: the transition's name, the states it leaves, the state it reaches, who may fire it
(actor names as data: role names checked against the dossier's agencies, `citizen` = the dossier's
own applicant account; `dossiers.policies` interprets them), whether the law asks for a written
reason, and the label staff see. `Dossier` gets one django-fsm transition method per row
(`DossierWorkflow`): the machine knows states and conditions, not people. The page that shows
"what can I do now" asks `policies.available_actions` (the machine, then the actors of the row), it
never re-lists these rules.
A row that is not `manual` (the desk's `create_at_desk`: a walk-in dossier is stored already
submitted) is fired by its service only and never offered as an action. What each transition takes
from a request (the page's form, the API's body) is declared once in `transition_inputs.py`.

`python manage.py print_workflow` prints the table as Markdown (it is in the README).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from accounts.models import Role


class Status(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    SUBMITTED = "submitted", _("Đã nộp, chờ tiếp nhận")
    GUIDED = "guided", _("Cần bổ sung trước khi tiếp nhận")
    REFUSED_AT_RECEPTION = "refused_at_reception", _("Từ chối tiếp nhận")
    RECEIVED = "received", _("Đã tiếp nhận")
    IN_APPRAISAL = "in_appraisal", _("Đang thẩm định")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Chờ công dân bổ sung")
    CONSULTING = "consulting", _("Đang lấy ý kiến cơ quan liên quan")
    AWAITING_APPROVAL = "awaiting_approval", _("Chờ phê duyệt")
    APPROVED = "approved", _("Đã phê duyệt")
    REFUSED = "refused", _("Từ chối giải quyết")
    RESULT_READY = "result_ready", _("Có kết quả, chờ trả")
    RETURNED = "returned", _("Đã trả kết quả")
    WITHDRAWN = "withdrawn", _("Đã rút hồ sơ")
    STOPPED = "stopped", _("Dừng xử lý")


class Step(models.TextChoices):
    """The four legal steps (a state belongs to at most one; waiting states to none)."""

    RECEPTION = "reception", _("Tiếp nhận")
    APPRAISAL = "appraisal", _("Thẩm định")
    APPROVAL = "approval", _("Phê duyệt")
    RETURN = "return", _("Trả kết quả")


STEP_OF: dict[str, str | None] = {
    Status.DRAFT: None,
    Status.SUBMITTED: Step.RECEPTION,
    Status.GUIDED: None,
    Status.REFUSED_AT_RECEPTION: None,
    Status.RECEIVED: Step.APPRAISAL,
    Status.IN_APPRAISAL: Step.APPRAISAL,
    Status.SUPPLEMENT_REQUESTED: None,
    Status.CONSULTING: Step.APPRAISAL,
    Status.AWAITING_APPROVAL: Step.APPROVAL,
    Status.APPROVED: Step.RETURN,
    Status.REFUSED: Step.RETURN,
    Status.RESULT_READY: Step.RETURN,
    Status.RETURNED: None,
    Status.WITHDRAWN: None,
    Status.STOPPED: None,
}

TERMINAL = frozenset({Status.REFUSED_AT_RECEPTION, Status.RETURNED, Status.WITHDRAWN, Status.STOPPED})
OPEN = frozenset(s for s in Status.values if s not in TERMINAL and s != Status.DRAFT)
WAITING_FOR_CITIZEN = frozenset({Status.GUIDED, Status.SUPPLEMENT_REQUESTED})
# The result file reaches the citizen when it reaches the desk (after approval or refusal and the
# `resolve` step); before that it is a draft or awaits its hand-over, and only staff see it.
RESULT_RELEASED = frozenset({Status.RESULT_READY, Status.RETURNED})

CITIZEN = "citizen"
S = Status
# The dossier's three agencies (reception regardless of administrative boundaries, Decree 118/2025): the
# desk where it was handed in, the competent agency that handles it, and the desk where the result is
# collected. Usually one and the same agency.
RECEIVING, HANDLING, RETURNING = "receiving_agency", "handling_agency", "returning_agency"
StrOrPromise = str | Promise


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    actors: tuple[str, ...]
    label: StrOrPromise  # shown to users: gettext_lazy, so an English page shows it in English
    reason_required: bool = False
    # False: fired only inside a service, never offered as an action on an existing dossier (the desk's
    # creation: a walk-in dossier enters the machine already submitted).
    manual: bool = True
    # For which of the dossier's agencies a reception officer (the one-stop desk) fires the row: the desk
    # that received it, the competent agency's desk, the desk the citizen collects the result at.
    desks: tuple[str, ...] = (RECEIVING,)
    # What must have happened first, beyond the state (a condition of the state machine).
    condition: str = ""


def dossier_arrived(dossier) -> bool:
    """A dossier received at another agency's desk is worked on once the competent agency acknowledged
    the electronic file it was sent (`services.handover_acknowledge`)."""
    if dossier.receiving_agency_id == dossier.handling_agency_id:
        return True
    return dossier.handovers.filter(kind="dossier", acknowledged_at__isnull=False).exists()


def result_arrived(dossier) -> bool:
    """A result to be collected at another desk is handed over there once that desk acknowledged it."""
    if dossier.return_channel != "desk" or dossier.returning_agency_id == dossier.handling_agency_id:
        return True
    return dossier.handovers.filter(kind="result", acknowledged_at__isnull=False).exists()


CONDITIONS = {"dossier_arrived": dossier_arrived, "result_arrived": result_arrived}


TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", (S.DRAFT, S.GUIDED), S.SUBMITTED, (CITIZEN,), _("Nộp hồ sơ")),
    Transition("create_at_desk", (S.DRAFT,), S.SUBMITTED, (Role.RECEPTION,), _("Nộp hồ sơ tại Bộ phận Một cửa"),
               manual=False),
    Transition("receive", (S.SUBMITTED,), S.RECEIVED, (Role.RECEPTION,), _("Tiếp nhận, cấp giấy hẹn (Mẫu 01)")),
    Transition("guide", (S.SUBMITTED,), S.GUIDED, (Role.RECEPTION,), _("Hướng dẫn bổ sung (Mẫu 02)"), True),
    Transition("refuse_at_reception", (S.SUBMITTED,), S.REFUSED_AT_RECEPTION, (Role.RECEPTION,),
               _("Từ chối tiếp nhận (Mẫu 03)"), True),
    Transition("assign", (S.RECEIVED,), S.IN_APPRAISAL, (Role.RECEPTION, Role.APPROVER),
               _("Chuyển chuyên viên thẩm định"), desks=(HANDLING,), condition="dossier_arrived"),
    Transition("request_supplement", (S.IN_APPRAISAL,), S.SUPPLEMENT_REQUESTED, (Role.APPRAISER,),
               _("Yêu cầu bổ sung qua Bộ phận Một cửa"), True),
    Transition("supplement_received", (S.SUPPLEMENT_REQUESTED,), S.IN_APPRAISAL, (Role.RECEPTION,),
               _("Nhận đủ hồ sơ bổ sung"), desks=(RECEIVING, HANDLING)),
    Transition("consult", (S.IN_APPRAISAL,), S.CONSULTING, (Role.APPRAISER,), _("Xin ý kiến cơ quan liên quan"), True),
    Transition("consultation_answered", (S.CONSULTING,), S.IN_APPRAISAL, (Role.APPRAISER,),
               _("Đã có ý kiến của cơ quan liên quan")),
    Transition("propose", (S.IN_APPRAISAL,), S.AWAITING_APPROVAL, (Role.APPRAISER,), _("Trình lãnh đạo phê duyệt")),
    Transition("approve", (S.AWAITING_APPROVAL,), S.APPROVED, (Role.APPROVER,), _("Phê duyệt, ký kết quả")),
    Transition("refuse", (S.AWAITING_APPROVAL,), S.REFUSED, (Role.APPROVER,), _("Từ chối giải quyết (nêu rõ lý do)"),
               True),
    Transition("send_back", (S.AWAITING_APPROVAL,), S.IN_APPRAISAL, (Role.APPROVER,), _("Trả lại để thẩm định lại"),
               True),
    Transition("resolve", (S.APPROVED, S.REFUSED), S.RESULT_READY, (Role.APPRAISER, Role.RECEPTION),
               _("Chuyển kết quả về Bộ phận Một cửa"), desks=(HANDLING,)),
    Transition("return_result", (S.RESULT_READY,), S.RETURNED, (Role.RECEPTION,), _("Trả kết quả cho công dân"),
               desks=(RETURNING,), condition="result_arrived"),
    Transition("withdraw", (S.DRAFT, S.SUBMITTED, S.GUIDED, S.RECEIVED, S.IN_APPRAISAL, S.SUPPLEMENT_REQUESTED,
                            S.CONSULTING), S.WITHDRAWN, (CITIZEN, Role.RECEPTION), _("Rút hồ sơ"), True,
               desks=(RECEIVING, HANDLING)),
    Transition("stop", (S.RECEIVED, S.IN_APPRAISAL, S.SUPPLEMENT_REQUESTED, S.CONSULTING, S.AWAITING_APPROVAL),
               S.STOPPED, (Role.APPROVER,), _("Dừng xử lý hồ sơ"), True),
)
BY_NAME = {t.name: t for t in TRANSITIONS}


def _make(spec: Transition):
    def method(self, **kwargs):
        """The state change itself; the service records the event and the side effects."""

    method.__name__ = spec.name
    method.__doc__ = spec.label
    # No `permission=`: who may fire the row (its `actors`) is read by `policies.may_fire`, so the machine
    # (and the model built on it) needs nothing from the rules about people.
    return transition(
        field="status", source=list(spec.sources), target=spec.target,
        conditions=([] if spec.manual else [_not_yet_stored])
        + ([CONDITIONS[spec.condition]] if spec.condition else []),
        custom={"label": spec.label, "reason_required": spec.reason_required},
    )(method)


def _not_yet_stored(dossier) -> bool:
    """A transition that is not `manual` moves a dossier being created only (never one already stored)."""
    return dossier._state.adding


# A mixin with one transition method per row of TRANSITIONS; Dossier inherits it, so django-fsm
# collects the transitions when the model class is prepared.
DossierWorkflow = type("DossierWorkflow", (), {spec.name: _make(spec) for spec in TRANSITIONS})


def as_markdown() -> str:
    rows = ["| transition | from | to | who | desk (reception) | only when | reason |",
            "|---|---|---|---|---|---|---|"]
    for t in TRANSITIONS:
        desks = ", ".join(d.removesuffix("_agency") for d in t.desks) if DESK_ROLES & set(t.actors) else ""
        rows.append(f"| `{t.name}` ({t.label}) | {', '.join(t.sources)} | {t.target} | {', '.join(t.actors)} | "
                    f"{desks} | {t.condition} | {'required' if t.reason_required else ''} |")
    return "\n".join(rows)


# -- the role queues ("Của tôi") ------------------------------------------------------------------
# Withdrawing and stopping are possible from almost every state; they are not anybody's daily work.
EXCEPTIONAL = frozenset({"withdraw", "stop"})
QUEUE_ROLES = (Role.RECEPTION, Role.APPRAISER, Role.APPROVER)
# Which of the dossier's agencies a role acts for (read by `policies.acts_as` and the role queues).
# A reception officer acts for the desk a row names (`Transition.desks`); an appraiser and an approver always
# for the competent (handling) agency.
AGENCY_COLUMN = {Role.RECEPTION: RECEIVING, Role.APPRAISER: HANDLING, Role.APPROVER: HANDLING}
ROLE_COLUMNS = {Role.RECEPTION: (RECEIVING, HANDLING, RETURNING), Role.APPRAISER: (HANDLING,),
                Role.APPROVER: (HANDLING,)}
DESK_ROLES = frozenset({Role.RECEPTION})  # the roles that act for the desk a row names (`Transition.desks`)
# An appraiser's work is what was assigned to them, not every dossier of the agency.
ASSIGNED_ONLY = frozenset({Role.APPRAISER})


def acts_for(role: str, spec: Transition) -> tuple[str, ...]:
    """The dossier's agency columns for which `role` fires the row `spec`."""
    return spec.desks if role in DESK_ROLES else (AGENCY_COLUMN[role],)


def queue_statuses(role: str, column: str | None = None) -> frozenset[str]:
    """The states in which `role` has the next routine move (for the dossier's agency `column`, or any),
    read from TRANSITIONS (never re-listed): reception — submitted, received (the receiving desk), received,
    approved/refused (the competent agency's desk), result ready (the returning desk); appraiser — in
    appraisal, consulting, approved/refused; approver — received, awaiting approval. Waiting for the citizen
    is nobody's move."""
    out = {source for t in TRANSITIONS if role in t.actors and t.name not in EXCEPTIONAL
           and (column is None or column in acts_for(role, t)) for source in t.sources}
    return frozenset(out) - WAITING_FOR_CITIZEN - {Status.DRAFT}
