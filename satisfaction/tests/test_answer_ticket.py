"""Survey answer → ticket: an answer (link or kiosk) records the latest queue ticket its dossier was received
under, and the queue statistics count how those tickets were rated."""

import pytest

from queueing import services as queue_services
from queueing import stats
from queueing.tests.factories import CounterFactory, ServiceFactory
from satisfaction import selectors, services

from .conftest import at

pytestmark = pytest.mark.django_db

HAPPY = {"access": 5, "procedure": 4, "officer": 5, "result": 4, "feedback": 4, "overall": 5}


@pytest.fixture
def serving(world):
    """Pleiku's reception officer at counter 12, serving ticket 8001 on the morning the dossier is received."""
    service = ServiceFactory(agency=world.pleiku, code="8")  # the demo floor uses the low codes
    counter = CounterFactory(agency=world.pleiku, number=12)
    counter.services.set([service])
    queue_services.counter_open(counter=counter, officer=world.reception)
    ticket = queue_services.ticket_issue(service=service, at=at(2026, 3, 2, 8, 30), check_hours=False)
    queue_services.ticket_call_next(counter=counter, officer=world.reception, at=at(2026, 3, 2, 8, 45))
    return ticket


def test_an_answer_records_the_ticket_of_its_dossier(serving, returned):
    d = returned()  # received at 9:00 while ticket 8001 is served
    response = services.response_submit(invitation=d.survey_invitation, values=HAPPY, at=at(2026, 3, 5, 10))
    assert response.ticket_id == serving.pk
    assert selectors.ticket_ratings([serving.pk]) == {serving.pk: True}
    assert stats.ratings_available()  # registered by SatisfactionConfig.ready()
    data = stats.queue_stats(serving.agency, serving.day, serving.day)
    assert (data.total.rated, data.total.satisfied) == (1, 1)


def test_a_kiosk_answer_records_the_ticket_too(serving, returned):
    d = returned()
    response = services.kiosk_submit(dossier=d, values=HAPPY, at=at(2026, 3, 4, 9, 5))
    assert response.ticket_id == serving.pk


def test_an_answer_without_a_ticket_records_none(returned):
    d = returned()
    response = services.response_submit(invitation=d.survey_invitation, values=HAPPY, at=at(2026, 3, 5, 10))
    assert response.ticket is None
