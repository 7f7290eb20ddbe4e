"""The centre's queue statistics page and the tickets behind each number (read-only)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Agency
from core.errors import DomainError
from core.params import int_param, pk_param
from core.periods import period_from

from . import policies, stats

NOT_ALLOWED = gettext_lazy(
    "Thống kê xếp hàng dành cho lãnh đạo, quản trị viên của trung tâm và cán bộ Sở Nội vụ phụ trách.")


def _centre(request, agencies: list[Agency]) -> Agency:
    raw = request.GET.get("agency", "")
    if not raw:
        return agencies[0]
    agency = Agency.objects.filter(pk=pk_param(raw)).first()
    if agency is None or not policies.can_see_queue_stats(request.user, agency):
        raise PermissionDenied(_("Trung tâm này ngoài phạm vi của bạn."))
    return agency


def _period(request) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    default = today.replace(day=1)
    try:
        return period_from(request.GET, default_start=default, today=today, max_days=stats.MAX_DAYS)
    except DomainError as exc:
        messages.error(request, _("%s Đang hiển thị tháng này.") % exc.message)
        return default, today


def _allowed(request) -> list[Agency]:
    agencies = stats.stats_agency_list(request.user)
    if not agencies:
        raise PermissionDenied(NOT_ALLOWED)
    return agencies


def _base_query(agency: Agency, start: dt.date, end: dt.date, **extra) -> str:
    return urlencode({"agency": agency.pk, "from": f"{start:%d/%m/%Y}", "to": f"{end:%d/%m/%Y}", **extra})


@login_required
def queue_stats(request):
    agencies = _allowed(request)
    agency = _centre(request, agencies)
    start, end = _period(request)
    data = stats.queue_stats(agency, start, end)
    data.total.q = _base_query(agency, start, end)
    tables = []
    for name, label in (("counter", _("Theo quầy")), ("field", _("Theo lĩnh vực")), ("officer", _("Theo cán bộ"))):
        for row in data.tables[name]:
            row.q = _base_query(agency, start, end, **{name: row.key})
        tables.append({"name": name, "label": label, "rows": data.tables[name]})
    if agency not in agencies:
        agencies = [agency, *agencies]
    return render(request, "queueing/stats.html", {
        "agency": agency, "agencies": agencies, "start": start, "end": end, "stats": data, "tables": tables,
        "tickets_url": reverse("queueing:stats_tickets"),
    })


def _row_filter(request, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return None if raw == "" else max(0, int_param(raw))


STATUS_LABELS = {"": gettext_lazy("Vé"), "done": gettext_lazy("Đã phục vụ"),
                 "no_show": gettext_lazy("Vắng mặt khi gọi"), "abandoned": gettext_lazy("Bỏ về, không được gọi"),
                 "open": gettext_lazy("Chưa xong"), "waiting": gettext_lazy("Đang chờ"),
                 "called": gettext_lazy("Đã gọi"), "serving": gettext_lazy("Đang phục vụ")}


@login_required
def ticket_list(request):
    """The tickets behind one number of the statistics page (same filters, same period)."""
    agencies = _allowed(request)
    agency = _centre(request, agencies)
    start, end = _period(request)
    status = request.GET.get("status", "")
    if status not in STATUS_LABELS:
        raise Http404(_("Cột thống kê không hợp lệ."))
    counter, officer, field_id = (_row_filter(request, n) for n in ("counter", "officer", "field"))
    qs = stats.tickets_behind(agency, start, end, counter=counter, officer=officer, field_id=field_id,
                              status=status)
    total = qs.count()
    rows = stats.ticket_rows(qs)
    return render(request, "queueing/stats_tickets.html", {
        "agency": agency, "start": start, "end": end, "rows": rows, "total": total,
        "label": STATUS_LABELS[status], "back": reverse("queueing:stats") + "?" + _base_query(agency, start, end),
    })
