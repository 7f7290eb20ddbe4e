"""Every write of the desk floor: issuing a ticket, opening a counter, calling, serving, transferring."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.validators import normalize_phone
from core.errors import DomainError
from notifications.services import sms_queue
from workcalendar.selectors import calendar_for

from . import policies, rules
from .models import (
    ACTIVE,
    Announcement,
    Counter,
    DailySequence,
    PriorityGroup,
    Service,
    Ticket,
    TicketEvent,
    TicketEventType,
    TicketStatus,
)


def _event(ticket: Ticket, kind: str, at, *, counter=None, officer=None, **payload) -> None:
    TicketEvent.objects.create(ticket=ticket, type=kind, at=at, counter=counter, officer=officer, payload=payload)


def office_open(agency, moment: dt.datetime) -> None:
    """Raise with the reason when tickets cannot be issued at `moment` (a day off, outside office hours)."""
    local = timezone.localtime(moment)
    cal = calendar_for(agency)
    if not cal.is_working_day(local.date()):
        raise DomainError("queue_closed_day", _("Hôm nay (%s) không phải ngày làm việc của trung tâm.")
                          % local.strftime("%d/%m/%Y"))
    opens = dt.datetime.combine(local.date(), agency.morning_start, tzinfo=local.tzinfo) - rules.OPEN_EARLY
    closes = dt.datetime.combine(local.date(), agency.afternoon_end, tzinfo=local.tzinfo)
    if not (opens <= local <= closes):
        raise DomainError("queue_closed_hours", _(
            "Ngoài giờ cấp số thứ tự (từ %(start)s đến %(end)s).") % {
            "start": opens.strftime("%H:%M"), "end": closes.strftime("%H:%M")})


def _phone(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return normalize_phone(value)
    except ValidationError as exc:
        raise DomainError("invalid_phone", exc.messages[0], field="phone") from exc


def ticket_issue(*, service: Service, phone: str = "", priority: PriorityGroup | None = None, once_key: str = "",
                 at: dt.datetime | None = None, appointment=None, check_hours: bool = True) -> Ticket:
    """Take a number for `service`. The same kiosk form sent twice (`once_key`) gives the first ticket."""
    at = at or timezone.now()
    if once_key:
        existing = Ticket.objects.filter(agency_id=service.agency_id, once_key=once_key).first()
        if existing is not None:
            return existing
    if not service.is_active:
        raise DomainError("service_inactive", _("Dịch vụ này hiện không cấp số."), field="service")
    if priority is not None and not priority.is_active:
        raise DomainError("priority_inactive", _("Nhóm ưu tiên này không còn áp dụng."), field="priority")
    phone = _phone(phone)
    if check_hours:
        office_open(service.agency, at)
    day = timezone.localdate(at)
    if phone and appointment is None and Ticket.objects.filter(
            agency_id=service.agency_id, day=day, phone=phone,
            status__in=(TicketStatus.WAITING, TicketStatus.CALLED)).count() >= rules.ACTIVE_PER_PHONE:
        # a text goes to that phone when its turn nears: a stranger's number typed in twice is enough
        raise DomainError("phone_busy", _(
            "Số điện thoại này đã có %d số đang chờ hôm nay. Hãy bỏ trống ô số điện thoại hoặc chờ được gọi.")
            % rules.ACTIVE_PER_PHONE, field="phone")
    try:
        with transaction.atomic():
            seq, _created = DailySequence.objects.select_for_update().get_or_create(service=service, day=day)
            seq = DailySequence.objects.select_for_update().get(pk=seq.pk)
            seq.last += 1
            seq.save(update_fields=["last"])
            ticket = Ticket.objects.create(
                agency_id=service.agency_id, service=service, day=day, number=seq.last,
                code=f"{service.code}{seq.last:03d}", phone=phone, priority=priority,
                priority_rank=priority.rank if priority else rules.NO_PRIORITY, issued_at=at, once_key=once_key,
                appointment=appointment, slot_start=appointment.slot_start if appointment else None)
            _event(ticket, TicketEventType.ISSUED, at, priority=priority.code if priority else "")
    except IntegrityError:
        if once_key:  # the same form, sent twice at once: the other request numbered it
            return Ticket.objects.get(agency_id=service.agency_id, once_key=once_key)
        raise
    return ticket


# -- counters ------------------------------------------------------------------------------------------

def _counter_for(counter: Counter, officer) -> Counter:
    counter = Counter.objects.select_for_update().get(pk=counter.pk)
    if not policies.can_staff_counter(officer, counter):  # a role taken away while the counter was open
        raise PermissionDenied(_("Chỉ cán bộ tiếp nhận của %s mới mở được quầy này.") % counter.agency.name)
    if counter.officer_id != officer.pk:
        raise DomainError("counter_not_yours", _("Bạn chưa mở %s: hãy mở quầy trước khi gọi số.") % counter,
                          http_status=409)
    return counter


@transaction.atomic
def counter_open(*, counter: Counter, officer) -> Counter:
    if not policies.can_staff_counter(officer, counter):
        raise PermissionDenied(_("Chỉ cán bộ tiếp nhận của %s mới mở được quầy này.") % counter.agency.name)
    counter = Counter.objects.select_for_update().get(pk=counter.pk)
    if not counter.is_active:
        raise DomainError("counter_inactive", _("Quầy này không còn sử dụng."))
    if counter.officer_id == officer.pk:
        return counter
    if counter.officer_id is not None:
        raise DomainError("counter_taken", _("%(counter)s đang do %(name)s trực.") % {
            "counter": counter, "name": counter.officer.full_name}, http_status=409)
    held = Counter.objects.select_for_update().filter(officer=officer).first()
    if held is not None:
        raise DomainError("officer_has_counter", _("Bạn đang trực %s: hãy đóng quầy đó trước.") % held,
                          http_status=409)
    counter.officer, counter.opened_at = officer, timezone.now()
    try:
        with transaction.atomic():
            counter.save(update_fields=["officer", "opened_at"])
    except IntegrityError:  # the same officer opening another counter at the same moment
        raise DomainError("officer_has_counter", _("Bạn đang trực một quầy khác: hãy đóng quầy đó trước."),
                          http_status=409) from None
    return counter


@transaction.atomic
def counter_close(*, counter: Counter, officer) -> Counter:
    counter = _counter_for(counter, officer)
    if Ticket.objects.filter(counter=counter, status__in=(TicketStatus.CALLED, TicketStatus.SERVING)).exists():
        raise DomainError("counter_busy", _("Hãy kết thúc lượt đang phục vụ (hoặc báo vắng mặt) trước khi đóng quầy."),
                          http_status=409)
    counter.officer, counter.opened_at = None, None
    counter.save(update_fields=["officer", "opened_at"])
    return counter


def current_ticket(counter: Counter, *, for_update: bool = False, at: dt.datetime | None = None) -> Ticket | None:
    """The ticket called or served at the counter on the day of `at` (default now); earlier days' are closed
    by `tickets_close_day`, never carried into the next morning."""
    qs = Ticket.objects.filter(counter=counter, status__in=(TicketStatus.CALLED, TicketStatus.SERVING),
                               day=timezone.localdate(at or timezone.now()))
    if for_update:
        qs = qs.select_for_update()
    return qs.order_by("-last_called_at", "-id").first()


def _announce(ticket: Ticket, counter: Counter, at) -> Announcement:
    text = _("Mời công dân số %(code)s đến %(counter)s") % {"code": ticket.code,
                                                             "counter": f"quầy số {counter.number}"}
    return Announcement.objects.create(agency_id=counter.agency_id, ticket=ticket, counter=counter, at=at, text=text)


def _finish(ticket: Ticket, at, officer, counter) -> None:
    if ticket.serving_at is None:
        ticket.serving_at = ticket.last_called_at or at
    ticket.status, ticket.finished_at = TicketStatus.DONE, at
    ticket.save(update_fields=["status", "serving_at", "finished_at"])
    _event(ticket, TicketEventType.DONE, at, counter=counter, officer=officer)


@transaction.atomic
def ticket_call_next(*, counter: Counter, officer, at: dt.datetime | None = None) -> Ticket | None:
    """Finish the counter's current ticket and call the next one by the calling order (README). Two
    counters calling at once never get the same ticket: the candidate row is locked and a locked row is
    skipped (PostgreSQL `FOR UPDATE SKIP LOCKED`; SQLite serialises writers)."""
    at = at or timezone.now()
    counter = _counter_for(counter, officer)
    current = current_ticket(counter, for_update=True, at=at)
    if current is not None:
        _finish(current, at, officer, counter)
    waiting = Ticket.objects.filter(agency_id=counter.agency_id, day=timezone.localdate(at),
                                    status=TicketStatus.WAITING).filter(rules.callable_by(counter))
    ticket = rules.calling_order(waiting, counter=counter, now=at).select_for_update(skip_locked=True,
                                                                                      of=("self",)).first()
    if ticket is None:
        return None
    ticket.status, ticket.counter, ticket.officer = TicketStatus.CALLED, counter, officer
    ticket.called_at = ticket.called_at or at
    ticket.last_called_at, ticket.calls, ticket.target_counter = at, ticket.calls + 1, None
    ticket.save(update_fields=["status", "counter", "officer", "called_at", "last_called_at", "calls",
                               "target_counter"])
    _event(ticket, TicketEventType.CALLED, at, counter=counter, officer=officer)
    _announce(ticket, counter, at)
    service_id, day = ticket.service_id, ticket.day
    # robust: the call is committed; a broker or SMS hiccup is logged, never the officer's 500
    transaction.on_commit(lambda: tickets_notify_near_turn(service_id=service_id, day=day), robust=True)
    return ticket


def tickets_notify_near_turn(*, service_id: int, day: dt.date, at: dt.datetime | None = None) -> int:
    """One SMS to each waiting ticket of the service with a phone number whose turn nears (at most
    `rules.NEAR_TURN` people ahead) and that was not told yet; run after every call. Returns how many.
    No ticket row is locked (a counter calling meanwhile would SKIP a locked head of the queue): each ticket
    is claimed by one conditional UPDATE, so a text goes once even when two calls race."""
    at = at or timezone.now()
    head = list(Ticket.objects.filter(service_id=service_id, day=day, status=TicketStatus.WAITING)
                .order_by("priority_rank", "issued_at", "id")  # people_ahead's order
                .values_list("pk", "phone", flat=False)[:rules.NEAR_TURN + 1])
    told = 0
    for ahead, (pk, phone) in enumerate(head):
        if not phone:
            continue
        claimed = Ticket.objects.filter(pk=pk, status=TicketStatus.WAITING, near_turn_sms_at__isnull=True).update(
            near_turn_sms_at=at)
        if not claimed:
            continue
        ticket = Ticket.objects.select_related("service", "agency").get(pk=pk)
        url = settings.SITE_URL.rstrip("/") + reverse("queueing:track", args=[ticket.token])
        text = _("Sắp đến lượt quý vị: số %(code)s (%(service)s) tại %(agency)s, còn %(ahead)d người phía "
                 "trước. Theo dõi: %(url)s") % {"code": ticket.code, "service": ticket.service.name,
                                                "agency": ticket.agency.short_name or ticket.agency.name,
                                                "ahead": ahead, "url": url}
        sms_queue(to=ticket.phone, text=text, key=f"queue-near-turn:{ticket.pk}")
        told += 1
    return told


def _current_or_error(counter: Counter, *statuses, at=None) -> Ticket:
    ticket = current_ticket(counter, for_update=True, at=at)
    if ticket is None or ticket.status not in statuses:
        raise DomainError("no_current_ticket", _("Quầy chưa gọi số nào."), http_status=409)
    return ticket


@transaction.atomic
def ticket_recall(*, counter: Counter, officer, at=None) -> Ticket:
    at = at or timezone.now()
    counter = _counter_for(counter, officer)
    ticket = _current_or_error(counter, TicketStatus.CALLED, at=at)
    ticket.calls, ticket.last_called_at = ticket.calls + 1, at
    ticket.save(update_fields=["calls", "last_called_at"])
    _event(ticket, TicketEventType.RECALLED, at, counter=counter, officer=officer, calls=ticket.calls)
    _announce(ticket, counter, at)
    return ticket


@transaction.atomic
def ticket_serve(*, counter: Counter, officer, at=None) -> Ticket:
    at = at or timezone.now()
    counter = _counter_for(counter, officer)
    ticket = _current_or_error(counter, TicketStatus.CALLED, at=at)
    ticket.status, ticket.serving_at = TicketStatus.SERVING, at
    ticket.save(update_fields=["status", "serving_at"])
    _event(ticket, TicketEventType.SERVING, at, counter=counter, officer=officer)
    return ticket


@transaction.atomic
def ticket_finish(*, counter: Counter, officer, at=None) -> Ticket:
    at = at or timezone.now()
    counter = _counter_for(counter, officer)
    ticket = _current_or_error(counter, TicketStatus.CALLED, TicketStatus.SERVING, at=at)
    _finish(ticket, at, officer, counter)
    return ticket


@transaction.atomic
def ticket_skip(*, counter: Counter, officer, at=None) -> Ticket:
    """The citizen did not come when called: a no-show (they take a new number if they come back)."""
    at = at or timezone.now()
    counter = _counter_for(counter, officer)
    ticket = _current_or_error(counter, TicketStatus.CALLED, at=at)
    ticket.status, ticket.finished_at = TicketStatus.NO_SHOW, at
    ticket.save(update_fields=["status", "finished_at"])
    _event(ticket, TicketEventType.NO_SHOW, at, counter=counter, officer=officer, calls=ticket.calls)
    return ticket


@transaction.atomic
def ticket_transfer(*, counter: Counter, officer, to_counter: Counter, at=None) -> Ticket:
    """Send the current citizen to another counter of the centre: that counter calls them next."""
    at = at or timezone.now()
    counter = _counter_for(counter, officer)
    if to_counter.agency_id != counter.agency_id or not to_counter.is_active or to_counter.pk == counter.pk:
        raise DomainError("invalid_counter", _("Hãy chọn một quầy khác đang sử dụng của trung tâm."),
                          field="to_counter")
    if not Counter.objects.filter(pk=to_counter.pk, officer__isnull=False).exists():
        # nobody would ever call it there: the citizen would wait for a closed counter
        raise DomainError("counter_closed", _("%s đang đóng: hãy chuyển sang một quầy đang mở.") % to_counter,
                          field="to_counter")
    ticket = _current_or_error(counter, TicketStatus.CALLED, TicketStatus.SERVING, at=at)
    ticket.status, ticket.counter, ticket.target_counter, ticket.transferred_at = (
        TicketStatus.WAITING, None, to_counter, at)
    ticket.save(update_fields=["status", "counter", "target_counter", "transferred_at"])
    _event(ticket, TicketEventType.TRANSFERRED, at, counter=counter, officer=officer, to_counter=to_counter.pk,
           to_number=to_counter.number)
    return ticket


@transaction.atomic
def tickets_close_day(*, day: dt.date, at=None) -> int:
    """Close the tickets of `day` and before still open: never called → abandoned (left without being
    served); called but not served → absent (no-show); being served → done, with no end time (the service
    time is unknown and left out of the statistics). Every open counter of those days is closed too.
    Idempotent: run nightly (beat) and by `manage.py close_queue_day`."""
    at = at or timezone.now()
    left = list(Ticket.objects.select_for_update().filter(day__lte=day, status__in=ACTIVE))
    for ticket in left:
        if ticket.status == TicketStatus.WAITING:
            ticket.status, kind = TicketStatus.ABANDONED, TicketEventType.ABANDONED
            ticket.finished_at = at
        elif ticket.status == TicketStatus.CALLED:
            ticket.status, kind = TicketStatus.NO_SHOW, TicketEventType.NO_SHOW
            ticket.finished_at = at
        else:
            ticket.status, kind = TicketStatus.DONE, TicketEventType.DONE
            ticket.finished_at = None  # not known: not a service time
        ticket.save(update_fields=["status", "finished_at"])
        _event(ticket, kind, at, closed_day=True)
    Counter.objects.filter(officer__isnull=False, opened_at__date__lte=day).update(officer=None, opened_at=None)
    return len(left)


def ticket_link_dossier(*, officer, dossier, at=None) -> Ticket | None:
    """A dossier received by an officer while serving a ticket belongs to that ticket (the chain ticket →
    dossier → survey). Idempotent: a dossier already linked to that ticket writes no second event."""
    ticket = (Ticket.objects.filter(officer=officer, status__in=(TicketStatus.CALLED, TicketStatus.SERVING),
                                    day=timezone.localdate(at or timezone.now()))
              .order_by("-last_called_at").first())
    if ticket is None:
        return None
    if ticket.dossiers.filter(pk=dossier.pk).exists():
        return ticket
    ticket.dossiers.add(dossier)
    _event(ticket, TicketEventType.DOSSIER, at or timezone.now(), officer=officer, dossier=dossier.pk,
           code=dossier.code)
    return ticket
