"""Every write on a dossier: one service per transition, one code path for pages, API and tasks.

Each service locks the dossier row, checks the transition against the state machine and the
access gate, changes the state, keeps the step and deadline bookkeeping, writes one DossierEvent
and queues the citizen's notification after the commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from accounts.models import Agency, Role, User
from accounts.validators import normalize_phone
from core.errors import Conflict, DomainError
from notifications.services import email_queue, inbox_post, sms_queue
from procedures.models import Channel, ProcedureVersion, StepKind, VersionStatus
from regulations.selectors import rules_in_force
from signing import pdf as signing_pdf
from signing import services as signing_services
from signing.models import DocumentKind, DocumentStatus, SignatureState, new_public_id
from signing.services import verify_url
from workcalendar.calendar import to_local
from workcalendar.deadlines import ClockEvent, ClockEventKind, clock, due, punctuality
from workcalendar.selectors import calendar_for

from . import codes, declarations, events, fees, policies, results, routing
from . import components as parts
from .attachments import attachment_add, missing_documents
from .models import (
    ApologyLetter,
    Attachment,
    AttachmentKind,
    ConsultationTask,
    Dossier,
    DossierEvent,
    EventType,
    FeeStatus,
    LetterStatus,
    Punctuality,
    ResultDraft,
    ReturnChannel,
)
from .workflow import BY_NAME, DESK_ROLES, HANDLING, OPEN, STEP_OF, TERMINAL, WAITING_FOR_CITIZEN, Status, Step

# Which citizen-facing e-mail each new status sends (template under notifications/email/).
NOTIFY = {
    Status.RECEIVED: "dossier_received",
    Status.GUIDED: "dossier_guided",
    Status.REFUSED_AT_RECEPTION: "dossier_refused_at_reception",
    Status.SUPPLEMENT_REQUESTED: "dossier_supplement_requested",
    Status.RESULT_READY: "dossier_result_ready",
    Status.RETURNED: "dossier_returned",
}

APPLICANT_FIELDS = (
    "applicant_kind", "applicant_name", "applicant_id_number", "applicant_address", "applicant_commune",
    "applicant_phone", "applicant_email", "representative_name", "representative_id_number",
)


# -- helpers ------------------------------------------------------------------------------------

def _allotted_hours(dossier: Dossier, step: str | None) -> Decimal:
    if not step:
        return Decimal(0)
    option = dossier.channel_option
    if option is None:
        return Decimal(0)
    kinds = {step} | ({StepKind.OTHER} if step == Step.APPRAISAL else set())
    return sum((s.hours for s in option.steps.all() if s.step in kinds), Decimal(0))


def _limit(dossier: Dossier) -> tuple[int | Decimal, str]:
    option = dossier.channel_option
    if option is None:
        raise DomainError("channel_not_offered", _("Thủ tục này không nhận hồ sơ theo hình thức %s.")
                          % dossier.get_channel_display())
    amount = option.time_limit if option.unit == "working_hours" else int(option.time_limit)
    return amount, option.unit


CLOCK_EVENT_KINDS = {EventType.RECEIVE: ClockEventKind.RECEIVED,
                     EventType.REQUEST_SUPPLEMENT: ClockEventKind.SUPPLEMENT_REQUESTED,
                     EventType.SUPPLEMENT_RECEIVED: ClockEventKind.SUPPLEMENT_RECEIVED}


def _clock_events(dossier: Dossier, extra: list[ClockEvent]) -> list[ClockEvent]:
    rows = DossierEvent.objects.filter(dossier=dossier, type__in=CLOCK_EVENT_KINDS).order_by("at", "id")
    return [ClockEvent(CLOCK_EVENT_KINDS[e.type], e.at) for e in rows] + extra


def _receipt_appointment(d: Dossier, cal, when: dt.datetime, amount, unit: str) -> dt.datetime:
    """The appointment printed on the receipt (Mẫu 01) of a dossier received at `when`."""
    return routing.appointment_with_travel(d, due(cal, when, amount, unit), when)


def dossier_appointments(d: Dossier, clock_events: list[ClockEvent] | None = None, *,
                         memo: dict | None = None) -> tuple[dt.datetime, dt.datetime | None]:
    """A received dossier's appointments counted again with the calendar in force now, exactly as
    `dossier_receive` and `dossier_supplement_received` count them: (the receipt's appointment, the legal
    appointment now, before any apology re-appointment). The second is None while the clock is stopped
    (waiting for a supplement). `clock_events`: the dossier's clock events when the caller read them in bulk;
    `memo`: a dict the caller keeps across many dossiers, so each calendar, time limit and rule set is read once."""
    memo = {} if memo is None else memo
    amount, unit = routing.memoized(memo, ("limit", d.procedure_version_id, d.channel), lambda: _limit(d))
    cal = routing.memoized(memo, ("calendar", d.receiving_agency_id), lambda: calendar_for(d.receiving_agency))
    original = routing.appointment_with_travel(d, due(cal, d.received_at, amount, unit), d.received_at, memo=memo)
    rows = _clock_events(d, []) if clock_events is None else clock_events
    if not any(e.kind == ClockEventKind.SUPPLEMENT_REQUESTED for e in rows):
        return original, original
    return original, clock(cal, rows, amount, unit, d.procedure_version.supplement_policy).due_at


def resolution_punctuality(d: Dossier, when: dt.datetime) -> str:
    """legal.md §2.5: judged against the legal time (late even with an apology letter); a dossier
    also finished after its re-appointment is late twice."""
    if not d.due_at:
        return ""
    if d.extended_from and when > d.due_at:
        return Punctuality.LATE_TWICE
    return punctuality(when, d.legal_due_at)


def _notify(dossier: Dossier, event: DossierEvent) -> None:
    """E-mail and SMS the citizen about this event (one message per event and channel), and put
    the notification on the dossier's timeline."""
    template = NOTIFY.get(event.to_status)
    if not template or event.from_status == event.to_status:
        return
    sent = []
    # The citizen's notifications page lists these messages with a link to the dossier.
    mine = {"user_id": dossier.citizen_id, "link": dossier.citizen_url()}
    if dossier.applicant_email:
        email_queue(to=dossier.applicant_email, template=f"notifications/email/{template}",
                    key=f"dossier-event:{event.pk}", **mine,
                    context={"dossier": dossier, "status_label": Status(event.to_status).label, "reason": event.reason})
        sent.append("email")
    if dossier.applicant_phone:
        text = f"{dossier.code or dossier.national_code or 'Ho so'}: {Status(event.to_status).label}."
        if event.to_status == Status.RECEIVED:
            text += f" Hen tra {timezone.localtime(dossier.due_at):%H:%M %d/%m/%Y}. PIN {dossier.pin}."
        elif event.reason:
            text += f" {event.reason[:300]}"
        sms_queue(to=dossier.applicant_phone, text=text, key=f"dossier-event-sms:{event.pk}", **mine)
        sent.append("sms")
    if sent:
        events.citizen_notified(dossier=dossier, at=timezone.now(), channels=sent, about=event.pk)


@transaction.atomic
def _fire(
    *, dossier: Dossier, actor: User | None, name: str, reason: str = "", at: dt.datetime | None = None,
    expected_status: str | None = None, before: Callable | None = None, after: Callable | None = None,
    payload: dict | None = None,
) -> Dossier:
    spec = BY_NAME[name]
    # The dossier row alone: FOR UPDATE would lock every joined row too, and every transition of an agency (of a
    # procedure version) would queue behind the others on that agency's (version's) row until they commit.
    locked = Dossier.objects.select_for_update(of=("self",)).select_related(
        "procedure_version", "receiving_agency", "handling_agency", "returning_agency").get(pk=dossier.pk)
    if expected_status and locked.status != expected_status:
        raise Conflict("stale_dossier", _("Hồ sơ vừa được người khác xử lý (hiện ở trạng thái “%s”). Hãy tải lại "
                                          "trang.") % locked.get_status_display())
    method = getattr(locked, name)
    if not can_proceed(method) and spec.condition and locked.status in spec.sources:
        # the state allows it, what must come first has not happened (a hand-over between desks)
        if actor is not None and not policies.may_fire(actor, locked, name):
            raise PermissionDenied(_("Bạn không có quyền “%s” đối với hồ sơ này.") % spec.label)
        raise DomainError("not_arrived", routing.waiting_for(spec.condition, locked), http_status=409)
    if not can_proceed(method):
        message = _("Không thể “%(action)s” khi hồ sơ đang ở trạng thái “%(status)s”.")
        raise DomainError("transition_not_allowed", message % {"action": spec.label,
                                                               "status": locked.get_status_display()}, http_status=409)
    if actor is not None and not policies.may_fire(actor, locked, name):
        raise PermissionDenied(_("Bạn không có quyền “%s” đối với hồ sơ này.") % spec.label)
    reason = (reason or "").strip()
    if spec.reason_required and not reason:
        raise DomainError("reason_required", _("Cần ghi rõ lý do để “%s”.") % spec.label, field="reason")
    at = at or timezone.now()
    from_status, from_agency = locked.status, locked.handling_agency
    if set(spec.actors) <= DESK_ROLES and HANDLING not in spec.desks:
        from_agency = getattr(locked, spec.desks[0])  # a desk's own step: received, returned at that desk
    if before:
        before(locked, at)
    method()
    if after:
        after(locked, at)
    old_step, new_step = STEP_OF[from_status], STEP_OF[locked.status]
    step_due, on_time = None, ""
    if old_step and new_step != old_step:
        step_due = locked.step_due_at
        on_time = punctuality(at, step_due) if step_due else ""
    if new_step != old_step:
        hours = _allotted_hours(locked, new_step)
        locked.step = new_step or ""
        locked.step_started_at = at if new_step else None
        cal = calendar_for(locked.handling_agency)
        locked.step_due_at = cal.add_working_time(at, float(hours) * 3600) if hours else None
    if locked.status in TERMINAL:
        locked.closed_at = at
    if locked.status != from_status:
        locked.risk_at = None  # the lateness forecast is for the old state: the next sweep computes it again
        if locked.status not in OPEN or locked.status in WAITING_FOR_CITIZEN or locked.status == Status.RESULT_READY:
            locked.risk, locked.risk_reason = None, ""  # no running clock: nothing to forecast
    if (from_status in OPEN and locked.status not in OPEN) or locked.status == Status.RESULT_READY:
        # The result is at the desk (or the dossier ended): a pending apology draft has nothing left to do.
        ApologyLetter.objects.filter(dossier=locked, status=LetterStatus.DRAFT).update(
            status=LetterStatus.CANCELLED, cancelled_reason=_("Hồ sơ đã có kết quả hoặc đã kết thúc trước khi ký."))
    locked.save()
    event = events.transition_fired(dossier=locked, transition=name, actor=actor, from_status=from_status,
                                    from_agency=from_agency, step=old_step or "", at=at, step_due_at=step_due,
                                    punctuality=on_time, reason=reason, payload=payload)
    transaction.on_commit(lambda: _notify(locked, event))
    return locked


def _check_new(version: ProcedureVersion, agency: Agency, channel: str, data: dict, *, handling: Agency | None = None,
               returning: Agency | None = None, return_channel: str = ReturnChannel.DESK) -> None:
    """`agency` receives the dossier; with `handling` (the competent agency) and `returning` (where the result
    is collected) the route is checked as well (`routing.check_route`)."""
    if version.status == VersionStatus.DRAFT:
        raise DomainError("version_not_published", _("Thủ tục này chưa được công bố."))
    if channel not in Channel.values:
        raise DomainError("invalid_channel", _("Hình thức nộp không hợp lệ."), field="channel")
    if not version.channels.filter(channel=channel).exists():
        raise DomainError("channel_not_offered", _("Thủ tục này không nhận hồ sơ theo hình thức đã chọn."),
                          field="channel")
    if handling is None:
        if not routing.is_competent(version, agency):
            raise DomainError("agency_not_competent", _("%s không tiếp nhận thủ tục này.") % agency.name,
                              field="agency")
    else:
        routing.check_route(version=version, receiving=agency, handling=handling, returning=returning or agency,
                            return_channel=return_channel)
    if not " ".join((data.get("applicant_name") or "").split()):
        raise DomainError("applicant_required", _("Vui lòng nhập họ tên người nộp hồ sơ."), field="applicant_name")
    unknown = set(data) - set(APPLICANT_FIELDS)
    if unknown:
        raise DomainError("unknown_field", _("Trường không hợp lệ: %s.") % ", ".join(sorted(unknown)))
    if data.get("applicant_phone"):
        try:
            data["applicant_phone"] = normalize_phone(data["applicant_phone"])
        except ValidationError as exc:
            raise DomainError("invalid_phone", exc.messages[0], field="applicant_phone") from None


# -- creation -----------------------------------------------------------------------------------

@transaction.atomic
def dossier_create_draft(
    *, citizen: User, version: ProcedureVersion, agency: Agency, return_channel: str = ReturnChannel.ONLINE,
    at: dt.datetime | None = None, cases: list[int] | None = None, returning_agency: Agency | None = None,
    **applicant,
) -> Dossier:
    """A citizen starts an online dossier (applicant data pre-filled by the page from the profile).
    `cases`: the conditional components whose case the citizen says applies (those become required).
    `returning_agency`: the desk where the citizen will collect the result (return channel "desk"; another
    desk than `agency` only for a procedure on the province's list)."""
    _check_new(version, agency, Channel.ONLINE, applicant)
    if returning_agency is not None and returning_agency.pk != agency.pk:
        routing.check_route(version=version, receiving=agency, handling=agency, returning=returning_agency,
                            return_channel=return_channel)
    dossier = Dossier.objects.create(
        procedure_version=version, channel=Channel.ONLINE, return_channel=return_channel, citizen=citizen,
        receiving_agency=agency, handling_agency=agency, returning_agency=returning_agency or agency, **applicant,
    )
    parts.components_declare(dossier=dossier, cases=cases or ())
    events.dossier_created(dossier=dossier, actor=citizen, at=at or timezone.now())
    return dossier


@transaction.atomic
def dossier_file_from_national_portal(
    *, national_code: str, version: ProcedureVersion, agency: Agency, handling_agency: Agency,
    returning_agency: Agency, return_channel: str, files: list[tuple], at: dt.datetime | None = None,
    cases: list[int] | None = None, **applicant,
) -> Dossier:
    """A dossier the citizen filed on the National Public Service Portal (Decree 118/2025: the online
    channel) enters the receiving desk's queue as an online dossier already submitted, with the files sent
    along (`files`: (RequiredDocument, UploadedFile) pairs, type and size checked) and the national code
    kept. The route is checked as at the desk (`routing.check_route`); every component to hand in must be
    there (as for a submission here). Nothing is stored unless all of it is: on any error the transaction
    rolls back and the files written so far are deleted."""
    code = (national_code or "").strip()
    if not code or len(code) > 40:
        raise DomainError("invalid_national_code", _("Mã hồ sơ trên Cổng DVC quốc gia phải có từ 1 đến 40 ký tự."),
                          field="national_code")
    _check_new(version, agency, Channel.ONLINE, applicant, handling=handling_agency, returning=returning_agency,
               return_channel=return_channel)
    at = at or timezone.now()
    dossier = Dossier.objects.create(
        procedure_version=version, channel=Channel.ONLINE, return_channel=return_channel, citizen=None,
        receiving_agency=agency, handling_agency=handling_agency, returning_agency=returning_agency,
        national_code=code, **applicant,
    )
    parts.components_declare(dossier=dossier, cases=cases or ())
    events.dossier_created(dossier=dossier, actor=None, at=at)
    stored = []
    try:
        _store_national_files(dossier, files, at, AttachmentKind.COMPONENT, stored)
        return dossier_submit(dossier=dossier, actor=None, at=at,
                              reason=_("Nộp trên Cổng Dịch vụ công quốc gia, mã %s.") % code)
    except BaseException:
        for attachment in stored:  # the transaction rolls back; the stored files must go too
            attachment.file.storage.delete(attachment.file.name)
        raise


def _store_national_files(dossier: Dossier, files: list[tuple], at, kind: str, stored: list) -> None:
    """Store the files sent from the national portal (type and size checked again), appending each stored
    attachment to `stored` as it goes, so the caller can delete them all if anything fails."""
    for document, upload in files:
        if document.version_id != dossier.procedure_version_id:
            raise DomainError("wrong_document", _("Thành phần không thuộc thủ tục này."), field="files")
        stored.append(attachment_add(dossier=dossier, actor=None, upload=upload, document=document, at=at,
                                     kind=kind, system=True))


@transaction.atomic
def dossier_supplement_from_national_portal(*, dossier: Dossier, files: list[tuple], message: str = "",
                                            at: dt.datetime | None = None) -> Dossier:
    """The citizen completed, on the national portal, a dossier filed there that waits for them: guided
    before reception (Mẫu 02), the files are added and the dossier is submitted again into the desk's queue;
    asked for a supplement during appraisal, the files are added for the desk to confirm ("Nhận đủ hồ sơ bổ
    sung") as for any supplement. All files or none (the stored ones are deleted on failure)."""
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if not locked.national_code:
        raise DomainError("not_national", _("Hồ sơ này không nộp qua Cổng DVC quốc gia."))
    if locked.status not in (Status.GUIDED, Status.SUPPLEMENT_REQUESTED):
        raise DomainError("not_waiting_for_supplement", _(
            "Hồ sơ đang ở trạng thái “%s”: không chờ công dân bổ sung.") % locked.get_status_display(),
            http_status=409)
    at = at or timezone.now()
    stored = []
    try:
        _store_national_files(locked, files, at, AttachmentKind.SUPPLEMENT, stored)
        if locked.status == Status.GUIDED:
            reason = _("Bổ sung trên Cổng Dịch vụ công quốc gia.")
            if message.strip():
                reason += " " + message.strip()[:1000]
            return dossier_submit(dossier=locked, actor=None, at=at, reason=reason)
        return locked
    except BaseException:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise


def _require_documents(d: Dossier) -> None:
    missing = missing_documents(d)
    if missing:
        raise DomainError("missing_documents", _("Còn thiếu: %s.") % "; ".join(doc.name for doc in missing))


def dossier_submit(*, dossier: Dossier, actor: User | None, at: dt.datetime | None = None, reason: str = "") -> Dossier:
    """Every component to hand in (and each conditional one whose case applies) must be uploaded before
    an online dossier is submitted; the files on record per component are recorded as handed in."""

    def before(d, when):
        parts.components_count_files(d)
        _require_documents(d)
        declarations.require_finished(d)
        d.submitted_at = when

    return _fire(dossier=dossier, actor=actor, name="submit", at=at, before=before, reason=reason)


@transaction.atomic
def dossier_create_at_desk(
    *, actor: User, version: ProcedureVersion, agency: Agency, channel: str = Channel.IN_PERSON,
    return_channel: str = ReturnChannel.DESK, at: dt.datetime | None = None,
    components: dict[int, dict] | list[int] | None = None, presented: list[int] | None = None,
    cases: list[int] | None = None, exemptions: dict[int, dict] | None = None, scans: dict | None = None,
    handling_agency: Agency | None = None, returning_agency: Agency | None = None, **applicant,
) -> Dossier:
    """A walk-in or postal dossier: the reception officer records it and receives it at once.

    `agency` is the desk; `handling_agency` the competent agency (default: the desk) and `returning_agency`
    where the result is collected (default: the desk; the competent agency when sent by post or online).
    Another competent agency or a third returning desk only for procedures on the province's list
    (`routing.check_route`).

    `components`: {RequiredDocument id: {"originals": n, "copies": m}} as the officer counted them (a
    list of ids: as the procedure asks; None: every component to hand in, as the procedure asks — the
    API without a list). `presented`: the components shown for comparison and handed back. `cases`:
    the conditional components whose case applies. Every component to hand in, and every conditional
    one whose case applies, must be there (components.desk_plan); the receipt lists what was counted.
    """
    if not policies.can_receive_at_desk(actor, agency):
        raise PermissionDenied(_("Chỉ cán bộ tiếp nhận của %s mới nhận hồ sơ tại đây.") % agency.name)
    handling = handling_agency or agency
    if return_channel != ReturnChannel.DESK:
        returning = returning_agency or handling
    else:
        returning = returning_agency or agency
    _check_new(version, agency, channel, applicant, handling=handling, returning=returning,
               return_channel=return_channel)
    documents = list(version.documents.all())
    scans = scans or {}
    plan = parts.desk_plan(documents=documents, components=components, presented=presented or (),
                           cases=cases or (), scans=scans)
    received_components = [doc.name for doc in documents if doc.pk in plan["counts"]]
    at = at or timezone.now()
    dossier = Dossier(
        procedure_version=version, channel=channel, return_channel=return_channel, receiving_agency=agency,
        handling_agency=handling, returning_agency=returning, submitted_at=at, **applicant,
    )
    dossier.create_at_desk()  # the workflow's `create_at_desk` row: stored already submitted, its step running
    hours = _allotted_hours(dossier, Step.RECEPTION)
    dossier.step, dossier.step_started_at = Step.RECEPTION, at
    dossier.step_due_at = calendar_for(agency).add_working_time(at, float(hours) * 3600) if hours else None
    dossier.save()
    events.dossier_created_at_desk(dossier=dossier, actor=actor, agency=agency, at=at, channel=channel,
                                   components=received_components,
                                   presented=[doc.name for doc in documents if doc.pk in plan["presented"]])
    parts.components_record_desk(dossier=dossier, actor=actor, plan=plan, at=at)
    stored = []
    try:
        if scans:
            stored = _digitize(dossier, actor, documents, scans, at)
        return dossier_receive(dossier=dossier, actor=actor, at=at, exemptions=exemptions)
    except BaseException:
        for attachment in stored:  # the transaction rolls back; the scanned files must go too
            attachment.file.storage.delete(attachment.file.name)
        raise


def _digitize(dossier: Dossier, actor: User, documents, scans: dict, at) -> list:
    """Số hóa at reception (Decree 61/2018 Art. 17): the officer's scan of each component handed in,
    recorded as one event naming the components digitised and whether every required one is."""
    by_id = {doc.pk: doc for doc in documents}
    stored = []
    try:
        for doc_id, upload in scans.items():
            if doc_id not in by_id:
                raise DomainError("wrong_document", _("Thành phần không thuộc thủ tục này."), field="components")
            stored.append(attachment_add(dossier=dossier, actor=actor, upload=upload, document=by_id[doc_id], at=at,
                                         scanned=True))
    except BaseException:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise
    complete = not missing_documents(dossier)
    events.components_digitized(dossier=dossier, actor=actor, at=at, components=[by_id[i].name for i in scans],
                                complete=complete, attachments=[a.pk for a in stored])
    return stored


# -- reception -----------------------------------------------------------------------------------

def dossier_receive(*, dossier: Dossier, actor: User, at: dt.datetime | None = None,
                    expected_status: str | None = None, exemptions: dict[int, dict] | None = None) -> Dossier:
    """Complete and valid: issue the code and the PIN, compute the due date and fix the fees with the
    exemptions the officer applied (receipt, Mẫu 01)."""
    payload = {}

    def before(d, when):
        amount, unit = _limit(d)
        parts.components_count_files(d)  # the receipt lists the files on record now (and the desk's count)
        fees.fee_lines(d, exemptions)  # refuse a wrong exemption before anything is issued
        cal = calendar_for(d.receiving_agency)
        d.code = codes.issue_code(d.receiving_agency, to_local(when).date())
        d.pin = codes.new_pin()
        d.received_at = when
        d.due_at = d.original_due_at = _receipt_appointment(d, cal, when, amount, unit)
        lines = fees.fees_fix(d, exemptions)
        payload["fee_total"] = d.fee_total
        payload["exemptions"] = [f"{x.name}: {x.exemption_name} ({x.exemption_note})" for x in lines if x.exemption]

    return _fire(dossier=dossier, actor=actor, name="receive", at=at, before=before, expected_status=expected_status,
                 payload=payload)


def dossier_guide(*, dossier: Dossier, actor: User, reason: str, components: list[int] | None = None, at=None,
                 expected_status=None) -> Dossier:
    """Incomplete: guide the citizen once, completely, on what to add (Mẫu 02 lists the components still
    missing at this moment and those the officer chose in `components`). No clock yet."""
    payload = {}

    def before(d, when):
        parts.components_count_files(d)
        payload["missing"] = parts.supplement_rows(d, components)

    return _fire(dossier=dossier, actor=actor, name="guide", reason=reason, at=at, before=before,
                 expected_status=expected_status, payload=payload)


def dossier_refuse_at_reception(*, dossier: Dossier, actor: User, reason: str, at=None,
                                expected_status=None) -> Dossier:
    """Not receivable (Mẫu 03, with the reasons). Terminal."""

    def after(d, when):
        d.refusal_reason = reason

    return _fire(dossier=dossier, actor=actor, name="refuse_at_reception", reason=reason, at=at, after=after,
                 expected_status=expected_status)


# -- appraisal -----------------------------------------------------------------------------------

def dossier_assign(*, dossier: Dossier, actor: User, appraiser: User, at=None, expected_status=None) -> Dossier:
    def before(d, when):
        if not policies.can_be_assigned(appraiser, d):
            raise DomainError("not_an_appraiser", _("%s không phải chuyên viên thẩm định của %s.")
                              % (appraiser.full_name, d.handling_agency.name), field="appraiser")
        d.assignee = appraiser

    return _fire(dossier=dossier, actor=actor, name="assign", at=at, before=before, expected_status=expected_status,
                 payload={"assignee": appraiser.pk})


# Where the appraiser can be changed without a transition: the dossier is with an appraiser.
REASSIGNABLE = frozenset({Status.IN_APPRAISAL, Status.CONSULTING})
UNCHANGED = object()  # `expected_assignee` not given: the caller does not check who held the dossier


@transaction.atomic
def dossier_reassign(*, dossier: Dossier, actor: User, appraiser: User, expected_assignee=UNCHANGED,
                     expected_status: str | None = None, reason: str = "", at: dt.datetime | None = None) -> Dossier:
    """Give a dossier being appraised to another appraiser of the handling agency (the head's one-click
    reassignment on the at-risk page). The status, the step and its deadline stand; an event names both
    appraisers; the new one is told (in-portal notice and e-mail), the previous one gets a notice.

    `expected_assignee` (a user id, None for "nobody") and `expected_status` are what the page showed: if the
    dossier moved since, nothing changes and the officer is told what it is now (`stale_dossier`). A dossier
    not yet assigned is assigned with `dossier_assign` (the workflow's `assign` transition)."""
    locked = Dossier.objects.select_for_update(of=("self",)).select_related(
        "handling_agency", "assignee").get(pk=dossier.pk)
    if not policies.can_reassign(actor, locked):
        raise PermissionDenied(_("Chỉ thủ trưởng hoặc lãnh đạo của %s mới chuyển hồ sơ cho chuyên viên khác.")
                               % locked.handling_agency.name)
    stale = (expected_status and locked.status != expected_status) or (
        expected_assignee is not UNCHANGED and locked.assignee_id != expected_assignee)
    if stale:
        holder = locked.assignee.full_name if locked.assignee else _("chưa giao cho ai")
        raise Conflict("stale_dossier", _(
            "Hồ sơ %(code)s vừa thay đổi (hiện ở trạng thái “%(status)s”, chuyên viên: %(holder)s): chưa chuyển gì. "
            "Hãy xem lại danh sách rồi chọn lại.") % {"code": locked.code, "status": locked.get_status_display(),
                                                    "holder": holder})
    if locked.status not in REASSIGNABLE:
        raise DomainError("not_in_appraisal", _(
            "Chỉ chuyển chuyên viên khác khi hồ sơ đang ở bước thẩm định (hiện ở trạng thái “%s”).")
            % locked.get_status_display(), http_status=409)
    if not policies.can_be_assigned(appraiser, locked):
        raise DomainError("not_an_appraiser", _("%(name)s không phải chuyên viên thẩm định của %(agency)s.")
                          % {"name": appraiser.full_name, "agency": locked.handling_agency.name}, field="appraiser")
    if appraiser.pk == locked.assignee_id:
        raise DomainError("same_appraiser", _("%s đang xử lý hồ sơ này: hãy chọn chuyên viên khác.")
                          % appraiser.full_name, field="appraiser")
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise DomainError("reason_too_long", _("Ghi chú tối đa 500 ký tự."), field="reason")
    previous = locked.assignee
    locked.assignee = appraiser
    locked.save(update_fields=["assignee"])
    event = events.dossier_reassigned(dossier=locked, actor=actor, at=at or timezone.now(), previous=previous,
                                      appraiser=appraiser, reason=reason)
    transaction.on_commit(lambda: _tell_reassigned(locked, event, previous, appraiser))
    return locked


def _tell_reassigned(dossier: Dossier, event: DossierEvent, previous: User | None, appraiser: User) -> None:
    """After the commit: the new appraiser's notice and e-mail, the previous one's notice (one per event)."""
    url = reverse("dossiers:detail", args=[dossier.pk])
    due = timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y") if dossier.due_at else "—"
    inbox_post(user_id=appraiser.pk, key=f"reassign:{event.pk}:{appraiser.pk}", url=url,
               text=_("Ông/bà được giao thẩm định hồ sơ %(code)s (hẹn trả %(due)s).") % {"code": dossier.code,
                                                                                       "due": due})
    if appraiser.email:
        email_queue(to=appraiser.email, template="notifications/email/dossier_reassigned",
                    key=f"reassign:{event.pk}:{appraiser.pk}", user_id=appraiser.pk, link=url,
                    context={"dossier": dossier, "event": event, "due": due, "url": url})
    if previous is not None:
        inbox_post(user_id=previous.pk, key=f"reassign:{event.pk}:{previous.pk}", url=url,
                   text=_("Hồ sơ %(code)s đã được chuyển cho %(name)s thẩm định.") % {"code": dossier.code,
                                                                                  "name": appraiser.full_name})


def dossier_request_supplement(*, dossier: Dossier, actor: User, reason: str, components: list[int] | None = None,
                               at=None, expected_status=None) -> Dossier:
    """During appraisal, through the one-stop desk, within the working days of receipt the rules in force on
    the day of receipt allow (regulations.RuleSet.supplement_window_days: 3, Decree 61/2018 Art. 19(4), kept by
    Decree 118/2025). Mẫu 02 lists the components still missing at this moment besides the reason."""
    payload = {}

    def before(d, when):
        cal = calendar_for(d.receiving_agency)
        days = cal.working_days_between(to_local(d.received_at).date(), to_local(when).date())
        window = rules_in_force(d.received_at).supplement_window_days
        if days > window:
            raise DomainError("supplement_too_late", _(
                "Đã quá %(n)s ngày làm việc kể từ khi tiếp nhận (%(days)s ngày): không được yêu cầu bổ sung nữa; "
                "nếu hồ sơ không đủ điều kiện, hãy trình từ chối giải quyết.") % {"n": window, "days": days})
        parts.components_count_files(d)
        payload["missing"] = parts.supplement_rows(d, components)
        d.supplement_requests += 1  # saved with the event (stats.counted_766 reads these two)
        d.first_supplement_request_at = min(d.first_supplement_request_at or when, when)

    return _fire(dossier=dossier, actor=actor, name="request_supplement", reason=reason, at=at, before=before,
                 expected_status=expected_status, payload=payload)


def dossier_supplement_received(*, dossier: Dossier, actor: User, at=None, expected_status=None) -> Dossier:
    """The complete supplement arrived: the clock restarts or resumes (the version's policy)."""

    def after(d, when):
        parts.components_count_files(d)  # the supplement's files count as handed in
        amount, unit = _limit(d)
        state = clock(calendar_for(d.receiving_agency), _clock_events(d, [ClockEvent(
            ClockEventKind.SUPPLEMENT_RECEIVED, when)]), amount, unit, d.procedure_version.supplement_policy)
        d.due_at = state.due_at

    return _fire(dossier=dossier, actor=actor, name="supplement_received", at=at, after=after,
                 expected_status=expected_status)


CONSULTATION_DAYS = getattr(settings, "DOSSIER_CONSULTATION_DAYS", 3)


def dossier_consult(*, dossier: Dossier, actor: User, reason: str, agency: Agency, days: int | None = None,
                    at=None, expected_status=None) -> Dossier:
    """Ask another agency (liên thông); it gets a task with its own deadline in working days."""
    days = CONSULTATION_DAYS if days is None else days
    if not isinstance(days, int) or days < 1 or days > 30:
        raise DomainError("invalid_days", _("Thời hạn trả lời phải từ 1 đến 30 ngày làm việc."), field="days")

    def after(d, when):
        if agency.pk == d.handling_agency_id:
            raise DomainError("consult_self", _("Không thể xin ý kiến chính cơ quan đang giải quyết."), field="agency")
        cal = calendar_for(agency)
        ConsultationTask.objects.create(dossier=d, agency=agency, question=reason.strip(), requested_by=actor,
                                        requested_at=when, due_at=cal.end_of_day(
                                            cal.add_working_days(cal.effective_receipt_day(when), days)))

    return _fire(dossier=dossier, actor=actor, name="consult", reason=reason, at=at, after=after,
                 expected_status=expected_status, payload={"agency": agency.pk, "agency_name": agency.name,
                                                           "days": days})


@transaction.atomic
def consultation_answer(*, task: ConsultationTask, actor: User, answer: str, at=None) -> ConsultationTask:
    """The consulted agency replies; when no question is left open the dossier returns to appraisal."""
    task = ConsultationTask.objects.select_for_update().select_related("dossier").get(pk=task.pk)
    if not policies.can_answer_consultation(actor, task):
        raise PermissionDenied(_("Chỉ cán bộ của %s mới trả lời được yêu cầu này.") % task.agency.name)
    if not task.is_open:
        raise DomainError("already_answered", _("Yêu cầu này đã được trả lời."), http_status=409)
    if not (answer or "").strip():
        raise DomainError("answer_required", _("Hãy nhập ý kiến trả lời."), field="answer")
    task.answer, task.answered_by, task.answered_at = answer.strip(), actor, at or timezone.now()
    task.save(update_fields=["answer", "answered_by", "answered_at"])
    dossier = task.dossier
    if dossier.status == Status.CONSULTING and not dossier.consultations.filter(answered_at__isnull=True).exists():
        _fire(dossier=dossier, actor=None, name="consultation_answered", at=task.answered_at,
              reason=f"{task.agency.name}: {task.answer}",
              payload={"agency": task.agency_id, "answered_by": actor.pk, "late": task.answered_at > task.due_at})
    return task


def dossier_consultation_answered(*, dossier: Dossier, actor: User, reason: str = "", at=None,
                                  expected_status=None) -> Dossier:
    return _fire(dossier=dossier, actor=actor, name="consultation_answered", reason=reason, at=at,
                 expected_status=expected_status)


def dossier_propose(*, dossier: Dossier, actor: User, proposal: str, result_summary: str = "", at=None,
                    expected_status=None) -> Dossier:
    if proposal not in ("approve", "refuse"):
        raise DomainError("invalid_proposal", _("Đề xuất phải là giải quyết hoặc từ chối."), field="proposal")

    def before(d, when):
        d.proposal = proposal
        d.result_summary = result_summary

    return _fire(dossier=dossier, actor=actor, name="propose", at=at, before=before, expected_status=expected_status,
                 payload={"proposal": proposal})


# -- approval and return ---------------------------------------------------------------------------

def dossier_approve(*, dossier: Dossier, actor: User, at=None, expected_status=None, signed=None) -> Dossier:
    """The head approves and signs the result. When the result is an electronic PDF on file:

    - `signed` (issued document, draft attachment): the head signed it on their own PC and uploaded it
      (`result_signed_upload`, which checked the file: the upload is the approval, in one transaction);
    - otherwise, if the handling agency has an organisation key, the draft is signed now with it (a stamp
      with the QR code of its verification page on the last page) and the signed file becomes the result;
    - without a key, its SHA-256 and the signer are kept as before, but nothing is signed, so it does not
      count as a result issued electronically (`stats.E_RESULT`).
    A key that cannot be used refuses the approval with what to fix (nothing is approved unsigned)."""
    payload = {}

    def after(d, when):
        if signed is not None:
            document, draft, how = *signed, "officer"
        else:
            draft = results.current_draft(d)
            if draft is None:
                return
            document, how = results.sign_with_agency_key(dossier=d, draft=draft), "agency"
            if document is None:
                d.e_result_sha256, d.e_result_signed_by, d.e_result_signed_at = draft.sha256, actor, when
                payload["e_result"] = {"attachment": draft.pk, "sha256": draft.sha256}
                return
        attachment = results.adopt(dossier=d, actor=actor, at=when, document=document, draft=draft, how=how)
        payload["e_result"] = {"attachment": attachment.pk, "sha256": document.sha256,
                               "document": document.public_id, "signature": document.signature}

    return _fire(dossier=dossier, actor=actor, name="approve", at=at, after=after, expected_status=expected_status,
                 payload=payload)


def dossier_refuse(*, dossier: Dossier, actor: User, reason: str, at=None, expected_status=None) -> Dossier:
    def after(d, when):
        d.refusal_reason = reason
        fees.fees_on_refusal(d)

    return _fire(dossier=dossier, actor=actor, name="refuse", reason=reason, at=at, after=after,
                 expected_status=expected_status)


def dossier_send_back(*, dossier: Dossier, actor: User, reason: str, at=None, expected_status=None) -> Dossier:
    return _fire(dossier=dossier, actor=actor, name="send_back", reason=reason, at=at,
                 expected_status=expected_status)


def dossier_resolve(*, dossier: Dossier, actor: User, at=None, expected_status=None) -> Dossier:
    """The result reached the one-stop desk: that moment decides early / on time / late."""

    def after(d, when):
        d.resolved_at = when
        d.punctuality = resolution_punctuality(d, when)

    return _fire(dossier=dossier, actor=actor, name="resolve", at=at, after=after, expected_status=expected_status)


def dossier_return(*, dossier: Dossier, actor: User, how: str = ReturnChannel.DESK, tracking_number: str = "",
                   at=None, expected_status=None) -> Dossier:
    if how not in ReturnChannel.values:
        raise DomainError("invalid_return_channel", _("Hình thức trả kết quả không hợp lệ."), field="how")
    if how == ReturnChannel.POSTAL and not tracking_number.strip():
        raise DomainError("tracking_required", _("Trả qua bưu chính cần số vận đơn."), field="tracking_number")

    def before(d, when):
        fees.require_paid(d)

    def after(d, when):
        d.returned_at = when
        d.return_channel = how

    return _fire(dossier=dossier, actor=actor, name="return_result", at=at, before=before, after=after,
                 expected_status=expected_status, payload={"how": how, "tracking_number": tracking_number.strip()})


def dossier_withdraw(*, dossier: Dossier, actor: User, reason: str, at=None, expected_status=None) -> Dossier:
    """The applicant withdraws: an unpaid fee is no longer owed (a paid one is not refunded)."""

    def after(d, when):
        if d.fee_status == FeeStatus.UNPAID:
            d.fee_status = FeeStatus.CANCELLED

    return _fire(dossier=dossier, actor=actor, name="withdraw", reason=reason, at=at, after=after,
                 expected_status=expected_status)


def dossier_stop(*, dossier: Dossier, actor: User, reason: str, at=None, expected_status=None) -> Dossier:
    def after(d, when):
        d.refusal_reason = reason
        fees.fees_on_refusal(d)

    return _fire(dossier=dossier, actor=actor, name="stop", reason=reason, at=at, after=after,
                 expected_status=expected_status)


# -- the electronic result: signed on a leader's PC, signed again, revoked (see results.py) ------------

def _locked_for_result(dossier: Dossier, actor: User, expected_status: str | None = None) -> Dossier:
    locked = Dossier.objects.select_for_update(of=("self",)).select_related("handling_agency").get(pk=dossier.pk)
    if expected_status and locked.status != expected_status:
        raise Conflict("stale_dossier", _("Hồ sơ vừa được người khác xử lý (hiện ở trạng thái “%s”). Hãy tải lại "
                                          "trang.") % locked.get_status_display())
    if not policies.can_sign_result(actor, locked):
        if policies.acts_as(actor, locked, (Role.APPROVER,)):
            raise DomainError("not_signable_now", _("Không thể ký số kết quả khi hồ sơ đang ở trạng thái “%s”.")
                              % locked.get_status_display(), http_status=409)
        raise PermissionDenied(_("Chỉ lãnh đạo cơ quan giải quyết mới ký số kết quả của hồ sơ này."))
    return locked


@transaction.atomic
def result_draft_prepare(*, dossier: Dossier, actor: User) -> ResultDraft:
    """The draft a leader downloads to sign on their own PC: the current result PDF with the QR code and
    address of its verification page added (the public id is reserved now, so the QR code is in the document
    before it is signed). Asked again for the same result file, the same bytes are returned."""
    locked = _locked_for_result(dossier, actor)
    draft = results.current_draft(locked)
    if draft is None:
        raise DomainError("no_result_draft", _("Chưa có dự thảo kết quả (tệp PDF) để ký số."), http_status=409)
    existing = ResultDraft.objects.filter(attachment=draft, document__isnull=True).first()
    if existing is not None:
        return existing
    public_id = new_public_id()
    data = signing_pdf.add_verification(results.read(draft.file), url=verify_url(public_id))
    row = ResultDraft(dossier=locked, attachment=draft, public_id=public_id, sha256=hashlib.sha256(data).hexdigest(),
                      size=len(data), prepared_by=actor, prepared_at=timezone.now())
    row.file.save(f"{public_id}.pdf", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            row.save()
    except BaseException:
        row.file.storage.delete(row.file.name)
        raise
    return row


@transaction.atomic
def result_signed_upload(*, dossier: Dossier, actor: User, data: bytes, expected_status: str | None = None,
                         at=None) -> Dossier:
    """A leader uploads the result they signed on their own PC (the draft of `result_draft_prepare`).

    How it combines with the workflow: while the dossier awaits approval, the upload IS the approval — the
    file is checked, registered and the `approve` transition fired in one transaction (a refused file
    approves nothing); after approval and before the result is sent to the desk (`resolve`), it signs a
    corrected result, which replaces the previous one. Nothing is written unless every check of
    `results.check_signed_upload` passes."""
    locked = _locked_for_result(dossier, actor, expected_status)
    prepared = results.open_draft(locked)
    if prepared is None:
        raise DomainError("no_draft_to_sign", _(
            "Chưa có bản dự thảo để ký số cho tệp kết quả hiện tại: hãy tải “bản dự thảo để ký số” về, ký rồi tải "
            "lên."), field="file", http_status=409)
    report = results.check_signed_upload(data=data, draft=prepared, actor=actor, at=timezone.now())
    when = at or timezone.now()
    document = signing_services.document_register(
        kind=DocumentKind.RESULT, ref=results.next_ref(locked), agency=locked.handling_agency, data=data,
        public_id=prepared.public_id, signature=SignatureState.OFFICER,
        signer_name=actor.full_name or report.signer_name,
        cert_subject=report.subject, cert_issuer=report.issuer, cert_serial=report.serial,
        number=locked.code or "", issued_at=when, replaces_prefix=results.ref_prefix(locked))
    ResultDraft.objects.filter(pk=prepared.pk).update(document=document)
    if locked.status == Status.AWAITING_APPROVAL:
        return dossier_approve(dossier=locked, actor=actor, at=when, signed=(document, prepared.attachment))
    results.adopt(dossier=locked, actor=actor, at=when, document=document, draft=prepared.attachment, how="officer")
    locked.save(update_fields=["e_result_sha256", "e_result_signed_by", "e_result_signed_at", "e_result_document"])
    return locked


@transaction.atomic
def result_sign(*, dossier: Dossier, actor: User, at=None) -> Dossier:
    """After approval, the head signs a corrected result with the agency's certificate (it replaces the
    previous one). While the dossier awaits approval, approving signs it (`dossier_approve`)."""
    locked = _locked_for_result(dossier, actor)
    if locked.status != Status.APPROVED:
        raise DomainError("approve_to_sign", _("Hãy phê duyệt hồ sơ: kết quả được ký số khi phê duyệt."),
                          http_status=409)
    draft = results.current_draft(locked)
    if draft is None:
        raise DomainError("no_result_draft", _("Chưa có dự thảo kết quả (tệp PDF) để ký số."), http_status=409)
    document = results.sign_with_agency_key(dossier=locked, draft=draft)
    if document is None:
        raise DomainError("no_agency_key", _(
            "%s chưa có chứng thư số của cơ quan trên hệ thống: hãy ký bằng thiết bị ký số cá nhân.")
            % locked.handling_agency.name, http_status=409)
    results.adopt(dossier=locked, actor=actor, at=at or timezone.now(), document=document, draft=draft, how="agency")
    locked.save(update_fields=["e_result_sha256", "e_result_signed_by", "e_result_signed_at", "e_result_document"])
    return locked


@transaction.atomic
def result_revoke(*, dossier: Dossier, actor: User, reason: str, at=None) -> Dossier:
    """The head of the handling agency withdraws the issued result: its verification page says revoked with
    the reason, the file is no longer offered as the dossier's result, and it no longer counts as a result
    issued electronically. A corrected result is then uploaded and signed again."""
    locked = Dossier.objects.select_for_update(of=("self",)).select_related("e_result_document").get(pk=dossier.pk)
    if not policies.can_revoke_result(actor, locked):
        raise PermissionDenied(_("Chỉ lãnh đạo cơ quan giải quyết mới thu hồi được kết quả của hồ sơ này."))
    document = locked.e_result_document
    if document is None or document.status != DocumentStatus.VALID:
        raise DomainError("no_result_to_revoke", _("Hồ sơ không có kết quả điện tử đang có hiệu lực để thu hồi."),
                          http_status=409)
    document = signing_services.document_revoke(document=document, actor=actor, reason=reason)
    Attachment.objects.filter(dossier=locked, kind=AttachmentKind.RESULT, sha256=document.sha256,
                              is_active=True).update(is_active=False)
    events.result_revoked(dossier=locked, actor=actor, at=at or document.revoked_at, document=document,
                          reason=document.revoked_reason)
    return locked
