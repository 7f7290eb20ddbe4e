"""Dossier pages for citizens and staff. Every write goes through services / attachments."""

from __future__ import annotations

import datetime as dt
import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.exceptions import ValidationError

from accounts import access
from accounts.models import Role
from core.api import error_body
from core.dates import parse_day
from core.errors import DomainError, add_to_form
from core.params import pk_param
from core.periods import OUT_OF_RANGE, in_range, period_from
from core.rows import short, stamp, url_maker
from procedures.anywhere import portal_province
from procedures.models import Channel, Requirement
from procedures.text import search_key
from regulations.selectors import rules_in_force
from signing.config import SigningUnavailable

from . import attachments, components, idempotency, issuing, pins, policies, routing, selectors, services
from .forms import DeskForm, LookupForm, StartForm
from .lateness.at_risk import is_at_risk, risk_percent, risk_threshold
from .lateness.letters import issue_is_late, proposal
from .ledger import ledger_export_request, ledger_xlsx
from .models import AttachmentKind, Dossier, ExportStatus, LetterStatus
from .panels import render_panels
from .printing import FORMS, render_form, render_handover_slip
from .result_views import result_context
from .transition_inputs import INPUTS, desk_create, transition_fire
from .workflow import BY_NAME, OPEN, QUEUE_ROLES, Status


@login_required
@require_http_methods(["GET", "POST"])
def dossier_start(request, code: str):
    procedure, version = selectors.online_version_get(code)
    if version is None:
        messages.error(request, _("Thủ tục này chưa nhận hồ sơ trực tuyến."))
        return redirect("procedures:detail", code=code)
    user = request.user
    initial = {"applicant_name": user.full_name, "applicant_id_number": user.citizen_id or "",
               "applicant_phone": user.phone_display, "applicant_email": user.email}
    agencies = selectors.receiving_agency_list(version)
    if not agencies.exists():
        messages.error(request, _("Chưa có Bộ phận Một cửa nào nhận hồ sơ trực tuyến của thủ tục này. Ông/Bà vui "
                                  "lòng liên hệ cơ quan giải quyết hoặc thử lại sau."))
        return redirect("procedures:detail", code=code)
    province = portal_province()
    returning = routing.desks_in_province(province) if province and routing.on_province_list(version, province) \
        else None  # a procedure on the province's list: the result can be collected at any desk
    form = StartForm(request.POST or None, initial=initial, agencies=agencies, returning=returning,
                     conditional=selectors.conditional_document_list(version))
    if request.method == "POST" and form.is_valid():
        desk = form.cleaned_data.get("returning_agency") if form.cleaned_data["return_channel"] == "desk" else None
        try:
            done = idempotency.form_once(request, scope="dossier-start", action=lambda: services.dossier_create_draft(
                citizen=user, version=version, agency=form.cleaned_data["agency"],
                return_channel=form.cleaned_data["return_channel"], cases=form.cleaned_data.get("cases") or [],
                returning_agency=desk, **form.applicant()),
                url=lambda dossier: reverse("dossiers:detail", args=[dossier.pk]))
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            if done.replayed:
                messages.info(request, idempotency.replay_notice())
            else:
                messages.success(request, _("Đã tạo hồ sơ nháp. Hãy tải lên các thành phần hồ sơ rồi bấm “Nộp hồ sơ”."))
            return redirect(done.result["url"])
    return render(request, "dossiers/start.html", {"procedure": procedure, "version": version, "form": form})


@login_required
def my_dossiers(request):
    return render(request, "dossiers/mine.html", {"dossiers": selectors.citizen_dossier_list(request.user)})


@login_required
def dossier_detail(request, pk: int):
    dossier = selectors.access_dossier(request.user, pk)
    staff_view = policies.sees_as_staff(request.user, dossier)
    personal = policies.can_see_applicant(request.user, dossier)  # Home Affairs: the control sheet only
    if staff_view and personal:
        selectors.log_personal_data_access(request, dossier, "view")
    actions = policies.available_actions(request.user, dossier)
    files = list(selectors.dossier_attachments_for(request.user, dossier).select_related("document"))
    documents = selectors.dossier_document_rows(dossier, files)
    receive_fees = selectors.receive_fee_list(dossier) if any(a.name == "receive" for a in actions) else []
    appraisers = policies.assignable_appraisers(dossier) if any(a.name == "assign" for a in actions) else []
    return render(request, "dossiers/detail.html", {
        "dossier": dossier, "staff_view": staff_view, "actions": actions, "documents": documents,
        "personal": personal, "applicant_initials": policies.initials(dossier.applicant_name),
        "conditional": [item for item in documents if item["doc"].requirement == Requirement.CONDITIONAL],
        "results": [f for f in files if f.kind == AttachmentKind.RESULT],
        "other_files": [f for f in files if f.document_id is None and f.kind != AttachmentKind.RESULT],
        "events": selectors.dossier_events_for(request.user, dossier).select_related("actor"),
        # what a draft still lacks (the page says it only then: three statements saved on every other page)
        "missing": attachments.missing_documents(dossier) if dossier.status == Status.DRAFT else [],
        "appraisers": appraisers,
        "can_upload": policies.can_add_attachment(request.user, dossier, AttachmentKind.COMPONENT),
        "can_upload_result": staff_view and policies.can_add_attachment(request.user, dossier, AttachmentKind.RESULT),
        "max_mb": attachments.max_bytes() // 1024 // 1024,
        "agencies": selectors.consultable_agency_list() if staff_view else [],
        "has_form02": selectors.supplement_form_exists(dossier),
        "declared": selectors.declaration_panels(documents) if staff_view and personal else [],
        "consultations": selectors.consultation_list(dossier) if staff_view else [],
        **_apology_context(request.user, dossier, staff_view, request),
        "forecast": _forecast_context(request.user, dossier, staff_view),
        "panels": render_panels(request, dossier, staff_view), "receive_fees": receive_fees,
        "pin_lock": pins.lock_state(dossier) if staff_view else None,
        "can_unlock_pin": staff_view and policies.can_unlock_pin(request.user, dossier),
        **_route_context(request.user, dossier, staff_view),
        **result_context(request.user, dossier, staff_view),
    })


def _route_context(user, dossier: Dossier, staff_view: bool) -> dict:
    """The dossier's three agencies and its hand-overs between desks, with what this user may do now."""
    legs = routing.route(dossier)
    if not legs and dossier.returning_agency_id == dossier.receiving_agency_id:
        return {"route": None}
    handovers = selectors.dossier_handovers(dossier) if staff_view else []
    sent = {h.kind for h in handovers}
    for h in handovers:
        h.can_confirm = policies.can_acknowledge_handover(user, h)
    can_send = [kind for kind in legs if kind not in sent and dossier.status == routing.SEND_STATES[kind]
                and policies.can_send_handover(user, dossier, kind)]
    return {"route": {"legs": legs, "handovers": handovers, "can_send": can_send, "now": timezone.now()}}


def _forecast_context(user, dossier: Dossier, staff_view: bool) -> dict | None:
    """The lateness forecast the sweep stored on an open dossier, for staff: the probability of missing the
    appointment, its main reason, and whether the dossier is at risk (the worklist's queue, the early apology)."""
    if not staff_view or dossier.risk is None or dossier.status not in OPEN:
        return None
    at_risk = is_at_risk(dossier)
    return {"percent": risk_percent(dossier.risk), "reason": dossier.risk_reason, "at": dossier.risk_at,
            "at_risk": at_risk,
            "desk": at_risk and dossier.handling_agency_id in policies.risk_desk_agency_ids(user)}


def _apology_context(user, dossier: Dossier, staff_view: bool, request=None) -> dict:
    letters = list(dossier.apology_letters.exclude(status=LetterStatus.CANCELLED).select_related("issued_by"))
    if not staff_view:
        return {"letters": list(selectors.citizen_letters(dossier).select_related("issued_by"))}
    kept = request.session.pop("apology_form", None) if request is not None else None
    if kept and kept.get("dossier") != dossier.pk:
        kept = None
    is_open = dossier.status in OPEN and not dossier.resolved_at
    draft = next((x for x in letters if x.status == LetterStatus.DRAFT), None)
    context = {"letters": letters, "draft": draft, "reasons": rules_in_force().apology_reason_choices(),
               "can_draft": is_open and draft is None and policies.can_draft_apology(user, dossier),
               "can_edit": is_open and draft is not None and policies.can_draft_apology(user, dossier),
               "can_issue": is_open and draft is not None and policies.can_issue_apology(user, dossier),
               "may_extend": dossier.procedure_version.extension_allowed and dossier.extended_from is None
               and dossier.due_at is not None,
               "apology_error": kept["error"] if kept else "", "form": kept["data"] if kept else {},
               "is_overdue": bool(dossier.due_at and dossier.due_at < timezone.now())}
    if draft is not None and context["can_issue"]:
        context["would_be_late"] = issue_is_late(dossier.due_at, timezone.now())
    elif is_open and dossier.due_at and staff_view:
        context["will_be_late"] = proposal(dossier, timezone.now())[0]
    return context


@login_required
@require_POST
def dossier_action(request, pk: int, name: str):
    """One transition from the dossier page: its inputs are read and checked by `transition_inputs`, as
    for the API."""
    dossier = selectors.access_dossier(request.user, pk)
    if name not in INPUTS:
        raise Http404("Không có thao tác này.")
    try:
        transition_fire(name=name, dossier=dossier, actor=request.user, data=request.POST)
    except ValidationError as exc:
        messages.error(request, error_body(exc)["detail"])
    except DomainError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Bạn không có quyền thực hiện thao tác này."))
    else:
        messages.success(request, _("Đã thực hiện: %s.") % BY_NAME[name].label)
    return redirect("dossiers:detail", pk=pk)


@login_required
@require_POST
def pin_unlock(request, pk: int):
    """The desk lifts the lock on tracking by code + PIN (the citizen called or came in)."""
    dossier = selectors.access_dossier(request.user, pk)
    try:
        pins.pin_unlock(dossier=dossier, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:detail", pk=pk)
    messages.success(request, _("Đã mở khóa tra cứu bằng mã PIN cho hồ sơ %s.") % dossier.code)
    return redirect("dossiers:detail", pk=pk)


@login_required
@require_POST
def dossier_cases(request, pk: int):
    """The citizen says which conditional components' cases apply (those must then be uploaded)."""
    dossier = selectors.access_dossier(request.user, pk)
    try:
        components.components_cases_set(dossier=dossier, actor=request.user,
                                        cases=[int(x) for x in request.POST.getlist("cases") if x.isdigit()])
    except DomainError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã lưu các trường hợp áp dụng."))
    return redirect(reverse("dossiers:detail", args=[pk]) + "#tai-lieu")


@login_required
@require_POST
def attachment_upload(request, pk: int):
    dossier = selectors.access_dossier(request.user, pk)
    upload = request.FILES.get("file")
    document = selectors.dossier_document_get(dossier, pk_param(request.POST.get("document")))
    kind = request.POST.get("kind") or AttachmentKind.COMPONENT
    if upload is None:
        messages.error(request, _("Hãy chọn tệp cần tải lên."))
    elif request.POST.get("document") and document is None:
        messages.error(request, _("Thủ tục của hồ sơ không có thành phần này."))
    else:
        try:
            attachments.attachment_add(dossier=dossier, actor=request.user, upload=upload, document=document, kind=kind)
        except DomainError as exc:  # the dossier page again, with the reason and a 4xx status
            messages.error(request, exc.message)
            response = dossier_detail(request, pk)
            response.status_code = exc.http_status
            return response
        else:
            messages.success(request, _("Đã tải lên “%s”.") % upload.name)
            return redirect(reverse("dossiers:detail", args=[pk]) + "#tai-lieu")
    # A refused upload: the page opens at its top, where the error is (and takes the focus).
    return redirect("dossiers:detail", pk=pk)


@login_required
@require_POST
def attachment_remove(request, pk: int):
    attachment = selectors.removable_attachment_get(request.user, pk)
    try:
        attachments.attachment_remove(attachment=attachment, actor=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect(reverse("dossiers:detail", args=[attachment.dossier_id]) + "#tai-lieu")


@login_required
def attachment_download(request, pk: int):
    attachment, dossier = selectors.attachment_get(request.user, pk)  # 404 unless the user may see it
    policies.require_applicant(request.user, dossier)  # 403 for a reader of the control sheet only
    selectors.log_personal_data_access(request, dossier, "download", attachment.original_name)
    return attachments.download_response(attachment)


def lookup(request):
    """Anyone: code + PIN -> status and timeline, with no personal data beyond initials."""
    form = LookupForm(request.GET or None)
    dossier, status = None, 200
    if request.GET and form.is_valid():
        try:
            dossier = pins.dossier_by_pin(
                code=form.cleaned_data["code"], pin=form.cleaned_data["pin"],
                queryset=selectors.dossier_track_queryset())
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.http_status
        else:
            if dossier is None:
                form.add_error(None, _("Không tìm thấy hồ sơ với mã và PIN này. Hãy kiểm tra lại giấy hẹn."))
    initials = ""
    if dossier:
        initials = " ".join(w[0] + "." for w in dossier.applicant_name.split() if w)
    return render(request, "dossiers/track.html", {
        "form": form, "dossier": dossier, "initials": initials,
        "events": selectors.citizen_events(dossier) if dossier else [],
        "letters": selectors.citizen_letters(dossier).select_related("agency") if dossier else [],
    }, status=status)


# -- staff ---------------------------------------------------------------------------------------

def _require_staff(user):
    if not access.is_staff_member(user):
        raise PermissionDenied(_("Trang này dành cho cán bộ."))


def _cursor(raw: str | None, *, by_risk: bool) -> tuple | None:
    """The worklist's "next page" cursor: (due_at, pk), or (risk, pk) in the at-risk queue. A hand-edited one
    starts from the top rather than overflow."""
    if not raw:
        return None
    head, _sep, raw_pk = raw.partition("|")
    try:
        pk = int(raw_pk)
        key = float(head) if by_risk else (dt.datetime.fromisoformat(head) if head else None)
    except ValueError:
        return None
    if not 0 < pk < 2**63:
        return None
    if by_risk:
        return (key, pk) if math.isfinite(key) else None
    if key and not in_range(key.date()):
        return None
    return key, pk


@login_required
def worklist(request):
    _require_staff(request.user)
    queue = request.GET.get("queue") if request.GET.get("queue") in selectors.QUEUES else "agency"
    # The header's "Tiếp nhận hồ sơ" / "Thẩm định" / "Phê duyệt" open this list for one role.
    role = request.GET.get("role") if request.GET.get("role") in QUEUE_ROLES else None
    if role and not policies.can_open_queue(request.user, role):
        raise PermissionDenied(_("Bạn không có vai trò này."))
    after = _cursor(request.GET.get("after"), by_risk=queue in selectors.BY_RISK)
    date_errors = []

    def day(name):
        """Day first (06/12/2026) or ISO; anything else is explained and leaves that filter off."""
        try:
            value = parse_day(request.GET.get(name), field=name)
        except DomainError as exc:
            date_errors.append(exc.message)
            return None
        if value is not None and not in_range(value):
            date_errors.append(OUT_OF_RANGE)
            return None
        return value

    declared = request.GET.get("declared", "").strip()[:100]
    if declared and len(search_key(declared).replace(" ", "")) < 3:
        date_errors.append(_("Tìm theo nội dung tờ khai: hãy nhập ít nhất 3 chữ hoặc số."))
        declared = ""
    filters = {"status": request.GET.get("status") or None, "channel": request.GET.get("channel") or None,
               "declared": declared,
               "procedure_version__procedure__code": request.GET.get("procedure") or None,
               "punctuality": request.GET.get("punctuality") or None, "code": request.GET.get("code", "").strip()[:40],
               "received_at__date__gte": day("from"), "received_at__date__lte": day("to")}
    rows = selectors.worklist(request.user, queue=queue, role=role, after=after, limit=26, **filters)
    next_after = None
    if len(rows) == 26:
        rows = rows[:25]
        last = rows[-1]
        if queue in selectors.BY_RISK:
            next_after = f"{last.risk!r}|{last.pk}"
        else:
            next_after = f"{last.due_at.isoformat() if last.due_at else ''}|{last.pk}"
    now = timezone.now()
    detail_url = url_maker("dossiers:detail")
    for row in rows:  # what each row shows, prepared here: per-row template filters cost half the page (#21)
        row.masked_id = selectors.mask_id_number(row.applicant_id_number)
        row.applicant_shown = policies.applicant_name_for(request.user, row)
        row.risk_percent = risk_percent(row.risk)
        row.url = detail_url(row.pk)
        row.due_text = stamp(row.due_at)
        row.procedure_short = short(row.procedure_version.procedure.name, 70)
        row.status_label = row.get_status_display()
        row.overdue = bool(row.due_at and row.due_at < now and row.status != Status.RETURNED)
    params = request.GET.copy()
    params.pop("after", None)
    # Hand-overs between desks not yet confirmed: what this desk must confirm, and what it sent that the other
    # desk has not confirmed yet.
    handovers = selectors.pending_handovers(request.user)
    desks = policies.desk_agency_ids(request.user) if handovers else frozenset()
    for h in handovers:
        h.to_confirm = h.to_agency_id in desks
    return render(request, "dossiers/worklist.html", {
        "handovers": handovers,
        "rows": rows, "queue": queue, "queues": selectors.QUEUES, "next_after": next_after,
        "role": role, "role_label": Role(role).label if role else "",
        "role_query": f"role={role}&" if role else "",
        "query_string": params.urlencode(), "statuses": Status.choices, "now": now, "f": request.GET,
        "can_receive": policies.can_receive_at_desk(request.user), "date_errors": date_errors,
        "risk_desk": bool(policies.risk_desk_agency_ids(request.user)),
        "risk_threshold_percent": risk_percent(risk_threshold()),
        "can_export_declarations": policies.can_export_declarations(request.user),
        "received_from": filters["received_at__date__gte"], "received_to": filters["received_at__date__lte"],
    })


@login_required
@require_http_methods(["GET", "POST"])
def desk_reception(request):
    agencies = selectors.reception_agency_list(request.user)
    if not agencies.exists():
        raise PermissionDenied(_("Chỉ cán bộ tiếp nhận mới nhận hồ sơ tại quầy."))
    versions = routing.desk_versions(selectors.desk_version_list(), list(agencies))
    chosen = selectors.desk_version_get(pk_param(request.POST.get("version") or request.GET.get("version")))
    desk = agencies.filter(pk=pk_param(request.POST.get("agency"))).first() or agencies.first()
    competent, returning, proposed = [], [], None
    if chosen:  # reception regardless of administrative boundaries: the competent agency proposed
        competent = list(routing.competent_agencies(chosen))
        proposed = routing.propose_competent(chosen, desk, request.POST.get("applicant_commune", ""))
        returning = routing.returning_choices(chosen, desk, proposed)
    form = DeskForm(request.POST or None, agencies=agencies, versions=versions, competent=competent,
                    returning=returning,
                    initial={"agency": desk, "version": request.GET.get("version", ""),
                             "handling_agency": proposed.code if proposed and proposed.pk != desk.pk else ""})
    if request.method == "POST" and form.is_valid():  # the procedure and the agency; the rest is DeskCreateInput's
        version = selectors.desk_version_get(form.cleaned_data["version"])
        if version is None:
            form.add_error("version", _("Thủ tục không hợp lệ."))
        else:
            try:
                scans = {int(key.removeprefix("scan_")): upload for key, upload in request.FILES.items()
                         if key.startswith("scan_") and key.removeprefix("scan_").isascii()
                         and key.removeprefix("scan_").isdigit()}
                done = idempotency.form_once(request, scope="desk-reception", action=lambda: desk_create(
                    data=request.POST, actor=request.user, version=version, agency=form.cleaned_data["agency"],
                    scans=scans), url=lambda dossier: reverse("dossiers:detail", args=[dossier.pk]))
            except ValidationError as exc:
                for field, problems in error_body(exc).get("errors", {}).items():
                    field = field.split(".")[0]
                    form.add_error(field if field in form.fields else None, problems[0])
            except DomainError as exc:
                add_to_form(form, exc)
            else:
                if done.replayed:  # Back + submit again: the walk-in already has a dossier and a code
                    messages.info(request, idempotency.replay_notice())
                else:
                    dossier = done.value
                    messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s, hẹn trả %(due)s.") % {
                        "code": dossier.code, "due": timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y")})
                return redirect(done.result["url"])
    fee_rows = []
    if chosen:
        for option in selectors.desk_fee_option_list(chosen):
            for item in option.fees.all():
                raw = request.POST.get(f"exemption_{item.pk}", "")
                fee_rows.append({"item": item, "channel": option, "choices": item.exemption_choices(),
                                 "selected": int(raw) if raw.isdigit() else None,
                                 "note": request.POST.get(f"exemption_note_{item.pk}", "")})
    posted = request.method == "POST"
    ticked = {int(x) for x in request.POST.getlist("components") if x.isdigit()}
    shown = {int(x) for x in request.POST.getlist("presented") if x.isdigit()}
    cases = {int(x) for x in request.POST.getlist("cases") if x.isdigit()}
    rows = [{"doc": doc, "ticked": doc.pk in ticked if posted else doc.requirement == "required",
             "presented": doc.pk in shown, "case": doc.pk in cases,
             "originals": request.POST.get(f"originals_{doc.pk}", doc.originals) if posted else doc.originals,
             "copies": request.POST.get(f"copies_{doc.pk}", doc.copies) if posted else doc.copies}
            for doc in (chosen.documents.all() if chosen else [])]
    return render(request, "dossiers/desk.html", {
        "form": form, "chosen": chosen, "rows": rows, "fee_rows": fee_rows,
        "scans_lost": request.method == "POST" and any(k.startswith("scan_") for k in request.FILES),
        "channel": form["channel"].value() or Channel.IN_PERSON,
    })


@login_required
@require_POST
def handover_send(request, pk: int, kind: str):
    """The desk forwards the digitised dossier to the competent agency, or the result to the returning desk."""
    dossier = selectors.access_dossier(request.user, pk)
    try:
        routing.handover_send(dossier=dossier, actor=request.user, kind=kind, paper=request.POST.get("paper") == "1",
                              carrier=request.POST.get("carrier", ""), note=request.POST.get("note", ""))
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
    else:
        messages.success(request, _("Đã chuyển; nơi nhận được báo để xác nhận."))
    return redirect(reverse("dossiers:detail", args=[pk]) + "#chuyen-ho-so")


@login_required
@require_POST
def handover_confirm(request, pk: int, handover_pk: int, what: str):
    """The receiving side's desk confirms the electronic file (`what` = "dien-tu") or the paper ("giay")."""
    dossier = selectors.access_dossier(request.user, pk)
    handover = selectors.handover_get(dossier, pk_param(handover_pk))
    if handover is None or what not in ("dien-tu", "giay"):
        raise Http404("Không tìm thấy lần chuyển này.")
    try:
        if what == "dien-tu":
            routing.handover_acknowledge(handover=handover, actor=request.user)
        else:
            routing.paper_receive(handover=handover, actor=request.user)
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
    else:
        messages.success(request, _("Đã xác nhận đã nhận."))
    return redirect(reverse("dossiers:detail", args=[pk]) + "#chuyen-ho-so")


@login_required
def handover_slip(request, pk: int, handover_pk: int):
    """Phiếu bàn giao: what one desk handed to another, with the carrier and both confirmations (PDF)."""
    dossier = selectors.access_dossier(request.user, pk)
    if not policies.sees_as_staff(request.user, dossier):
        raise PermissionDenied(_("Trang này dành cho cán bộ."))
    handover = selectors.handover_get(dossier, pk_param(handover_pk))
    if handover is None:
        raise Http404("Không tìm thấy lần chuyển này.")
    name = f"ban-giao-{dossier.code}-{handover.kind}.pdf"
    if not policies.can_see_applicant(request.user, dossier):  # initials: a view copy, not the issued slip
        pdf = render_handover_slip(handover, applicant=policies.initials(dossier.applicant_name), view_copy=True)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response
    try:
        document = issuing.handover_slip_issue(handover=handover)
    except SigningUnavailable as exc:
        return _not_signed(request, exc, pk)
    return issuing.document_response(document, name)


@login_required
def receipt_pdf(request, pk: int):
    """Mẫu 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả, with the PIN and a QR code to the tracking page."""
    dossier = selectors.access_dossier(request.user, pk)
    policies.require_applicant(request.user, dossier)
    if not dossier.code:
        raise Http404("Hồ sơ chưa được tiếp nhận.")
    selectors.log_personal_data_access(request, dossier, "print", "Mẫu 01")
    track_url = request.build_absolute_uri(reverse("dossiers:track") + f"?code={dossier.code}&pin={dossier.pin}")
    try:
        document = issuing.receipt_issue(dossier=dossier, track_url=track_url)
    except SigningUnavailable as exc:
        return _not_signed(request, exc, pk)
    return issuing.document_response(document, f"giay-hen-{dossier.code}.pdf")


def _not_signed(request, exc: SigningUnavailable, pk: int):
    """The agency's key cannot be used: say so on the page the officer came from (nothing was issued)."""
    messages.error(request, exc.message)
    return redirect(issuing.came_from(request, reverse("dossiers:detail", args=[pk])))



@login_required
def form_pdf(request, pk: int, number: str):
    """Mẫu 02 / Mẫu 03 for the dossier's latest guidance, supplement request or refusal."""
    if number not in FORMS:
        raise Http404("Không có mẫu này.")
    dossier = selectors.access_dossier(request.user, pk)
    personal = policies.can_see_applicant(request.user, dossier)
    if number != "05":  # Mẫu 02 / 03 carry the applicant's data; the control sheet shows initials instead
        policies.require_applicant(request.user, dossier)
    filename = f"mau-{number}-{dossier.code or dossier.national_code or dossier.pk}.pdf"
    if not personal:  # Mẫu 05 with the applicant's initials: a view copy, not an issued document
        pdf = render_form(dossier, number, applicant=policies.initials(dossier.applicant_name))
        if pdf is None:
            raise Http404("Hồ sơ chưa có nội dung cho mẫu này.")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response
    try:
        document = issuing.form_issue(dossier=dossier, number=number)
    except SigningUnavailable as exc:
        return _not_signed(request, exc, pk)
    if document is None:
        raise Http404("Hồ sơ chưa có nội dung cho mẫu này.")
    return issuing.document_response(document, filename)


@login_required
def ledger(request):
    """Mẫu 06 for one agency and period (default: this month), as PDF or XLSX. Every export is logged."""
    agencies = selectors.visible_agency_list(request.user)
    if not agencies.exists():
        raise PermissionDenied(_("Trang này dành cho cán bộ."))

    today = timezone.localdate()
    try:
        start, end = period_from(request.GET, default_start=today.replace(day=1), today=today, max_days=366)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:worklist")
    agency = selectors.visible_agency_get(request.user, request.GET.get("agency") or "")
    fmt = request.GET.get("format", "pdf")
    personal = access.may_see_personal_data(request.user, [agency.pk])  # Home Affairs: initials, no contacts
    if personal:
        selectors.log_personal_data_access(request, None, "export", f"Mẫu 06 {agency.code} {start}..{end} {fmt}")
    name = f"so-theo-doi-{agency.code}-{start:%Y%m%d}-{end:%Y%m%d}"
    if fmt == "xlsx":
        response = HttpResponse(ledger_xlsx(agency, start, end, personal=personal),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    try:
        export = ledger_export_request(actor=request.user, agency=agency, start=start, end=end, personal=personal)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:worklist")
    return redirect("dossiers:ledger_export", pk=export.pk)


@login_required
def ledger_export(request, pk: int):
    """The progress of a ledger PDF laid out in the background, and the file once it is ready (its requester's
    only)."""
    export = selectors.ledger_export_get(request.user, pk)
    if request.GET.get("tai") == "1":
        if export.status != ExportStatus.DONE or not export.file:
            return redirect("dossiers:ledger_export", pk=pk)
        name = f"so-theo-doi-{export.agency.code}-{export.start:%Y%m%d}-{export.end:%Y%m%d}.pdf"
        response = FileResponse(export.file.open("rb"), content_type="application/pdf", filename=name)
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response
    return render(request, "dossiers/ledger_export.html", {"export": export, "done": export.status == ExportStatus.DONE,
                                                            "waiting": export.status in (ExportStatus.QUEUED,
                                                                                         ExportStatus.RUNNING)})


@login_required
@require_http_methods(["GET", "POST"])
def consultations(request):
    """Questions other agencies sent to mine (liên thông), oldest deadline first, with the answer form."""
    mine = policies.consulted_agency_ids(request.user)
    if not mine:
        raise PermissionDenied(_("Trang này dành cho chuyên viên, lãnh đạo của cơ quan được xin ý kiến."))
    if request.method == "POST":
        task = selectors.consultation_task_get(mine, pk_param(request.POST.get("task")))
        try:
            services.consultation_answer(task=task, actor=request.user, answer=request.POST.get("answer", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã gửi ý kiến cho hồ sơ %s.") % task.dossier.code)
        return redirect("dossiers:consultations")
    return render(request, "dossiers/consultations.html", {"tasks": selectors.consultation_task_list(mine),
                                                           "now": timezone.now()})
