"""Every write of the satisfaction app: invitations, answers (link and kiosk), follow-ups, the
per-dossier evaluation. Keyword-only, atomic, Vietnamese errors (ARCHITECTURE.md §3)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import access
from accounts.models import User
from core.errors import Conflict, DomainError
from dossiers import pins
from dossiers.models import Dossier, EventType, Punctuality
from notifications.services import email_queue, inbox_post, sms_queue
from queueing.chain import latest_ticket_id
from workcalendar.selectors import calendar_for

from . import policies
from .models import (
    SATISFIED,
    Answer,
    Channel,
    DossierEvaluation,
    Element,
    FollowUp,
    FollowUpStatus,
    Invitation,
    Question,
    Questionnaire,
    QuestionnaireStatus,
    SurveyResponse,
)

EXPIRY_DAYS = lambda: getattr(settings, "SURVEY_EXPIRY_DAYS", 14)  # noqa: E731 - read at call time (tests)
UNHAPPY_BELOW = lambda: getattr(settings, "SURVEY_UNHAPPY_BELOW", 3)  # noqa: E731 - 1 and 2 are unhappy
FOLLOW_UP_DAYS = lambda: getattr(settings, "SURVEY_FOLLOW_UP_DAYS", 5)  # noqa: E731 - working days
# Words that make a comment a complaint even when the ratings are fine (accent-insensitive match).
COMPLAINT_WORDS = ("nhung nhieu", "phien ha", "gay kho", "tieu cuc", "boi duong", "hach sach", "vo le", "khieu nai",
                   "to cao", "cham tre", "qua han", "khong hai long")


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


HARASSMENT_WORDS = ("nhung nhieu", "boi duong", "tieu cuc", "hach sach", "doi tien", "phong bi")


def is_harassment(comment: str) -> bool:
    plain = " ".join(re.findall(r"\w+", _plain(comment or "")))
    return any(word in plain for word in HARASSMENT_WORDS)


def is_complaint(comment: str) -> bool:
    plain = " ".join(re.findall(r"\w+", _plain(comment or "")))
    return any(word in plain for word in COMPLAINT_WORDS)


DEFAULT_QUESTIONS = [  # version 1 (also created by migration 0002)
    ("access", "Việc tiếp cận dịch vụ (tìm thông tin, nơi nộp, cách nộp hồ sơ)", False),
    ("procedure", "Thủ tục hành chính (giấy tờ phải nộp, thời hạn, phí, lệ phí)", False),
    ("officer", "Thái độ, năng lực của công chức tiếp nhận và giải quyết hồ sơ", True),
    ("result", "Kết quả nhận được (đúng, đủ, đúng hẹn)", False),
    ("feedback", "Việc tiếp nhận, trả lời góp ý, phản ánh, kiến nghị", False),
    ("overall", "Nhìn chung, Ông/Bà hài lòng với việc giải quyết hồ sơ này ở mức nào?", True),
]


def published_questionnaire() -> Questionnaire:
    """The questionnaire in use; on an empty table (a database restored without it) the default
    version 1 is created, so a citizen never meets a broken survey page."""
    questionnaire = Questionnaire.objects.filter(status=QuestionnaireStatus.PUBLISHED).prefetch_related(
        "questions").first()
    if questionnaire is None and not Questionnaire.objects.exists():
        with transaction.atomic():
            questionnaire = Questionnaire.objects.create(version=1, title="Phiếu đánh giá mức độ hài lòng",
                                                         status=QuestionnaireStatus.PUBLISHED,
                                                         published_at=timezone.now())
            Question.objects.bulk_create([Question(questionnaire=questionnaire, order=i, element=e, text=t,
                                                   in_kiosk=k) for i, (e, t, k) in enumerate(DEFAULT_QUESTIONS, 1)])
    if questionnaire is None:
        raise DomainError("no_questionnaire", _("Chưa có phiếu khảo sát nào được công bố."))
    return questionnaire


# -- invitations ----------------------------------------------------------------------------------

def survey_url(invitation: Invitation) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("satisfaction:survey", args=[invitation.token])


@transaction.atomic
def invitation_create(*, dossier: Dossier, officer: User | None = None, at: dt.datetime | None = None,
                      notify: bool = True) -> Invitation:
    """One invitation per dossier (a second call returns the first); e-mail and SMS after the commit.

    Which desk is rated (reception regardless of administrative boundaries, Decree 118/2025): the survey
    rates the service at the one-stop desk, so it goes to the desk that *received* the dossier. Its questions
    ask about access (where and how to hand the dossier in), the procedure (papers, time, fees: checked and
    collected at reception), the officer who received and handled it, the result and the overall service;
    nothing about collecting the result, which is all the returning desk does. The receiving desk is also the
    one the citizen chose and dealt with, and follow-ups reach its head. The survey is still sent when the
    result is returned (the link, or the kiosk of the returning desk). The officer rated belongs to that desk:
    the officer handing the result over when it is returned there (the usual case), else the officer who
    received it. The competent agency keeps its own satisfaction measure (dossiers handled without complaint,
    satisfaction.stats)."""
    at = at or timezone.now()
    if dossier.returning_agency_id != dossier.receiving_agency_id:
        officer = receiving_officer(dossier)
    invitation, created = Invitation.objects.get_or_create(dossier=dossier, defaults={
        "token": secrets.token_urlsafe(24), "agency_id": dossier.receiving_agency_id, "officer": officer,
        "created_at": at, "expires_at": at + dt.timedelta(days=EXPIRY_DAYS())})
    if created and notify:
        transaction.on_commit(lambda: _send_invitation(invitation.pk))
    return invitation


def receiving_officer(dossier: Dossier) -> User | None:
    """The officer who received the dossier at its desk (at the counter or from the online queue)."""
    officer_id = (dossier.events.filter(type__in=(EventType.CREATE_AT_DESK, EventType.RECEIVE)).exclude(actor=None)
                  .order_by("at", "id").values_list("actor_id", flat=True).first())
    return User.objects.filter(pk=officer_id).first() if officer_id else None


def _send_invitation(pk: int) -> None:
    invitation = Invitation.objects.select_related("dossier__procedure_version__procedure").get(pk=pk)
    dossier, url = invitation.dossier, survey_url(invitation)
    mine = {"user_id": dossier.citizen_id, "link": dossier.citizen_url()}
    if dossier.applicant_email:
        email_queue(to=dossier.applicant_email, template="notifications/email/survey_invitation",
                    key=f"survey-invitation:{pk}", **mine, context={"dossier": dossier, "url": url,
                                                            "expires_at": invitation.expires_at})
    if dossier.applicant_phone:
        sms_queue(to=dossier.applicant_phone, key=f"survey-invitation-sms:{pk}", **mine,
                  text=f"{dossier.code}: moi Ong/Ba danh gia muc do hai long: {url}")


def invitation_for_token(token: str, *, at: dt.datetime | None = None) -> Invitation:
    """The invitation behind a link, or a clear reason why it cannot be answered."""
    token = (token or "").strip()
    invitation = (Invitation.objects.select_related("dossier__procedure_version__procedure", "agency")
                  .filter(token=token).first() if 16 <= len(token) <= 64 else None)
    if invitation is None:
        raise DomainError("unknown_token", _("Đường liên kết đánh giá không đúng. Hãy mở lại liên kết trong "
                                             "tin nhắn hoặc quét lại mã QR."), http_status=404)
    return invitation


# -- answers --------------------------------------------------------------------------------------

def _clean_values(questionnaire: Questionnaire, values: dict, *, kiosk: bool) -> dict[int, int]:
    questions = [q for q in questionnaire.questions.all() if q.in_kiosk or not kiosk]
    out = {}
    for q in questions:
        raw = values.get(q.element, values.get(str(q.pk)))
        if q.element == Element.FEEDBACK and raw in (None, ""):
            continue  # "handling of feedback": only for those who ever sent some
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise DomainError("answer_missing", _("Vui lòng chọn mức đánh giá cho: %s.") % q.text,
                              field=q.element) from None
        if not 1 <= value <= 5:
            raise DomainError("answer_out_of_range", _("Mức đánh giá phải từ 1 đến 5."), field=q.element)
        out[q.pk] = value
    return out


@transaction.atomic
def expired_message() -> str:
    """Why a survey link no longer opens, with the number of days it stayed open (pluralised)."""
    days = EXPIRY_DAYS()
    return ngettext("Đường liên kết đánh giá đã hết hạn (sau %(days)d ngày kể từ khi trả kết quả).",
                    "Đường liên kết đánh giá đã hết hạn (sau %(days)d ngày kể từ khi trả kết quả).",
                    days) % {"days": days}


def response_submit(*, invitation: Invitation, values: dict, comment: str = "", channel: str = Channel.LINK,
                    at: dt.datetime | None = None) -> SurveyResponse:
    """Store the answer once; open a follow-up for the agency head when the citizen is unhappy."""
    at = at or timezone.now()
    invitation = Invitation.objects.select_for_update().select_related(
        "dossier__procedure_version", "agency").get(pk=invitation.pk)
    if invitation.answered_at:
        raise Conflict("already_answered", _("Hồ sơ này đã được đánh giá. Cảm ơn Ông/Bà!"))
    if channel == Channel.LINK and at > invitation.expires_at:
        raise DomainError("expired", expired_message(), http_status=410)
    if channel not in Channel.values:
        raise DomainError("invalid_channel", _("Kênh đánh giá không hợp lệ."))
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise DomainError("comment_too_long", _("Ý kiến tối đa 2.000 ký tự."), field="comment")
    questionnaire = published_questionnaire()
    by_pk = {q.pk: q for q in questionnaire.questions.all()}
    clean = _clean_values(questionnaire, values, kiosk=channel == Channel.KIOSK)
    overall_q = next((q for q in by_pk.values() if q.element == Element.OVERALL), None)
    overall = clean.get(overall_q.pk) if overall_q else min(clean.values())
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                invitation=invitation, questionnaire=questionnaire, agency=invitation.agency,
                procedure_id=invitation.dossier.procedure_version.procedure_id, officer=invitation.officer,
                channel=channel, submitted_at=at, overall=overall, satisfied=overall >= SATISFIED, comment=comment,
                ticket_id=latest_ticket_id(invitation.dossier_id))
    except IntegrityError:
        raise Conflict("already_answered", _("Hồ sơ này đã được đánh giá. Cảm ơn Ông/Bà!")) from None
    Answer.objects.bulk_create([Answer(response=response, question_id=pk, element=by_pk[pk].element, value=v)
                                for pk, v in clean.items()])
    invitation.answered_at = at
    invitation.save(update_fields=["answered_at"])
    low = [by_pk[pk] for pk, v in clean.items() if v < UNHAPPY_BELOW()]
    if low or is_complaint(comment):
        reason = (_("Chưa hài lòng: %s") % "; ".join(q.get_element_display() for q in low) if low
                  else _("Ý kiến có nội dung phản ánh"))
        _open_follow_up(response, reason[:255], at)
    return response


def _open_follow_up(response: SurveyResponse, reason: str, at: dt.datetime) -> FollowUp:
    agency = response.agency
    cal = calendar_for(agency)
    due_at = cal.end_of_day(cal.add_working_days(cal.effective_receipt_day(at), FOLLOW_UP_DAYS()))
    follow_up = FollowUp.objects.create(response=response, agency=agency, assignee_id=agency.head_id, reason=reason,
                                        opened_at=at, due_at=due_at)
    people = {agency.head_id}
    if is_harassment(response.comment):
        people |= access.home_affairs_for(agency)
    people -= {None, response.officer_id}
    for user_id in people:
        inbox_post(user_id=user_id, key=f"follow-up:{follow_up.pk}:{user_id}",
                   url=reverse("satisfaction:follow_ups") + f"#fu-{follow_up.pk}",
                   text=_("Công dân chưa hài lòng với hồ sơ %(code)s: %(reason)s. Hạn trả lời %(due)s.") % {
                       "code": response.invitation.dossier.code, "reason": reason,
                       "due": timezone.localtime(due_at).strftime("%d/%m/%Y")})
    return follow_up


KIOSK_STATUSES = ("result_ready", "returned")  # the citizen is at the desk for the result


def kiosk_dossier(*, code: str, pin: str) -> Dossier:
    """At the desk the citizen scans the receipt's QR code (code + PIN) on the rating tablet; only a
    dossier whose result is at the desk or handed over can be rated. Creates nothing."""
    dossier = pins.dossier_by_pin(code=code, pin=pin, queryset=Dossier.objects.select_related("handling_agency"))
    if dossier is None:
        raise DomainError("unknown_dossier", _("Không tìm thấy hồ sơ. Hãy quét lại mã QR trên giấy hẹn."),
                          http_status=404)
    if dossier.status not in KIOSK_STATUSES:
        raise DomainError("not_finished", _("Hồ sơ chưa có kết quả: Ông/Bà có thể đánh giá khi nhận kết quả."))
    return dossier


def kiosk_officer(dossier: Dossier) -> User | None:
    officer_id = (dossier.events.filter(type__in=(EventType.RETURN_RESULT, EventType.RESOLVE, EventType.RECEIVE,
                                                  EventType.CREATE_AT_DESK))
                  .exclude(actor=None).order_by("-at").values_list("actor_id", flat=True).first())
    return User.objects.filter(pk=officer_id).first()


def kiosk_submit(*, dossier: Dossier, values: dict, at: dt.datetime | None = None) -> SurveyResponse:
    """The invitation (if the return has not made one yet) and the answer, together."""
    with transaction.atomic():
        invitation = invitation_create(dossier=dossier, officer=kiosk_officer(dossier), at=at, notify=False)
        return response_submit(invitation=invitation, values=values, channel=Channel.KIOSK, at=at)


# -- follow-ups -----------------------------------------------------------------------------------

@transaction.atomic
def follow_up_close(*, follow_up: FollowUp, actor: User, reply: str, at: dt.datetime | None = None) -> FollowUp:
    follow_up = FollowUp.objects.select_for_update().select_related("response__invitation__dossier").get(
        pk=follow_up.pk)
    if not policies.can_close_follow_up(actor, follow_up):
        raise PermissionDenied(_("Chỉ lãnh đạo của cơ quan mới trả lời được ý kiến này."))
    if follow_up.status == FollowUpStatus.CLOSED:
        raise Conflict("already_closed", _("Ý kiến này đã được trả lời."))
    reply = (reply or "").strip()
    if len(reply) < 10:
        raise DomainError("reply_required", _("Hãy viết câu trả lời cho công dân (ít nhất 10 ký tự)."), field="reply")
    follow_up.reply, follow_up.status = reply[:4000], FollowUpStatus.CLOSED
    follow_up.closed_at, follow_up.closed_by = at or timezone.now(), actor
    follow_up.save(update_fields=["reply", "status", "closed_at", "closed_by"])
    dossier = follow_up.response.invitation.dossier
    url = survey_url(follow_up.response.invitation)
    if dossier.applicant_email:
        transaction.on_commit(lambda: email_queue(
            to=dossier.applicant_email, template="notifications/email/follow_up_reply",
            key=f"follow-up-reply:{follow_up.pk}", user_id=dossier.citizen_id,
            link=dossier.citizen_url(),
            context={"dossier": dossier, "reply": follow_up.reply, "url": url}))
    return follow_up


# -- the per-dossier evaluation (Circular 01/2018 Art. 13, #1-#4) -----------------------------------------

def _points(punctuality: str) -> int:
    return {Punctuality.EARLY: 2, Punctuality.ON_TIME: 1}.get(punctuality, 0)


def evaluation_compute(*, dossier: Dossier, at: dt.datetime | None = None) -> DossierEvaluation:
    events = list(dossier.events.values_list("type", "punctuality", "to_agency_id"))
    # Up to the result reaching the desk; when the citizen comes to collect it is not the agencies' time.
    steps = [p for kind, p, _agency in events if p and kind != EventType.RETURN_RESULT]
    worst = min((_points(p) for p in steps), default=2)
    contacts = sum(1 for t, _p, _a in events if t in (EventType.GUIDE, EventType.REQUEST_SUPPLEMENT))
    # Online submission and online return: the citizen contacted no agency; otherwise the one-stop desk only.
    agencies = 0 if dossier.channel == "online" and dossier.return_channel == "online" else 1
    values = {
        "total_time": _points(dossier.punctuality),
        "step_time": worst,
        "contacts": 2 if contacts == 0 else 1 if contacts == 1 else 0,
        "agencies": 2 if agencies == 0 else 1,
    }
    evaluation, _created = DossierEvaluation.objects.update_or_create(dossier=dossier, defaults={
        **values, "computed_at": at or timezone.now(),
        "details": {"punctuality": dossier.punctuality, "step_punctuality": steps, "contacts": contacts,
                    "agencies_contacted": agencies}})
    return evaluation
