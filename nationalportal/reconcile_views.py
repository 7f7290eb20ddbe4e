"""The administrators' reconciliation page (/lien-thong/cong-quoc-gia/doi-soat/): the latest run, its open
discrepancies and the buttons that resolve them (`reconcile.resend`, `reconcile.pull`), and "reconcile now"."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from dossiers.workflow import Status

from . import policies, reconcile, selectors


def _admin_only(request) -> None:
    if not policies.can_administer_link(request.user):
        raise PermissionDenied(_("Chỉ quản trị viên mới được đối soát với Cổng DVC quốc gia."))


def _rows(discrepancies, labels: dict[str, str]) -> list[dict]:
    return [{"d": d, "ours_label": labels.get(d.ours, ""), "theirs_label": labels.get(d.theirs, ""),
             "our_status_label": Status(d.our_status).label if d.our_status in Status.values else d.our_status,
             "can_resend": d.kind in reconcile.RESENDABLE, "can_pull": d.kind in reconcile.PULLABLE}
            for d in discrepancies]


@login_required
@require_GET
def reconciliation_page(request):
    _admin_only(request)
    latest = selectors.latest_run()
    shown = latest if latest is None or not latest.error else selectors.latest_complete_run()
    labels = selectors.national_labels()
    context = {"latest": latest, "shown": shown, "open_rows": [], "resolved_rows": [],
               "pulling": bool(getattr(settings, "NATIONAL_PORTAL_PULL", False)), "cursor": selectors.pull_cursor()}
    if shown is not None:
        context["open_rows"] = _rows(selectors.discrepancies_of(shown, resolved=False), labels)
        context["resolved_rows"] = _rows(selectors.discrepancies_of(shown, resolved=True), labels)
    return render(request, "nationalportal/reconcile.html", context)


@login_required
@require_POST
def reconcile_now(request):
    _admin_only(request)
    run = reconcile.reconcile(by=request.user)
    if run.error:
        messages.error(request, _("Không đối soát được: %s") % run.error)
    else:
        messages.success(request, _("Đã đối soát %(listed)s hồ sơ Cổng DVC quốc gia liệt kê: %(found)s chênh lệch.")
                         % {"listed": run.listed, "found": run.found})
    return redirect("nationalportal_reconcile:page")


def _discrepancy(request):
    """The discrepancy the POST names, or None with the reason shown."""
    raw = (request.POST.get("discrepancy") or "").strip()
    if not (raw.isascii() and raw.isdecimal()) or len(raw) > 18:  # "²".isdigit() is True, int("²") fails
        messages.error(request, _("Mục đối soát không hợp lệ."))
        return None
    discrepancy = selectors.discrepancy_get(int(raw))
    if discrepancy is None:
        messages.error(request, _("Không có mục đối soát này."))
    return discrepancy


@login_required
@require_POST
def resend(request):
    _admin_only(request)
    discrepancy = _discrepancy(request)
    if discrepancy is not None:
        try:
            reconcile.resend(discrepancy, request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã xếp gửi lại trạng thái của hồ sơ %s lên Cổng DVC quốc gia.")
                             % discrepancy.national_code)
    return redirect("nationalportal_reconcile:page")


@login_required
@require_POST
def pull(request):
    _admin_only(request)
    discrepancy = _discrepancy(request)
    if discrepancy is not None:
        try:
            outcome = reconcile.pull(discrepancy, request.user)
        except DomainError as exc:
            messages.error(request, _("Chưa lấy được hồ sơ %(code)s: %(reason)s") % {
                "code": discrepancy.national_code, "reason": exc.message})
        else:
            if outcome.created:
                messages.success(request, _("Đã lấy hồ sơ %s về; hồ sơ đang chờ tiếp nhận.")
                                 % discrepancy.national_code)
            else:
                messages.success(request, _("Hồ sơ %s đã có trong hệ thống; không tạo thêm.")
                                 % discrepancy.national_code)
    return redirect("nationalportal_reconcile:page")
