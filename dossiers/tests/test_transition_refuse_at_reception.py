"""refuse_at_reception: submitted -> refused_at_reception (Mẫu 03), by reception, reason required; terminal."""

import pytest

from core.errors import DomainError
from dossiers import services
from dossiers.workflow import Status, Step

from .conftest import at
from .transitions_helper import RECEPTION_DUE, assert_notified, desk_submitted, drive, last_event, snapshot

pytestmark = pytest.mark.django_db

REASON = "Thủ tục không thuộc thẩm quyền của UBND phường."


def test_refusal_on_the_due_day_is_on_time_and_notified(world, django_capture_on_commit_callbacks):
    d = desk_submitted(world)  # reception due Mon 15:00
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_refuse_at_reception(dossier=d, actor=world.reception, reason=REASON, at=at(2026, 3, 2, 14))
    d.refresh_from_db()
    assert d.status == Status.REFUSED_AT_RECEPTION and d.refusal_reason == REASON and d.code is None
    assert d.step == "" and d.step_due_at is None
    event = last_event(d, "refuse_at_reception")
    assert (event.from_status, event.to_status) == (Status.SUBMITTED, Status.REFUSED_AT_RECEPTION)
    assert event.actor == world.reception and event.at == at(2026, 3, 2, 14) and event.reason == REASON
    assert event.step == Step.RECEPTION and event.step_due_at == RECEPTION_DUE and event.punctuality == "on_time"
    email, sms = assert_notified(d, event)
    assert REASON in email.body_text and REASON in sms.body


def test_a_received_dossier_can_no_longer_be_refused_at_reception(world):
    d = drive(world, Status.RECEIVED)
    before = snapshot(d)
    with pytest.raises(DomainError) as err:
        services.dossier_refuse_at_reception(dossier=d, actor=world.reception, reason=REASON, at=at(2026, 3, 2, 14))
    assert err.value.code == "transition_not_allowed"
    assert snapshot(d) == before


def test_refusal_at_reception_needs_a_reason(world):
    d = desk_submitted(world)
    before = snapshot(d)
    with pytest.raises(DomainError) as err:
        services.dossier_refuse_at_reception(dossier=d, actor=world.reception, reason=" ", at=at(2026, 3, 2, 14))
    assert err.value.code == "reason_required"
    assert snapshot(d) == before
