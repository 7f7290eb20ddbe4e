"""return_result: result_ready -> returned, by reception; ends the return step (4h); the citizen is told."""

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import DomainError
from dossiers import fees, services
from dossiers.workflow import Status, Step

from .conftest import at
from .transitions_helper import RETURN_DUE, assert_notified, drive, last_event, snapshot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("when", "how", "tracking", "punctuality"), [
    (at(2026, 3, 4, 14), "desk", "", "on_time"),
    (at(2026, 3, 5, 9), "postal", " EMS123456789VN ", "late"),  # the morning after the return deadline
])
def test_result_is_returned(world, when, how, tracking, punctuality, django_capture_on_commit_callbacks):
    d = drive(world, Status.RESULT_READY)  # return step due Wed 14:30
    fees.mark_paid(d, method="cash", at=when)  # the payments app's job, tested there
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_return(dossier=d, actor=world.reception, how=how, tracking_number=tracking, at=when)
    d.refresh_from_db()
    assert d.status == Status.RETURNED and d.returned_at == when and d.return_channel == how
    assert d.step == "" and d.step_due_at is None
    event = last_event(d, "return_result")
    assert (event.from_status, event.to_status) == (Status.RESULT_READY, Status.RETURNED)
    assert event.actor == world.reception and event.at == when and event.reason == ""
    assert event.payload == {"how": how, "tracking_number": tracking.strip()}
    assert event.step == Step.RETURN and event.step_due_at == RETURN_DUE and event.punctuality == punctuality
    assert_notified(d, event)


def test_the_appraiser_does_not_hand_out_results(world):
    d = drive(world, Status.RESULT_READY)
    before = snapshot(d)
    with pytest.raises(PermissionDenied):
        services.dossier_return(dossier=d, actor=world.appraiser, at=at(2026, 3, 4, 14))
    assert snapshot(d) == before


def test_an_unpaid_fee_keeps_the_result_at_the_desk(world):
    d = drive(world, Status.RESULT_READY)
    assert (d.fee_total, d.fee_status) == (100000, "unpaid")  # fixed at reception from the channel's fee
    before = snapshot(d)
    with pytest.raises(DomainError) as err:
        services.dossier_return(dossier=d, actor=world.reception, at=at(2026, 3, 4, 14))
    assert err.value.code == "fee_unpaid" and "100.000" in err.value.message
    assert snapshot(d) == before
