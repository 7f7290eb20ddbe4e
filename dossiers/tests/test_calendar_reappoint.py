"""Calendar changes re-appoint (issue #22 part 2): a day off declared after reception moves the appointment of
every open dossier whose remaining time crosses it, by the law's counting (the same clock as reception and the
supplement receipt); the control sheet and the citizen's timeline say so, the citizen is told once by e-mail
and SMS; an apology re-appointment is neither used up nor overridden; an appointment never moves earlier.

Timeline of transitions_helper: in-person household dossier (3 working days) received Mon 2/3/2026 10:00, due
Thu 5/3 17:00."""

import datetime as dt

import pytest
import time_machine
from django.core.management import CommandError, call_command

from accounts.models import Agency, AgencyLevel
from core.errors import DomainError
from dossiers import services
from dossiers.lateness import letters
from dossiers.lateness.calendar_changes import dossiers_reappoint_for_calendar
from dossiers.lateness.sweep import sweep_deadlines
from dossiers.models import ApologyLetter, ApologyReason, Dossier, EventType, LetterStatus, Punctuality
from dossiers.workflow import Status
from notifications.models import EmailMessage, SmsMessage
from workcalendar.calendar import to_local
from workcalendar.deadlines import due
from workcalendar.models import CalendarOverride
from workcalendar.selectors import calendar_for
from workcalendar.units import ClockPolicy, OverrideKind

from . import test_reception_anywhere as anywhere
from .conftest import APPLICANT, at
from .transitions_helper import APPLICANT_EMAIL, APPLICANT_PHONE, DOSSIER_DUE, drive, message_counts

pytestmark = pytest.mark.django_db

route = anywhere.route  # the forwarded dossier's fixture (a ward desk receives for Sở Tư pháp)

STORM = {"name": "Nghỉ tránh bão số 3", "legal_basis": "Quyết định 123/QĐ-UBND"}


def _day_off(day: dt.date, province=None, kind=OverrideKind.DAY_OFF) -> CalendarOverride:
    return CalendarOverride.objects.create(date=day, kind=kind, province=province, **STORM)


def _reappoint(day: dt.date, now: dt.datetime, capture, province=None) -> dict:
    with capture(execute=True):
        return dossiers_reappoint_for_calendar(dates=[day], province=province, now=now)


def _stored(d: Dossier) -> tuple:
    d.refresh_from_db()
    return d.due_at, d.original_due_at, d.extended_from


def _moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _messages(d: Dossier) -> tuple[list, list]:
    return (list(EmailMessage.objects.filter(key__startswith="calendar-reappointed:").values_list("to", "key")),
            list(SmsMessage.objects.filter(key__startswith="calendar-reappointed-sms:").values_list("to", "key")))


def test_a_new_day_off_inside_the_remaining_time_moves_the_appointment_once(
        world, client, django_capture_on_commit_callbacks):
    d = drive(world, Status.IN_APPRAISAL)
    assert _stored(d) == (DOSSIER_DUE, DOSSIER_DUE, None)
    now = at(2026, 3, 3, 9)
    with time_machine.travel(now, tick=False):
        _day_off(dt.date(2026, 3, 4))  # Wednesday: the storm
    counts = _reappoint(dt.date(2026, 3, 4), now, django_capture_on_commit_callbacks)
    assert counts == {"checked": 1, "moved": 1}
    moved = at(2026, 3, 6, 17)  # one working day later: Friday
    assert _stored(d) == (moved, moved, None)
    event = d.events.get(type=EventType.CALENDAR_REAPPOINTED)
    assert event.at == now and event.actor is None and event.from_status == event.to_status == Status.IN_APPRAISAL
    assert _moment(event.payload["previous_due_at"]) == DOSSIER_DUE
    assert _moment(event.payload["new_due_at"]) == moved
    assert event.payload["changes"] == [{"date": "2026-03-04", "kind": "day_off", "kind_label": "Ngày nghỉ thêm",
                                         **STORM}]
    assert "06/03/2026" in event.reason and STORM["legal_basis"] in event.reason
    emails, sms = _messages(d)
    assert emails == [(APPLICANT_EMAIL, f"calendar-reappointed:{event.pk}")]
    assert sms == [(APPLICANT_PHONE, f"calendar-reappointed-sms:{event.pk}")]
    mail = EmailMessage.objects.get(key=f"calendar-reappointed:{event.pk}")
    assert "06/03/2026" in mail.body_text and "05/03/2026" in mail.body_text and STORM["name"] in mail.body_text
    assert "06/03/2026" in SmsMessage.objects.get(key=f"calendar-reappointed-sms:{event.pk}").body
    assert d.events.get(type=EventType.NOTIFIED).payload == {"channels": ["email", "sms"], "event": event.pk}
    # The tracking page shows it to the citizen, with the new date.
    page = client.get("/ho-so/tra-cuu/", {"code": d.code, "pin": d.pin}).content.decode()
    assert "Hẹn lại do thay đổi lịch làm việc" in page and "06/03/2026" in page
    # Again (the command run twice, the task queued twice): nothing more.
    before = message_counts()
    assert _reappoint(dt.date(2026, 3, 4), at(2026, 3, 3, 10), django_capture_on_commit_callbacks)["moved"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reappoint_calendar", "--date", "2026-03-04", stdout=open("/dev/null", "w"))
    assert _stored(d) == (moved, moved, None)
    assert d.events.filter(type=EventType.CALENDAR_REAPPOINTED).count() == 1
    assert d.events.filter(type=EventType.NOTIFIED).count() == 1 and message_counts() == before


def test_saving_an_override_queues_the_reappointment_and_saving_it_again_changes_nothing(
        world, django_capture_on_commit_callbacks):
    d = drive(world, Status.RECEIVED)
    with time_machine.travel(at(2026, 3, 3, 9), tick=False), django_capture_on_commit_callbacks(execute=True):
        override = _day_off(dt.date(2026, 3, 4))
    assert _stored(d)[0] == at(2026, 3, 6, 17)
    event = d.events.get(type=EventType.CALENDAR_REAPPOINTED)
    assert event.at == at(2026, 3, 3, 9)
    before = message_counts()
    with time_machine.travel(at(2026, 3, 3, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
        override.name = "Nghỉ tránh bão số 3 (đính chính)"
        override.save()
    assert _stored(d)[0] == at(2026, 3, 6, 17)
    assert d.events.filter(type=EventType.CALENDAR_REAPPOINTED).count() == 1 and message_counts() == before
    # Moving the day off to Thursday: the appointment counts again (Friday still; never back to Thursday).
    with time_machine.travel(at(2026, 3, 3, 11), tick=False), django_capture_on_commit_callbacks(execute=True):
        override.date = dt.date(2026, 3, 5)
        override.save()
    assert _stored(d)[0] == at(2026, 3, 6, 17)
    # Removing it brings nothing earlier: the citizen holds Friday.
    with time_machine.travel(at(2026, 3, 3, 12), tick=False), django_capture_on_commit_callbacks(execute=True):
        override.delete()
    assert _stored(d)[0] == at(2026, 3, 6, 17)
    assert d.events.filter(type=EventType.CALENDAR_REAPPOINTED).count() == 1 and message_counts() == before


def test_a_day_off_after_the_appointment_changes_nothing(world, django_capture_on_commit_callbacks):
    d = drive(world, Status.IN_APPRAISAL)
    before = message_counts()
    with time_machine.travel(at(2026, 3, 3, 9), tick=False):
        _day_off(dt.date(2026, 3, 9))  # Monday after the appointment
    assert _reappoint(dt.date(2026, 3, 9), at(2026, 3, 3, 9), django_capture_on_commit_callbacks)["moved"] == 0
    assert _stored(d) == (DOSSIER_DUE, DOSSIER_DUE, None)
    assert not d.events.filter(type=EventType.CALENDAR_REAPPOINTED).exists() and message_counts() == before


def test_a_dossier_paused_for_a_supplement_across_the_day_off(world, django_capture_on_commit_callbacks):
    d = drive(world, Status.SUPPLEMENT_REQUESTED)  # asked Tue 3/3 09:00: the clock stops
    before = message_counts()
    with time_machine.travel(at(2026, 3, 4, 8), tick=False):
        _day_off(dt.date(2026, 3, 4))  # falls while waiting for the citizen
        _day_off(dt.date(2026, 3, 11))  # falls after the supplement will arrive
    for day in (dt.date(2026, 3, 4), dt.date(2026, 3, 11)):
        _reappoint(day, at(2026, 3, 4, 8), django_capture_on_commit_callbacks)
    # Nothing to move while the clock is stopped; the appointment is counted when the supplement comes.
    assert _stored(d) == (DOSSIER_DUE, DOSSIER_DUE, None)
    assert not d.events.filter(type=EventType.CALENDAR_REAPPOINTED).exists() and message_counts() == before
    d = services.dossier_supplement_received(dossier=d, actor=world.reception, at=at(2026, 3, 9, 9))
    # Restart (Decree 61/2018 Art. 19(4)): 3 working days from Mon 9/3, skipping the new day off Wed 11/3.
    assert d.due_at == at(2026, 3, 13, 17)
    # A day off declared after the supplement arrived moves it by the same counting.
    with time_machine.travel(at(2026, 3, 10, 8), tick=False):
        _day_off(dt.date(2026, 3, 12))
    _reappoint(dt.date(2026, 3, 12), at(2026, 3, 10, 8), django_capture_on_commit_callbacks)
    assert _stored(d) == (at(2026, 3, 16, 17), DOSSIER_DUE, None)  # the receipt's date was before the day off
    event = d.events.get(type=EventType.CALENDAR_REAPPOINTED)
    assert (_moment(event.payload["previous_due_at"]), _moment(event.payload["new_due_at"])) == (
        at(2026, 3, 13, 17), at(2026, 3, 16, 17))


def test_a_paused_clock_resumes_with_the_time_it_had_left(world, django_capture_on_commit_callbacks):
    world.household.supplement_policy = ClockPolicy.PAUSE
    world.household.save(update_fields=["supplement_policy"])
    d = drive(world, Status.SUPPLEMENT_REQUESTED)  # 22 office hours were left at Tue 3/3 09:00
    with time_machine.travel(at(2026, 3, 4, 8), tick=False):
        _day_off(dt.date(2026, 3, 4))  # while waiting: the clock was stopped, the time left is the same
    _reappoint(dt.date(2026, 3, 4), at(2026, 3, 4, 8), django_capture_on_commit_callbacks)
    d = services.dossier_supplement_received(dossier=d, actor=world.reception, at=at(2026, 3, 9, 9))
    assert d.due_at == at(2026, 3, 11, 17)  # Mon 6 h + Tue 8 h + Wed 8 h
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        _day_off(dt.date(2026, 3, 10))
    _reappoint(dt.date(2026, 3, 10), at(2026, 3, 9, 10), django_capture_on_commit_callbacks)
    assert _stored(d)[0] == at(2026, 3, 12, 17)  # the same 22 hours skip Tuesday
    assert d.events.filter(type=EventType.CALENDAR_REAPPOINTED).count() == 1


def test_a_dossier_reappointed_by_an_apology_letter(world, django_capture_on_commit_callbacks):
    d = drive(world, Status.IN_APPRAISAL)
    letter = letters.apology_letter_draft(dossier=d, actor=world.appraiser, reason_kind="site_inspection",
                                          at=at(2026, 3, 3, 9))
    letters.apology_letter_issue(letter=letter, actor=world.approver, new_due=dt.date(2026, 3, 10),
                                 at=at(2026, 3, 3, 10))
    assert _stored(d) == (at(2026, 3, 10, 17), DOSSIER_DUE, DOSSIER_DUE)
    before = message_counts()
    # A day off before the legal date: the legal date moves, the letter's date (the citizen's) stays.
    with time_machine.travel(at(2026, 3, 3, 11), tick=False):
        _day_off(dt.date(2026, 3, 4))
    _reappoint(dt.date(2026, 3, 4), at(2026, 3, 3, 11), django_capture_on_commit_callbacks)
    assert _stored(d) == (at(2026, 3, 10, 17), at(2026, 3, 6, 17), at(2026, 3, 6, 17))
    first = d.events.get(type=EventType.CALENDAR_REAPPOINTED)
    assert "giữ nguyên" in first.reason and message_counts() == before  # the citizen's date did not change
    # A day off on the letter's date: the same time on the next working day, and the citizen is told.
    with time_machine.travel(at(2026, 3, 3, 12), tick=False):
        _day_off(dt.date(2026, 3, 10))
    _reappoint(dt.date(2026, 3, 10), at(2026, 3, 3, 12), django_capture_on_commit_callbacks)
    assert _stored(d) == (at(2026, 3, 11, 17), at(2026, 3, 6, 17), at(2026, 3, 6, 17))
    second = d.events.filter(type=EventType.CALENDAR_REAPPOINTED).latest("id")
    emails, sms = _messages(d)
    assert emails == [(APPLICANT_EMAIL, f"calendar-reappointed:{second.pk}")] and len(sms) == 1
    # The apology re-appointment is not used up twice, nor freed: one letter, a second date still refused.
    assert ApologyLetter.objects.filter(dossier=d, status=LetterStatus.ISSUED).count() == 1
    again = letters.apology_letter_draft(dossier=d, actor=world.appraiser, reason_kind=ApologyReason.COMPLEX,
                                         at=at(2026, 3, 4, 9))
    with pytest.raises(DomainError) as exc:
        letters.apology_letter_issue(letter=again, actor=world.approver, new_due="2026-03-20", at=at(2026, 3, 4, 10))
    assert exc.value.code == "already_extended"
    # Finished on the moved letter date: late against the moved legal date, not late twice.
    d = services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve", at=at(2026, 3, 11, 9))
    d = services.dossier_approve(dossier=d, actor=world.approver, at=at(2026, 3, 11, 10))
    d = services.dossier_resolve(dossier=d, actor=world.appraiser, at=at(2026, 3, 11, 16))
    assert d.punctuality == Punctuality.LATE


def test_a_make_up_working_day_never_brings_an_appointment_earlier(world, django_capture_on_commit_callbacks):
    d = services.dossier_create_at_desk(actor=world.reception, version=world.household, agency=world.pleiku,
                                        at=at(2026, 3, 5, 10), **APPLICANT)
    assert d.due_at == at(2026, 3, 10, 17)  # Fri, Mon, Tue
    before = message_counts()
    with time_machine.travel(at(2026, 3, 6, 9), tick=False):
        _day_off(dt.date(2026, 3, 7), kind=OverrideKind.WORKING_DAY)  # Saturday made a working day
    assert services.dossier_appointments(d)[1] == at(2026, 3, 9, 17)  # the law's counting would say Monday
    _reappoint(dt.date(2026, 3, 7), at(2026, 3, 6, 9), django_capture_on_commit_callbacks)
    assert _stored(d) == (at(2026, 3, 10, 17), at(2026, 3, 10, 17), None)  # the citizen keeps Tuesday
    assert not d.events.filter(type=EventType.CALENDAR_REAPPOINTED).exists() and message_counts() == before


def test_closed_and_resolved_dossiers_are_untouched(world, django_capture_on_commit_callbacks):
    returned = drive(world, Status.RETURNED)
    ready = drive(world, Status.RESULT_READY)
    withdrawn = drive(world, Status.RECEIVED)
    services.dossier_withdraw(dossier=withdrawn, actor=world.reception, reason="Rút hồ sơ.", at=at(2026, 3, 4, 9))
    before = message_counts()
    with time_machine.travel(at(2026, 3, 4, 15), tick=False):
        _day_off(dt.date(2026, 3, 5))
    counts = _reappoint(dt.date(2026, 3, 5), at(2026, 3, 4, 15), django_capture_on_commit_callbacks)
    assert counts == {"checked": 0, "moved": 0}
    for d in (returned, ready, withdrawn):
        assert _stored(d) == (DOSSIER_DUE, DOSSIER_DUE, None)
        assert not d.events.filter(type=EventType.CALENDAR_REAPPOINTED).exists()
    assert message_counts() == before


def test_finished_on_the_moved_date_is_on_time(world, django_capture_on_commit_callbacks):
    d = drive(world, Status.IN_APPRAISAL)
    with time_machine.travel(at(2026, 3, 3, 9), tick=False):
        _day_off(dt.date(2026, 3, 4))
    _reappoint(dt.date(2026, 3, 4), at(2026, 3, 3, 9), django_capture_on_commit_callbacks)
    sweep_deadlines(now=at(2026, 3, 6, 9))  # Friday: due soon, not overdue
    d.refresh_from_db()
    assert d.track == "due_soon" and not d.events.filter(type=EventType.OVERDUE).exists()
    d = services.dossier_propose(dossier=d, actor=world.appraiser, proposal="approve", at=at(2026, 3, 6, 9))
    d = services.dossier_approve(dossier=d, actor=world.approver, at=at(2026, 3, 6, 10))
    d = services.dossier_resolve(dossier=d, actor=world.reception, at=at(2026, 3, 6, 16))  # after Thu 5/3 17:00
    assert d.punctuality == Punctuality.ON_TIME


def test_a_province_change_leaves_other_provinces_alone(world, django_capture_on_commit_callbacks):
    d = drive(world, Status.IN_APPRAISAL)
    other = Agency.objects.create(code="H22", name="Ủy ban nhân dân tỉnh Khác", level=AgencyLevel.PROVINCE)
    with time_machine.travel(at(2026, 3, 3, 9), tick=False):
        _day_off(dt.date(2026, 3, 4), province=other)
    assert _reappoint(dt.date(2026, 3, 4), at(2026, 3, 3, 9), django_capture_on_commit_callbacks,
                      province=other) == {"checked": 0, "moved": 0}
    assert _stored(d)[0] == DOSSIER_DUE
    gia_lai = world.pleiku.province
    with time_machine.travel(at(2026, 3, 3, 9), tick=False):
        _day_off(dt.date(2026, 3, 4), province=gia_lai)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reappoint_calendar", "--date", "2026-03-04", "--province", gia_lai.code, "--now",
                     "2026-03-03T09:00+07:00", stdout=open("/dev/null", "w"))
    assert _stored(d)[0] == at(2026, 3, 6, 17)
    assert d.events.get(type=EventType.CALENDAR_REAPPOINTED).payload["changes"][0]["date"] == "2026-03-04"


@pytest.mark.parametrize("args, message", [
    ([], "ít nhất một ngày"),
    (["--date", "04/03/2026"], "Ngày không hợp lệ"),
    (["--date", "2026-02-30"], "Ngày không hợp lệ"),
    (["--date", "1999-03-04"], "ngoài phạm vi lịch"),
    (["--date", "2026-03-04", "--province", "XYZ"], "Không có cơ quan"),
    (["--date", "2026-03-04", "--province", "H21.65"], "không phải cấp tỉnh"),
    (["--date", "2026-03-04", "--now", "hôm qua"], "Thời điểm không hợp lệ"),
])
def test_the_command_refuses_bad_input_and_changes_nothing(world, args, message):
    d = drive(world, Status.IN_APPRAISAL)
    with time_machine.travel(at(2026, 3, 3, 9), tick=False):
        _day_off(dt.date(2026, 3, 4))
    with pytest.raises(CommandError, match=message):
        call_command("reappoint_calendar", *args)
    assert _stored(d) == (DOSSIER_DUE, DOSSIER_DUE, None)
    assert not d.events.filter(type=EventType.CALENDAR_REAPPOINTED).exists()


def test_a_forwarded_dossier_keeps_its_travel_allotment(route, django_capture_on_commit_callbacks):
    anywhere._rules("added")  # the rules in force add the forwarding allotment (8 working hours) to the appointment
    d = anywhere._received(route)
    option = d.channel_option
    before = d.due_at
    with time_machine.travel(at(2026, 3, 2, 11), tick=False):
        _day_off(dt.date(2026, 3, 3))
    _reappoint(dt.date(2026, 3, 3), at(2026, 3, 2, 11), django_capture_on_commit_callbacks)
    legal = due(calendar_for(route.pleiku), anywhere.RECEIVED_AT, int(option.time_limit), option.unit)
    expected = calendar_for(route.department).add_working_time(legal, 8 * 3600)
    assert _stored(d) == (expected, expected, None) and expected > before
    assert calendar_for(route.department).working_days_between(to_local(before).date(),
                                                               to_local(expected).date()) == 1


def test_bench_reappoint_declares_a_day_off_times_the_moves_and_checks_them(world):
    import io

    from django.utils import timezone

    d = drive(world, Status.IN_APPRAISAL)
    day = timezone.localtime(d.due_at).date() - dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    out = io.StringIO()
    call_command("bench_reappoint", "--date", day.isoformat(), stdout=out)
    text = out.getvalue()
    assert "dời 1 hồ sơ" in text and "chạy lại (không dời gì)" in text
    before = DOSSIER_DUE
    d.refresh_from_db()
    assert d.due_at > before and d.events.filter(type=EventType.CALENDAR_REAPPOINTED).count() == 1
    with pytest.raises(CommandError, match="đã có trong lịch"):
        call_command("bench_reappoint", "--date", day.isoformat())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("bench_reappoint", "--date", "15/12/2026")
