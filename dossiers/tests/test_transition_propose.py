"""propose: in_appraisal -> awaiting_approval, by the appraiser; ends the appraisal step (12h) and starts the
approval step (4h); no message."""

import pytest

from core.errors import DomainError
from dossiers import services
from dossiers.workflow import Status, Step

from .conftest import at
from .transitions_helper import APPRAISAL_DUE, assert_not_notified, drive, last_event, message_counts, snapshot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("when", "punctuality", "approval_due"), [
    (at(2026, 3, 2, 16), "early", at(2026, 3, 3, 10)),
    (at(2026, 3, 3, 15), "on_time", at(2026, 3, 4, 9)),
    (at(2026, 3, 4, 9), "late", at(2026, 3, 4, 15)),  # a day after the appraisal deadline (Tue 16:00)
])
def test_proposal_ends_the_appraisal_step(world, when, punctuality, approval_due, django_capture_on_commit_callbacks):
    d = drive(world, Status.IN_APPRAISAL)
    before = message_counts()
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve",
                                 result_summary="Cấp Giấy chứng nhận đăng ký hộ kinh doanh", at=when)
    d.refresh_from_db()
    assert d.status == Status.AWAITING_APPROVAL and d.proposal == "approve"
    assert d.result_summary == "Cấp Giấy chứng nhận đăng ký hộ kinh doanh"
    assert d.step == Step.APPROVAL and d.step_started_at == when and d.step_due_at == approval_due
    event = last_event(d, "propose")
    assert (event.from_status, event.to_status) == (Status.IN_APPRAISAL, Status.AWAITING_APPROVAL)
    assert event.actor == world.appraiser and event.at == when and event.reason == ""
    assert event.payload == {"proposal": "approve"}
    assert event.step == Step.APPRAISAL and event.step_due_at == APPRAISAL_DUE and event.punctuality == punctuality
    assert_not_notified(d, before)


def test_a_dossier_not_yet_assigned_cannot_be_proposed(world):
    d = drive(world, Status.RECEIVED)
    before = snapshot(d)
    with pytest.raises(DomainError) as err:
        services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve", at=at(2026, 3, 3, 15))
    assert err.value.code == "transition_not_allowed"
    assert snapshot(d) == before
