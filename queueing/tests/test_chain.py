"""Ticket → dossier: a walk-in dossier received by an officer serving a ticket is linked to it (once), the
reception never fails because of the queue, and the dossier page shows the ticket to staff."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.db import connection
from django.urls import reverse

from dossiers import services as dossier_services
from dossiers.tests.conftest import APPLICANT, at, world  # noqa: F401 - the shared dossier fixtures
from dossiers.tests.transitions_helper import online_submitted
from queueing import chain, services
from queueing.models import TicketEvent, TicketEventType
from queueing.tests.factories import CounterFactory, ServiceFactory

pytestmark = pytest.mark.django_db

ISSUED = at(2026, 3, 2, 8, 40)
CALLED = at(2026, 3, 2, 8, 52)
RECEIVED = at(2026, 3, 2, 9)


@pytest.fixture
def desk(world):  # noqa: F811 - the imported fixture
    """Counter 5 of Pleiku, opened by its reception officer, serving ticket 8001 (waited 12 minutes); service 8
    (the demo data of the desk floor may already use the low codes)."""
    service = ServiceFactory(agency=world.pleiku, code="8", name="Hộ kinh doanh")
    counter = CounterFactory(agency=world.pleiku, number=5)
    counter.services.set([service])
    services.counter_open(counter=counter, officer=world.reception)
    ticket = services.ticket_issue(service=service, at=ISSUED, check_hours=False)
    services.ticket_call_next(counter=counter, officer=world.reception, at=CALLED)
    ticket.refresh_from_db()
    world.service, world.counter, world.ticket = service, counter, ticket
    return world


def receive_at_desk(w, when=RECEIVED):
    return dossier_services.dossier_create_at_desk(actor=w.reception, version=w.household, agency=w.pleiku,
                                                   at=when, **APPLICANT)


def test_a_dossier_received_while_serving_a_ticket_is_linked_once(desk):
    d = receive_at_desk(desk)  # create_at_desk then receive: two events, one link
    assert list(desk.ticket.dossiers.all()) == [d]
    [event] = TicketEvent.objects.filter(ticket=desk.ticket, type=TicketEventType.DOSSIER)
    assert event.officer == desk.reception and event.payload["dossier"] == d.pk
    assert services.ticket_link_dossier(officer=desk.reception, dossier=d, at=RECEIVED) == desk.ticket
    assert TicketEvent.objects.filter(ticket=desk.ticket, type=TicketEventType.DOSSIER).count() == 1
    assert chain.latest_ticket_id(d.pk) == desk.ticket.pk


def test_nothing_is_linked_when_the_officer_serves_no_ticket(desk):
    services.ticket_finish(counter=desk.counter, officer=desk.reception, at=at(2026, 3, 2, 8, 58))
    d = receive_at_desk(desk)
    assert not desk.ticket.dossiers.exists() and chain.latest_ticket_id(d.pk) is None


def test_an_online_dossier_received_at_the_desk_is_not_linked(desk):
    d = online_submitted(desk, at(2026, 3, 2, 8))
    dossier_services.dossier_receive(dossier=d, actor=desk.reception, at=RECEIVED)
    assert not desk.ticket.dossiers.exists()


def test_a_failing_link_is_logged_and_the_reception_stands(desk, monkeypatch, caplog):
    def broken(**kwargs):
        with connection.cursor() as cursor:  # a database error: without a savepoint it aborts the reception
            cursor.execute("SELECT 1 / 0")

    monkeypatch.setattr(services, "ticket_link_dossier", broken)
    with caplog.at_level(logging.ERROR, logger="queueing.receivers"):
        d = receive_at_desk(desk)
    d.refresh_from_db()
    assert d.status == "received" and d.code and d.events.filter(type="receive").count() == 1
    assert not desk.ticket.dossiers.exists()
    records = [r for r in caplog.records if r.name == "queueing.receivers"]
    assert records and all(r.exc_info for r in records) and d.code in records[-1].getMessage()


def test_the_dossier_page_shows_the_ticket_to_staff(desk, client):
    d = receive_at_desk(desk)
    client.force_login(desk.reception)
    page = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert 'data-testid="queue-ticket"' in page
    assert "Vé 8001, chờ 12 phút, quầy 5" in page
    assert chain.dossier_panel_context(None, d, staff_view=False) is None  # never on the citizen's view


def test_a_ticket_of_another_day_is_not_linked(desk):
    receive_at_desk(desk, when=RECEIVED + dt.timedelta(days=1))
    assert not desk.ticket.dossiers.exists()
