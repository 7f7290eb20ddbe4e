"""Pages of the online appointments: the citizen's booking (one plain GET step after another, works without
JavaScript), their bookings, the centre's bookings of a day, and the kiosk where a booked citizen takes
their number. Every write goes through queueing/booking.py."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Agency
from accounts.validators import display_phone
from core import ratelimit
from core.dates import parse_day
from core.errors import DomainError, add_to_form
from core.params import pk_param
from dossiers import idempotency

from . import booking, policies
from .models import Appointment, AppointmentStatus, PriorityGroup

KIOSK_LIMIT = 120  # look-ups per kiosk address per 10 minutes (a centre's kiosks share one address)


class BookForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Họ và tên người đến làm thủ tục"), max_length=120)
    phone = forms.CharField(label=gettext_lazy("Số điện thoại nhận tin nhắn nhắc lịch"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))


def _iso_day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _hhmm(text: str | None) -> dt.time | None:
    try:
        return dt.datetime.strptime((text or "").strip(), "%H:%M").time()
    except ValueError:
        return None


def _qr(code: str) -> str:
    """The booking's QR code, drawn to the size the stylesheet gives it (a viewBox, no fixed size): big enough
    for the kiosk's scanner on a phone's screen. (dossiers.printing.qr_svg has a fixed size, for print.)"""
    return segno.make(code, error="m").svg_inline(scale=1, border=2, omitsize=True)


def _ticket_url(ticket) -> str:
    """The public page of a ticket, when the desk floor's pages are installed."""
    try:
        return reverse("queueing:track", args=[ticket.token])
    except NoReverseMatch:
        return ""


@login_required
@require_http_methods(["GET", "POST"])
def book(request):
    """Centre → service → day → slot → confirm; each step a link or a GET form carrying the earlier choices."""
    data = request.POST if request.method == "POST" else request.GET
    now = timezone.now()
    ctx: dict = {"step": "agency"}
    agencies = booking.bookable_agencies()
    agency = agencies.filter(pk=pk_param(data.get("agency"))).first()
    if agency is None:
        return render(request, "queueing/booking/book.html", {**ctx, "agencies": agencies})
    ctx.update(agency=agency, step="service")
    services = booking.bookable_services(agency)
    service = services.filter(pk=pk_param(data.get("service"))).first()
    if service is None:
        return render(request, "queueing/booking/book.html", {**ctx, "services": services})
    ctx.update(service=service, step="day")
    days = booking.booking_days(service, now=now)
    day = _iso_day(data.get("day"))
    if day is None or (request.method == "GET" and day not in {d.day for d in days}):
        if data.get("day"):
            ctx["error"] = _("Ngày đã chọn không nhận đặt lịch hẹn; hãy chọn một ngày trong danh sách.")
        return render(request, "queueing/booking/book.html", {**ctx, "days": days})
    ctx.update(day=day, step="slot")
    slots = booking.slots_for(service, day, now=now)
    time = _hhmm(data.get("slot"))
    slot = next((s for s in slots if s.start.time() == time), None)
    if request.method == "GET" and (slot is None or slot.full):
        if data.get("slot"):
            ctx["error"] = _("Khung giờ đã chọn không còn chỗ; hãy chọn khung giờ khác.")
        return render(request, "queueing/booking/book.html", {**ctx, "slots": slots})
    start = dt.datetime.combine(day, time, tzinfo=timezone.get_default_timezone()) if time else None
    ctx.update(step="confirm", slot=slot, start=start,
               end=slot.end if slot else (start + dt.timedelta(minutes=service.slot_minutes) if start else None))
    user = request.user
    form = BookForm(request.POST or None, initial={"name": user.full_name, "phone": user.phone_display})
    if request.method == "POST" and form.is_valid():
        try:
            if start is None:
                raise DomainError("booking_no_slot", _("Hãy chọn một khung giờ."), field="slot")
            done = idempotency.form_once(
                request, scope="appointment-book", url=lambda a: reverse("queueing:appointment", args=[a.code]),
                action=lambda: booking.appointment_book(service=service, slot_start=start, citizen=user,
                                                        name=form.cleaned_data["name"],
                                                        phone=form.cleaned_data["phone"]))
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            if done.replayed:
                messages.info(request, idempotency.replay_notice())
            else:
                messages.success(request, _("Đã đặt lịch hẹn. Mời Ông/Bà đến đúng khung giờ và mang theo mã lịch hẹn."))
            return redirect(done.result["url"])
    return render(request, "queueing/booking/book.html", {**ctx, "form": form})


@login_required
def appointment_detail(request, code: str):
    appointment = booking.appointment_for(request.user, code)
    if appointment is None:
        raise Http404
    ticket = getattr(appointment, "ticket", None) if appointment.status == AppointmentStatus.CHECKED_IN else None
    return render(request, "queueing/booking/appointment.html", {
        "appointment": appointment, "qr": _qr(appointment.code), "ticket": ticket,
        "phone": display_phone(appointment.phone),
        "ticket_url": _ticket_url(ticket) if ticket else "",
        "can_cancel": appointment.status == AppointmentStatus.BOOKED and timezone.now() < appointment.slot_start,
        "from": appointment.slot_start - booking.CHECK_IN_EARLY,
    })


@login_required
def my_appointments(request):
    now = timezone.now()
    rows = list(booking.appointments_of(request.user))
    upcoming = [a for a in rows if a.slot_end >= now and a.status in booking.HOLDING]
    past = [a for a in rows if a not in upcoming]
    upcoming.reverse()  # the nearest first
    return render(request, "queueing/booking/mine.html", {"upcoming": upcoming, "past": past, "now": now})


@login_required
@require_POST
def appointment_cancel(request, code: str):
    appointment = booking.appointment_for(request.user, code)
    if appointment is None:
        raise Http404
    try:
        booking.appointment_cancel(appointment=appointment, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã hủy lịch hẹn %(time)s ngày %(day)s.") % {
            "time": timezone.localtime(appointment.slot_start).strftime("%H:%M"),
            "day": appointment.day.strftime("%d/%m/%Y")})
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return redirect(nxt)
    return redirect("queueing:appointment", code=appointment.code)


def _staff_agencies(user):
    ids = policies.booking_staff_agency_ids(user)
    agencies = Agency.objects.filter(queue_services__isnull=False)
    if ids is not None:
        agencies = agencies.filter(pk__in=ids)
    return agencies.distinct().order_by("name")


@login_required
def agency_appointments(request):
    """The centre's bookings of a day, slot by slot, for its reception officers and its head."""
    agencies = list(_staff_agencies(request.user))
    if not agencies:
        raise PermissionDenied(_("Trang này dành cho cán bộ tiếp nhận và lãnh đạo trung tâm."))
    wanted = pk_param(request.GET.get("agency"))
    agency = next((a for a in agencies if a.pk == wanted), agencies[0])
    if not policies.can_see_agency_bookings(request.user, agency):
        raise PermissionDenied(_("Trang này dành cho cán bộ tiếp nhận và lãnh đạo trung tâm."))
    error = ""
    try:
        day = parse_day(request.GET.get("day"), field="day") or timezone.localdate()
    except DomainError as exc:
        error, day = exc.message, timezone.localdate()
    rows = list(booking.appointments_of_agency_day(agency, day))
    for row in rows:
        row.phone_display = display_phone(row.phone)
    groups = [(start, list(items)) for start, items in groupby(rows, key=lambda a: a.slot_start)]
    counts = {s: sum(1 for a in rows if a.status == s) for s in AppointmentStatus.values}
    return render(request, "queueing/booking/agency.html", {
        "agencies": agencies, "agency": agency, "day": day, "groups": groups, "error": error, "now": timezone.now(),
        "counts": [(label, counts[value]) for value, label in AppointmentStatus.choices],
        "prev_day": day - dt.timedelta(days=1), "next_day": day + dt.timedelta(days=1),
    })


CHECKIN_SALT = "queueing.checkin"
CHECKIN_SECONDS = 900


def _checkin_token(appointment) -> str:
    """What the "Lấy số" button of a booking found carries: signed, short-lived (never the booking's code,
    which a phone-number lookup must not reveal)."""
    return signing.dumps(appointment.pk, salt=CHECKIN_SALT)


def _from_token(agency, token: str):
    try:
        pk = signing.loads(token or "", salt=CHECKIN_SALT, max_age=CHECKIN_SECONDS)
    except signing.BadSignature:
        raise DomainError("checkin_expired", _("Phiên lấy số đã hết hạn. Hãy tìm lại lịch hẹn.")) from None
    found = Appointment.objects.select_related("service", "agency").filter(pk=pk_param(pk),
                                                                                   agency=agency).first()
    if found is None:
        raise DomainError("appointment_not_found", _("Không tìm thấy lịch hẹn có mã này."))
    return found


@require_http_methods(["GET", "POST"])
def kiosk_checkin(request, agency_code: str):
    """The kiosk at the centre: scan the booking's QR code (or type its code) → the booking found, the name
    masked → "Lấy số" → the ticket, called first within the slot. By phone number: a code is texted to that
    phone and must be typed back before anything of the booking is shown."""
    agency = get_object_or_404(Agency, code=agency_code, is_active=True)
    stage, error, found, masked, phone = "find", "", [], "", ""
    priorities = PriorityGroup.objects.filter(is_active=True)
    if request.method == "POST":
        budget = ratelimit.Budget(ratelimit.key_for("queue-checkin", request.META.get("REMOTE_ADDR", "")),
                                  limit=KIOSK_LIMIT, window=600)
        action = request.POST.get("action", "")
        phone = request.POST.get("phone", "").strip()[:20]
        if not budget.reserve():
            error = _("Có quá nhiều lượt tra cứu từ máy này. Vui lòng thử lại sau ít phút.")
        else:
            try:
                if action == "checkin":
                    appointment = _from_token(agency, request.POST.get("token", ""))
                    priority = priorities.filter(pk=pk_param(request.POST.get("priority"))).first()
                    ticket, created = booking.appointment_check_in_created(appointment=appointment,
                                                                           priority=priority)
                    # the walk-in kiosk's ticket screen prints it, once: only the check-in that numbered it
                    url = reverse("queueing:kiosk_ticket", args=[agency.code, ticket.token])
                    return redirect(url + ("?in=1" if created else ""))
                if action == "otp":
                    stage, masked = "otp", request.POST.get("masked", "")[:20]
                    found = booking.checkin_code_verify(agency=agency, phone=phone, code=request.POST.get("otp", ""))
                    stage = "found"
                elif request.POST.get("code", "").strip():
                    found = booking.appointment_find(agency=agency, code=request.POST.get("code", ""))
                    stage = "found"
                else:
                    masked = booking.checkin_code_send(agency=agency, phone=phone)
                    stage = "otp"
            except DomainError as exc:
                error = exc.message
                if stage != "otp":
                    stage = "find"
    return render(request, "queueing/booking/kiosk.html", {
        "agency": agency, "stage": stage, "error": error, "priorities": priorities, "masked": masked,
        "phone": phone,
        "found": [{"appointment": a, "initials": booking.initials(a.name), "token": _checkin_token(a)}
                  for a in found],
    })
