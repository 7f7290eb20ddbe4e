"""consult: in_appraisal -> consulting, by the appraiser, reason required; still the appraisal step; no message."""

import pytest

from core.errors import DomainError
from dossiers import services
from dossiers.workflow import Status, Step

from .conftest import at
from .transitions_helper import APPRAISAL_DUE, assert_not_notified, drive, last_event, message_counts, snapshot

pytestmark = pytest.mark.django_db

REASON = "Xin ý kiến Sở Xây dựng về địa điểm kinh doanh."


def test_consult_another_agency(world, demo, django_capture_on_commit_callbacks):
    d = drive(world, Status.IN_APPRAISAL)
    construction = demo.agency("H21.20")
    before = message_counts()
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_consult(dossier=d, actor=world.appraiser, reason=REASON, agency=construction,
                                 at=at(2026, 3, 3, 9))
    d.refresh_from_db()
    assert d.status == Status.CONSULTING
    assert d.step == Step.APPRAISAL and d.step_due_at == APPRAISAL_DUE  # the step's deadline stands
    event = last_event(d, "consult")
    assert (event.from_status, event.to_status) == (Status.IN_APPRAISAL, Status.CONSULTING)
    assert event.actor == world.appraiser and event.at == at(2026, 3, 3, 9) and event.reason == REASON
    assert event.step == Step.APPRAISAL and event.step_due_at is None and event.punctuality == ""
    assert event.payload["agency"] == construction.pk and event.payload["agency_name"] == "Sở Xây dựng tỉnh Gia Lai"
    assert_not_notified(d, before)


def test_consult_needs_a_reason(world, demo):
    d = drive(world, Status.IN_APPRAISAL)
    before = snapshot(d)
    with pytest.raises(DomainError) as err:
        services.dossier_consult(dossier=d, actor=world.appraiser, reason=" ", agency=demo.agency("H21.20"),
                                 at=at(2026, 3, 3, 9))
    assert err.value.code == "reason_required"
    assert snapshot(d) == before
