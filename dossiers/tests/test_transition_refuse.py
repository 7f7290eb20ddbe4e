"""refuse: awaiting_approval -> refused, by the approver, reason required; ends the approval step and starts
the return step; no message (the citizen hears of it when the result is ready)."""

import pytest

from core.errors import DomainError
from dossiers import services
from dossiers.workflow import Status, Step

from .conftest import at
from .transitions_helper import APPROVAL_DUE, assert_not_notified, drive, last_event, message_counts, snapshot

pytestmark = pytest.mark.django_db

REASON = "Ngành nghề đăng ký thuộc danh mục cấm kinh doanh."


def test_refusal_ends_the_approval_step(world, django_capture_on_commit_callbacks):
    d = drive(world, Status.AWAITING_APPROVAL, proposal="refuse")
    before = message_counts()
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_refuse(dossier=d, actor=world.approver, reason=REASON, at=at(2026, 3, 3, 16, 30))
    d.refresh_from_db()
    assert d.status == Status.REFUSED and d.refusal_reason == REASON
    assert d.step == Step.RETURN and d.step_due_at == at(2026, 3, 4, 10, 30)  # 4 working hours from Tue 16:30
    event = last_event(d, "refuse")
    assert (event.from_status, event.to_status) == (Status.AWAITING_APPROVAL, Status.REFUSED)
    assert event.actor == world.approver and event.at == at(2026, 3, 3, 16, 30) and event.reason == REASON
    assert event.step == Step.APPROVAL and event.step_due_at == APPROVAL_DUE and event.punctuality == "early"
    assert_not_notified(d, before)


def test_refusal_needs_a_reason(world):
    d = drive(world, Status.AWAITING_APPROVAL, proposal="refuse")
    before = snapshot(d)
    with pytest.raises(DomainError) as err:
        services.dossier_refuse(dossier=d, actor=world.approver, reason="", at=at(2026, 3, 3, 16, 30))
    assert err.value.code == "reason_required"
    assert snapshot(d) == before
