"""Apology letters (Phiếu xin lỗi và hẹn lại ngày trả kết quả, Mẫu 04) and the one re-appointment.

Decree 61/2018 Art. 19(9): the competent agency, no later than one day before the appointment,
tells the one-stop desk and sends the citizen a letter of apology with the reason and the new date;
the appointment may be moved only once. Art. 21: a lost or damaged dossier also owes an apology.

- The deadline sweep drafts a letter when a dossier becomes due soon and the remaining internal-step
  allotments no longer fit before the appointment, or when it becomes overdue (`draft_for_sweep`).
- Officers of the handling agency may draft one by hand (e.g. a lost dossier) and edit the reason.
- The head of the agency (approver role) reviews and issues it (`apology_letter_issue`): number,
  PDF, the appointment moves (the legal one is kept in `extended_from`), desk and citizen notified.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency, User
from core.dates import parse_day
from core.errors import Conflict, DomainError
from core.periods import OUT_OF_RANGE, in_range
from notifications.services import email_queue, inbox_post, sms_queue
from procedures.models import ChannelOption, StepKind
from regulations.selectors import rules_in_force
from signing import config as signing_config
from workcalendar.calendar import to_local
from workcalendar.deadlines import check_extension, propose_new_due
from workcalendar.selectors import calendar_for

from .. import codes, events, issuing, policies
from ..models import ApologyLetter, ApologyReason, ConsultationTask, Dossier, LetterCounter, LetterStatus
from ..workflow import OPEN, WAITING_FOR_CITIZEN, Step
from .at_risk import is_at_risk
from .classify import classify, due_soon_limit

STEP_ORDER = [Step.RECEPTION, Step.APPRAISAL, Step.APPROVAL, Step.RETURN]


# -- what is still needed -----------------------------------------------------------------------

def allotments(option: ChannelOption | None) -> dict[str, float]:
    """Office seconds allotted to each of the four steps by the channel's internal process."""
    hours = {step: Decimal(0) for step in STEP_ORDER}
    if option is not None:
        for s in option.steps.all():
            key = Step.APPRAISAL if s.step == StepKind.OTHER else s.step
            if key in hours:
                hours[key] += s.hours
    return {step: float(h) * 3600 for step, h in hours.items()}


def needed_seconds(cal, *, now: dt.datetime, step: str, step_due_at: dt.datetime | None,
                   allotted: dict[str, float]) -> float:
    """The rest of the current step's allotment plus the allotments of the steps after it."""
    if step not in STEP_ORDER:
        return 0.0
    current = max(0.0, cal.working_seconds_between(now, step_due_at)) if step_due_at else allotted[step]
    later = sum(allotted[s] for s in STEP_ORDER[STEP_ORDER.index(step) + 1:])
    return current + later


def assess(cal, now: dt.datetime, *, due_at, extended_from, step: str, step_due_at, extension_allowed: bool,
           allotted: dict[str, float]) -> tuple[bool, dt.datetime | None]:
    """(will it be late?, the proposed new appointment, or None when the version allows no extension
    or the appointment already moved once). Pure: the sweep calls it on plain rows."""
    need = needed_seconds(cal, now=now, step=step, step_due_at=step_due_at, allotted=allotted)
    late = due_at is not None and (now >= due_at or need > cal.working_seconds_between(now, due_at))
    if due_at is None or not extension_allowed or extended_from is not None:
        return late, None
    return late, propose_new_due(cal, now, due_at, need)


def proposal(dossier: Dossier, now: dt.datetime) -> tuple[bool, dt.datetime | None]:
    return assess(calendar_for(dossier.handling_agency), now, due_at=dossier.due_at,
                  extended_from=dossier.extended_from, step=dossier.step, step_due_at=dossier.step_due_at,
                  extension_allowed=dossier.procedure_version.extension_allowed,
                  allotted=allotments(dossier.channel_option))


def issue_is_late(letter_due: dt.datetime | None, at: dt.datetime) -> bool:
    """Signed later than the notice the rules in force that day ask before the appointment ("chậm nhất 01 ngày
    trước ngày hẹn trả": calendar days, not working days)."""
    if letter_due is None:
        return False
    return at > letter_due - dt.timedelta(days=rules_in_force(at).apology_notice_days)


# -- drafting -----------------------------------------------------------------------------------

def _clean_reason(reason_kind: str, reason_text: str, on: dt.datetime | None = None) -> tuple[str, str]:
    reason_text = (reason_text or "").strip()
    if reason_kind not in rules_in_force(on).apology_reason_codes:  # the reasons of the rules in force that day
        raise DomainError("reason_required", _("Hãy chọn lý do chậm trả kết quả trong danh sách."),
                          field="reason_kind")
    if reason_kind == ApologyReason.OTHER and not reason_text:
        raise DomainError("reason_required", _("Lý do khác: hãy ghi rõ lý do."), field="reason_text")
    if len(reason_text) > 2000:
        raise DomainError("reason_too_long", _("Diễn giải lý do tối đa 2.000 ký tự."), field="reason_text")
    return reason_kind, reason_text


MANUAL_TRIGGERS = ("manual", "risk")


@transaction.atomic
def apology_letter_draft(*, dossier: Dossier, actor: User, reason_kind: str, reason_text: str = "",
                         at: dt.datetime | None = None, trigger: str = "manual") -> ApologyLetter:
    """An officer of the handling agency drafts a letter by hand (a lost or damaged dossier, or a
    delay the sweep has not seen yet). `trigger` "risk": drafted early because the lateness forecast puts
    the dossier at risk (the worklist's at-risk queue), while a new appointment is still credible; the
    dossier must still be at risk. The proposed new date is the same rule's in both cases (`proposal`)."""
    if trigger not in MANUAL_TRIGGERS:
        raise DomainError("invalid_trigger", _("Cách lập phiếu không hợp lệ."), field="trigger")
    locked = Dossier.objects.select_for_update(of=("self",)).select_related("procedure_version", "handling_agency").get(
        pk=dossier.pk)
    if not policies.can_draft_apology(actor, locked):
        raise PermissionDenied(_("Chỉ chuyên viên hoặc lãnh đạo của cơ quan giải quyết mới lập phiếu xin lỗi."))
    if locked.status not in OPEN or locked.resolved_at:
        raise DomainError("dossier_closed", _(
            "Hồ sơ đã có kết quả hoặc đã kết thúc: không lập phiếu xin lỗi và hẹn lại."), http_status=409)
    if trigger == "risk" and not is_at_risk(locked):
        raise Conflict("not_at_risk", _(
            "Hồ sơ %s không còn trong danh sách có nguy cơ trễ hẹn (dự báo đã thay đổi): chưa lập phiếu. Nếu vẫn "
            "cần xin lỗi, hãy lập phiếu trên trang hồ sơ.") % locked.code)
    reason_kind, reason_text = _clean_reason(reason_kind, reason_text, on=at)
    if locked.apology_letters.filter(status=LetterStatus.DRAFT).exists():
        raise Conflict("draft_exists", _("Hồ sơ đã có một phiếu xin lỗi đang chờ ký: hãy sửa phiếu đó."))
    at = at or timezone.now()
    _late, proposed = proposal(locked, at)
    letter = ApologyLetter.objects.create(
        dossier=locked, agency=locked.handling_agency, auto=False, trigger=trigger, reason_kind=reason_kind,
        reason_text=reason_text, due_at=locked.due_at, proposed_due_at=proposed, drafted_at=at, drafted_by=actor)
    events.apology_drafted(dossier=locked, actor=actor, at=at, letter=letter)
    _tell_head(locked, letter)
    return letter


SWEEP_FIELDS = ("pk", "status", "due_at", "extended_from", "step", "step_due_at", "procedure_version_id", "channel",
                "handling_agency_id", "procedure_version__extension_allowed")


def draft_for_sweep(ids: list[int], trigger: str, now: dt.datetime, cache: dict | None = None) -> set[int]:
    """Called by the deadline sweep (inside its transaction) for dossiers that just became due soon
    or overdue. Drafts a letter where one is owed and none exists; returns the dossier ids drafted.

    Plain rows and one INSERT per batch (this runs for every dossier that crosses a boundary); the
    sweep passes `cache` so calendars and step allotments are read once per sweep, not per batch.
    Concurrent sweeps never change the same dossier (SKIP LOCKED), and the partial unique index on
    drafts makes a duplicate impossible anyway (conflicts are skipped)."""
    if not ids:
        return set()
    cache = {} if cache is None else cache
    letters_exist = ApologyLetter.objects.filter(dossier=OuterRef("pk")).exclude(status=LetterStatus.CANCELLED)
    rows = list(Dossier.objects.filter(pk__in=ids, extended_from__isnull=True).exclude(
        status__in=WAITING_FOR_CITIZEN).exclude(Exists(letters_exist)).values_list(*SWEEP_FIELDS))
    if not rows:
        return set()
    waiting = set(ConsultationTask.objects.filter(dossier__in=[r[0] for r in rows], answered_at__isnull=True)
                  .values_list("dossier_id", flat=True))
    cals = cache.setdefault("calendars", {})
    missing = {r[8] for r in rows} - set(cals)
    for agency in Agency.objects.filter(pk__in=missing):
        cals[agency.pk] = calendar_for(agency)
    by_option = cache.setdefault("allotments", {})
    drafts = []  # (dossier, agency, reason, due, proposed)
    for pk, _status, due_at, extended_from, step, step_due_at, version_id, channel, agency_id, allowed in rows:
        key = (version_id, channel)
        if key not in by_option:
            by_option[key] = allotments(ChannelOption.objects.filter(version_id=version_id, channel=channel)
                                        .prefetch_related("steps").first())
        late, proposed = assess(cals[agency_id], now, due_at=due_at, extended_from=extended_from, step=step,
                                step_due_at=step_due_at, extension_allowed=allowed, allotted=by_option[key])
        if late:
            drafts.append((pk, agency_id, ApologyReason.CONSULTATION if pk in waiting else "", due_at, proposed))
    return _insert_drafts(drafts, trigger, now)


def _insert_drafts(drafts: list[tuple], trigger: str, now: dt.datetime) -> set[int]:
    if not drafts:
        return set()
    if connection.vendor != "postgresql":
        ApologyLetter.objects.bulk_create([
            ApologyLetter(dossier_id=pk, agency_id=agency_id, auto=True, trigger=trigger, reason_kind=reason,
                          due_at=due_at, proposed_due_at=proposed, drafted_at=now)
            for pk, agency_id, reason, due_at, proposed in drafts], ignore_conflicts=True, batch_size=2000)
        return {d[0] for d in drafts}
    columns = list(zip(*drafts, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {ApologyLetter._meta.db_table} (dossier_id, agency_id, reason_kind, due_at,
                proposed_due_at, status, auto, trigger, reason_text, drafted_at, number, signer_name, signer_title,
                issued_late, pdf, cancelled_reason)
            SELECT t.*, %s, true, %s, '', %s, '', '', '', false, '', ''
            FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::timestamptz[], %s::timestamptz[]) AS t
            ON CONFLICT DO NOTHING RETURNING dossier_id""",
            [LetterStatus.DRAFT, trigger, now, *[list(c) for c in columns]])
        return {row[0] for row in cursor.fetchall()}


def _tell_head(dossier: Dossier, letter: ApologyLetter) -> None:
    head_id = dossier.handling_agency.head_id
    if head_id:
        inbox_post(user_id=head_id, key=f"apology-draft:{letter.pk}:{head_id}",
                   url=reverse("dossiers:detail", args=[dossier.pk]) + "#xin-loi",
                   text=_("Phiếu xin lỗi và hẹn lại cho hồ sơ %s đang chờ ông/bà xem xét, ký.") % dossier.code)


# -- editing and issuing ----------------------------------------------------------------------------

def _lock(letter: ApologyLetter) -> tuple[ApologyLetter, Dossier]:
    dossier = Dossier.objects.select_for_update(of=("self",)).select_related(
        "procedure_version__procedure", "handling_agency", "receiving_agency").get(pk=letter.dossier_id)
    letter = ApologyLetter.objects.select_for_update().get(pk=letter.pk)
    return letter, dossier


def _parse_new_due(cal, dossier: Dossier, new_due, now: dt.datetime | None = None) -> dt.datetime | None:
    if new_due in (None, ""):
        return None
    if isinstance(new_due, str):
        new_due = parse_day(new_due, field="new_due")
        if new_due is None:
            return None
    if not in_range(new_due.date() if isinstance(new_due, dt.datetime) else new_due):
        raise DomainError("date_out_of_range", OUT_OF_RANGE, field="new_due")
    if not dossier.procedure_version.extension_allowed:
        raise DomainError("extension_not_allowed", _(
            "Thủ tục này không cho phép hẹn lại ngày trả kết quả: phiếu chỉ xin lỗi, không ghi ngày hẹn mới."),
            field="new_due")
    if dossier.extended_from is not None:
        raise DomainError("already_extended", _(
            "Hồ sơ đã được hẹn lại một lần (ngày hẹn ban đầu %s). Pháp luật chỉ cho phép hẹn lại ngày trả kết quả "
            "không quá một lần (Điều 19 khoản 9 Nghị định 61/2018/NĐ-CP).")
            % to_local(dossier.extended_from).strftime("%d/%m/%Y"), field="new_due")
    if dossier.due_at is None:
        raise DomainError("clock_stopped", _("Hồ sơ đang chờ công dân bổ sung, chưa có ngày hẹn để hẹn lại."),
                          field="new_due")
    try:
        moment = check_extension(cal, dossier.due_at, new_due)
    except DomainError as exc:
        exc.field = "new_due"
        raise
    if moment <= (now or timezone.now()):
        raise DomainError("extension_in_past", _("Ngày hẹn mới phải sau thời điểm hiện tại."), field="new_due")
    return moment


@transaction.atomic
def apology_letter_update(*, letter: ApologyLetter, actor: User, reason_kind: str, reason_text: str = "",
                          new_due=None) -> ApologyLetter:
    """Officers pick the reason; the head may also change the proposed date. Only drafts change."""
    letter, dossier = _lock(letter)
    if not policies.can_draft_apology(actor, dossier):
        raise PermissionDenied(_("Bạn không sửa được phiếu xin lỗi của cơ quan khác."))
    if letter.status != LetterStatus.DRAFT:
        raise Conflict("letter_not_draft", _("Phiếu đã %s, không sửa được nữa.") % letter.get_status_display().lower())
    letter.reason_kind, letter.reason_text = _clean_reason(reason_kind, reason_text)
    if new_due not in (None, ""):
        proposed = _parse_new_due(calendar_for(dossier.handling_agency), dossier, new_due)
        if proposed != letter.proposed_due_at and not policies.can_issue_apology(actor, dossier):
            raise PermissionDenied(_(
                "Chỉ lãnh đạo của cơ quan mới đổi ngày hẹn mới; hãy ghi đề xuất vào phần diễn giải."))
        letter.proposed_due_at = proposed
    letter.save(update_fields=["reason_kind", "reason_text", "proposed_due_at"])
    return letter


def _next_number(agency, year: int) -> str:
    return f"{codes.next_in(LetterCounter, agency=agency, year=year):02d}/{year}/PXL-{agency.code}"


@transaction.atomic
def apology_letter_issue(*, letter: ApologyLetter, actor: User, reason_kind: str | None = None,
                         reason_text: str | None = None, new_due=None, extend: bool = True,
                         at: dt.datetime | None = None) -> ApologyLetter:
    """The head of the handling agency signs: number, new appointment (once), events, notices, PDF.

    `new_due`: a date (or ISO string); None takes the proposed date. `extend=False` issues an
    apology without a new appointment (e.g. a lost dossier that will still be on time)."""
    letter, dossier = _lock(letter)
    if not policies.can_issue_apology(actor, dossier):
        raise PermissionDenied(_("Chỉ lãnh đạo (thủ trưởng) của %s mới ký ban hành phiếu xin lỗi.")
                               % dossier.handling_agency.name)
    if letter.status != LetterStatus.DRAFT:
        raise Conflict("letter_not_draft", _("Phiếu đã %s.") % letter.get_status_display().lower())
    if dossier.status not in OPEN or dossier.resolved_at:
        raise DomainError("dossier_closed", _("Hồ sơ đã có kết quả hoặc đã kết thúc: không hẹn lại được nữa."),
                          http_status=409)
    # The letter is signed with the agency's key after the commit: a key that cannot be used stops the issue
    # here, with what to fix, before anything moves (SigningUnavailable is a DomainError).
    signing_config.signer_for(letter.agency.code)
    kind = letter.reason_kind if reason_kind is None else reason_kind
    text = letter.reason_text if reason_text is None else reason_text
    letter.reason_kind, letter.reason_text = _clean_reason(kind, text, on=at)
    at = at or timezone.now()
    cal = calendar_for(dossier.handling_agency)
    new_at = None
    if extend and dossier.procedure_version.extension_allowed:
        if new_due in (None, "") and letter.proposed_due_at is None and dossier.extended_from is None:
            raise DomainError("new_due_required", _("Hãy chọn ngày hẹn trả kết quả mới."), field="new_due")
        if new_due not in (None, ""):
            new_at = _parse_new_due(cal, dossier, new_due, at)
        elif letter.proposed_due_at is not None:
            new_at = _parse_new_due(cal, dossier, letter.proposed_due_at, at)
    elif new_due not in (None, ""):
        _parse_new_due(cal, dossier, new_due)  # explains why no date can be given
    head = dossier.handling_agency
    letter.status, letter.issued_at, letter.issued_by = LetterStatus.ISSUED, at, actor
    letter.number = _next_number(head, to_local(at).year)
    letter.signer_name = actor.full_name
    letter.signer_title = head.head_title if head.head_id == actor.pk and head.head_title else _("Thủ trưởng cơ quan")
    letter.due_at = dossier.due_at
    letter.issued_late = issue_is_late(dossier.due_at, at)
    letter.new_due_at = new_at
    try:
        with transaction.atomic():
            letter.save()
    except IntegrityError:  # the partial unique index: someone else re-appointed it a moment ago
        raise DomainError("already_extended", _("Hồ sơ đã được hẹn lại một lần; không hẹn lại lần thứ hai."),
                          http_status=409) from None
    if new_at is not None:
        dossier.extended_from = dossier.due_at
        dossier.due_at = new_at
        dossier.track = classify(new_at, at, soon=due_soon_limit(calendar_for(None), at))
        dossier.save(update_fields=["extended_from", "due_at", "track"])
    event = events.apology_issued(dossier=dossier, actor=actor, at=at, letter=letter)
    transaction.on_commit(lambda: _after_issue(letter.pk, event.pk))
    # The PDF after the notices, and robust: a rendering failure is logged and cannot stop them (the
    # letter's pages render the PDF again on the first download).
    transaction.on_commit(lambda: _store_issued_pdf(letter.pk), robust=True)
    return letter


@transaction.atomic
def apology_letter_cancel(*, letter: ApologyLetter, actor: User, reason: str) -> ApologyLetter:
    letter, dossier = _lock(letter)
    if not policies.can_issue_apology(actor, dossier):
        raise PermissionDenied(_("Chỉ lãnh đạo của cơ quan giải quyết mới hủy được dự thảo."))
    if letter.status != LetterStatus.DRAFT:
        raise Conflict("letter_not_draft", _("Chỉ hủy được phiếu đang là dự thảo."))
    if not (reason or "").strip():
        raise DomainError("reason_required", _("Hãy ghi lý do hủy dự thảo."), field="reason")
    letter.status, letter.cancelled_reason = LetterStatus.CANCELLED, reason.strip()[:255]
    letter.save(update_fields=["status", "cancelled_reason"])
    events.apology_cancelled(dossier=dossier, actor=actor, at=timezone.now(), letter=letter)
    return letter


def _after_issue(letter_pk: int, event_pk: int) -> None:
    """After the commit: the desk's inbox, the citizen's e-mail and SMS (idempotent keys)."""
    letter = ApologyLetter.objects.select_related("dossier__procedure_version__procedure", "dossier__receiving_agency",
                                                  "agency").get(pk=letter_pk)
    dossier = letter.dossier
    new_due = timezone.localtime(letter.new_due_at).strftime("%H:%M %d/%m/%Y") if letter.new_due_at else ""
    text = (_("%(agency)s xin lỗi: hồ sơ %(code)s chậm trả kết quả. Hẹn trả mới: %(due)s.")
            if new_due else _("%(agency)s xin lỗi về việc giải quyết hồ sơ %(code)s.")) % {
        "agency": letter.agency.name, "code": dossier.code, "due": new_due}
    desk = policies.returning_desk_officers(dossier)
    url = reverse("dossiers:detail", args=[dossier.pk]) + "#xin-loi"
    for officer in desk:
        inbox_post(user_id=officer.pk, key=f"apology-issued:{letter.pk}:{officer.pk}", text=f"{letter.number}: {text}",
                   url=url)
        if officer.email:
            email_queue(to=officer.email, template="notifications/email/apology_desk",
                        key=f"apology-desk:{letter.pk}:{officer.pk}", user_id=officer.pk, link=url,
                        context={"letter": letter, "dossier": dossier, "new_due": new_due})
    sent = []
    if dossier.applicant_email:
        email_queue(to=dossier.applicant_email, template="notifications/email/apology_citizen",
                    key=f"apology-citizen:{letter.pk}", user_id=dossier.citizen_id,
                    link=dossier.citizen_url(),
                    context={"letter": letter, "dossier": dossier, "new_due": new_due})
        sent.append("email")
    if dossier.applicant_phone:
        sms = f"{dossier.code}: xin loi vi cham tra ket qua." + (f" Hen tra moi {new_due}." if new_due else "")
        sms_queue(to=dossier.applicant_phone, text=sms, key=f"apology-sms:{letter.pk}", user_id=dossier.citizen_id,
                  link=dossier.citizen_url())
        sent.append("sms")
    if dossier.citizen_id:
        inbox_post(user_id=dossier.citizen_id, key=f"apology-issued:{letter.pk}:{dossier.citizen_id}", text=text,
                   url=url)
    if sent:
        events.citizen_notified(dossier=dossier, at=timezone.now(), channels=sent, about=event_pk)


def _store_issued_pdf(letter_pk: int) -> None:
    store_pdf(ApologyLetter.objects.select_related("dossier__procedure_version__procedure", "dossier__receiving_agency",
                                                   "agency").get(pk=letter_pk))


def store_pdf(letter: ApologyLetter) -> None:
    """Issue the letter once (signed with the agency's key, with the QR code of its verification page) and
    keep that very file as the letter's PDF (the signed document does not change afterwards). Raises
    SigningUnavailable when the agency's key cannot be used: nothing is kept then."""
    if letter.pdf or letter.status != LetterStatus.ISSUED:
        return
    document = issuing.apology_letter_document_issue(letter=letter)
    with document.file.open("rb") as handle:
        letter.pdf.save(f"{letter.dossier_id}-{letter.pk}.pdf", ContentFile(handle.read()), save=False)
    ApologyLetter.objects.filter(pk=letter.pk, pdf="").update(pdf=letter.pdf.name)
