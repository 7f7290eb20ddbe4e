"""consultation_answered: consulting -> in_appraisal, by the appraiser; still the appraisal step; no message."""

import pytest
from django.core.exceptions import PermissionDenied

from dossiers import services
from dossiers.workflow import Status, Step

from .conftest import at
from .transitions_helper import APPRAISAL_DUE, assert_not_notified, drive, last_event, message_counts, snapshot

pytestmark = pytest.mark.django_db


def test_the_answer_brings_the_dossier_back_to_appraisal(world, django_capture_on_commit_callbacks):
    d = drive(world, Status.CONSULTING)
    before = message_counts()
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_consultation_answered(dossier=d, actor=world.appraiser, reason="Sở Xây dựng đồng ý.",
                                               at=at(2026, 3, 3, 14))
    d.refresh_from_db()
    assert d.status == Status.IN_APPRAISAL
    assert d.step == Step.APPRAISAL and d.step_due_at == APPRAISAL_DUE
    event = last_event(d, "consultation_answered")
    assert (event.from_status, event.to_status) == (Status.CONSULTING, Status.IN_APPRAISAL)
    assert event.actor == world.appraiser and event.at == at(2026, 3, 3, 14) and event.reason == "Sở Xây dựng đồng ý."
    assert event.step == Step.APPRAISAL and event.step_due_at is None and event.punctuality == ""
    assert_not_notified(d, before)


def test_reception_cannot_record_the_answer(world):
    d = drive(world, Status.CONSULTING)
    before = snapshot(d)
    with pytest.raises(PermissionDenied):
        services.dossier_consultation_answered(dossier=d, actor=world.reception, at=at(2026, 3, 3, 14))
    assert snapshot(d) == before
