"""guide: submitted -> guided (Mẫu 02), by reception, reason required; ends the reception step, notifies."""

import pytest

from core.errors import DomainError
from dossiers import services
from dossiers.workflow import Status, Step

from .conftest import at
from .transitions_helper import assert_notified, desk_submitted, last_event, snapshot

pytestmark = pytest.mark.django_db

REASON = "Thiếu bản sao CCCD của chủ hộ kinh doanh."


def test_guide_before_the_reception_due_day_is_early_and_notified(world, django_capture_on_commit_callbacks):
    d = desk_submitted(world, when=at(2026, 3, 2, 16))  # reception due Tue 10:00
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_guide(dossier=d, actor=world.reception, reason=f"  {REASON} ", at=at(2026, 3, 2, 16, 30))
    d.refresh_from_db()
    assert d.status == Status.GUIDED and d.code is None and d.due_at is None  # no clock yet
    assert d.step == "" and d.step_started_at is None and d.step_due_at is None  # waiting for the citizen
    event = last_event(d, "guide")
    assert (event.from_status, event.to_status) == (Status.SUBMITTED, Status.GUIDED)
    assert event.actor == world.reception and event.at == at(2026, 3, 2, 16, 30) and event.reason == REASON
    assert event.step == Step.RECEPTION and event.step_due_at == at(2026, 3, 3, 10) and event.punctuality == "early"
    email, sms = assert_notified(d, event)
    assert REASON in email.body_text and REASON in sms.body


@pytest.mark.parametrize("reason", ["", "   "])
def test_guide_needs_a_reason(world, reason):
    d = desk_submitted(world)
    before = snapshot(d)
    with pytest.raises(DomainError) as err:
        services.dossier_guide(dossier=d, actor=world.reception, reason=reason, at=at(2026, 3, 2, 10))
    assert err.value.code == "reason_required"
    assert snapshot(d) == before
