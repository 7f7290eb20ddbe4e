"""receive: submitted -> received, by reception; ends the reception step (4h), issues code, PIN and due date."""

import pytest
from django.core.exceptions import PermissionDenied

from dossiers import services
from dossiers.workflow import Status, Step

from .conftest import at
from .transitions_helper import (
    APPRAISAL_DUE,
    DOSSIER_DUE,
    RECEPTION_DUE,
    SUBMITTED_AT,
    assert_notified,
    desk_submitted,
    last_event,
    snapshot,
)

pytestmark = pytest.mark.django_db


def test_received_on_the_due_day_is_on_time_and_notified(world, django_capture_on_commit_callbacks):
    d = desk_submitted(world)  # Mon 09:00, reception due Mon 15:00
    assert d.step_due_at == RECEPTION_DUE
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_receive(dossier=d, actor=world.reception, at=at(2026, 3, 2, 10))
    d.refresh_from_db()
    assert d.status == Status.RECEIVED and d.received_at == at(2026, 3, 2, 10)
    assert d.code and d.pin and d.due_at == d.original_due_at == DOSSIER_DUE
    assert d.step == Step.APPRAISAL and d.step_due_at == APPRAISAL_DUE  # 12 working hours from Mon 10:00
    event = last_event(d, "receive")
    assert (event.from_status, event.to_status) == (Status.SUBMITTED, Status.RECEIVED)
    assert event.actor == world.reception and event.at == at(2026, 3, 2, 10) and event.reason == ""
    assert event.step == Step.RECEPTION and event.step_due_at == RECEPTION_DUE and event.punctuality == "on_time"
    email, sms = assert_notified(d, event)
    assert d.code in email.subject and d.pin in email.body_text
    assert d.code in sms.body and d.pin in sms.body and "17:00 05/03/2026" in sms.body


def test_received_after_the_reception_hours_is_late(world, django_capture_on_commit_callbacks):
    d = desk_submitted(world, when=SUBMITTED_AT)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_receive(dossier=d, actor=world.reception, at=at(2026, 3, 2, 16))
    d.refresh_from_db()
    assert d.status == Status.RECEIVED
    event = last_event(d, "receive")
    assert event.at == at(2026, 3, 2, 16) and event.step_due_at == RECEPTION_DUE and event.punctuality == "late"
    assert_notified(d, event)


def test_received_a_day_before_the_reception_deadline_is_early(world):
    d = desk_submitted(world, when=at(2026, 3, 2, 16))  # 4 working hours from Mon 16:00 -> Tue 10:00
    assert d.step_due_at == at(2026, 3, 3, 10)
    services.dossier_receive(dossier=d, actor=world.reception, at=at(2026, 3, 2, 16, 30))
    d.refresh_from_db()
    event = last_event(d, "receive")
    assert d.status == Status.RECEIVED and event.step_due_at == at(2026, 3, 3, 10) and event.punctuality == "early"


@pytest.mark.parametrize("who", ["citizen", "other_reception", "appraiser"])
def test_only_the_receiving_agencys_reception_may_receive(world, who):
    d = desk_submitted(world)
    before = snapshot(d)
    with pytest.raises(PermissionDenied):
        services.dossier_receive(dossier=d, actor=getattr(world, who), at=at(2026, 3, 2, 10))
    assert snapshot(d) == before
