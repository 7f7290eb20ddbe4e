"""The queue statistics: counts, medians and 90th percentiles on hand-made tickets with known times, the
appointments kept, the tickets behind every number, and who may see them."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.models import AgencyLevel, Role, StaffRole
from accounts.tests.factories import AgencyFactory, UserFactory
from procedures.models import Field
from queueing import stats
from queueing.models import Appointment, AppointmentStatus, Ticket, TicketStatus
from queueing.tests.factories import CounterFactory, ServiceFactory, officer_of

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = dt.date(2026, 3, 2)


def t(h, m):
    return dt.datetime(2026, 3, 2, h, m, tzinfo=VN)


def role(user, agency, kind):
    StaffRole.objects.create(user=user, agency=agency, role=kind)
    return user


@pytest.fixture
def centre():
    province = AgencyFactory(code="H98", level=AgencyLevel.PROVINCE, name="UBND tỉnh Thử")
    agency = AgencyFactory(code="H98.10", level=AgencyLevel.CENTER, parent=province, name="Trung tâm PVHCC")
    civil_f = Field.objects.create(code="HT", name="Hộ tịch")
    land_f = Field.objects.create(code="DD", name="Đất đai")
    civil = ServiceFactory(agency=agency, code="1", name="Hộ tịch")
    civil.fields.set([civil_f])
    land = ServiceFactory(agency=agency, code="2", name="Đất đai")
    land.fields.set([land_f])
    misc = ServiceFactory(agency=agency, code="3", name="Khác")  # no field
    c1, c2 = CounterFactory(agency=agency, number=1), CounterFactory(agency=agency, number=2)
    a, b = officer_of(agency, full_name="Cán bộ A"), officer_of(agency, full_name="Cán bộ B")
    n = iter(range(1, 100))

    def ticket(service, status, *, counter=None, officer=None, called=None, serving=None, finished=None,
               day=DAY, issued=None):
        return Ticket.objects.create(agency=agency, service=service, day=day, number=next(n), code=f"X{next(n)}",
                                     status=status, issued_at=issued or t(8, 0), called_at=called,
                                     last_called_at=called, serving_at=serving, finished_at=finished,
                                     counter=counter, officer=officer)

    done, no_show, abandoned = TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.ABANDONED
    tickets = {
        # waits 2, 4, 6, 10 minutes; services 3, 5 (no serving_at: from the call), 7 minutes
        "t1": ticket(civil, done, counter=c1, officer=a, called=t(8, 2), serving=t(8, 3), finished=t(8, 6)),
        "t2": ticket(civil, done, counter=c1, officer=a, called=t(8, 4), finished=t(8, 9)),
        "t3": ticket(land, done, counter=c2, officer=b, called=t(8, 6), serving=t(8, 6), finished=t(8, 13)),
        "t4": ticket(land, no_show, counter=c2, officer=b, called=t(8, 10), finished=t(8, 12)),
        "t5": ticket(civil, abandoned, issued=t(8, 30), finished=t(17, 0)),
        "t6": ticket(misc, abandoned, issued=t(9, 0), finished=t(17, 0)),
        # another day, outside the period
        "t7": ticket(civil, done, counter=c1, officer=a, called=t(8, 1), finished=t(8, 2),
                     day=DAY + dt.timedelta(days=10)),
    }

    def appointment(service, status, day=DAY):
        start = dt.datetime.combine(day, dt.time(9), tzinfo=VN)
        return Appointment.objects.create(agency=agency, service=service, day=day, slot_start=start,
                                          slot_end=start + dt.timedelta(minutes=30), name="A", phone="+84912345678",
                                          status=status)

    for status in ["checked_in"] * 3 + ["missed", "cancelled", "cancelled"]:
        appointment(civil, status)
    appointment(land, AppointmentStatus.MISSED)
    appointment(land, AppointmentStatus.BOOKED)
    appointment(civil, AppointmentStatus.MISSED, day=DAY + dt.timedelta(days=10))  # outside

    class Centre:
        pass

    c = Centre()
    c.province, c.agency, c.civil_f, c.land_f, c.c1, c.c2, c.a, c.b = province, agency, civil_f, land_f, c1, c2, a, b
    c.tickets = tickets
    return c


def row(table, key):
    return next(r for r in table if r.key == key)


def test_counts_medians_and_90th_percentiles(centre):
    data = stats.queue_stats(centre.agency, DAY, DAY)
    total = data.total
    assert (total.tickets, total.served, total.no_show, total.abandoned, total.open) == (6, 3, 1, 2, 0)
    assert total.wait_median == pytest.approx(5.0)  # (4 + 6) / 2
    assert total.wait_p90 == pytest.approx(8.8)  # 6 + 0.7 × (10 − 6)
    assert total.service_median == pytest.approx(5.0)
    assert total.service_p90 == pytest.approx(6.6)  # 5 + 0.8 × (7 − 5)

    c1, c2 = row(data.tables["counter"], centre.c1.pk), row(data.tables["counter"], centre.c2.pk)
    assert (c1.tickets, c1.served, c1.wait_median, c1.wait_p90) == (2, 2, 3.0, pytest.approx(3.8))
    assert (c1.service_median, c1.service_p90) == (4.0, pytest.approx(4.8))
    assert (c2.tickets, c2.served, c2.no_show, c2.wait_median, c2.service_median) == (2, 1, 1, 8.0, 7.0)
    not_called = data.tables["counter"][-1]
    assert (not_called.key, not_called.tickets, not_called.abandoned, not_called.wait_median) == (0, 2, 2, None)
    assert [r.label for r in data.tables["officer"]] == ["Cán bộ A", "Cán bộ B", "Chưa được gọi"]

    civil, land = row(data.tables["field"], centre.civil_f.pk), row(data.tables["field"], centre.land_f.pk)
    assert (civil.tickets, civil.abandoned, civil.wait_median) == (3, 1, 3.0)
    assert (land.tickets, land.no_show) == (2, 1)
    assert row(data.tables["field"], 0).tickets == 1  # the service with no field


def test_appointments_kept_leave_out_cancelled_and_still_booked(centre):
    data = stats.queue_stats(centre.agency, DAY, DAY)
    assert (data.total.appointments_kept, data.total.appointments_missed) == (3, 2)
    assert data.total.appointments_kept_share == pytest.approx(60.0)
    assert data.appointments_cancelled == 2
    assert row(data.tables["field"], centre.civil_f.pk).appointments_kept_share == pytest.approx(75.0)
    assert row(data.tables["field"], centre.land_f.pk).appointments_kept_share == 0
    summary = stats.centre_summary(centre.agency, DAY, DAY)
    assert summary["wait_median"] == pytest.approx(5.0) and summary["appointments_kept_share"] == pytest.approx(60)


def test_percentile_matches_percentile_cont():
    assert stats.percentile([], 0.5) is None
    assert stats.percentile([7], 0.9) == 7
    assert stats.percentile([1, 2, 3, 4], 0.5) == 2.5
    assert stats.percentile([10, 20, 30, 40, 50], 0.9) == pytest.approx(46)


def _listed(client, **params) -> set[int]:
    response = client.get(reverse("queueing:stats_tickets"), {"agency": params.pop("agency"), "from": "02/03/2026",
                                                             "to": "02/03/2026", **params})
    assert response.status_code == 200
    return {int(x) for x in re.findall(r'data-ticket="(\d+)"', response.content.decode())}


def test_every_number_links_to_exactly_the_tickets_behind_it(centre, client):
    head = role(UserFactory(), centre.agency, Role.APPROVER)
    client.force_login(head)
    tk = {k: v.pk for k, v in centre.tickets.items()}
    ag = centre.agency.pk
    assert _listed(client, agency=ag, counter=centre.c1.pk, status="done") == {tk["t1"], tk["t2"]}
    assert _listed(client, agency=ag, field=centre.civil_f.pk) == {tk["t1"], tk["t2"], tk["t5"]}
    assert _listed(client, agency=ag, counter=0, status="abandoned") == {tk["t5"], tk["t6"]}
    assert _listed(client, agency=ag, field=0) == {tk["t6"]}
    assert _listed(client, agency=ag, officer=centre.b.pk, status="no_show") == {tk["t4"]}
    assert _listed(client, agency=ag) == {tk[k] for k in ("t1", "t2", "t3", "t4", "t5", "t6")}
    # every count of every table equals the number of tickets its link lists
    data = stats.queue_stats(centre.agency, DAY, DAY)
    columns = {"": "tickets", "done": "served", "no_show": "no_show", "abandoned": "abandoned"}
    for name, table in data.tables.items():
        for r in table:
            for status, attr in columns.items():
                qs = stats.tickets_behind(centre.agency, DAY, DAY, status=status,
                                          **{"field_id" if name == "field" else name: r.key})
                assert qs.count() == getattr(r, attr), (name, r.label, status)


def test_the_page_shows_the_tables_with_links(centre, client):
    client.force_login(role(UserFactory(), centre.agency, Role.APPROVER))
    response = client.get(reverse("queueing:stats"), {"agency": centre.agency.pk, "from": "02/03/2026",
                                                      "to": "02/03/2026"})
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("counter", "field", "officer"):
        assert f'data-testid="queue-stats-{name}"' in page
    assert f'data-testid="counter-{centre.c1.pk}-done">2</a>' in page
    assert response.context["stats"].total.wait_median == pytest.approx(5.0)
    bad = client.get(reverse("queueing:stats"), {"from": "31/02/2026"})  # a bad date: a message, never a 500
    assert bad.status_code == 200 and "không hợp lệ" in bad.content.decode()


def test_who_may_see_the_statistics(centre, client):
    url, params = reverse("queueing:stats"), {"agency": centre.agency.pk}
    allowed = [role(UserFactory(), centre.agency, Role.APPROVER), role(UserFactory(), centre.province, Role.ADMIN),
               role(UserFactory(), centre.province, Role.HOME_AFFAIRS)]
    for user in allowed:
        client.force_login(user)
        assert client.get(url, params).status_code == 200, user
        assert client.get(reverse("queueing:stats_tickets"), params).status_code == 200
    other = AgencyFactory(code="H97.10", level=AgencyLevel.CENTER, name="Trung tâm khác")
    ServiceFactory(agency=other, code="1")
    refused = [UserFactory(),  # a citizen
               role(UserFactory(), other, Role.APPROVER),  # another centre's head
               officer_of(centre.agency)]  # the centre's reception officer: the numbers name officers
    for user in refused:
        client.force_login(user)
        assert client.get(url, params).status_code == 403, user
        assert client.get(reverse("queueing:stats_tickets"), params).status_code == 403
    client.force_login(refused[1])
    assert client.get(url).status_code == 200  # their own centre
    client.logout()
    assert client.get(url, params).status_code == 302  # to the login page


def test_the_index_dashboard_shows_the_centre_queue(centre, client):
    client.force_login(role(UserFactory(), centre.agency, Role.APPROVER))
    response = client.get(reverse("parindex:agency", args=[centre.agency.pk]), {"from": "2026-03", "to": "2026-03"})
    assert response.status_code == 200
    assert 'data-testid="queue-summary"' in response.content.decode()
    # the whole of March: t7 (waited 1 minute on 12/03) and the missed appointment of 12/03 count too
    assert response.context["queue"]["wait_median"] == pytest.approx(4.0)  # 1, 2, 4, 6, 10
    assert response.context["queue"]["appointments_kept_share"] == pytest.approx(50.0)  # 3 / (3 + 3)
