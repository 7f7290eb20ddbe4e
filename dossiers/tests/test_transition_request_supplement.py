"""request_supplement: in_appraisal -> supplement_requested, by the appraiser, reason required; ends the
appraisal step (12h) and notifies the citizen."""

import pytest

from core.errors import DomainError
from dossiers import services
from dossiers.workflow import Status, Step

from .conftest import at
from .transitions_helper import APPRAISAL_DUE, DOSSIER_DUE, assert_notified, drive, last_event, snapshot

pytestmark = pytest.mark.django_db

REASON = "Bổ sung hợp đồng thuê địa điểm kinh doanh."


def test_request_before_the_appraisal_due_day_is_early_and_notified(world, django_capture_on_commit_callbacks):
    d = drive(world, Status.IN_APPRAISAL)  # appraisal due Tue 16:00
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_request_supplement(dossier=d, actor=world.appraiser, reason=REASON, at=at(2026, 3, 2, 14))
    d.refresh_from_db()
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.due_at == DOSSIER_DUE  # recomputed when it comes back
    assert d.step == "" and d.step_started_at is None and d.step_due_at is None
    event = last_event(d, "request_supplement")
    assert (event.from_status, event.to_status) == (Status.IN_APPRAISAL, Status.SUPPLEMENT_REQUESTED)
    assert event.actor == world.appraiser and event.at == at(2026, 3, 2, 14) and event.reason == REASON
    assert event.step == Step.APPRAISAL and event.step_due_at == APPRAISAL_DUE and event.punctuality == "early"
    email, sms = assert_notified(d, event)
    assert REASON in email.body_text and REASON in sms.body


def test_request_after_the_appraisal_hours_is_late(world):
    d = drive(world, Status.IN_APPRAISAL)
    services.dossier_request_supplement(dossier=d, actor=world.appraiser, reason=REASON, at=at(2026, 3, 3, 16, 30))
    d.refresh_from_db()
    event = last_event(d, "request_supplement")
    assert d.status == Status.SUPPLEMENT_REQUESTED
    assert event.step_due_at == APPRAISAL_DUE and event.punctuality == "late"


def test_request_supplement_needs_a_reason(world):
    d = drive(world, Status.IN_APPRAISAL)
    before = snapshot(d)
    with pytest.raises(DomainError) as err:
        services.dossier_request_supplement(dossier=d, actor=world.appraiser, reason="", at=at(2026, 3, 2, 14))
    assert err.value.code == "reason_required"
    assert snapshot(d) == before
