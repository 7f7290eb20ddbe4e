"""withdraw: any state up to consulting -> withdrawn, by the citizen or reception, reason required; ends the
running step; no message."""

import pytest

from core.errors import DomainError
from dossiers import services
from dossiers.workflow import Status, Step

from .conftest import at
from .transitions_helper import (
    APPRAISAL_DUE,
    assert_not_notified,
    drive,
    last_event,
    message_counts,
    online_submitted,
    snapshot,
)

pytestmark = pytest.mark.django_db

REASON = "Công dân xin rút hồ sơ để nộp lại sau."


def test_reception_withdraws_a_dossier_in_appraisal(world, django_capture_on_commit_callbacks):
    d = drive(world, Status.IN_APPRAISAL)  # appraisal due Tue 16:00
    before = message_counts()
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_withdraw(dossier=d, actor=world.reception, reason=REASON, at=at(2026, 3, 2, 15))
    d.refresh_from_db()
    assert d.status == Status.WITHDRAWN and d.step == "" and d.step_due_at is None
    event = last_event(d, "withdraw")
    assert (event.from_status, event.to_status) == (Status.IN_APPRAISAL, Status.WITHDRAWN)
    assert event.actor == world.reception and event.at == at(2026, 3, 2, 15) and event.reason == REASON
    assert event.step == Step.APPRAISAL and event.step_due_at == APPRAISAL_DUE and event.punctuality == "early"
    assert_not_notified(d, before)


def test_citizen_withdraws_an_online_submission(world, django_capture_on_commit_callbacks):
    d = online_submitted(world, when=at(2026, 3, 2, 8))
    before = message_counts()
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_withdraw(dossier=d, actor=world.citizen, reason="Nộp nhầm thủ tục.", at=at(2026, 3, 2, 9))
    d.refresh_from_db()
    assert d.status == Status.WITHDRAWN
    event = last_event(d, "withdraw")
    assert (event.from_status, event.to_status, event.actor) == (Status.SUBMITTED, Status.WITHDRAWN, world.citizen)
    assert event.at == at(2026, 3, 2, 9) and event.reason == "Nộp nhầm thủ tục."
    assert event.step == Step.RECEPTION and event.step_due_at is None and event.punctuality == ""  # no hours allotted
    assert_not_notified(d, before)


def test_withdrawal_needs_a_reason(world):
    d = drive(world, Status.IN_APPRAISAL)
    before = snapshot(d)
    with pytest.raises(DomainError) as err:
        services.dossier_withdraw(dossier=d, actor=world.reception, reason="", at=at(2026, 3, 2, 15))
    assert err.value.code == "reason_required"
    assert snapshot(d) == before


def test_too_late_to_withdraw_once_proposed(world):
    d = drive(world, Status.AWAITING_APPROVAL)
    before = snapshot(d)
    with pytest.raises(DomainError) as err:
        services.dossier_withdraw(dossier=d, actor=world.reception, reason=REASON, at=at(2026, 3, 4, 8))
    assert err.value.code == "transition_not_allowed"
    assert snapshot(d) == before
