"""Online appointments: slots from office hours, places per counter, the person's daily limit, days off,
the booking window, concurrent booking of the last place, cancel, check-in window, the calling order,
reminders, missed bookings, and the pages (booking, my bookings, the centre's list, the kiosk)."""

from __future__ import annotations

import datetime as dt
import re
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse

from accounts.models import Role, StaffRole
from accounts.tests.factories import AgencyFactory, UserFactory
from core.errors import DomainError
from core.tests.concurrency import held_open
from notifications.models import EmailMessage, SmsMessage
from queueing import booking, services
from queueing.models import Appointment, AppointmentStatus, Ticket
from queueing.tests.factories import CounterFactory, ServiceFactory, officer_of
from workcalendar.models import CalendarOverride
from workcalendar.units import OverrideKind

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = dt.datetime(2026, 12, 7, 8, 0, tzinfo=VN)  # a working day; Sunday 13/12 is the 6th day ahead


def at(day_offset: int, hour: int, minute: int = 0) -> dt.datetime:
    return (MONDAY + dt.timedelta(days=day_offset)).replace(hour=hour, minute=minute)


class Centre:
    pass


@pytest.fixture
def centre(db):
    c = Centre()
    c.agency = AgencyFactory(name="Trung tâm Phục vụ hành chính công thử nghiệm", code="H21.97",
                             address="12 Trần Hưng Đạo", morning_start=dt.time(7, 30), morning_end=dt.time(11, 30),
                             afternoon_start=dt.time(13, 30), afternoon_end=dt.time(17, 0))
    c.service = ServiceFactory(agency=c.agency, code="1", name="Hộ tịch", slot_minutes=30, bookings_per_counter_slot=2,
                               max_bookings_per_person_day=2, booking_days_ahead=6)
    c.counters = []
    for n in (1, 2):
        counter = CounterFactory(agency=c.agency, number=n)
        counter.services.set([c.service])
        c.counters.append(counter)
    closed = CounterFactory(agency=c.agency, number=3, is_active=False)
    closed.services.set([c.service])
    c.citizen = UserFactory(full_name="Nguyễn Văn An", phone="+84912345678")
    return c


def book(centre, start, phone="0912 000 001", name="Trần Thị Bình", citizen=None, now=MONDAY, service=None):
    return booking.appointment_book(service=service or centre.service, slot_start=start, name=name, phone=phone,
                                    citizen=citizen, at=now)


def refused(code, fn, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as exc:
        fn(*args, **kwargs)
    assert exc.value.code == code, exc.value.message
    return exc.value


# -- slots ---------------------------------------------------------------------------------------------------

def test_slots_are_cut_from_the_office_hours_and_fit_in_a_session(centre):
    slots = booking.slots_for(centre.service, at(1, 0).date(), now=MONDAY)
    starts = [s.start.strftime("%H:%M") for s in slots]
    assert starts[0] == "07:30" and starts[7] == "11:00" and starts[8] == "13:30" and starts[-1] == "16:30"
    assert len(slots) == 8 + 7 and slots[0].end == at(1, 8) and all(s.capacity == 4 for s in slots)
    centre.service.slot_minutes = 45
    slots = booking.slots_for(centre.service, at(1, 0).date(), now=MONDAY)
    assert [s.start.strftime("%H:%M") for s in slots] == ["07:30", "08:15", "09:00", "09:45", "10:30",
                                                          "13:30", "14:15", "15:00", "15:45"]
    assert max(s.end for s in slots) == at(1, 16, 30)  # 16:30–17:15 would not fit
    # today: only the slots still to begin
    assert booking.slots_for(centre.service, MONDAY.date(), now=MONDAY)[0].start == at(0, 8, 15)


def test_places_are_the_quota_per_counter_times_the_active_counters(centre):
    start = at(1, 9)
    for i in range(4):
        book(centre, start, phone=f"091200000{i}")
    err = refused("booking_slot_full", book, centre, start, phone="0912000009")
    assert "09:00–09:30" in err.message and "08/12/2026" in err.message
    assert Appointment.objects.count() == 4
    slot = next(s for s in booking.slots_for(centre.service, start.date(), now=MONDAY) if s.start == start)
    assert (slot.capacity, slot.taken, slot.full) == (4, 4, True)
    centre.service.bookings_per_counter_slot = 0
    centre.service.save()
    refused("booking_disabled", book, centre, at(1, 10))
    assert booking.slots_for(centre.service, start.date(), now=MONDAY) == []


def test_a_person_books_at_most_the_daily_limit_by_phone_or_by_account(centre):
    book(centre, at(1, 8), phone="0912 111 111")
    book(centre, at(1, 9), phone="0912111111")  # the same number written otherwise
    err = refused("booking_person_limit", book, centre, at(1, 10), phone="+84912111111")
    assert "2" in err.message and err.field == "phone"
    book(centre, at(2, 10), phone="0912111111")  # another day is fine
    book(centre, at(1, 8), phone="0912 222 221", citizen=centre.citizen)
    book(centre, at(1, 9), phone="0912 222 222", citizen=centre.citizen)
    refused("booking_person_limit", book, centre, at(1, 10), phone="0912 222 223", citizen=centre.citizen)
    # a cancelled booking no longer counts
    first = Appointment.objects.get(phone="+84912222221")
    booking.appointment_cancel(appointment=first, by=centre.citizen, at=MONDAY)
    book(centre, at(1, 10), phone="0912 222 223", citizen=centre.citizen)


def test_a_day_off_and_a_sunday_are_refused_with_the_reason(centre):
    CalendarOverride.objects.create(date=at(1, 0).date(), kind=OverrideKind.DAY_OFF, name="Nghỉ bù thử nghiệm")
    err = refused("booking_day_off", book, centre, at(1, 9))
    assert "08/12/2026" in err.message and "Nghỉ bù thử nghiệm" in err.message
    assert booking.slots_for(centre.service, at(1, 0).date(), now=MONDAY) == []
    err = refused("booking_day_off", book, centre, at(6, 9))  # Sunday 13/12
    assert "Chủ nhật" in err.message
    days = [d.day for d in booking.booking_days(centre.service, now=MONDAY)]
    assert days == [MONDAY.date() + dt.timedelta(days=n) for n in (0, 2, 3, 4)]  # Tue off, Sat and Sun closed
    assert not Appointment.objects.exists()


def test_outside_office_hours_or_off_a_slot_boundary_is_refused(centre):
    for start in (at(1, 12), at(1, 7, 0), at(1, 9, 10), at(1, 17), at(1, 11, 30)):
        err = refused("booking_outside_hours", book, centre, start)
        assert "07:30–11:30" in err.message and "13:30–17:00" in err.message
    assert not Appointment.objects.exists()


def test_the_past_and_beyond_the_booking_window_are_refused(centre):
    refused("booking_past", book, centre, at(0, 7, 30))  # begun already today
    refused("booking_past", book, centre, at(0, 8))  # begins this minute
    refused("booking_past", book, centre, at(-3, 9))
    err = refused("booking_too_far", book, centre, at(7, 9))  # Monday 14/12: 7 days ahead
    assert "13/12/2026" in err.message
    book(centre, at(4, 16, 30))  # Friday, the last slot
    book(centre, at(0, 8, 30))  # today, a slot to come
    assert Appointment.objects.count() == 2


def test_invalid_name_or_phone_is_refused(centre):
    assert refused("invalid_phone", book, centre, at(1, 9), phone="12345").field == "phone"
    assert refused("invalid_phone", book, centre, at(1, 9), phone="").field == "phone"
    assert refused("invalid_name", book, centre, at(1, 9), name="   ").field == "name"
    assert not Appointment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_people_taking_the_last_place_at_once_only_one_gets_it():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    agency = AgencyFactory(code="H21.96", morning_start=dt.time(7, 30), morning_end=dt.time(11, 30),
                           afternoon_start=dt.time(13, 30), afternoon_end=dt.time(17, 0))
    service = ServiceFactory(agency=agency, code="4", bookings_per_counter_slot=1)
    CounterFactory(agency=agency, number=1).services.set([service])
    start = at(1, 9)
    got, errors = [], []
    barrier = threading.Barrier(4)

    def work(i):
        try:
            barrier.wait()
            got.append(booking.appointment_book(service=service, slot_start=start, name=f"Người {i}",
                                                phone=f"091234560{i}", at=MONDAY).pk)
        except DomainError as exc:
            errors.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(got) == 1 and errors == ["booking_slot_full"] * 3
    assert Appointment.objects.filter(slot_start=start).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_cancellation_does_not_wait_for_another_at_the_same_centre():
    """Two bookings of one centre cancelled at once (a citizen, the desk): neither queues on the centre's row (the
    lock is the appointment's alone; FOR UPDATE of the joined centre held every booking and reception of it)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    agency = AgencyFactory(code="H21.95", morning_start=dt.time(7, 30), morning_end=dt.time(11, 30),
                           afternoon_start=dt.time(13, 30), afternoon_end=dt.time(17, 0))
    service = ServiceFactory(agency=agency, code="5", bookings_per_counter_slot=2)
    CounterFactory(agency=agency, number=1).services.set([service])
    first, second = (booking.appointment_book(service=service, slot_start=at(1, 9), name=f"Người {i}",
                                              phone=f"09123456{i}0", at=MONDAY) for i in (1, 2))
    officer = officer_of(agency)
    with held_open(lambda: booking.appointment_cancel(appointment=first, by=officer, at=MONDAY)):
        booking.appointment_cancel(appointment=second, by=officer, at=MONDAY)  # the other not committed yet
    assert Appointment.objects.get(pk=second.pk).status == AppointmentStatus.CANCELLED
    assert Appointment.objects.get(pk=first.pk).status == AppointmentStatus.CANCELLED


# -- cancel ---------------------------------------------------------------------------------------------------

def test_cancelling_frees_the_place_until_the_slot_begins(centre):
    centre.service.bookings_per_counter_slot = 1
    centre.service.save()
    start = at(1, 9)
    mine = book(centre, start, phone="0912 333 331", citizen=centre.citizen)
    book(centre, start, phone="0912 333 332")
    refused("booking_slot_full", book, centre, start, phone="0912 333 333")
    with pytest.raises(PermissionDenied):
        booking.appointment_cancel(appointment=mine, by=UserFactory(), at=MONDAY)
    booking.appointment_cancel(appointment=mine, by=centre.citizen, at=MONDAY)
    mine.refresh_from_db()
    assert mine.status == AppointmentStatus.CANCELLED and mine.cancelled_at == MONDAY
    book(centre, start, phone="0912 333 333")
    # the centre's officer cancels a booking, not once it has begun
    other = Appointment.objects.get(phone="+84912333332")
    officer = officer_of(centre.agency)
    refused("appointment_started", booking.appointment_cancel, appointment=other, by=officer, at=start)
    booking.appointment_cancel(appointment=other, by=officer, at=start - dt.timedelta(minutes=1))


# -- check-in and the calling order -----------------------------------------------------------------------

def test_check_in_window_too_early_on_time_too_late_and_twice_the_same_ticket(centre):
    start = at(0, 9)
    appt = book(centre, start, phone="0912 444 441")
    err = refused("checkin_too_early", booking.appointment_check_in, appointment=appt, at=at(0, 8, 20))
    assert "09:00" in err.message and "08:30" in err.message
    ticket = booking.appointment_check_in(appointment=appt, at=at(0, 8, 35))
    assert ticket.slot_start == start and ticket.appointment == appt and ticket.phone == "+84912444441"
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.CHECKED_IN and appt.checked_in_at == at(0, 8, 35)
    assert booking.appointment_check_in(appointment=appt, at=at(0, 8, 50)).pk == ticket.pk
    assert Ticket.objects.count() == 1
    late = book(centre, start, phone="0912 444 442")
    err = refused("checkin_too_late", booking.appointment_check_in, appointment=late, at=at(0, 9, 31))
    assert "09:00–09:30" in err.message and "lấy số thường" in err.message
    cancelled = book(centre, at(0, 10), phone="0912 444 443")
    booking.appointment_cancel(appointment=cancelled, by=officer_of(centre.agency), at=MONDAY)
    refused("appointment_cancelled", booking.appointment_check_in, appointment=cancelled, at=at(0, 9, 45))


def test_a_booked_ticket_in_its_slot_is_called_before_earlier_walk_ins(centre):
    officer = officer_of(centre.agency)
    counter = centre.counters[0]
    services.counter_open(counter=counter, officer=officer)
    walk_in1 = services.ticket_issue(service=centre.service, at=at(0, 8, 0))
    walk_in2 = services.ticket_issue(service=centre.service, at=at(0, 8, 5))
    appt = book(centre, at(0, 9), phone="0912 555 551")
    booked = booking.appointment_check_in(appointment=appt, at=at(0, 8, 40))
    assert services.ticket_call_next(counter=counter, officer=officer, at=at(0, 8, 50)) == walk_in1  # slot not begun
    assert services.ticket_call_next(counter=counter, officer=officer, at=at(0, 9, 1)) == booked
    assert services.ticket_call_next(counter=counter, officer=officer, at=at(0, 9, 10)) == walk_in2


# -- reminders and missed bookings ----------------------------------------------------------------------

def test_the_reminder_goes_the_day_before_from_15h_once(centre):
    mine = book(centre, at(1, 9), phone="0912 666 661", citizen=centre.citizen, name="Nguyễn Văn An")
    book(centre, at(2, 9), phone="0912 666 662")  # the day after tomorrow: not yet
    gone = book(centre, at(1, 10), phone="0912 666 663")
    booking.appointment_cancel(appointment=gone, by=officer_of(centre.agency), at=MONDAY)
    assert booking.appointments_remind(now=at(0, 14, 55)) == 0
    assert booking.appointments_remind(now=at(0, 15, 5)) == 1
    sms = SmsMessage.objects.get()
    assert sms.to == "+84912666661" and "09:00" in sms.body and "08/12/2026" in sms.body and mine.code in sms.body
    mail = EmailMessage.objects.get()
    assert mail.to == centre.citizen.email and "12 Trần Hưng Đạo" in mail.body_text
    mine.refresh_from_db()
    assert mine.reminded_at == at(0, 15, 5)
    assert booking.appointments_remind(now=at(0, 15, 35)) == 0
    assert SmsMessage.objects.count() == 1 and EmailMessage.objects.count() == 1


def test_bookings_never_checked_in_are_missed_at_the_end_of_the_day(centre):
    came = book(centre, at(0, 9), phone="0912 777 771")
    booking.appointment_check_in(appointment=came, at=at(0, 8, 45))
    stayed_home = book(centre, at(0, 10), phone="0912 777 772")
    tomorrow = book(centre, at(1, 10), phone="0912 777 773")
    assert booking.appointments_mark_missed(day=MONDAY.date()) == 1
    statuses = {a.pk: a.status for a in Appointment.objects.all()}
    assert statuses == {came.pk: AppointmentStatus.CHECKED_IN, stayed_home.pk: AppointmentStatus.MISSED,
                        tomorrow.pk: AppointmentStatus.BOOKED}
    refused("appointment_missed", booking.appointment_check_in, appointment=stayed_home, at=at(0, 10, 5))


# -- pages ----------------------------------------------------------------------------------------------------

@pytest.fixture
def as_citizen(client, centre):
    client.force_login(centre.citizen)
    return client


def test_booking_needs_a_login_and_comes_back(client, centre):
    url = reverse("queueing:book")
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].endswith("?next=" + url)
    back = client.post(response["Location"], {"username": centre.citizen.email, "password": "Secret#2026"})
    assert back.status_code == 302 and back["Location"] == url


def test_the_booking_flow_step_by_step_and_a_double_submit_books_once(as_citizen, centre):
    url = reverse("queueing:book")
    with time_machine.travel(MONDAY, tick=False):
        page = as_citizen.get(url).content.decode()
        assert centre.agency.name in page and f"?agency={centre.agency.pk}" in page
        page = as_citizen.get(url, {"agency": centre.agency.pk}).content.decode()
        assert "Hộ tịch" in page
        page = as_citizen.get(url, {"agency": centre.agency.pk, "service": centre.service.pk}).content.decode()
        assert 'data-day="2026-12-09"' in page and 'data-day="2026-12-12"' not in page  # Saturday closed
        page = as_citizen.get(url, {"agency": centre.agency.pk, "service": centre.service.pk,
                                    "day": "2026-12-09"}).content.decode()
        assert 'data-slot="07:30"' in page and "còn 4 chỗ" in page
        q = {"agency": centre.agency.pk, "service": centre.service.pk, "day": "2026-12-09", "slot": "09:00"}
        page = as_citizen.get(url, q).content.decode()
        assert 'value="Nguyễn Văn An"' in page and 'value="0912 345 678"' in page  # from the account
        key = re.search(r'data-once-key="([^"]+)"', page).group(1)
        data = {**q, "name": "Nguyễn Văn An", "phone": "0912 345 678", "once_key": key}
        first = as_citizen.post(url, data)
        again = as_citizen.post(url, data)
    appt = Appointment.objects.get()
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert appt.citizen == centre.citizen and appt.slot_start == at(2, 9) and appt.phone == "+84912345678"
    with time_machine.travel(MONDAY, tick=False):
        page = as_citizen.get(first["Location"]).content.decode()
    assert "<svg" in page and appt.code in page and "12 Trần Hưng Đạo" in page and "Hủy lịch hẹn" in page
    assert "09:00–09:30" in page


def test_a_refused_booking_shows_the_reason_on_the_form(as_citizen, centre):
    centre.service.bookings_per_counter_slot = 1
    centre.service.save()
    book(centre, at(2, 9), phone="0912888881")
    book(centre, at(2, 9), phone="0912888882")  # one per counter, two counters: full
    url = reverse("queueing:book")
    with time_machine.travel(MONDAY, tick=False):
        page = as_citizen.get(url, {"agency": centre.agency.pk, "service": centre.service.pk,
                                    "day": "2026-12-09"}).content.decode()
        assert 'data-slot="09:00"' not in page and "hết chỗ" in page  # full: shown, not a link
        response = as_citizen.post(url, {"agency": centre.agency.pk, "service": centre.service.pk,
                                         "day": "2026-12-09", "slot": "09:00", "name": "An",
                                         "phone": "0912 345 678"})
    assert response.status_code == 200 and "đã hết chỗ" in response.content.decode()
    assert Appointment.objects.count() == 2


def test_my_bookings_and_cancel_and_nobody_else_may_cancel_mine(as_citizen, client, centre):
    mine = book(centre, at(1, 9), phone="0912 345 678", citizen=centre.citizen)
    with time_machine.travel(MONDAY, tick=False):
        page = as_citizen.get(reverse("queueing:my_appointments")).content.decode()
        assert mine.code in page and "Hủy lịch hẹn" in page
        stranger = UserFactory()
        client.force_login(stranger)
        assert client.get(reverse("queueing:appointment", args=[mine.code])).status_code == 404
        assert client.post(reverse("queueing:appointment_cancel", args=[mine.code])).status_code == 404
        mine.refresh_from_db()
        assert mine.status == AppointmentStatus.BOOKED
        client.force_login(centre.citizen)
        response = client.post(reverse("queueing:appointment_cancel", args=[mine.code]),
                               {"next": reverse("queueing:my_appointments")})
    assert response.status_code == 302 and response["Location"] == reverse("queueing:my_appointments")
    mine.refresh_from_db()
    assert mine.status == AppointmentStatus.CANCELLED


def test_the_centres_list_for_its_reception_and_head_only(client, centre):
    book(centre, at(1, 9), phone="0912 999 991", name="Lê Văn Cường")
    url = reverse("queueing:agency_appointments")
    client.force_login(officer_of(centre.agency))
    page = client.get(url, {"day": "08/12/2026"}).content.decode()
    assert "Lê Văn Cường" in page and "09:00–09:30" in page
    head = UserFactory()
    StaffRole.objects.create(user=head, agency=centre.agency, role=Role.APPROVER)
    client.force_login(head)
    assert "Lê Văn Cường" in client.get(url, {"day": "2026-12-08"}).content.decode()
    client.force_login(centre.citizen)
    assert client.get(url).status_code == 403


def _token(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def test_the_kiosk_checks_in_by_code_and_by_phone(client, centre):
    from notifications.models import SmsMessage

    by_code = book(centre, at(0, 9), phone="0912 121 212", name="Phạm Thị Dung")
    by_phone = book(centre, at(0, 9, 30), phone="0912 131 313", name="Hoàng Văn Em")
    url = reverse("queueing:kiosk_checkin", args=[centre.agency.code])
    with time_machine.travel(at(0, 8, 45), tick=False):
        assert client.get(url).status_code == 200
        page = client.post(url, {"code": f"https://example.org/xep-hang/lich-hen/{by_code.code}/"}).content.decode()
        assert "P. T. D." in page and "Phạm Thị Dung" not in page and "09:00–09:30" in page
        response = client.post(url, {"action": "checkin", "token": _token(page)})
        ticket = Ticket.objects.get(appointment=by_code)
        # the walk-in kiosk's ticket screen prints it, once: a second tap shows it without printing again
        assert response.status_code == 302 and response["Location"].endswith(f"/ve/{ticket.token}/?in=1")
        page_ticket = client.get(response["Location"]).content.decode()
        assert ticket.code in page_ticket and "Ưu tiên trong khung giờ hẹn" in page_ticket
        again = client.post(url, {"action": "checkin", "token": _token(page)})
        assert again["Location"].endswith(f"/ve/{ticket.token}/") and Ticket.objects.count() == 1
        # by phone: nothing of the booking shows until the code texted to that phone is typed back
        page = client.post(url, {"phone": "0912131313"}).content.decode()
        assert 'data-testid="checkin-otp"' in page and "H. V. E." not in page and by_phone.code not in page
        sms = SmsMessage.objects.filter(to="+84912131313").latest("pk")
        otp = re.search(r"(\d{6})", sms.body).group(1)
        wrong = client.post(url, {"action": "otp", "phone": "0912131313", "otp": "000000" if otp != "000000"
                                  else "111111"}).content.decode()
        assert "Mã xác nhận không đúng" in wrong and "H. V. E." not in wrong
        page = client.post(url, {"action": "otp", "phone": "0912131313", "otp": otp}).content.decode()
        assert "H. V. E." in page and by_phone.code not in page  # the booking's code is never shown
        # too early for the 09:30 slot (from 09:00): the reason, nothing issued
        page = client.post(url, {"action": "checkin", "token": _token(page)}).content.decode()
        assert "Chưa đến giờ lấy số" in page and Ticket.objects.count() == 1
        page = client.post(url, {"phone": "0912 000 000"}).content.decode()
        assert "Không có lịch hẹn hôm nay" in page
        assert client.post(url, {"action": "checkin", "token": "forged"}).status_code == 200
    other = AgencyFactory(code="H21.95")
    page = client.post(reverse("queueing:kiosk_checkin", args=[other.code]), {"code": by_phone.code}).content.decode()
    assert "không phải trung tâm này" in page


def test_a_cancelled_booking_at_the_kiosk_points_to_a_normal_ticket(client, centre):
    appointment = book(centre, at(0, 9), phone="0912 141 414", name="Lê Văn Hủy")
    Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.CANCELLED)
    url = reverse("queueing:kiosk_checkin", args=[centre.agency.code])
    with time_machine.travel(at(0, 8, 45), tick=False):
        page = client.post(url, {"code": appointment.code}).content.decode()
    assert 'data-testid="checkin-walk-in"' in page and 'data-testid="checkin-submit"' not in page
    assert 'data-keypad="checkin-phone"' not in page  # the found stage; the start screen has the keypad
    assert 'data-keypad="checkin-phone"' in client.get(url).content.decode()
