"""supplement_received: supplement_requested -> in_appraisal, by reception; restarts the clock and a fresh
12-hour appraisal step; no message."""

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import DomainError
from dossiers import services
from dossiers.workflow import Status, Step

from .conftest import at
from .transitions_helper import DOSSIER_DUE, assert_not_notified, drive, last_event, message_counts, snapshot

pytestmark = pytest.mark.django_db


def test_supplement_received_restarts_the_clock_and_the_appraisal_step(world, django_capture_on_commit_callbacks):
    d = drive(world, Status.SUPPLEMENT_REQUESTED)
    before = message_counts()
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_supplement_received(dossier=d, actor=world.reception, at=at(2026, 3, 10, 9))
    d.refresh_from_db()
    assert d.status == Status.IN_APPRAISAL
    assert d.due_at == at(2026, 3, 13, 17) and d.original_due_at == DOSSIER_DUE  # 3 working days again
    assert d.step == Step.APPRAISAL and d.step_started_at == at(2026, 3, 10, 9)
    assert d.step_due_at == at(2026, 3, 11, 15)  # 12 working hours from Tue 10/3 09:00
    event = last_event(d, "supplement_received")
    assert (event.from_status, event.to_status) == (Status.SUPPLEMENT_REQUESTED, Status.IN_APPRAISAL)
    assert event.actor == world.reception and event.at == at(2026, 3, 10, 9) and event.reason == ""
    assert event.step == "" and event.step_due_at is None and event.punctuality == ""  # no step was running
    assert_not_notified(d, before)


def test_nothing_to_receive_while_in_appraisal(world):
    d = drive(world, Status.IN_APPRAISAL)
    before = snapshot(d)
    with pytest.raises(DomainError) as err:
        services.dossier_supplement_received(dossier=d, actor=world.reception, at=at(2026, 3, 10, 9))
    assert err.value.code == "transition_not_allowed"
    assert snapshot(d) == before


def test_the_appraiser_does_not_take_in_the_supplement(world):
    d = drive(world, Status.SUPPLEMENT_REQUESTED)
    before = snapshot(d)
    with pytest.raises(PermissionDenied):
        services.dossier_supplement_received(dossier=d, actor=world.appraiser, at=at(2026, 3, 10, 9))
    assert snapshot(d) == before
