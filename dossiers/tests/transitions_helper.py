"""Shared set-up for the one-file-per-transition tests (test_transition_<name>.py).

`drive(world, status)` takes a dossier to a given state through the real services, on a fixed timeline
of explicit moments (week of Mon 2 March 2026, office hours 07:00-11:30 / 13:30-17:00). Unless said
otherwise the dossier is the in-person household business registration (2.000575), whose steps are
allotted reception 4h, appraisal 12h, approval 4h and return 4h:

    SUBMITTED_AT Mon 2/3 09:00  reception step due Mon 2/3 15:00
    RECEIVED_AT  Mon 2/3 10:00  appraisal step due Tue 3/3 16:00; dossier due Thu 5/3 17:00
    ASSIGNED_AT  Mon 2/3 11:00  (same step: the appraisal deadline stands)
    ASIDE_AT     Tue 3/3 09:00  supplement requested / consultation asked
    PROPOSED_AT  Tue 3/3 15:00  approval step due Wed 4/3 09:00
    DECIDED_AT   Wed 4/3 08:30  return step due Wed 4/3 14:30
    RESOLVED_AT  Wed 4/3 10:00  (same step: the return deadline stands)
    RETURNED_AT  Wed 4/3 14:00

The set-up runs outside `django_capture_on_commit_callbacks`, so it queues no e-mail nor SMS: the
messages a test sees are the ones of the transition it fires inside that block.
"""

from __future__ import annotations

from unittest import mock

from dossiers import fees, services
from dossiers.models import Dossier, DossierEvent
from dossiers.workflow import Status
from notifications.models import EmailMessage, SmsMessage

from .conftest import APPLICANT, at, attach_required

S = Status
APPLICANT_EMAIL = APPLICANT["applicant_email"]
APPLICANT_PHONE = "+84912345678"  # APPLICANT's 0912345678, normalised by the service

SUBMITTED_AT = at(2026, 3, 2, 9)
RECEPTION_DUE = at(2026, 3, 2, 15)
RECEIVED_AT = at(2026, 3, 2, 10)
APPRAISAL_DUE = at(2026, 3, 3, 16)
DOSSIER_DUE = at(2026, 3, 5, 17)
ASSIGNED_AT = at(2026, 3, 2, 11)
ASIDE_AT = at(2026, 3, 3, 9)
PROPOSED_AT = at(2026, 3, 3, 15)
APPROVAL_DUE = at(2026, 3, 4, 9)
DECIDED_AT = at(2026, 3, 4, 8, 30)
RETURN_DUE = at(2026, 3, 4, 14, 30)
RESOLVED_AT = at(2026, 3, 4, 10)
RETURNED_AT = at(2026, 3, 4, 14)


# -- driving a dossier -----------------------------------------------------------------------------

def online_draft(world, version=None) -> Dossier:
    """An online draft of the citizen's account (the birth registration: its online channel allots no hours)."""
    draft = services.dossier_create_draft(citizen=world.citizen, version=version or world.birth, agency=world.pleiku,
                                          at=at(2026, 3, 1, 20), **APPLICANT)
    return attach_required(draft, world.citizen)  # submitting needs every required component


def online_submitted(world, when=None) -> Dossier:
    return services.dossier_submit(dossier=online_draft(world), actor=world.citizen, at=when or at(2026, 3, 2, 8))


def desk_submitted(world, when=None, version=None) -> Dossier:
    """An in-person dossier recorded at the desk but not yet received (status submitted, reception step
    running): the real `dossier_create_at_desk` with its closing `dossier_receive` call left out."""
    with mock.patch.object(services, "dossier_receive", lambda *, dossier, **kwargs: dossier):
        d = services.dossier_create_at_desk(actor=world.reception, version=version or world.household,
                                            agency=world.pleiku, at=when or SUBMITTED_AT, **APPLICANT)
    d.refresh_from_db()
    assert d.status == S.SUBMITTED
    return d


def drive(world, target: str, *, proposal: str = "approve") -> Dossier:
    """An in-person household dossier in state `target`, on the timeline above (`proposal` only matters
    for awaiting_approval: "refuse" gives a dossier the approver can refuse)."""
    if target in (S.WITHDRAWN, S.STOPPED):
        raise ValueError(f"drive() does not reach {target!r}: fire that transition in the test")
    if target == S.DRAFT:
        return online_draft(world)
    if target in (S.SUBMITTED, S.GUIDED, S.REFUSED_AT_RECEPTION):
        d = desk_submitted(world)
        if target == S.GUIDED:
            d = services.dossier_guide(dossier=d, actor=world.reception, reason="Thiếu bản sao CCCD.",
                                       at=at(2026, 3, 2, 10))
        elif target == S.REFUSED_AT_RECEPTION:
            d = services.dossier_refuse_at_reception(dossier=d, actor=world.reception,
                                                     reason="Không thuộc thẩm quyền.", at=at(2026, 3, 2, 10))
        return _checked(d, target)
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=RECEIVED_AT, **APPLICANT)
    if target == S.RECEIVED:
        return _checked(d, target)
    d = services.dossier_assign(dossier=d, actor=world.reception, appraiser=world.appraiser, at=ASSIGNED_AT)
    if target == S.IN_APPRAISAL:
        return _checked(d, target)
    if target == S.SUPPLEMENT_REQUESTED:
        d = services.dossier_request_supplement(dossier=d, actor=world.appraiser, reason="Bổ sung hợp đồng thuê nhà.",
                                                at=ASIDE_AT)
        return _checked(d, target)
    if target == S.CONSULTING:
        d = services.dossier_consult(dossier=d, actor=world.appraiser, reason="Xin ý kiến Phòng Kinh tế.",
                                     agency=world.quynhon, at=ASIDE_AT)
        return _checked(d, target)
    refusing = target == S.REFUSED or proposal == "refuse"
    d = services.dossier_propose(dossier=d, actor=world.appraiser, proposal="refuse" if refusing else "approve",
                                 result_summary="Cấp Giấy chứng nhận đăng ký hộ kinh doanh", at=PROPOSED_AT)
    if target == S.AWAITING_APPROVAL:
        return _checked(d, target)
    if refusing:
        d = services.dossier_refuse(dossier=d, actor=world.approver, reason="Ngành nghề cấm kinh doanh.",
                                    at=DECIDED_AT)
    else:
        d = services.dossier_approve(dossier=d, actor=world.approver, at=DECIDED_AT)
    if target in (S.APPROVED, S.REFUSED):
        return _checked(d, target)
    d = services.dossier_resolve(dossier=d, actor=world.reception, at=RESOLVED_AT)
    if target == S.RESULT_READY:
        return _checked(d, target)
    if d.fee_status == "unpaid":  # collecting it is the payments app's job (tested there)
        fees.mark_paid(d, method="cash", at=RESOLVED_AT)
    d = services.dossier_return(dossier=d, actor=world.reception, at=RETURNED_AT)
    return _checked(d, target)


def _checked(d: Dossier, target: str) -> Dossier:
    d.refresh_from_db()
    assert d.status == target, f"set-up reached {d.status}, not {target}"
    return d


# -- assertions ------------------------------------------------------------------------------------

def last_event(d: Dossier, name: str) -> DossierEvent:
    """The (only) event of this transition written since the set-up."""
    return d.events.filter(type=name).latest("at", "id")


def snapshot(d: Dossier) -> dict:
    """What a refused transition must leave untouched: the stored dossier and its timeline."""
    fresh = Dossier.objects.get(pk=d.pk)
    fields = ("status", "step", "step_started_at", "step_due_at", "due_at", "assignee_id", "refusal_reason",
              "resolved_at", "returned_at", "code")
    return {"dossier": {f: getattr(fresh, f) for f in fields},
            "events": list(fresh.events.values_list("id", "type", "from_status", "to_status")),
            "messages": message_counts()}


def message_counts() -> tuple[int, int]:
    return EmailMessage.objects.count(), SmsMessage.objects.count()


def assert_notified(d: Dossier, event: DossierEvent) -> tuple[EmailMessage, SmsMessage]:
    """One e-mail and one SMS to the applicant for this event, and a "notified" entry on the timeline."""
    email = EmailMessage.objects.get(key=f"dossier-event:{event.pk}")
    assert email.to == APPLICANT_EMAIL
    # (a returned dossier also gets the satisfaction survey's own invitation, keyed "survey-invitation…")
    assert EmailMessage.objects.filter(to=APPLICANT_EMAIL).exclude(key__startswith="survey-").count() == 1
    sms = SmsMessage.objects.get(key=f"dossier-event-sms:{event.pk}")
    assert sms.to == APPLICANT_PHONE
    assert SmsMessage.objects.filter(to=APPLICANT_PHONE).exclude(key__startswith="survey-").count() == 1
    notified = d.events.get(type="notified")
    assert notified.actor is None
    assert notified.from_status == notified.to_status == event.to_status
    assert notified.payload == {"channels": ["email", "sms"], "event": event.pk}
    return email, sms


def assert_not_notified(d: Dossier, before: tuple[int, int]) -> None:
    """The transition queued no e-mail nor SMS, and put no "notified" entry on the timeline."""
    assert message_counts() == before
    assert not EmailMessage.objects.filter(key__startswith="dossier-event:").exists()
    assert not SmsMessage.objects.filter(key__startswith="dossier-event-sms:").exists()
    assert not d.events.filter(type="notified").exists()
