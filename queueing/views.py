"""The pages of the desk floor: the kiosk (take a number), a ticket's public tracking page, the officer's
counter page, the calling display and its voice. Every write goes through services.py; a refusal is shown
as a message, never a 500."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Agency
from core import ratelimit
from core.errors import Conflict, DomainError
from core.params import pk_param
from dossiers.idempotency import new_key
from dossiers.printing import qr_svg

from . import policies, selectors, services, voice
from .models import Announcement, Counter, PriorityGroup, Service, Ticket, TicketStatus

ONCE_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
KIOSK_SALT = "queueing.kiosk"
KIOSK_FORM_SECONDS = 1800  # a kiosk form older than this is shown again (a script cannot mint its own keys)
KIOSK_TICKETS_PER_10_MIN = 200  # per address: a busy centre's kiosk issues far fewer; a script hits it


def _kiosk_key(signed: str) -> str | None:
    """The one-time key of a kiosk form the server signed, or None (forged, altered or too old)."""
    try:
        key = signing.loads(signed, salt=KIOSK_SALT, max_age=KIOSK_FORM_SECONDS)
    except signing.BadSignature:
        return None
    return key if isinstance(key, str) and ONCE_KEY.fullmatch(key) else None
KIOSK_RETURN_SECONDS = 20
FINAL = (TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.ABANDONED)


def _agency(code: str) -> Agency:
    return get_object_or_404(Agency, code=code)


def _json(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


# -- the kiosk ------------------------------------------------------------------------------------------

def _checkin_url(agency: Agency) -> str | None:
    """Appointment check-in is another page (`queueing:kiosk_checkin`): linked only where it exists."""
    try:
        return reverse("queueing:kiosk_checkin", args=[agency.code])
    except NoReverseMatch:
        return None


@require_GET
@never_cache
def kiosk(request, agency):
    agency = _agency(agency)
    waiting = selectors.waiting_by_service(agency)
    rows = [{"service": s, "waiting": waiting.get(s.pk, 0)}
            for s in Service.objects.filter(agency=agency, is_active=True).order_by("order", "code")]
    try:
        services.office_open(agency, timezone.now())
        closed = None
    except DomainError as exc:
        closed = exc.message
    return render(request, "queueing/kiosk_start.html", {
        "agency": agency, "rows": rows, "closed": closed, "checkin_url": _checkin_url(agency)})


@require_http_methods(["GET", "POST"])
@never_cache
def kiosk_service(request, agency, service):
    agency = _agency(agency)
    service = get_object_or_404(Service, pk=service, agency=agency, is_active=True)
    groups = list(PriorityGroup.objects.filter(is_active=True))
    error, status = None, 200
    posted_key = request.POST.get("once_key", "") if request.method == "POST" else ""
    if request.method == "POST":
        try:
            key = _kiosk_key(posted_key)  # signed by the server when the form was shown, for a short while
            if key is None:
                raise DomainError("once_key_invalid", _("Phiếu đã cũ. Hãy chọn lại dịch vụ rồi bấm “Lấy số”."))
            if not ratelimit.Budget(ratelimit.key_for("queue-kiosk", request.META.get("REMOTE_ADDR", "")),
                                    limit=KIOSK_TICKETS_PER_10_MIN, window=600).reserve():
                raise DomainError("kiosk_busy", _("Máy lấy số đang được dùng quá nhiều. Vui lòng chờ ít phút hoặc "
                                                  "hỏi cán bộ hướng dẫn."), http_status=429)
            priority = None
            if request.POST.get("priority"):
                priority = next((g for g in groups if str(g.pk) == request.POST["priority"]), None)
                if priority is None:
                    raise DomainError("priority_unknown", _("Nhóm ưu tiên không hợp lệ, hãy chọn lại."))
            at = timezone.now()
            ticket = services.ticket_issue(service=service, phone=request.POST.get("phone", ""), priority=priority,
                                           once_key=key, at=at)
        except DomainError as exc:
            error, status = exc.message, exc.http_status if exc.http_status >= 400 else 400
        else:
            url = reverse("queueing:kiosk_ticket", args=[agency.code, ticket.token])
            # Print only the ticket this request numbered: a double tap replays the first one without printing.
            return redirect(url + ("?in=1" if ticket.issued_at == at else ""))
    return render(request, "queueing/kiosk_service.html", {
        "agency": agency, "service": service, "groups": groups, "error": error,
        "once_key": posted_key if _kiosk_key(posted_key) else signing.dumps(new_key(), salt=KIOSK_SALT),
        "phone": request.POST.get("phone", ""), "priority": request.POST.get("priority", ""),
        "digits": ["1", "2", "3", "4", "5", "6", "7", "8", "9"]}, status=status)


@require_GET
@never_cache
def kiosk_ticket(request, agency, token):
    agency = _agency(agency)
    ticket = get_object_or_404(Ticket.objects.select_related("service", "priority"), token=token, agency=agency)
    track_url = request.build_absolute_uri(reverse("queueing:track", args=[ticket.token]))
    return render(request, "queueing/kiosk_ticket.html", {
        "agency": agency, "ticket": ticket, "ahead": selectors.people_ahead(ticket), "qr": qr_svg(track_url),
        "track_url": track_url, "autoprint": request.GET.get("in") == "1",
        "return_seconds": KIOSK_RETURN_SECONDS, "start_url": reverse("queueing:kiosk", args=[agency.code])})


# -- the public tracking page ---------------------------------------------------------------------------

def _track_state(ticket: Ticket) -> dict:
    ahead = selectors.people_ahead(ticket)
    number = ticket.counter.number if ticket.counter_id else None
    if ticket.status == TicketStatus.WAITING and ticket.target_counter_id:
        message = _("Quý vị được chuyển sang quầy số %d, xin chờ được gọi.") % ticket.target_counter.number
    elif ticket.status == TicketStatus.WAITING:
        message = (ngettext("Còn %d người trước quý vị.", "Còn %d người trước quý vị.", ahead) % ahead) if ahead \
            else _("Quý vị là người tiếp theo.")
    elif ticket.status == TicketStatus.CALLED:
        message = _("Mời đến quầy số %d") % number
    elif ticket.status == TicketStatus.SERVING:
        message = _("Quý vị đang được phục vụ tại quầy số %d.") % number
    elif ticket.status == TicketStatus.DONE:
        message = _("Đã phục vụ xong. Cảm ơn quý vị.")
    elif ticket.status == TicketStatus.NO_SHOW:
        message = _("Quý vị không có mặt khi được gọi. Nếu vẫn cần làm thủ tục, hãy lấy số mới.")
    else:
        message = _("Số này đã hết hiệu lực (hết ngày làm việc).")
    return {"code": ticket.code, "status": ticket.status, "status_label": ticket.get_status_display(),
            "ahead": ahead, "counter": number if ticket.status in (TicketStatus.CALLED, TicketStatus.SERVING)
            else None, "message": message, "final": ticket.status in FINAL}


def _ticket_by_token(token: str) -> Ticket:
    return get_object_or_404(Ticket.objects.select_related("service", "agency", "counter", "target_counter"),
                             token=token)


@require_GET
@never_cache
def track(request, token):
    ticket = _ticket_by_token(token)
    return render(request, "queueing/track.html", {"ticket": ticket, "state": _track_state(ticket)})


@require_GET
def track_state(request, token):
    return _json(_track_state(_ticket_by_token(token)))


# -- the officer's counter page -------------------------------------------------------------------------

def _officer_counters(user) -> list[Counter]:
    if not policies.works_at_counters(user):
        raise PermissionDenied(_("Trang quầy dành cho cán bộ tiếp nhận của trung tâm, bộ phận một cửa."))
    return list(selectors.counters_for_officer(user))


def _my_counter(user) -> Counter | None:
    counter = Counter.objects.filter(officer=user).select_related("agency").first()
    if counter is not None and not policies.can_staff_counter(user, counter):
        raise PermissionDenied(_("Bạn không còn là cán bộ tiếp nhận của %s.") % counter.agency.name)
    return counter


def _panels(request, counter: Counter) -> dict:
    """The two live parts of the counter page, rendered (the page and its JSON poll use the same templates)
    with a key each that changes only when what they show changes."""
    state = selectors.counter_state(counter)
    current = state["current"]
    others = [c for c in Counter.objects.filter(agency_id=counter.agency_id, is_active=True).order_by("number")
              if c.pk != counter.pk]
    ctx = {"counter": counter, "state": state, "others": others, "now": timezone.localtime()}
    current_key = json.dumps([current.pk, current.status, current.calls, state["waited_minutes"],
                              [c.pk for c in others]] if current else [None, [c.pk for c in others]])
    waiting_key = json.dumps([[s["code"], s["waiting"]] for s in state["services"]]
                             + [t.code for t in state["next"]])
    return {
        "current_html": render_to_string("queueing/_counter_current.html", ctx, request=request),
        "waiting_html": render_to_string("queueing/_counter_waiting.html", ctx, request=request),
        "current_key": hashlib.sha1(current_key.encode()).hexdigest()[:16],
        "waiting_key": hashlib.sha1(waiting_key.encode()).hexdigest()[:16],
    }


@login_required
@require_GET
@never_cache
def counter_page(request):
    counters = _officer_counters(request.user)
    mine = _my_counter(request.user)
    ctx = {"counters": counters, "mine": mine}
    if mine is not None:
        ctx.update(_panels(request, mine))
    return render(request, "queueing/counter.html", ctx)


@login_required
@require_GET
def counter_state(request):
    _officer_counters(request.user)
    mine = _my_counter(request.user)
    if mine is None:
        return _json({"open": False})
    return _json({"open": True, **_panels(request, mine)})


@login_required
@require_POST
def counter_open(request):
    _officer_counters(request.user)
    counter = get_object_or_404(Counter, pk=pk_param(request.POST.get("counter")))
    try:
        counter = services.counter_open(counter=counter, officer=request.user)  # PermissionDenied: a 403
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã mở %s.") % counter)
    return redirect("queueing:counter")


def _expect_current(counter: Counter, posted: str | None) -> None:
    """Refuse a button pressed on a page that no longer shows the counter's current ticket (a double click, a
    second tab): "Gọi số tiếp theo" twice would otherwise finish the citizen just called and call another."""
    if posted is None:  # a client that does not send what it saw
        return
    current = services.current_ticket(counter)
    if posted == (str(current.pk) if current else ""):
        return
    seen = Ticket.objects.filter(pk=pk_param(posted), counter=counter).first()
    if seen is not None and seen != current:
        message = _("Số %(code)s đã chuyển sang “%(status)s”. Trang đã được cập nhật, hãy xem lại rồi bấm.") % {
            "code": seen.code, "status": seen.get_status_display()}
    elif current is not None:
        message = _("Quầy đang gọi số %s. Trang đã được cập nhật, hãy xem lại rồi bấm.") % current.code
    else:
        message = _("Quầy không còn số nào đang gọi. Trang đã được cập nhật, hãy xem lại rồi bấm.")
    raise Conflict("stale_counter_page", message)


@login_required
@require_POST
def counter_act(request):
    _officer_counters(request.user)
    counter = _my_counter(request.user)
    if counter is None:
        messages.error(request, _("Bạn chưa mở quầy nào: hãy chọn quầy và bấm “Mở quầy”."))
        return redirect("queueing:counter")
    action, who = request.POST.get("action", ""), {"counter": counter, "officer": request.user}
    try:
        _expect_current(counter, request.POST.get("ticket"))
        if action == "call":
            ticket = services.ticket_call_next(**who)
            done = (_("Đã gọi số %s.") % ticket.code) if ticket else _("Không còn ai chờ ở các dịch vụ của quầy.")
        elif action == "recall":
            done = _("Đã gọi lại số %s.") % services.ticket_recall(**who).code
        elif action == "serve":
            done = _("Bắt đầu phục vụ số %s.") % services.ticket_serve(**who).code
        elif action == "finish":
            done = _("Đã phục vụ xong số %s.") % services.ticket_finish(**who).code
        elif action == "skip":
            done = _("Số %s được ghi vắng mặt.") % services.ticket_skip(**who).code
        elif action == "transfer":
            to = Counter.objects.filter(pk=pk_param(request.POST.get("to_counter"))).first()
            if to is None:
                raise DomainError("invalid_counter", _("Hãy chọn quầy để chuyển đến."))
            ticket = services.ticket_transfer(**who, to_counter=to)
            done = _("Đã chuyển số %(code)s sang quầy số %(number)d.") % {"code": ticket.code, "number": to.number}
        elif action == "close":
            done = _("Đã đóng %s.") % services.counter_close(**who)
        else:
            raise DomainError("unknown_action", _("Thao tác không hợp lệ."))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("queueing:counter")


# -- the calling display and its voice ------------------------------------------------------------------

ANNOUNCE_AT_MOST = 3


def _display(agency: Agency, after: int) -> dict:
    state = selectors.display_state(agency, after=after)
    state["calls"] = state["calls"][-ANNOUNCE_AT_MOST:]  # back from a cut, the latest few, not a flood
    for call in state["calls"]:
        call["audio"] = reverse("queueing:audio", args=[call["id"]])
    state["latest"] = selectors.display_latest(agency)
    state["counters"] = [c for c in state["counters"] if c["open"]]
    return state


@require_GET
@never_cache
def display(request, agency):
    agency = _agency(agency)
    return render(request, "queueing/display.html", {"agency": agency, "state": _display(agency, -1)})


@require_GET
def display_json(request, agency):
    agency = _agency(agency)
    raw = request.GET.get("after", "-1")
    after = int(raw) if re.fullmatch(r"-1|\d{1,18}", raw) else -1
    return _json(_display(agency, after))


@require_GET
def audio(request, pk):
    # today's calls only: a display never asks for older ones, and each new text costs a synthesis
    announcement = get_object_or_404(Announcement, pk=pk, at__gte=timezone.now() - dt.timedelta(hours=24))
    try:
        path = voice.wav_for(announcement.text)
    except voice.VoiceUnavailable:
        return HttpResponse(_("Máy chủ chưa có bộ đọc tiếng Việt (espeak-ng): màn hình gọi số không phát được âm "
                              "thanh."), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(path.read_bytes(), content_type="audio/wav")
    response["Cache-Control"] = "public, max-age=31536000, immutable"  # an announcement's text never changes
    return response
