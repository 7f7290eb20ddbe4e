"""approve: awaiting_approval -> approved, by the approver; ends the approval step (4h) and starts the return
step (4h); no message."""

import pytest
from django.core.exceptions import PermissionDenied

from dossiers import services
from dossiers.workflow import Status, Step

from .conftest import at
from .transitions_helper import APPROVAL_DUE, assert_not_notified, drive, last_event, message_counts, snapshot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("when", "punctuality", "return_due"), [
    (at(2026, 3, 3, 16), "early", at(2026, 3, 4, 10)),
    (at(2026, 3, 4, 8, 30), "on_time", at(2026, 3, 4, 14, 30)),
    (at(2026, 3, 4, 10), "late", at(2026, 3, 4, 16)),  # an hour after the approval deadline (Wed 09:00)
])
def test_approval_ends_the_approval_step(world, when, punctuality, return_due, django_capture_on_commit_callbacks):
    d = drive(world, Status.AWAITING_APPROVAL)
    before = message_counts()
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_approve(dossier=d, actor=world.approver, at=when)
    d.refresh_from_db()
    assert d.status == Status.APPROVED and d.refusal_reason == ""
    assert d.step == Step.RETURN and d.step_started_at == when and d.step_due_at == return_due
    event = last_event(d, "approve")
    assert (event.from_status, event.to_status) == (Status.AWAITING_APPROVAL, Status.APPROVED)
    assert event.actor == world.approver and event.at == when and event.reason == ""
    assert event.step == Step.APPROVAL and event.step_due_at == APPROVAL_DUE and event.punctuality == punctuality
    assert_not_notified(d, before)


def test_the_appraiser_cannot_approve(world):
    d = drive(world, Status.AWAITING_APPROVAL)
    before = snapshot(d)
    with pytest.raises(PermissionDenied):
        services.dossier_approve(dossier=d, actor=world.appraiser, at=at(2026, 3, 4, 8, 30))
    assert snapshot(d) == before
