"""resolve: approved or refused -> result_ready, by the appraiser or reception; the return step goes on; the
moment decides the dossier's early / on time / late; the citizen is told the result is ready."""

import pytest

from core.errors import DomainError
from dossiers import services
from dossiers.workflow import Status, Step

from .conftest import at
from .transitions_helper import DOSSIER_DUE, RETURN_DUE, assert_notified, drive, last_event, snapshot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("source", "who", "when", "punctuality"), [
    (Status.APPROVED, "reception", at(2026, 3, 4, 10), "early"),
    (Status.REFUSED, "appraiser", at(2026, 3, 5, 16), "on_time"),
    (Status.APPROVED, "appraiser", at(2026, 3, 6, 9), "late"),  # the day after the due date (Thu 17:00)
])
def test_result_reaches_the_desk(world, source, who, when, punctuality, django_capture_on_commit_callbacks):
    d = drive(world, source)
    actor = getattr(world, who)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_resolve(dossier=d, actor=actor, at=when)
    d.refresh_from_db()
    assert d.status == Status.RESULT_READY and d.resolved_at == when
    assert d.due_at == DOSSIER_DUE and d.punctuality == punctuality
    assert d.step == Step.RETURN and d.step_due_at == RETURN_DUE  # same step: its deadline stands
    event = last_event(d, "resolve")
    assert (event.from_status, event.to_status) == (source, Status.RESULT_READY)
    assert event.actor == actor and event.at == when and event.reason == ""
    assert event.step == Step.RETURN and event.step_due_at is None and event.punctuality == ""
    _email, sms = assert_notified(d, event)
    assert d.code in sms.body


def test_nothing_to_resolve_before_the_decision(world):
    d = drive(world, Status.AWAITING_APPROVAL)
    before = snapshot(d)
    with pytest.raises(DomainError) as err:
        services.dossier_resolve(dossier=d, actor=world.reception, at=at(2026, 3, 4, 10))
    assert err.value.code == "transition_not_allowed"
    assert snapshot(d) == before
