"""Pages for apology letters (Mẫu 04): draft, edit the reason, issue, cancel, the PDF; the head's page of dossiers at
risk of being late (reassign, draft the letter early)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access
from core.errors import DomainError
from core.params import pk_param
from core.periods import in_range, period_from
from regulations.selectors import rules_in_force
from signing.config import SigningUnavailable

from .. import idempotency, issuing, pins, policies, selectors, services
from ..models import ApologyLetter, LetterStatus
from ..printing import render_apology
from . import at_risk as at_risk_reads
from . import letters
from . import report as late_reports
from .report import GROUPS, late_counted_at, late_page, late_summary, late_xlsx
from .workload import appraiser_workload

logger = logging.getLogger(__name__)


def _back(pk: int):
    return redirect(reverse("dossiers:detail", args=[pk]) + "#xin-loi")


def _letter(request, pk: int, letter_pk: int) -> ApologyLetter:
    dossier = selectors.access_dossier(request.user, pk)
    letter = selectors.apology_letter_get(dossier, letter_pk)
    if letter is None:
        raise Http404("Không tìm thấy phiếu này.")
    return letter


FORM_FIELDS = ("reason_kind", "reason_text", "new_due", "extend", "cancel_reason")


def _run(request, pk: int, call, done: str):
    """Run the service; on a refusal keep what the officer typed and show the message right in the
    apology section (the page jumps there), not only at the top of the page."""
    try:
        call()
    except (DomainError, PermissionDenied) as exc:
        text = exc.message if isinstance(exc, DomainError) else (
            str(exc) or _("Bạn không có quyền thực hiện thao tác này."))
        request.session["apology_form"] = {"dossier": pk, "error": text,
                                           "data": {f: request.POST.get(f, "") for f in FORM_FIELDS}}
    else:
        messages.success(request, done)
    return _back(pk)


@login_required
@require_POST
def apology_draft(request, pk: int):
    dossier = selectors.access_dossier(request.user, pk)

    # "risk": drafted early from the at-risk list or the forecast on the dossier page (the service checks it)
    trigger = "risk" if request.POST.get("trigger") == "risk" else "manual"

    def draft():
        done = idempotency.form_once(request, scope="apology-draft", url=lambda _letter: "", action=lambda: (
            letters.apology_letter_draft(dossier=dossier, actor=request.user,
                                           reason_kind=request.POST.get("reason_kind", ""),
                                           reason_text=request.POST.get("reason_text", ""), trigger=trigger)))
        if done.replayed:  # Back + submit again: the draft made the first time, not a refusal
            messages.info(request, idempotency.replay_notice())

    return _run(request, pk, draft, _("Đã lập dự thảo phiếu xin lỗi, chờ lãnh đạo ký."))


# -- dossiers at risk of being late: the head's page ------------------------------------------------------
AT_RISK_PAGE = 100


@login_required
def at_risk(request):
    """The agency's dossiers at risk of missing their appointment (the forecast), highest risk first, beside the
    workload of each appraiser; each row reassigns to the least loaded appraiser in one click and drafts the
    apology letter early. For the head of the agency and its approvers (policies.risk_desk_agency_ids)."""
    agencies = at_risk_reads.desk_agencies(request.user)
    if not agencies:
        raise PermissionDenied(_("Trang này dành cho thủ trưởng, lãnh đạo cơ quan giải quyết hồ sơ."))
    agency = next((a for a in agencies if a.code == request.GET.get("agency")), agencies[0])
    now = timezone.now()
    rows = at_risk_reads.agency_at_risk(agency, limit=AT_RISK_PAGE + 1)
    more, rows = len(rows) > AT_RISK_PAGE, rows[:AT_RISK_PAGE]
    loads = appraiser_workload(agency, now=now)
    open_letters = dict(ApologyLetter.objects.filter(dossier__in=[d.pk for d in rows]).exclude(
        status=LetterStatus.CANCELLED).order_by("drafted_at").values_list("dossier_id", "status"))
    for d in rows:
        d.risk_percent = at_risk_reads.risk_percent(d.risk)
        d.move = ("reassign" if d.status in services.REASSIGNABLE
                  else "assign" if policies.can_fire(request.user, d, "assign") else "")
        d.choices = [load for load in loads if load.user.pk != d.assignee_id] if d.move else []
        d.letter = open_letters.get(d.pk, "")
        d.can_draft_early = not d.letter and policies.can_draft_apology(request.user, d)
    return render(request, "dossiers/at_risk.html", {
        "agency": agency, "agencies": agencies, "rows": rows, "more": more, "loads": loads, "now": now,
        "threshold": at_risk_reads.risk_percent(at_risk_reads.risk_threshold()),
        "reasons": rules_in_force().apology_reason_choices(),
    })


@login_required
@require_POST
def at_risk_assign(request, pk: int):
    """One row's form of the at-risk page: give the dossier to the appraiser chosen (least loaded pre-selected).
    A dossier with an appraiser is reassigned (`services.dossier_reassign`), one waiting for its first appraiser
    is assigned (the workflow's `assign`). A form shown before the dossier moved changes nothing and says so."""
    dossier = selectors.access_dossier(request.user, pk)
    back = f"{reverse('dossiers:at_risk')}?agency={dossier.handling_agency.code}"
    appraiser = selectors.user_get(pk_param(request.POST.get("appraiser")))
    if appraiser is None:
        messages.error(request, _("Hãy chọn chuyên viên thẩm định."))
        return redirect(back)
    expected_status = request.POST.get("expected_status") or None
    try:
        if request.POST.get("move") == "assign":
            services.dossier_assign(dossier=dossier, actor=request.user, appraiser=appraiser,
                                    expected_status=expected_status)
        else:
            raw = request.POST.get("expected_assignee", "")
            services.dossier_reassign(dossier=dossier, actor=request.user, appraiser=appraiser,
                                      expected_assignee=pk_param(raw) if raw else None,
                                      expected_status=expected_status, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã giao hồ sơ %(code)s cho %(name)s.") % {"code": dossier.code,
                                                                              "name": appraiser.full_name})
    return redirect(back)


@login_required
@require_POST
def apology_update(request, pk: int, letter_pk: int):
    letter = _letter(request, pk, letter_pk)
    post = request.POST
    if post.get("do") == "issue":
        return _run(request, pk, lambda: letters.apology_letter_issue(
            letter=letter, actor=request.user, reason_kind=post.get("reason_kind", ""),
            reason_text=post.get("reason_text", ""), new_due=post.get("new_due") or None,
            extend=post.get("extend", "1") == "1"), _("Đã ký ban hành phiếu xin lỗi và thông báo cho công dân."))
    if post.get("do") == "cancel":
        return _run(request, pk, lambda: letters.apology_letter_cancel(
            letter=letter, actor=request.user, reason=post.get("cancel_reason", "")), _("Đã hủy dự thảo."))
    return _run(request, pk, lambda: letters.apology_letter_update(
        letter=letter, actor=request.user, reason_kind=post.get("reason_kind", ""),
        reason_text=post.get("reason_text", ""), new_due=post.get("new_due") or None), _("Đã lưu dự thảo."))


@login_required
def apology_pdf(request, pk: int, letter_pk: int):
    """The issued letter (its stored PDF); staff of the dossier may also preview a draft."""
    letter = _letter(request, pk, letter_pk)
    policies.require_applicant(request.user, letter.dossier)  # the letter carries the address and phone
    staff_view = policies.sees_as_staff(request.user, letter.dossier)
    if letter.status != LetterStatus.ISSUED and not staff_view:
        raise Http404("Phiếu chưa ban hành.")
    if letter.status == LetterStatus.CANCELLED:
        raise Http404("Phiếu đã hủy.")
    if staff_view:
        selectors.log_personal_data_access(request, letter.dossier, "print", "Mẫu 04")
    name = f"phieu-xin-loi-{(letter.number or 'du-thao-' + str(letter.pk)).replace('/', '-')}.pdf"
    if letter.status == LetterStatus.ISSUED:
        if not letter.pdf:
            try:
                letters.store_pdf(letter)
            except SigningUnavailable as exc:  # the agency's key cannot be used: nothing was issued
                messages.error(request, exc.message)
                return redirect(issuing.came_from(request, reverse("dossiers:detail", args=[pk]) + "#xin-loi"))
        return FileResponse(letter.pdf.open("rb"), filename=name, content_type="application/pdf")
    response = HttpResponse(render_apology(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
def late_report(request):
    """Overdue and due-soon dossiers per agency / officer / procedure, with apology letters; XLSX."""
    if not access.is_staff_member(request.user):
        raise PermissionDenied(_("Trang này dành cho cán bộ."))
    today = timezone.localdate()
    try:
        start, end = period_from(request.GET, default_start=today.replace(day=1), today=today)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:late_report")
    if request.GET.get("format") == "xlsx":
        selectors.log_personal_data_access(request, None, "export", "Báo cáo hồ sơ trễ hạn")
        response = HttpResponse(late_xlsx(request.user, start=start, end=end),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="ho-so-tre-han-{today:%Y%m%d}.xlsx"'
        return response
    group = request.GET.get("by") if request.GET.get("by") in GROUPS else "agency"
    after = _late_cursor(request.GET.get("sau"))
    dossiers, following = late_page(request.user, after=after)
    return render(request, "dossiers/late_report.html", {
        "rows": late_summary(request.user, group=group, start=start, end=end), "group": group,
        "counted_at": late_counted_at(), "sweep_minutes": max(1, round(settings.DEADLINE_SWEEP_SECONDS / 60)),
        "group_label": GROUPS[group][3], "start": start, "end": end,
        "dossiers": dossiers, "paged": after is not None, "page_size": late_reports.PAGE,
        "next_cursor": f"{following[0].isoformat()}|{following[1]}" if following else "",
        "drafts": selectors.apology_draft_list(request.user, limit=50),
    })


def _late_cursor(raw: str | None) -> tuple | None:
    """The late list's "next page" keyset: (due_at, id) of the last row shown. A hand-edited one starts from the
    first page rather than fail."""
    head, _sep, raw_pk = (raw or "").partition("|")
    try:
        pk, due_at = int(raw_pk), dt.datetime.fromisoformat(head)
    except ValueError:
        return None
    if not 0 < pk < 2**63 or due_at.tzinfo is None or not in_range(due_at.date()):
        return None
    return due_at, pk


def lookup_apology_pdf(request, letter_pk: int):
    """The issued letter for someone without an account: the dossier code and PIN (as on the
    tracking page, sharing its budget of wrong PINs per dossier code)."""
    try:
        dossier = pins.dossier_by_pin(code=request.GET.get("code", ""), pin=request.GET.get("pin", ""))
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.http_status, content_type="text/plain; charset=utf-8")
    letter = selectors.issued_apology_letter_get(dossier, letter_pk) if dossier else None
    if letter is None:
        raise Http404("Không tìm thấy phiếu với mã hồ sơ và PIN này.")
    if not letter.pdf:
        try:
            letters.store_pdf(letter)
        except SigningUnavailable as exc:  # the agency's key cannot be used: nothing was issued
            logger.error("apology letter %s: %s", letter.pk, exc.message)  # paths and variable names: not public
            return HttpResponse(_("Phiếu xin lỗi tạm thời chưa tải được. Vui lòng thử lại sau hoặc liên hệ Bộ phận "
                                  "Một cửa."), status=exc.http_status, content_type="text/plain; charset=utf-8")
    return FileResponse(letter.pdf.open("rb"), filename=f"phieu-xin-loi-{letter.number.replace('/', '-')}.pdf",
                        content_type="application/pdf")
