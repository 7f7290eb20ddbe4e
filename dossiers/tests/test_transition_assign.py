"""assign: received -> in_appraisal, by reception or approver; the appraisal step (and its deadline) goes on."""

import pytest
from django.core.exceptions import PermissionDenied

from dossiers import services
from dossiers.workflow import Status, Step

from .conftest import at
from .transitions_helper import (
    APPRAISAL_DUE,
    RECEIVED_AT,
    assert_not_notified,
    drive,
    last_event,
    message_counts,
    snapshot,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["reception", "approver"])
def test_assign_to_an_appraiser(world, who, django_capture_on_commit_callbacks):
    d = drive(world, Status.RECEIVED)
    actor = getattr(world, who)
    before = message_counts()
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_assign(dossier=d, actor=actor, appraiser=world.appraiser, at=at(2026, 3, 2, 11))
    d.refresh_from_db()
    assert d.status == Status.IN_APPRAISAL and d.assignee == world.appraiser
    assert d.step == Step.APPRAISAL and d.step_started_at == RECEIVED_AT and d.step_due_at == APPRAISAL_DUE
    event = last_event(d, "assign")
    assert (event.from_status, event.to_status) == (Status.RECEIVED, Status.IN_APPRAISAL)
    assert event.actor == actor and event.at == at(2026, 3, 2, 11) and event.reason == ""
    assert event.payload == {"assignee": world.appraiser.pk}
    assert event.step == Step.APPRAISAL and event.step_due_at is None and event.punctuality == ""  # same step
    assert_not_notified(d, before)


def test_an_appraiser_cannot_assign(world):
    d = drive(world, Status.RECEIVED)
    before = snapshot(d)
    with pytest.raises(PermissionDenied):
        services.dossier_assign(dossier=d, actor=world.appraiser, appraiser=world.appraiser, at=at(2026, 3, 2, 11))
    assert snapshot(d) == before
