"""stop: received ... awaiting_approval -> stopped, by the approver, reason required; ends the running step;
no message."""

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import DomainError
from dossiers import services
from dossiers.workflow import Status, Step

from .conftest import at
from .transitions_helper import (
    APPRAISAL_DUE,
    APPROVAL_DUE,
    assert_not_notified,
    desk_submitted,
    drive,
    last_event,
    message_counts,
    snapshot,
)

pytestmark = pytest.mark.django_db

REASON = "Theo đề nghị của cơ quan điều tra."


@pytest.mark.parametrize(("source", "when", "step", "step_due", "punctuality"), [
    (Status.RECEIVED, at(2026, 3, 3, 16), Step.APPRAISAL, APPRAISAL_DUE, "on_time"),  # exactly at the deadline
    (Status.AWAITING_APPROVAL, at(2026, 3, 4, 10), Step.APPROVAL, APPROVAL_DUE, "late"),
])
def test_leader_stops_the_dossier(world, source, when, step, step_due, punctuality, django_capture_on_commit_callbacks):
    d = drive(world, source)
    before = message_counts()
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_stop(dossier=d, actor=world.approver, reason=REASON, at=when)
    d.refresh_from_db()
    assert d.status == Status.STOPPED and d.refusal_reason == REASON
    assert d.step == "" and d.step_due_at is None
    event = last_event(d, "stop")
    assert (event.from_status, event.to_status) == (source, Status.STOPPED)
    assert event.actor == world.approver and event.at == when and event.reason == REASON
    assert event.step == step and event.step_due_at == step_due and event.punctuality == punctuality
    assert_not_notified(d, before)


def test_a_dossier_not_yet_received_cannot_be_stopped(world):
    d = desk_submitted(world)
    before = snapshot(d)
    with pytest.raises(DomainError) as err:
        services.dossier_stop(dossier=d, actor=world.approver, reason=REASON, at=at(2026, 3, 2, 10))
    assert err.value.code == "transition_not_allowed"
    assert snapshot(d) == before


def test_the_leader_of_another_agency_cannot_stop(world, demo):
    d = drive(world, Status.RECEIVED)
    before = snapshot(d)
    with pytest.raises(PermissionDenied):
        services.dossier_stop(dossier=d, actor=demo.user("lanhdao.quynhon@demo.gov.vn"), reason=REASON,
                              at=at(2026, 3, 3, 16))
    assert snapshot(d) == before
