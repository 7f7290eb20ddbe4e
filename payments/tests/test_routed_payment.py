"""Reception anywhere (#17): a fee still owed when the result is collected at another desk is taken there."""

import pytest
from django.core.exceptions import PermissionDenied

from dossiers import routing
from dossiers import services as dossier_services
from dossiers.tests.conftest import at, world  # noqa: F401 (fixture)
from dossiers.tests.test_reception_anywhere import _received, route  # noqa: F401 (fixture)
from payments import services

pytestmark = pytest.mark.django_db


def test_the_returning_desk_takes_a_fee_still_owed_and_hands_the_result_over(route, demo):  # noqa: F811
    d = _received(route)
    h = routing.handover_send(dossier=d, actor=route.desk, kind="dossier", at=at(2026, 3, 2, 10))
    routing.handover_acknowledge(handover=h, actor=route.dept_desk, at=at(2026, 3, 2, 11))
    d = dossier_services.dossier_assign(dossier=d, actor=route.approver, appraiser=route.appraiser,
                                        at=at(2026, 3, 2, 14))
    d = dossier_services.dossier_propose(dossier=d, actor=route.appraiser, proposal="approve", at=at(2026, 3, 3, 9))
    d = dossier_services.dossier_approve(dossier=d, actor=route.approver, at=at(2026, 3, 3, 10))
    d = dossier_services.dossier_resolve(dossier=d, actor=route.dept_desk, at=at(2026, 3, 3, 14))
    with pytest.raises(PermissionDenied):  # the result has not reached the returning desk yet
        services.payment_record_desk(dossier=d, actor=route.return_desk, method="cash")
    r = routing.handover_send(dossier=d, actor=route.dept_desk, kind="result", at=at(2026, 3, 3, 15))
    routing.handover_acknowledge(handover=r, actor=route.return_desk, at=at(2026, 3, 4, 8))
    d.refresh_from_db()
    assert d.fee_status == "unpaid" and d.fee_total == 200000
    with pytest.raises(PermissionDenied) as err:  # the competent agency's desk neither received nor returns it
        services.payment_record_desk(dossier=d, actor=route.dept_desk, method="cash")
    assert "Ủy ban nhân dân phường Pleiku" in str(err.value)
    payment = services.payment_record_desk(dossier=d, actor=route.return_desk, method="cash", at=at(2026, 3, 4, 9))
    assert payment.created_by == route.return_desk and payment.amount == 200000
    d = dossier_services.dossier_return(dossier=d, actor=route.return_desk, at=at(2026, 3, 4, 9, 5))
    assert d.status == "returned" and d.fee_status == "paid"
