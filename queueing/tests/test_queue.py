"""Numbering, the calling order, counters, concurrent calls, transfers and no-shows."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection

from accounts.tests.factories import AgencyFactory, UserFactory
from core.errors import DomainError
from queueing import selectors, services
from queueing.models import (
    Announcement,
    Appointment,
    PriorityGroup,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from queueing.tests.factories import CounterFactory, ServiceFactory, officer_of

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = dt.datetime(2026, 12, 7, 8, 0, tzinfo=VN)  # a working day, office open


@pytest.fixture
def floor(db):
    agency = AgencyFactory(name="Trung tâm Phục vụ hành chính công tỉnh", code="H21.99")
    civil = ServiceFactory(agency=agency, code="1", name="Hộ tịch")
    land = ServiceFactory(agency=agency, code="2", name="Đất đai")
    c1 = CounterFactory(agency=agency, number=1)
    c1.services.set([civil])
    c2 = CounterFactory(agency=agency, number=2)
    c2.services.set([civil, land])
    a, b = officer_of(agency), officer_of(agency)
    services.counter_open(counter=c1, officer=a)
    services.counter_open(counter=c2, officer=b)

    class Floor:
        pass

    f = Floor()
    f.agency, f.civil, f.land, f.c1, f.c2, f.a, f.b = agency, civil, land, c1, c2, a, b
    return f


def issue(service, minutes=0, **kwargs):
    return services.ticket_issue(service=service, at=MONDAY + dt.timedelta(minutes=minutes), **kwargs)


def test_numbers_run_per_service_and_restart_each_day(floor):
    t = [issue(floor.civil), issue(floor.civil, 1), issue(floor.land, 2)]
    assert [x.code for x in t] == ["1001", "1002", "2001"]
    tuesday = services.ticket_issue(service=floor.civil, at=MONDAY + dt.timedelta(days=1))
    assert tuesday.code == "1001" and tuesday.day == dt.date(2026, 12, 8)
    assert TicketEvent.objects.filter(type="issued").count() == 4


def test_a_double_tap_at_the_kiosk_issues_one_ticket(floor):
    first = issue(floor.civil, once_key="k" * 20)
    again = issue(floor.civil, 1, once_key="k" * 20)
    assert first.pk == again.pk and Ticket.objects.count() == 1


def test_tickets_are_refused_on_a_day_off_and_outside_hours(floor):
    with pytest.raises(DomainError) as exc:
        services.ticket_issue(service=floor.civil, at=dt.datetime(2026, 12, 6, 9, 0, tzinfo=VN))  # a Sunday
    assert exc.value.code == "queue_closed_day"
    with pytest.raises(DomainError) as exc:
        services.ticket_issue(service=floor.civil, at=dt.datetime(2026, 12, 7, 18, 0, tzinfo=VN))
    assert exc.value.code == "queue_closed_hours" and "17:00" in exc.value.message
    with pytest.raises(DomainError):
        issue(floor.civil, phone="12345")
    assert not Ticket.objects.exists()


def test_the_calling_order_transferred_then_booked_then_priority_then_first_come(floor):
    elderly = PriorityGroup.objects.get(code="nguoi-cao-tuoi")
    plain1 = issue(floor.civil, 0)
    plain2 = issue(floor.civil, 1)
    old = issue(floor.civil, 2, priority=elderly)
    appt = Appointment.objects.create(agency=floor.agency, service=floor.civil, day=MONDAY.date(),
                                      slot_start=MONDAY + dt.timedelta(minutes=30),
                                      slot_end=MONDAY + dt.timedelta(minutes=60), name="A", phone="+84912345678")
    booked = issue(floor.civil, 3, appointment=appt)
    at = MONDAY + dt.timedelta(minutes=10)
    first = services.ticket_call_next(counter=floor.c1, officer=floor.a, at=at)
    assert first == old  # the booked ticket's slot has not begun: priority first
    slot = MONDAY + dt.timedelta(minutes=31)
    assert services.ticket_call_next(counter=floor.c1, officer=floor.a, at=slot) == booked
    assert services.ticket_call_next(counter=floor.c1, officer=floor.a, at=slot) == plain1
    # counter 2 transfers its citizen to counter 1, who calls them before plain2
    services.ticket_call_next(counter=floor.c2, officer=floor.b, at=slot)
    plain2.refresh_from_db()
    assert plain2.counter == floor.c2
    services.ticket_transfer(counter=floor.c2, officer=floor.b, to_counter=floor.c1, at=slot)
    later = issue(floor.civil, 40)
    assert services.ticket_call_next(counter=floor.c1, officer=floor.a, at=slot) == plain2
    assert services.ticket_call_next(counter=floor.c1, officer=floor.a, at=slot) == later
    plain1.refresh_from_db()
    assert plain1.status == TicketStatus.DONE and plain1.finished_at == slot


def test_a_counter_calls_only_its_services(floor):
    issue(floor.land)
    with time_machine.travel(MONDAY + dt.timedelta(minutes=1), tick=False):  # the call is on the ticket's day
        assert services.ticket_call_next(counter=floor.c1, officer=floor.a) is None
        assert services.ticket_call_next(counter=floor.c2, officer=floor.b).service == floor.land


def test_recall_skip_serve_and_finish(floor):
    t = issue(floor.civil)
    with time_machine.travel(MONDAY + dt.timedelta(minutes=5), tick=False):
        services.ticket_call_next(counter=floor.c1, officer=floor.a)
        services.ticket_recall(counter=floor.c1, officer=floor.a)
        t.refresh_from_db()
        assert t.calls == 2 and Announcement.objects.filter(ticket=t).count() == 2
        services.ticket_skip(counter=floor.c1, officer=floor.a)
        t.refresh_from_db()
        assert t.status == TicketStatus.NO_SHOW
        with pytest.raises(DomainError):
            services.ticket_recall(counter=floor.c1, officer=floor.a)
        u = issue(floor.civil, 4)
        services.ticket_call_next(counter=floor.c1, officer=floor.a)
        services.ticket_serve(counter=floor.c1, officer=floor.a)
        services.ticket_finish(counter=floor.c1, officer=floor.a)
        u.refresh_from_db()
        assert u.status == TicketStatus.DONE and u.serving_at and u.finished_at
        assert list(u.events.values_list("type", flat=True)) == ["issued", "called", "serving", "done"]


def test_counters_are_opened_by_their_centres_reception_officers_one_each(floor):
    other = CounterFactory(agency=floor.agency, number=3)
    with pytest.raises(DomainError) as exc:
        services.counter_open(counter=other, officer=floor.a)  # already staffs counter 1
    assert exc.value.code == "officer_has_counter"
    with pytest.raises(DomainError):
        services.counter_open(counter=floor.c1, officer=floor.b)  # taken
    with pytest.raises(PermissionDenied):
        services.counter_open(counter=other, officer=UserFactory())
    with pytest.raises(DomainError):
        services.ticket_call_next(counter=floor.c1, officer=floor.b)  # not their counter
    issue(floor.civil)
    with time_machine.travel(MONDAY + dt.timedelta(minutes=1), tick=False):
        services.ticket_call_next(counter=floor.c1, officer=floor.a)
        with pytest.raises(DomainError) as exc:
            services.counter_close(counter=floor.c1, officer=floor.a)
        assert exc.value.code == "counter_busy"
        services.ticket_finish(counter=floor.c1, officer=floor.a)
        services.counter_close(counter=floor.c1, officer=floor.a)
    floor.c1.refresh_from_db()
    assert not floor.c1.is_open


def test_the_day_closes_with_waiting_tickets_abandoned(floor):
    called, waiting = issue(floor.civil), issue(floor.civil, 1)  # the first is called below
    services.ticket_call_next(counter=floor.c1, officer=floor.a, at=MONDAY + dt.timedelta(minutes=2))
    assert services.tickets_close_day(day=MONDAY.date()) == 2
    waiting.refresh_from_db(), called.refresh_from_db()
    # never called → left without being served; called, never served → absent (not a 10-hour service)
    assert (waiting.status, called.status) == (TicketStatus.ABANDONED, TicketStatus.NO_SHOW)
    assert services.tickets_close_day(day=MONDAY.date()) == 0  # idempotent


def test_people_ahead_counts_those_called_before(floor):
    elderly = PriorityGroup.objects.get(code="nguoi-cao-tuoi")
    a, b = issue(floor.civil), issue(floor.civil, 1)
    c = issue(floor.civil, 2, priority=elderly)
    assert [selectors.people_ahead(x) for x in (a, b, c)] == [1, 2, 0]


@pytest.mark.django_db(transaction=True)
def test_two_counters_calling_at_once_never_get_the_same_ticket():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    agency = AgencyFactory(code="H21.98")
    service = ServiceFactory(agency=agency, code="3")
    counters = []
    for n in range(6):
        counter = CounterFactory(agency=agency, number=n + 1)
        counter.services.set([service])
        officer = officer_of(agency)
        services.counter_open(counter=counter, officer=officer)
        counters.append((counter, officer))
    for i in range(30):
        issue(service, i)
    got, errors = [], []
    barrier = threading.Barrier(len(counters))

    def work(counter, officer):
        try:
            barrier.wait()
            for _ in range(5):
                t = services.ticket_call_next(counter=counter, officer=officer,
                                              at=MONDAY + dt.timedelta(minutes=40))
                if t is not None:
                    got.append(t.pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=pair) for pair in counters]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    assert len(got) == len(set(got)) == 30
    assert Ticket.objects.filter(status=TicketStatus.WAITING).count() == 0


def test_the_display_gets_a_call_that_committed_after_a_later_one(floor):
    """An id cursor alone would skip a call whose row committed after a call with a higher id had been read:
    the last seconds' calls are sent again, and the display keeps the ids it has shown."""
    from django.utils import timezone

    t1, t2 = issue(floor.civil), issue(floor.civil, 1)
    now = timezone.now()
    early = Announcement.objects.create(agency=floor.agency, ticket=t1, counter=floor.c1, at=now, text="a")
    late = Announcement.objects.create(agency=floor.agency, ticket=t2, counter=floor.c2, at=now, text="b")
    state = selectors.display_state(floor.agency, after=early.id - 1)
    assert [c["id"] for c in state["calls"]] == [early.id, late.id] and state["last_id"] == late.id
    # the display already read `late` (cursor = late.id) when `early` commits: it still comes
    again = selectors.display_state(floor.agency, after=late.id)
    assert early.id in [c["id"] for c in again["calls"]]
    Announcement.objects.filter(pk__in=[early.pk, late.pk]).update(at=now - dt.timedelta(minutes=1))
    assert selectors.display_state(floor.agency, after=late.id)["calls"] == []


def test_a_transfer_to_a_closed_counter_is_refused(floor):
    closed = CounterFactory(agency=floor.agency, number=9)
    closed.services.set([floor.civil])
    issue(floor.civil)
    at = MONDAY + dt.timedelta(minutes=5)
    services.ticket_call_next(counter=floor.c1, officer=floor.a, at=at)
    with pytest.raises(DomainError) as exc:
        services.ticket_transfer(counter=floor.c1, officer=floor.a, to_counter=closed, at=at)
    assert exc.value.code == "counter_closed"
    assert Ticket.objects.get().status == TicketStatus.CALLED


def test_an_officer_who_lost_the_reception_role_cannot_call(floor):
    from accounts.models import StaffRole

    issue(floor.civil)
    StaffRole.objects.filter(user=floor.a, agency=floor.agency).delete()
    from accounts import access

    access.forget(floor.a)
    with pytest.raises(PermissionDenied):
        services.ticket_call_next(counter=floor.c1, officer=floor.a, at=MONDAY + dt.timedelta(minutes=5))
