"""The centre's queue set-up in the admin."""

from __future__ import annotations

from django.urls import reverse

from accounts.tests.factories import AgencyFactory
from queueing.models import Counter, Service


def test_an_administrator_sets_up_a_service_and_a_counter(admin_client, db):
    agency = AgencyFactory(code="H21.97")
    response = admin_client.post(reverse("admin:queueing_service_add"), {
        "agency": agency.pk, "code": "1", "name": "Hộ tịch", "order": 0, "is_active": "on", "slot_minutes": 30,
        "bookings_per_counter_slot": 2, "max_bookings_per_person_day": 2, "booking_days_ahead": 6})
    assert response.status_code == 302, response.content.decode()[:3000]
    service = Service.objects.get(agency=agency, code="1")
    response = admin_client.post(reverse("admin:queueing_counter_add"), {
        "agency": agency.pk, "number": 1, "name": "", "services": [service.pk], "is_active": "on"})
    assert response.status_code == 302
    assert list(Counter.objects.get(agency=agency, number=1).services.all()) == [service]
    for name in ("queueing_ticket_changelist", "queueing_appointment_changelist", "queueing_prioritygroup_changelist"):
        assert admin_client.get(reverse(f"admin:{name}")).status_code == 200
    assert admin_client.get(reverse("admin:queueing_ticket_add")).status_code == 403
