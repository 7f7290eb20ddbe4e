"""Online appointments (đặt lịch hẹn), like Hà Nội's iHanoi: a citizen books a slot of a centre's service
from today up to `Service.booking_days_ahead` days ahead, at most `max_bookings_per_person_day` a day at
one centre; at the centre the booking becomes a ticket called first once its slot has begun (rules.py).

The rules are data on `Service`:

- slots: the centre's morning and afternoon sessions (Agency office hours) cut into `slot_minutes`; a slot
  fits entirely in one session; only working days of the centre's calendar; none already begun;
- places in a slot: `bookings_per_counter_slot` × the active counters serving the service (0 per counter:
  the service takes no online booking);
- a person (the same phone number, or the same account) holds at most `max_bookings_per_person_day` active
  bookings (booked or checked in) a day at one centre;
- cancel (the citizen or the centre's staff) until the slot begins; check in from CHECK_IN_EARLY before
  the slot to its end;
- reminder the day before, from REMIND_FROM (SMS, and e-mail to a verified account address), once;
  bookings never checked in are marked missed at the end of their day.

Reads (slots, days, lists) and writes (book, cancel, check in, remind, mark missed) of the booking sit here,
apart from services.py (the desk floor), which this module calls to issue the ticket."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency
from accounts.validators import normalize_phone
from core.errors import Conflict, DomainError
from notifications.services import email_queue, sms_queue
from workcalendar.selectors import calendar_for

from . import policies
from .models import Appointment, AppointmentStatus, Counter, PriorityGroup, Service, Ticket
from .services import ticket_issue

CHECK_IN_EARLY = dt.timedelta(minutes=30)  # a booked citizen may take their number this long before the slot
REMIND_FROM = dt.time(15, 0)  # reminders for tomorrow's bookings go out from this time of the day before
HOLDING = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)  # bookings that take a place


@dataclass(frozen=True)
class Slot:
    start: dt.datetime
    end: dt.datetime
    capacity: int
    taken: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def full(self) -> bool:
        return self.free == 0


@dataclass(frozen=True)
class BookingDay:
    day: dt.date
    free: int
    slots: int


def _tz():
    return timezone.get_default_timezone()


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, _tz())


def _hm(moment: dt.datetime) -> str:
    return _local(moment).strftime("%H:%M")


def _weekday(day: dt.date) -> str:
    names = [_("Thứ Hai"), _("Thứ Ba"), _("Thứ Tư"), _("Thứ Năm"), _("Thứ Sáu"), _("Thứ Bảy"), _("Chủ nhật")]
    return names[day.weekday()]


def booking_enabled(service: Service) -> bool:
    return service.is_active and service.bookings_per_counter_slot > 0 and service.slot_minutes > 0


def counters_serving(service: Service) -> int:
    return Counter.objects.filter(services=service, is_active=True).count()


def capacity(service: Service) -> int:
    """Places in one slot: the quota per counter × the active counters serving the service."""
    return service.bookings_per_counter_slot * counters_serving(service) if booking_enabled(service) else 0


def slot_bounds(service: Service, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """(start, end) of every slot of `day` by the office hours, whatever the calendar says."""
    agency = service.agency
    step = dt.timedelta(minutes=service.slot_minutes)
    if step <= dt.timedelta(0):
        return []
    out = []
    for begin, finish in ((agency.morning_start, agency.morning_end), (agency.afternoon_start, agency.afternoon_end)):
        start = dt.datetime.combine(day, begin, tzinfo=_tz())
        end = dt.datetime.combine(day, finish, tzinfo=_tz())
        while start + step <= end:
            out.append((start, start + step))
            start += step
    return out


def _is_working_day(agency: Agency, day: dt.date) -> bool:
    try:
        return calendar_for(agency).is_working_day(day)
    except DomainError:  # beyond the calendar's years: nobody books there
        return False


def booking_window(service: Service, *, now: dt.datetime | None = None) -> tuple[dt.date, dt.date]:
    today = timezone.localdate(now or timezone.now(), _tz())
    return today, today + dt.timedelta(days=service.booking_days_ahead)


def slots_for(service: Service, day: dt.date, *, now: dt.datetime | None = None) -> list[Slot]:
    """The bookable slots of `day` with their places: none on a day off, beyond the booking window, or begun."""
    now = now or timezone.now()
    first, last = booking_window(service, now=now)
    if not booking_enabled(service) or not first <= day <= last or not _is_working_day(service.agency, day):
        return []
    places = capacity(service)
    taken = dict(Appointment.objects.filter(service=service, day=day, status__in=HOLDING)
                 .order_by().values_list("slot_start").annotate(n=Count("id")).values_list("slot_start", "n"))
    return [Slot(start, end, places, taken.get(start, 0)) for start, end in slot_bounds(service, day) if start > now]


def booking_days(service: Service, *, now: dt.datetime | None = None) -> list[BookingDay]:
    """The working days of the booking window (today first) with their free places."""
    now = now or timezone.now()
    first, last = booking_window(service, now=now)
    out = []
    day = first
    while day <= last:
        if _is_working_day(service.agency, day):
            slots = slots_for(service, day, now=now)
            out.append(BookingDay(day, sum(s.free for s in slots), len(slots)))
        day += dt.timedelta(days=1)
    return out


def bookable_agencies():
    """Centres with at least one service taking online bookings and a counter serving it."""
    return (Agency.objects.filter(is_active=True, queue_services__is_active=True,
                                  queue_services__bookings_per_counter_slot__gt=0,
                                  queue_services__counters__is_active=True)
            .distinct().order_by("name"))


def bookable_services(agency: Agency):
    return (Service.objects.filter(agency=agency, is_active=True, bookings_per_counter_slot__gt=0,
                                   counters__is_active=True).distinct().order_by("order", "code"))


def appointments_of(user):
    """The citizen's bookings, newest slot first."""
    return (Appointment.objects.filter(citizen=user).select_related("service", "agency", "ticket")
            .order_by("-slot_start", "-id"))


def appointments_of_agency_day(agency: Agency, day: dt.date):
    return (Appointment.objects.filter(agency=agency, day=day).select_related("service", "ticket")
            .order_by("slot_start", "service__order", "id"))


def appointment_for(user, code: str) -> Appointment | None:
    """A booking the user may see (its citizen, or the centre's staff); None otherwise (a 404, never a hint)."""
    appointment = Appointment.objects.select_related("service", "agency").filter(code=code).first()
    if appointment is None or not policies.can_see_appointment(user, appointment):
        return None
    return appointment


def initials(name: str) -> str:
    """Nguyễn Văn An -> N. V. A. (what the kiosk shows to anyone standing at it)."""
    return " ".join(word[0] + "." for word in (name or "").split() if word)


# -- writes -------------------------------------------------------------------------------------------------

def _phone(value: str) -> str:
    if not (value or "").strip():
        raise DomainError("invalid_phone", _("Hãy nhập số điện thoại để nhận tin nhắn nhắc lịch."), field="phone")
    try:
        return normalize_phone(value)
    except ValidationError as exc:
        raise DomainError("invalid_phone", exc.messages[0], field="phone") from exc


def _check_slot(service: Service, start: dt.datetime, at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The slot [start, end) if `start` can be booked at `at`; the reason otherwise."""
    local = _local(start)
    day = local.date()
    first, last = booking_window(service, now=at)
    if local <= at or day < first:
        raise DomainError("booking_past", _("Khung giờ này đã qua; hãy chọn khung giờ khác."), field="slot")
    if day > last:
        raise DomainError("booking_too_far", _(
            "Chỉ đặt lịch trước tối đa %(n)s ngày (đến hết ngày %(last)s).") % {
            "n": service.booking_days_ahead, "last": last.strftime("%d/%m/%Y")}, field="slot")
    if not _is_working_day(service.agency, day):
        name = calendar_for(service.agency).day_name(day) if day.weekday() < 5 else ""
        raise DomainError("booking_day_off", _(
            "Ngày %(day)s (%(name)s) là ngày nghỉ của trung tâm; hãy chọn một ngày làm việc.") % {
            "day": day.strftime("%d/%m/%Y"), "name": name or _weekday(day)}, field="slot")
    for begin, end in slot_bounds(service, day):
        if begin == local:
            return begin, end
    agency = service.agency
    raise DomainError("booking_outside_hours", _(
        "Giờ hẹn phải là đầu một khung %(minutes)s phút trong giờ làm việc của trung tâm "
        "(sáng %(ms)s–%(me)s, chiều %(as)s–%(ae)s).") % {
        "minutes": service.slot_minutes, "ms": agency.morning_start.strftime("%H:%M"),
        "me": agency.morning_end.strftime("%H:%M"), "as": agency.afternoon_start.strftime("%H:%M"),
        "ae": agency.afternoon_end.strftime("%H:%M")}, field="slot")


@transaction.atomic
def appointment_book(*, service: Service, slot_start: dt.datetime, name: str, phone: str, citizen=None,
                     at: dt.datetime | None = None) -> Appointment:
    """Book `slot_start` of `service` for a person. Every refusal says why and creates nothing. The centre's
    service rows are locked first (in one order), so two people taking the last place at once, or one person
    booking twice at once, are served one after the other: the second sees the first's booking."""
    at = at or timezone.now()
    if not booking_enabled(service):
        raise DomainError("booking_disabled", _("Dịch vụ “%s” không nhận đặt lịch hẹn trực tuyến.") % service.name,
                          field="service")
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise DomainError("invalid_name", _("Hãy nhập họ và tên người đến làm thủ tục (tối đa 120 ký tự)."),
                          field="name")
    phone = _phone(phone)
    start, end = _check_slot(service, slot_start, at)
    # One lock per centre: the slot's places and the person's daily limit (any service of the centre) hold.
    list(Service.objects.select_for_update().filter(agency_id=service.agency_id).order_by("pk").values_list("pk"))
    places = capacity(service)
    if places == 0:
        raise DomainError("booking_no_counter", _("Dịch vụ này chưa có quầy phục vụ nên chưa nhận đặt lịch hẹn."),
                          field="service")
    taken = Appointment.objects.filter(service=service, slot_start=start, status__in=HOLDING).count()
    if taken >= places:
        raise Conflict("booking_slot_full", _(
            "Khung giờ %(start)s–%(end)s ngày %(day)s đã hết chỗ; hãy chọn khung giờ khác.") % {
            "start": _hm(start), "end": _hm(end), "day": start.strftime("%d/%m/%Y")}, field="slot")
    person = Q(phone=phone) | (Q(citizen=citizen) if citizen is not None else Q(pk__in=[]))
    held = Appointment.objects.filter(person, agency_id=service.agency_id, day=start.date(),
                                      status__in=HOLDING).count()
    if held >= service.max_bookings_per_person_day:
        raise Conflict("booking_person_limit", _(
            "Mỗi người được đặt tối đa %(n)s lịch hẹn một ngày tại trung tâm; số điện thoại hoặc tài khoản này "
            "đã có %(held)s lịch hẹn ngày %(day)s.") % {
            "n": service.max_bookings_per_person_day, "held": held, "day": start.strftime("%d/%m/%Y")},
            field="phone")
    return Appointment.objects.create(agency_id=service.agency_id, service=service, day=start.date(),
                                      slot_start=start, slot_end=end, citizen=citizen, name=name, phone=phone)


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, by, at: dt.datetime | None = None) -> Appointment:
    """The citizen who booked, or the centre's staff, cancels until the slot begins: the place is free again."""
    at = at or timezone.now()
    appointment = Appointment.objects.select_for_update(of=("self",)).select_related("agency").get(
        pk=appointment.pk)  # the appointment alone, not the centre's row every booking and reception refers to
    if not policies.can_cancel_appointment(by, appointment):
        raise PermissionDenied(_("Bạn không thể hủy lịch hẹn này."))
    if appointment.status == AppointmentStatus.CANCELLED:
        return appointment
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict("appointment_not_booked", _("Lịch hẹn đang ở trạng thái “%s”, không hủy được nữa.")
                       % appointment.get_status_display())
    if at >= appointment.slot_start:
        raise Conflict("appointment_started", _("Khung giờ hẹn đã bắt đầu lúc %s, không hủy được nữa.")
                       % _hm(appointment.slot_start))
    appointment.status, appointment.cancelled_at = AppointmentStatus.CANCELLED, at
    appointment.save(update_fields=["status", "cancelled_at"])
    return appointment


def appointment_find(*, agency: Agency, code: str = "", phone: str = "", at: dt.datetime | None = None
                     ) -> list[Appointment]:
    """The bookings a kiosk finds: by the code on the confirmation (its QR code, or typed), or by the phone
    number among today's bookings of the centre."""
    today = timezone.localdate(at or timezone.now(), _tz())
    code = (code or "").strip().rstrip("/").rsplit("/", 1)[-1]  # a scanned link ends with the code
    if code:
        found = Appointment.objects.select_related("service", "agency").filter(code=code).first()
        if found is None:
            raise DomainError("appointment_not_found", _("Không tìm thấy lịch hẹn có mã này."), field="code",
                              http_status=404)
        if found.agency_id != agency.pk:
            raise DomainError("appointment_other_centre", _("Lịch hẹn này đặt tại %s, không phải trung tâm này.")
                              % found.agency.name, field="code")
        return [found]
    if not (phone or "").strip():
        raise DomainError("lookup_empty", _("Hãy quét mã lịch hẹn hoặc nhập số điện thoại đã đặt lịch."),
                          field="code")
    found = list(Appointment.objects.select_related("service", "agency")
                 .filter(agency=agency, day=today, phone=_phone(phone), status__in=HOLDING)
                 .order_by("slot_start"))
    if not found:
        raise DomainError("appointment_not_found", _("Không có lịch hẹn hôm nay với số điện thoại này."),
                          field="phone", http_status=404)
    return found


OTP_SECONDS = 600
OTP_TRIES = 5


def _otp_key(agency: Agency, phone: str) -> str:
    return f"queue-checkin-otp:{agency.pk}:{phone}"


def checkin_code_send(*, agency: Agency, phone: str, at: dt.datetime | None = None) -> str:
    """A phone number typed at the kiosk proves nothing: a 6-digit code goes by SMS to that phone, and only
    the person holding it sees and checks in today's bookings. Returns the number masked for the screen."""
    appointment_find(agency=agency, phone=phone, at=at)  # none today: the reason, no text sent
    number = _phone(phone)
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(_otp_key(agency, number), {"hash": hashlib.sha256(code.encode()).hexdigest(), "tries": 0}, OTP_SECONDS)
    sms_queue(to=number, key=f"queue-checkin-otp:{agency.pk}:{number}:{secrets.token_hex(4)}", text=_(
        "Mã xác nhận lấy số theo lịch hẹn tại %(agency)s: %(code)s (dùng trong 10 phút).") % {
        "agency": agency.short_name or agency.name, "code": code})
    return "•••• " + number[-3:]


def checkin_code_verify(*, agency: Agency, phone: str, code: str, at: dt.datetime | None = None
                        ) -> list[Appointment]:
    """Today's bookings of that phone, once the code sent to it is given back (five tries)."""
    number = _phone(phone)
    key = _otp_key(agency, number)
    held = cache.get(key)
    if held is None:
        raise DomainError("otp_expired", _("Mã xác nhận đã hết hạn. Hãy nhập lại số điện thoại để nhận mã mới."),
                          field="otp")
    if hashlib.sha256((code or "").strip().encode()).hexdigest() != held["hash"]:
        held["tries"] += 1
        if held["tries"] >= OTP_TRIES:
            cache.delete(key)
            raise DomainError("otp_locked", _("Nhập sai mã quá nhiều lần. Hãy nhập lại số điện thoại để nhận mã "
                                              "mới."), field="otp")
        cache.set(key, held, OTP_SECONDS)
        raise DomainError("otp_wrong", _("Mã xác nhận không đúng."), field="otp")
    cache.delete(key)
    return appointment_find(agency=agency, phone=number, at=at)


def appointment_check_in(*, appointment: Appointment, at: dt.datetime | None = None,
                         priority: PriorityGroup | None = None) -> Ticket:
    """The booked citizen arrives: a ticket for the service carrying the slot (called first once the slot has
    begun), from CHECK_IN_EARLY before the slot to its end. Checking in again gives the same ticket."""
    return appointment_check_in_created(appointment=appointment, at=at, priority=priority)[0]


def appointment_check_in_created(*, appointment: Appointment, at: dt.datetime | None = None,
                                 priority: PriorityGroup | None = None) -> tuple[Ticket, bool]:
    """`appointment_check_in`, saying whether this call numbered the ticket (the kiosk prints only then)."""
    at = at or timezone.now()
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update(of=("self",)).select_related("service__agency").get(
            pk=appointment.pk)  # not the service's and centre's rows
        if appointment.status == AppointmentStatus.CHECKED_IN:
            return Ticket.objects.get(appointment=appointment), False
        if appointment.status == AppointmentStatus.CANCELLED:
            raise Conflict("appointment_cancelled", _("Lịch hẹn này đã bị hủy. Mời Ông/Bà lấy số thường."))
        if appointment.status == AppointmentStatus.MISSED:
            raise Conflict("appointment_missed", _("Lịch hẹn này đã quá hạn. Mời Ông/Bà lấy số thường."))
        when = {"start": _hm(appointment.slot_start), "end": _hm(appointment.slot_end),
                "day": _local(appointment.slot_start).strftime("%d/%m/%Y"),
                "from": _hm(appointment.slot_start - CHECK_IN_EARLY)}
        if at < appointment.slot_start - CHECK_IN_EARLY:
            raise DomainError("checkin_too_early", _(
                "Chưa đến giờ lấy số: lịch hẹn lúc %(start)s ngày %(day)s; Ông/Bà lấy số từ %(from)s.") % when)
        if at > appointment.slot_end:
            raise DomainError("checkin_too_late", _(
                "Đã quá khung giờ hẹn (%(start)s–%(end)s ngày %(day)s). Mời Ông/Bà lấy số thường.") % when)
        ticket = ticket_issue(service=appointment.service, phone=appointment.phone, priority=priority, at=at,
                              appointment=appointment, check_hours=True)
        appointment.status, appointment.checked_in_at = AppointmentStatus.CHECKED_IN, at
        appointment.save(update_fields=["status", "checked_in_at"])
        return ticket, True


def _remind(appointment: Appointment) -> None:
    context = {"appointment": appointment, "start": _hm(appointment.slot_start), "end": _hm(appointment.slot_end),
               "day": _local(appointment.slot_start).strftime("%d/%m/%Y"), "agency": appointment.agency,
               "from": _hm(appointment.slot_start - CHECK_IN_EARLY)}
    link = reverse("queueing:appointment", args=[appointment.code])
    context["url"] = settings.SITE_URL.rstrip("/") + link
    mine = {"user_id": appointment.citizen_id, "link": link}
    sms_queue(to=appointment.phone, key=f"appointment-remind-sms:{appointment.pk}", **mine, text=_(
        "Nhắc lịch hẹn %(service)s lúc %(start)s ngày %(day)s tại %(agency)s. Mã lịch hẹn: %(code)s. "
        "Mời Ông/Bà lấy số tại máy từ %(from)s.") % {
        **context, "service": appointment.service.name, "agency": appointment.agency.name, "code": appointment.code})
    citizen = appointment.citizen
    if citizen is not None and citizen.email and citizen.email_verified_at is not None:
        email_queue(to=citizen.email, template="notifications/email/appointment_reminder",
                    key=f"appointment-remind:{appointment.pk}", **mine, context=context)


def appointments_remind(now: dt.datetime | None = None) -> int:
    """From REMIND_FROM, remind tomorrow's bookings (once each: `reminded_at`); the number reminded."""
    now = now or timezone.now()
    local = _local(now)
    if local.time() < REMIND_FROM:
        return 0
    tomorrow = local.date() + dt.timedelta(days=1)
    count = 0
    for pk in Appointment.objects.filter(day=tomorrow, status=AppointmentStatus.BOOKED,
                                         reminded_at__isnull=True).values_list("pk", flat=True):
        with transaction.atomic():
            appointment = (Appointment.objects.select_for_update(of=("self",))
                           .select_related("service", "agency", "citizen")
                           .filter(pk=pk, status=AppointmentStatus.BOOKED, reminded_at__isnull=True).first())
            if appointment is None:  # cancelled or reminded meanwhile
                continue
            _remind(appointment)
            appointment.reminded_at = now
            appointment.save(update_fields=["reminded_at"])
            count += 1
    return count


@transaction.atomic
def appointments_mark_missed(*, day: dt.date) -> int:
    """At the end of `day`, bookings of that day (or before) never checked in are missed."""
    return Appointment.objects.filter(day__lte=day, status=AppointmentStatus.BOOKED).update(
        status=AppointmentStatus.MISSED)
