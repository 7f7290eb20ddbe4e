"""The pages of the desk floor: the kiosk, the tracking page, the counter page, the display and its voice,
and the SMS when a turn nears."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import signing
from django.urls import reverse

from accounts.models import Role, StaffRole
from accounts.tests.factories import AgencyFactory, UserFactory
from notifications.models import SmsMessage
from queueing import demo, services, voice
from queueing.models import Announcement, Counter, Service, Ticket, TicketStatus
from queueing.tests.factories import CounterFactory, ServiceFactory, officer_of

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = dt.datetime(2026, 12, 7, 8, 0, tzinfo=VN)
SUNDAY = dt.datetime(2026, 12, 6, 9, 0, tzinfo=VN)
KEY = "k" * 24


@pytest.fixture
def floor(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    agency = AgencyFactory(name="Trung tâm Phục vụ hành chính công tỉnh", code="H21.99")
    civil = ServiceFactory(agency=agency, code="1", name="Hộ tịch")
    land = ServiceFactory(agency=agency, code="2", name="Đất đai")
    c1 = CounterFactory(agency=agency, number=1)
    c1.services.set([civil])
    c2 = CounterFactory(agency=agency, number=2)
    c2.services.set([civil, land])

    class Floor:
        pass

    f = Floor()
    f.agency, f.civil, f.land, f.c1, f.c2 = agency, civil, land, c1, c2
    f.officer = officer_of(agency)
    return f


@pytest.fixture
def monday():
    with time_machine.travel(MONDAY, tick=True):
        yield


def take(client, floor, service=None, **data):
    url = reverse("queueing:kiosk_service", args=[floor.agency.code, (service or floor.civil).pk])
    data = {"once_key": KEY, "phone": "", "priority": "", **data}
    data["once_key"] = signing.dumps(data["once_key"], salt="queueing.kiosk")  # as the form the server showed
    return client.post(url, data)


# -- kiosk ----------------------------------------------------------------------------------------------

def test_the_kiosk_lists_the_services_with_their_queues(client, floor, monday):
    services.ticket_issue(service=floor.land)
    page = client.get(reverse("queueing:kiosk", args=[floor.agency.code])).content.decode()
    assert "Hộ tịch" in page and "Đất đai" in page and "1 người đang chờ" in page
    assert reverse("queueing:kiosk_service", args=[floor.agency.code, floor.land.pk]) in page
    assert "Tôi đã đặt lịch hẹn" not in page or "lich-hen" in page  # linked only when the check-in page exists


def test_a_double_submit_at_the_kiosk_issues_one_ticket_and_prints_it_once(client, floor, monday):
    first = take(client, floor, phone="0912345678")
    again = take(client, floor, phone="0912345678")
    ticket = Ticket.objects.get()
    url = reverse("queueing:kiosk_ticket", args=[floor.agency.code, ticket.token])
    assert first.status_code == 302 and first["Location"] == url + "?in=1"
    assert again.status_code == 302 and again["Location"] == url  # the same ticket, not printed again
    page = client.get(first["Location"]).content.decode()
    assert ticket.code in page and 'data-autoprint="1"' in page and "<svg" in page
    assert "0912345678" not in page


def test_the_kiosk_refuses_a_sunday_with_the_reason(client, floor):
    with time_machine.travel(SUNDAY, tick=False):
        start = client.get(reverse("queueing:kiosk", args=[floor.agency.code])).content.decode()
        response = take(client, floor)
    assert "không phải ngày làm việc" in start
    assert response.status_code == 400 and "không phải ngày làm việc" in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_kiosk_refuses_a_bad_phone_and_keeps_the_form(client, floor, monday):
    response = take(client, floor, phone="12345")
    assert response.status_code == 400 and 'data-testid="kiosk-error"' in response.content.decode()
    signed = re.search(r'name="once_key" value="([^"]+)"', response.content.decode()).group(1)
    assert signing.loads(signed, salt="queueing.kiosk") == KEY  # the same one-time key: nothing issued with it
    assert not Ticket.objects.exists()
    assert take(client, floor, phone="0912345678").status_code == 302


def test_the_kiosk_takes_a_priority_group(client, floor, monday):
    from queueing.models import PriorityGroup

    elderly, _ = PriorityGroup.objects.get_or_create(code="nguoi-cao-tuoi", defaults={"name": "Người cao tuổi",
                                                                                     "rank": 1})
    take(client, floor, priority=str(elderly.pk))
    assert Ticket.objects.get().priority == elderly
    assert take(client, floor, priority="999999", once_key="z" * 24).status_code == 400


# -- tracking -------------------------------------------------------------------------------------------

def test_the_tracking_page_says_which_counter(client, floor, monday):
    ticket = services.ticket_issue(service=floor.civil, phone="0912345678")
    state_url = reverse("queueing:track_state", args=[ticket.token])
    assert client.get(state_url).json()["status"] == "waiting"
    services.counter_open(counter=floor.c2, officer=floor.officer)
    services.ticket_call_next(counter=floor.c2, officer=floor.officer)
    state = client.get(state_url).json()
    assert state["counter"] == 2 and state["message"] == "Mời đến quầy số 2"
    assert "Mời đến quầy số 2" in client.get(reverse("queueing:track", args=[ticket.token])).content.decode()
    assert "0912345678" not in client.get(state_url).content.decode()


# -- the counter page -----------------------------------------------------------------------------------

def act(client, action, ticket="", **data):
    return client.post(reverse("queueing:counter_act"), {"action": action, "ticket": ticket, **data}, follow=True)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_the_counter_buttons_move_the_ticket(client, floor, monday):
    a = services.ticket_issue(service=floor.civil)
    b = services.ticket_issue(service=floor.civil, at=MONDAY + dt.timedelta(seconds=1))
    client.force_login(floor.officer)
    page = client.get(reverse("queueing:counter")).content.decode()
    assert 'data-testid="counter-open-2"' in page
    client.post(reverse("queueing:counter_open"), {"counter": floor.c2.pk})
    assert Counter.objects.get(pk=floor.c2.pk).officer == floor.officer

    act(client, "call")
    a.refresh_from_db()
    assert a.status == TicketStatus.CALLED and a.counter == floor.c2
    act(client, "recall", a.pk)
    a.refresh_from_db()
    assert a.calls == 2 and Announcement.objects.filter(ticket=a).count() == 2
    act(client, "serve", a.pk)
    a.refresh_from_db()
    assert a.status == TicketStatus.SERVING
    act(client, "finish", a.pk)
    a.refresh_from_db()
    assert a.status == TicketStatus.DONE

    act(client, "call")
    act(client, "skip", b.pk)
    b.refresh_from_db()
    assert b.status == TicketStatus.NO_SHOW

    c = services.ticket_issue(service=floor.civil)
    act(client, "call")
    refused = act(client, "transfer", c.pk, to_counter=floor.c1.pk)  # counter 1 is closed: nobody would call
    assert "đang đóng" in messages_of(refused)
    services.counter_open(counter=floor.c1, officer=officer_of(floor.agency))
    act(client, "transfer", c.pk, to_counter=floor.c1.pk)
    c.refresh_from_db()
    assert c.status == TicketStatus.WAITING and c.target_counter == floor.c1
    response = act(client, "close")
    assert "Đã đóng" in messages_of(response) and Counter.objects.get(pk=floor.c2.pk).officer is None


def test_a_stale_click_is_refused_with_a_clear_message(client, floor, monday):
    a = services.ticket_issue(service=floor.civil)
    b = services.ticket_issue(service=floor.civil, at=MONDAY + dt.timedelta(seconds=1))
    client.force_login(floor.officer)
    client.post(reverse("queueing:counter_open"), {"counter": floor.c2.pk})
    act(client, "call", "")
    response = act(client, "call", "")  # a double click on "Gọi số tiếp theo"
    assert response.status_code == 200 and "Quầy đang gọi số 1001" in messages_of(response)
    b.refresh_from_db()
    assert b.status == TicketStatus.WAITING
    act(client, "finish", a.pk)
    response = act(client, "recall", a.pk)  # "Gọi lại" on a page that still shows the finished ticket
    assert "Số 1001 đã chuyển sang “Đã phục vụ xong”" in messages_of(response)
    response = act(client, "recall", "")  # nothing called: the service's own message
    assert "Quầy chưa gọi số nào" in messages_of(response)


def test_the_counter_state_json_follows_the_floor(client, floor, monday):
    client.force_login(floor.officer)
    client.post(reverse("queueing:counter_open"), {"counter": floor.c1.pk})
    first = client.get(reverse("queueing:counter_state")).json()
    services.ticket_issue(service=floor.civil)
    second = client.get(reverse("queueing:counter_state")).json()
    assert second["waiting_key"] != first["waiting_key"] and "1001" in second["waiting_html"]
    assert second["current_key"] == first["current_key"]


def test_another_centres_officer_and_a_citizen_are_refused(client, floor, monday):
    other = officer_of(AgencyFactory(code="H21.98"))
    client.force_login(other)
    assert client.post(reverse("queueing:counter_open"), {"counter": floor.c1.pk}).status_code == 403
    assert Counter.objects.get(pk=floor.c1.pk).officer is None
    assert "counter-open" not in client.get(reverse("queueing:counter")).content.decode()
    citizen = UserFactory()
    client.force_login(citizen)
    assert client.get(reverse("queueing:counter")).status_code == 403
    assert client.post(reverse("queueing:counter_act"), {"action": "call"}).status_code == 403
    client.logout()
    assert client.get(reverse("queueing:counter")).status_code == 302


def test_the_staff_menu_links_the_counter_page_for_reception_officers(client, floor):
    client.force_login(floor.officer)
    assert 'data-nav="queue-counter"' in client.get(reverse("home")).content.decode()
    appraiser = UserFactory()
    StaffRole.objects.create(user=appraiser, agency=floor.agency, role=Role.APPRAISER)
    client.force_login(appraiser)
    assert 'data-nav="queue-counter"' not in client.get(reverse("home")).content.decode()


# -- the display ----------------------------------------------------------------------------------------

def test_the_display_json_shows_no_personal_data_and_caps_the_calls(client, floor, monday):
    services.counter_open(counter=floor.c2, officer=floor.officer)
    for i in range(5):
        services.ticket_issue(service=floor.civil, phone=f"091234567{i}", at=MONDAY + dt.timedelta(seconds=i))
    for _ in range(5):
        services.ticket_call_next(counter=floor.c2, officer=floor.officer)
    url = reverse("queueing:display_state", args=[floor.agency.code])
    response = client.get(url, {"after": 0})
    body = response.content.decode()
    assert "912345678" not in body and "phone" not in body and floor.officer.full_name not in body
    state = response.json()
    assert [c["code"] for c in state["calls"]] == ["1003", "1004", "1005"]  # the latest 3, not a flood
    assert state["counters"] == [{"number": 2, "name": "Quầy số 2", "open": True, "current": "1005",
                                  "status": "called"}]
    assert state["latest"]["code"] == "1005" and state["calls"][-1]["audio"].endswith(".wav")
    # polled again: the last seconds' calls come again (a call may commit after a later one), all known
    assert all(c["id"] <= state["last_id"] for c in client.get(url, {"after": state["last_id"]}).json()["calls"])
    assert client.get(url, {"after": "x' or 1=1"}).status_code == 200
    page = client.get(reverse("queueing:display", args=[floor.agency.code])).content.decode()
    assert "1005" in page and "Bật âm thanh" in page and "Mất kết nối" in page


# -- the voice ------------------------------------------------------------------------------------------

def test_a_ticket_code_is_read_digit_by_digit():
    assert voice.speech_text("Mời công dân số 1023 đến quầy số 5") == "Mời công dân số 1 0 2 3 đến quầy số 5"
    assert voice.speech_text("Mời công dân số A001 đến quầy số 12") == "Mời công dân số A 0 0 1 đến quầy số 12"


def call_one(floor):
    services.counter_open(counter=floor.c1, officer=floor.officer)
    services.ticket_issue(service=floor.civil)
    services.ticket_call_next(counter=floor.c1, officer=floor.officer)
    return Announcement.objects.get()


@pytest.mark.skipif(voice.shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_the_audio_is_generated_once_and_cached(client, floor, monday, monkeypatch):
    announcement = call_one(floor)
    url = reverse("queueing:audio", args=[announcement.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "audio/wav"
    assert response.content[:4] == b"RIFF" and len(response.content) > 1000
    assert "max-age=31536000" in response["Cache-Control"]
    assert len(list((floor_dir := voice.audio_dir()).glob("*.wav"))) == 1

    def no_second_run(*args, **kwargs):
        raise AssertionError("espeak-ng ran again")

    monkeypatch.setattr(subprocess, "run", no_second_run)
    assert client.get(url).content == response.content and len(list(floor_dir.glob("*.wav"))) == 1
    assert client.get(reverse("queueing:audio", args=[announcement.pk + 1000])).status_code == 404


def test_without_espeak_the_audio_answers_503(client, floor, monday, monkeypatch):
    announcement = call_one(floor)
    monkeypatch.setattr(voice.shutil, "which", lambda name: None)
    response = client.get(reverse("queueing:audio", args=[announcement.pk]))
    assert response.status_code == 503 and "espeak-ng" in response.content.decode()


# -- the SMS when a turn nears ----------------------------------------------------------------------------

def test_the_near_turn_sms_is_queued_once(floor, monday, django_capture_on_commit_callbacks):
    services.counter_open(counter=floor.c1, officer=floor.officer)
    tickets = [services.ticket_issue(service=floor.civil, phone="" if i == 2 else f"091234567{i}",
                                     at=MONDAY + dt.timedelta(seconds=i)) for i in range(7)]
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_call_next(counter=floor.c1, officer=floor.officer)  # 1001 called: 1002-1005 near
    told = {m.to for m in SmsMessage.objects.all()}
    assert told == {"+84912345671", "+84912345673", "+84912345674"}  # 1003 left no phone; 1006 is 4 behind
    body = SmsMessage.objects.get(to="+84912345671").body
    assert "1002" in body and "còn 0 người" in body and reverse("queueing:track", args=[tickets[1].token]) in body
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_call_next(counter=floor.c1, officer=floor.officer)  # 1002 called: 1006 nears
    assert SmsMessage.objects.count() == 4 and SmsMessage.objects.filter(to="+84912345675").count() == 1
    assert Ticket.objects.filter(near_turn_sms_at__isnull=False).count() == 4


# -- demo data ------------------------------------------------------------------------------------------

def test_the_demo_floors_are_idempotent(db):
    AgencyFactory(code="H21.50")
    AgencyFactory(code="H21.65")
    demo.seed({})
    counts = (Service.objects.count(), Counter.objects.count())
    demo.seed({})
    assert counts == (Service.objects.count(), Counter.objects.count()) == (9, 10)
    assert all(c.services.exists() for c in Counter.objects.all())
    assert re.fullmatch(r"\d", Service.objects.first().code)


def test_a_kiosk_form_key_the_server_did_not_sign_is_refused(client, floor, monday):
    url = reverse("queueing:kiosk_service", args=[floor.agency.code, floor.civil.pk])
    response = client.post(url, {"once_key": "k" * 24, "phone": "", "priority": ""})
    assert response.status_code == 400 and "Phiếu đã cũ" in response.content.decode()
    assert not Ticket.objects.exists()


def test_one_phone_number_holds_at_most_two_waiting_tickets(client, floor, monday):
    assert take(client, floor, phone="0912345678", once_key="a" * 24).status_code == 302
    assert take(client, floor, phone="0912345678", once_key="b" * 24).status_code == 302
    third = take(client, floor, phone="0912 345 678", once_key="c" * 24)
    assert third.status_code == 400 and "đã có 2 số đang chờ" in third.content.decode()
    assert Ticket.objects.count() == 2
