"""send_back: awaiting_approval -> in_appraisal, by the approver, reason required; ends the approval step and
starts a fresh 12-hour appraisal step; no message."""

import pytest

from core.errors import DomainError
from dossiers import services
from dossiers.workflow import Status, Step

from .conftest import at
from .transitions_helper import (
    APPROVAL_DUE,
    DOSSIER_DUE,
    assert_not_notified,
    drive,
    last_event,
    message_counts,
    snapshot,
)

pytestmark = pytest.mark.django_db

REASON = "Kiểm tra lại tên hộ kinh doanh."


def test_sending_back_after_the_approval_hours_is_late(world, django_capture_on_commit_callbacks):
    d = drive(world, Status.AWAITING_APPROVAL)  # approval due Wed 09:00
    before = message_counts()
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_send_back(dossier=d, actor=world.approver, reason=REASON, at=at(2026, 3, 4, 10))
    d.refresh_from_db()
    assert d.status == Status.IN_APPRAISAL and d.due_at == DOSSIER_DUE  # the dossier's own due date stands
    assert d.step == Step.APPRAISAL and d.step_started_at == at(2026, 3, 4, 10)
    assert d.step_due_at == at(2026, 3, 5, 16)  # 12 working hours from Wed 10:00
    event = last_event(d, "send_back")
    assert (event.from_status, event.to_status) == (Status.AWAITING_APPROVAL, Status.IN_APPRAISAL)
    assert event.actor == world.approver and event.at == at(2026, 3, 4, 10) and event.reason == REASON
    assert event.step == Step.APPROVAL and event.step_due_at == APPROVAL_DUE and event.punctuality == "late"
    assert_not_notified(d, before)


def test_an_approved_dossier_cannot_be_sent_back(world):
    d = drive(world, Status.APPROVED)
    before = snapshot(d)
    with pytest.raises(DomainError) as err:
        services.dossier_send_back(dossier=d, actor=world.approver, reason=REASON, at=at(2026, 3, 4, 10))
    assert err.value.code == "transition_not_allowed"
    assert snapshot(d) == before


def test_sending_back_needs_a_reason(world):
    d = drive(world, Status.AWAITING_APPROVAL)
    before = snapshot(d)
    with pytest.raises(DomainError) as err:
        services.dossier_send_back(dossier=d, actor=world.approver, reason="  ", at=at(2026, 3, 4, 10))
    assert err.value.code == "reason_required"
    assert snapshot(d) == before
