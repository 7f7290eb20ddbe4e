"""Citizen feedback (phản ánh, kiến nghị): filing, the handling workflow with its deadlines, votes.

Deadlines in working days of the competent agency, counted from the filing (the Decision-766 rules):
accept or reject, ask for more information, answer, publish after the answer, each within the days the
rules in force on the filing day set (regulations). Who may do what (harassment reports go to the agency head
and the Home Affairs office, never to the officer they are about) is decided in `policies`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency, User
from accounts.validators import normalize_phone
from core.errors import Conflict, DomainError
from dossiers.models import Dossier
from notifications.services import email_queue, inbox_post
from regulations.selectors import rules_in_force
from workcalendar.selectors import calendar_for

from . import policies
from .models import Feedback, FeedbackClass, FeedbackEvent, FeedbackStatus, FeedbackTopic, FeedbackVote

MAX_ATTACHMENT = lambda: getattr(settings, "FEEDBACK_MAX_ATTACHMENT_BYTES", 5 * 1024 * 1024)  # noqa: E731
# The types a feedback attachment may have, detected from the content (never from the file name), and the
# extension it is stored and served under: a PDF/HTML polyglot named "x.html" is a PDF, stored as .pdf.
ATTACHMENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
ATTACHMENT_CONTENT_TYPES = {ext: mime for mime, ext in ATTACHMENT_TYPES.items()}


def _due(cal, start: dt.datetime, days: int) -> dt.datetime:
    return cal.end_of_day(cal.add_working_days(cal.effective_receipt_day(start), days))


def _event(feedback: Feedback, type: str, actor: User | None, at: dt.datetime, note: str = "", **payload):
    FeedbackEvent.objects.create(feedback=feedback, type=type, actor=actor, at=at, note=note, payload=payload)


@transaction.atomic
def feedback_submit(*, actor: User | None, topic: str, title: str, content: str, agency: Agency | None = None,
                    dossier_code: str = "", officer_name: str = "", harassment: bool = False, name: str = "",
                    phone: str = "", email: str = "", upload=None, at: dt.datetime | None = None) -> Feedback:
    at = at or timezone.now()
    if topic not in FeedbackTopic.values:
        raise DomainError("invalid_topic", _("Hãy chọn phản ánh về nội dung gì."), field="topic")
    title, content = " ".join((title or "").split()), (content or "").strip()
    if len(title) < 5:
        raise DomainError("title_required", _("Tiêu đề cần ít nhất 5 ký tự."), field="title")
    if len(content) < 20:
        raise DomainError("content_required", _("Hãy mô tả nội dung phản ánh (ít nhất 20 ký tự)."), field="content")
    if len(content) > 5000 or len(title) > 200:
        raise DomainError("too_long", _("Nội dung tối đa 5.000 ký tự, tiêu đề tối đa 200 ký tự."), field="content")
    dossier = None
    if (dossier_code or "").strip():
        dossier = Dossier.objects.select_related("handling_agency").filter(code=dossier_code.strip().upper()).first()
        if dossier is None:
            raise DomainError("unknown_dossier", _("Không có hồ sơ mã %s.") % dossier_code.strip(),
                              field="dossier_code")
        agency = dossier.handling_agency  # the dossier says who handles it
    if topic == FeedbackTopic.DOSSIER and dossier is None:
        raise DomainError("dossier_required", _("Phản ánh về hồ sơ cần ghi mã hồ sơ."), field="dossier_code")
    if agency is None:
        raise DomainError("agency_required", _("Hãy chọn cơ quan bị phản ánh hoặc có thẩm quyền."), field="agency")
    if actor is not None and actor.is_authenticated:
        name = name or actor.full_name
        email = email or actor.email
        phone = phone or (actor.phone or "")
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("name_required", _("Hãy ghi họ tên người gửi."), field="name")
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as exc:
            raise DomainError("invalid_phone", exc.messages[0], field="phone") from None
    if not (phone or email):
        raise DomainError("contact_required", _("Hãy để lại số điện thoại hoặc e-mail để cơ quan trả lời."),
                          field="phone")
    officer = _officer(dossier, officer_name) if (topic == FeedbackTopic.CONDUCT or harassment) else None
    cal = calendar_for(agency)
    rules = rules_in_force(at)  # the deadlines in force on the filing day
    feedback = Feedback(
        code="", access_key=secrets.token_hex(16), topic=topic, harassment=bool(harassment), title=title,
        content=content, agency=agency, dossier=dossier, officer=officer, officer_name=officer_name.strip()[:120],
        citizen=actor if actor is not None and actor.is_authenticated else None, name=name[:120], phone=phone,
        email=email or "", submitted_at=at, accept_due=_due(cal, at, rules.feedback_accept_days),
        info_due=_due(cal, at, rules.feedback_info_days), answer_due=_due(cal, at, rules.feedback_answer_days),
        classification=FeedbackClass.SERVANTS if topic == FeedbackTopic.CONDUCT or harassment else "")
    if upload is not None:
        _attach(feedback, upload)
    feedback.save()
    feedback.code = f"PA-{timezone.localtime(at):%y%m%d}-{feedback.pk:05d}"
    feedback.save(update_fields=["code"])
    _event(feedback, "submitted", feedback.citizen, at)
    url = reverse("feedback:handle", args=[feedback.pk])
    label = _("PHẢN ÁNH NHŨNG NHIỄU") if feedback.harassment else _("Phản ánh, kiến nghị mới")
    for user_id in policies.handlers(feedback):
        inbox_post(user_id=user_id, key=f"feedback:{feedback.pk}:{user_id}", url=url,
                   text=f"{label} {feedback.code}: {title[:120]} (hạn tiếp nhận "
                        f"{timezone.localtime(feedback.accept_due):%d/%m/%Y})")
    if feedback.email:
        transaction.on_commit(lambda: email_queue(
            to=feedback.email, template="notifications/email/feedback_received", key=f"feedback-received:{feedback.pk}",
            user_id=feedback.citizen_id, link=reverse("feedback:detail", args=[feedback.code]),
            context={"feedback": feedback, "url": public_url(feedback)}))
    return feedback


def _officer(dossier: Dossier | None, officer_name: str) -> User | None:
    """The officer the feedback is about, only when named (never guessed): among the staff who handled
    the dossier, or else of the agency. Unknown: nobody is linked (the head decides)."""
    name = " ".join((officer_name or "").split()).lower()
    if not name:
        return None
    if dossier is not None:
        people = [dossier.assignee_id, *dossier.events.exclude(actor=None).values_list("actor_id", flat=True)]
        users = User.objects.filter(pk__in=[p for p in people if p])
        found = next((u for u in users if u.full_name.lower() == name), None)
        if found:
            return found
    matches = list(User.objects.filter(full_name__iexact=name, staff_roles__isnull=False).distinct()[:2])
    return matches[0] if len(matches) == 1 else None


def _attach(feedback: Feedback, upload) -> None:
    if upload.size > MAX_ATTACHMENT():
        raise DomainError("attachment_too_big", _("Tệp đính kèm tối đa %s MB.") % (MAX_ATTACHMENT() // 1024 // 1024),
                          field="attachment")
    head = upload.read(2048)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ATTACHMENT_TYPES:
        raise DomainError("attachment_type", _("Tệp đính kèm phải là PDF, JPG hoặc PNG."), field="attachment")
    extension = ATTACHMENT_TYPES[kind.mime]
    stem = upload.name.rsplit(".", 1)[0].strip() if "." in upload.name else upload.name.strip()
    feedback.attachment_name = f"{stem[:240] or 'tep-dinh-kem'}.{extension}"
    feedback.attachment.save(f"upload.{extension}", upload, save=False)


def attachment_content_type(feedback: Feedback) -> str:
    """The content type a stored attachment is served with: the type detected at upload, kept as the stored
    file's extension. A file stored before that rule under another extension is served as plain bytes."""
    extension = feedback.attachment.name.rsplit(".", 1)[-1].lower() if feedback.attachment else ""
    return ATTACHMENT_CONTENT_TYPES.get(extension, "application/octet-stream")


def public_url(feedback: Feedback) -> str:
    return (settings.SITE_URL.rstrip("/") + reverse("feedback:detail", args=[feedback.code])
            + f"?k={feedback.access_key}")


# -- handling ------------------------------------------------------------------------------------------

def _locked(feedback: Feedback, actor: User, may) -> Feedback:
    """The row locked, once `may(actor, feedback)` (a `policies.can_<action>`) allows the action: otherwise
    PermissionDenied when the actor does not handle this feedback, a Conflict when its state is wrong."""
    feedback = Feedback.objects.select_for_update(of=("self",)).select_related("agency").get(pk=feedback.pk)
    if not may(actor, feedback):
        if not policies.can_handle(actor, feedback):
            raise PermissionDenied(_("Bạn không xử lý phản ánh này."))
        raise Conflict("wrong_status", _("Phản ánh đang ở trạng thái “%s”, không thực hiện được thao tác này.")
                       % feedback.get_status_display())
    return feedback


def _mark_late(feedback: Feedback, at: dt.datetime, due: dt.datetime | None) -> None:
    if due is not None and at > due:
        feedback.late = True


@transaction.atomic
def feedback_accept(*, feedback: Feedback, actor: User, classification: str, at=None) -> Feedback:
    at = at or timezone.now()
    feedback = _locked(feedback, actor, policies.can_accept)
    if classification not in FeedbackClass.values:
        raise DomainError("classification_required", _("Hãy phân loại phản ánh."), field="classification")
    _mark_late(feedback, at, feedback.accept_due)
    feedback.status, feedback.accepted_at, feedback.classification = FeedbackStatus.ACCEPTED, at, classification
    feedback.save()
    _event(feedback, "accepted", actor, at, classification=classification)
    return feedback


@transaction.atomic
def feedback_reject(*, feedback: Feedback, actor: User, reason: str, at=None) -> Feedback:
    at = at or timezone.now()
    feedback = _locked(feedback, actor, policies.can_reject)
    if len((reason or "").strip()) < 10:
        raise DomainError("reason_required", _("Hãy nêu rõ lý do không tiếp nhận."), field="reason")
    _mark_late(feedback, at, feedback.accept_due if feedback.status == FeedbackStatus.RECEIVED else feedback.answer_due)
    feedback.status, feedback.rejected_at, feedback.reject_reason = FeedbackStatus.REJECTED, at, reason.strip()
    feedback.save()
    _event(feedback, "rejected", actor, at, reason.strip())
    _tell_sender(feedback, "rejected")
    return feedback


@transaction.atomic
def feedback_request_info(*, feedback: Feedback, actor: User, question: str, at=None) -> Feedback:
    at = at or timezone.now()
    feedback = _locked(feedback, actor, policies.can_request_info)
    if len((question or "").strip()) < 10:
        raise DomainError("question_required", _("Hãy ghi rõ thông tin cần bổ sung."), field="question")
    _mark_late(feedback, at, feedback.info_due)
    feedback.status, feedback.info_requested_at = FeedbackStatus.INFO_REQUESTED, at
    feedback.info_request = question.strip()
    feedback.save()
    _event(feedback, "info_requested", actor, at, question.strip())
    _tell_sender(feedback, "info_requested")
    return feedback


@transaction.atomic
def feedback_provide_info(*, feedback: Feedback, key: str, text: str, at=None) -> Feedback:
    """The sender answers the request (with the access key of their link)."""
    at = at or timezone.now()
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if not policies.can_provide_info(feedback, key):
        raise PermissionDenied(_("Đường liên kết không đúng."))
    if feedback.status != FeedbackStatus.INFO_REQUESTED:
        raise Conflict("wrong_status", _("Phản ánh không ở trạng thái chờ bổ sung."))
    if len((text or "").strip()) < 5:
        raise DomainError("text_required", _("Hãy nhập thông tin bổ sung."), field="text")
    feedback.info_reply = (feedback.info_reply + "\n\n" if feedback.info_reply else "") + text.strip()[:5000]
    feedback.status = FeedbackStatus.ACCEPTED if feedback.accepted_at else FeedbackStatus.RECEIVED
    feedback.save()
    _event(feedback, "info_provided", feedback.citizen, at)
    for user_id in policies.handlers(feedback):
        inbox_post(user_id=user_id, key=f"feedback-info:{feedback.pk}:{at.timestamp():.0f}:{user_id}",
                   url=reverse("feedback:handle", args=[feedback.pk]),
                   text=_("Người gửi đã bổ sung thông tin cho phản ánh %s.") % feedback.code)
    return feedback


@transaction.atomic
def feedback_forward(*, feedback: Feedback, actor: User, agency: Agency, note: str = "", at=None) -> Feedback:
    """Not this agency's competence: forward it (within the 5-day window); deadlines stay."""
    at = at or timezone.now()
    feedback = _locked(feedback, actor, policies.can_forward)
    if agency.pk == feedback.agency_id:
        raise DomainError("same_agency", _("Hãy chọn cơ quan khác."), field="agency")
    _mark_late(feedback, at, feedback.info_due)
    old = feedback.agency
    feedback.agency, feedback.status = agency, FeedbackStatus.RECEIVED
    feedback.save()
    _event(feedback, "forwarded", actor, at, note, from_agency=old.pk, to_agency=agency.pk)
    for user_id in policies.handlers(feedback):
        inbox_post(user_id=user_id, key=f"feedback-forwarded:{feedback.pk}:{agency.pk}:{user_id}",
                   url=reverse("feedback:handle", args=[feedback.pk]),
                   text=_("%(old)s chuyển phản ánh %(code)s đến cơ quan") % {"old": old.name, "code": feedback.code})
    return feedback


@transaction.atomic
def feedback_answer(*, feedback: Feedback, actor: User, answer: str, at=None) -> Feedback:
    at = at or timezone.now()
    feedback = _locked(feedback, actor, policies.can_answer)
    if len((answer or "").strip()) < 20:
        raise DomainError("answer_required", _("Hãy viết kết quả xử lý (ít nhất 20 ký tự)."), field="answer")
    _mark_late(feedback, at, feedback.answer_due)
    cal = calendar_for(feedback.agency)
    feedback.status, feedback.answered_at, feedback.answered_by = FeedbackStatus.ANSWERED, at, actor
    publish_days = rules_in_force(feedback.submitted_at).feedback_publish_days
    feedback.answer, feedback.publish_due = answer.strip(), _due(cal, at, publish_days)
    feedback.save()
    _event(feedback, "answered", actor, at)
    _tell_sender(feedback, "answered")
    return feedback


@transaction.atomic
def feedback_publish(*, feedback: Feedback, actor: User, at=None) -> Feedback:
    at = at or timezone.now()
    feedback = _locked(feedback, actor, policies.can_publish)
    _mark_late(feedback, at, feedback.publish_due)
    feedback.status, feedback.published_at = FeedbackStatus.PUBLISHED, at
    feedback.save()
    _event(feedback, "published", actor, at)
    _tell_sender(feedback, "published")
    return feedback


def _tell_sender(feedback: Feedback, what: str) -> None:
    if feedback.citizen_id:
        inbox_post(user_id=feedback.citizen_id, key=f"feedback-{what}:{feedback.pk}",
                   url=reverse("feedback:detail", args=[feedback.code]),
                   text=_("Phản ánh %(code)s: %(status)s") % {"code": feedback.code,
                                                              "status": feedback.get_status_display()})
    if feedback.email:
        transaction.on_commit(lambda: email_queue(
            to=feedback.email, template="notifications/email/feedback_update", key=f"feedback-{what}:{feedback.pk}",
            user_id=feedback.citizen_id, link=reverse("feedback:detail", args=[feedback.code]),
            context={"feedback": feedback, "url": public_url(feedback), "what": what}))


@transaction.atomic
def feedback_vote(*, feedback: Feedback, voter: str, value: int, at=None) -> Feedback:
    """Like or dislike a published answer; one vote per person (a second vote replaces the first)."""
    if value not in (1, -1):
        raise DomainError("invalid_vote", _("Đánh giá không hợp lệ."))
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.status != FeedbackStatus.PUBLISHED:
        raise DomainError("not_published", _("Chỉ đánh giá được kết quả đã công khai."))
    voter = hashlib.sha256(voter.encode()).hexdigest()[:64]
    old = FeedbackVote.objects.filter(feedback=feedback, voter=voter).first()
    if old is not None and old.value == value:
        return feedback
    if old is not None:
        field = "likes" if old.value == 1 else "dislikes"
        Feedback.objects.filter(pk=feedback.pk).update(**{field: F(field) - 1})
        old.value, old.at = value, at or timezone.now()
        old.save(update_fields=["value", "at"])
    else:
        FeedbackVote.objects.create(feedback=feedback, voter=voter, value=value, at=at or timezone.now())
    field = "likes" if value == 1 else "dislikes"
    Feedback.objects.filter(pk=feedback.pk).update(**{field: F(field) + 1})
    feedback.refresh_from_db(fields=["likes", "dislikes"])
    return feedback


def on_time(feedback: Feedback, now: dt.datetime) -> bool:
    """Handled on time, or still pending within its deadlines (the 766 'petitions on time')."""
    if feedback.late:
        return False
    if feedback.status == FeedbackStatus.RECEIVED:
        return now <= feedback.accept_due
    if feedback.status in (FeedbackStatus.ACCEPTED, FeedbackStatus.INFO_REQUESTED):
        return now <= feedback.answer_due
    if feedback.status == FeedbackStatus.ANSWERED:
        return now <= (feedback.publish_due or feedback.answer_due)
    return True
