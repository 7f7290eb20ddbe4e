"""Satisfaction of a dossier received at a ward desk for a department and returned at a third desk (Decree
118/2025): the survey rates the desk that received it (its questions ask about access, the procedure and the
officer who received it), with that desk's receiving officer and head; the department keeps "dossiers
handled" (on time, without complaint)."""

import pytest

from dossiers import routing, services
from dossiers.tests import test_reception_anywhere as anywhere
from dossiers.tests.conftest import at
from satisfaction import services as survey
from satisfaction.models import FollowUp, Invitation, MonthlySatisfactionStats
from satisfaction.stats import monthly_satisfaction_refresh

pytestmark = pytest.mark.django_db
MARCH = at(2026, 3, 1).date()
route = anywhere.route  # the fixture: Pleiku ward desk receives the judicial record for Sở Tư pháp


def _returned_at_quynhon(r):
    d = anywhere._to_result_ready(r)
    h = routing.handover_send(dossier=d, actor=r.dept_desk, kind="result", at=at(2026, 3, 3, 15))
    routing.handover_acknowledge(handover=h, actor=r.return_desk, at=at(2026, 3, 4, 8))
    return services.dossier_return(dossier=d, actor=r.return_desk, at=at(2026, 3, 4, 9))


def test_the_survey_rates_the_receiving_desk_and_its_officer(route):
    d = _returned_at_quynhon(route)
    invitation = Invitation.objects.get(dossier=d)
    assert (invitation.agency, invitation.officer) == (route.pleiku, route.desk)
    response = survey.response_submit(invitation=invitation, values={
        "access": 2, "procedure": 4, "officer": 2, "result": 5, "feedback": "", "overall": 2}, at=at(2026, 3, 5))
    assert response.agency == route.pleiku and response.officer == route.desk
    follow_up = FollowUp.objects.get(response=response)
    assert follow_up.agency == route.pleiku and follow_up.assignee_id == route.pleiku.head_id

    monthly_satisfaction_refresh(first=MARCH, last=MARCH, now=at(2026, 4, 2))
    ward = MonthlySatisfactionStats.objects.get(agency=route.pleiku, month=MARCH)
    assert (ward.invitations, ward.responses, ward.responses_satisfied, ward.dossiers_handled) == (1, 1, 0, 0)
    department = MonthlySatisfactionStats.objects.get(agency=route.department, month=MARCH)
    assert (department.invitations, department.responses, department.dossiers_handled) == (0, 0, 1)
    assert not MonthlySatisfactionStats.objects.filter(agency=route.quynhon, month=MARCH, invitations__gt=0).exists()


def test_the_kiosk_of_the_returning_desk_rates_the_receiving_desk_too(route):
    d = anywhere._to_result_ready(route)  # at the desk with the result: the citizen rates on the tablet
    response = survey.kiosk_submit(dossier=d, values={"officer": 5, "overall": 5}, at=at(2026, 3, 4, 9))
    assert (response.agency, response.officer, response.channel) == (route.pleiku, route.desk, "kiosk")
