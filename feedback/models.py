"""Citizen feedback (phản ánh, kiến nghị) with its handling events and the votes on published answers.

The tables were created by the satisfaction app and keep their names (`satisfaction_feedback`, ...):
the models moved here without touching the database (feedback/migrations/0001_initial.py)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedbackTopic(models.TextChoices):
    DOSSIER = "dossier", _("Về hồ sơ đã nộp")
    CONDUCT = "conduct", _("Về thái độ, hành vi của cán bộ, công chức")
    REGULATION = "regulation", _("Về quy định, thủ tục hành chính")


class FeedbackClass(models.TextChoices):
    RULES = "rules", _("Về thủ tục, quy định hành chính")
    SERVANTS = "servants", _("Về hành vi, thái độ của cán bộ, công chức")


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", _("Mới tiếp nhận")
    INFO_REQUESTED = "info_requested", _("Chờ người gửi bổ sung thông tin")
    ACCEPTED = "accepted", _("Đang xử lý")
    REJECTED = "rejected", _("Không tiếp nhận")
    ANSWERED = "answered", _("Đã có kết quả, chờ công khai")
    PUBLISHED = "published", _("Đã công khai kết quả")


def feedback_file_path(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"feedback/{uuid.uuid4().hex}.{ext}"


class Feedback(models.Model):
    """A citizen's feedback (Decree 20/2008): deadlines as the Decision-766 index counts them —
    accept or reject within 2 working days, ask for more information within 5, answer within 15,
    publish within 2 more."""

    code = models.CharField(_("mã phản ánh"), max_length=20, unique=True)
    access_key = models.CharField(max_length=32)  # lets a sender without an account follow it
    topic = models.CharField(_("nội dung về"), max_length=12, choices=FeedbackTopic.choices)
    harassment = models.BooleanField(_("phản ánh hành vi nhũng nhiễu, gây phiền hà"), default=False)
    title = models.CharField(_("tiêu đề"), max_length=200)
    content = models.TextField(_("nội dung"))
    agency = models.ForeignKey("accounts.Agency", verbose_name=_("cơ quan có thẩm quyền"), on_delete=models.PROTECT,
                               related_name="feedback")
    dossier = models.ForeignKey("dossiers.Dossier", verbose_name=_("hồ sơ"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="feedback")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cán bộ bị phản ánh"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="+")
    officer_name = models.CharField(_("tên cán bộ (nếu biết)"), max_length=120, blank=True)
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="feedback_sent")
    name = models.CharField(_("họ tên người gửi"), max_length=120)
    phone = models.CharField(_("số điện thoại"), max_length=16, blank=True)
    email = models.EmailField(_("email"), blank=True)
    attachment = models.FileField(_("tệp đính kèm"), upload_to=feedback_file_path, blank=True, max_length=255)
    attachment_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(_("trạng thái"), max_length=16, choices=FeedbackStatus.choices,
                              default=FeedbackStatus.RECEIVED)
    classification = models.CharField(_("phân loại"), max_length=10, choices=FeedbackClass.choices, blank=True)
    submitted_at = models.DateTimeField(_("gửi lúc"))
    accept_due = models.DateTimeField(_("hạn tiếp nhận / từ chối"))
    info_due = models.DateTimeField(_("hạn đề nghị bổ sung"))
    answer_due = models.DateTimeField(_("hạn trả lời"))
    publish_due = models.DateTimeField(_("hạn công khai"), null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.TextField(_("lý do không tiếp nhận"), blank=True)
    info_requested_at = models.DateTimeField(null=True, blank=True)
    info_request = models.TextField(_("nội dung đề nghị bổ sung"), blank=True)
    info_reply = models.TextField(_("thông tin người gửi bổ sung"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("kết quả xử lý"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(_("xử lý quá hạn"), default=False)
    likes = models.PositiveIntegerField(default=0)
    dislikes = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "satisfaction_feedback"
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["agency", "status", "answer_due"]),
                   models.Index(fields=["agency", "submitted_at"]), models.Index(fields=["citizen", "-submitted_at"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status not in (FeedbackStatus.REJECTED, FeedbackStatus.PUBLISHED)

    @property
    def disliked(self) -> bool:
        return self.dislikes > self.likes


class FeedbackEvent(models.Model):
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "satisfaction_feedbackevent"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.feedback_id} {self.type}"


class FeedbackVote(models.Model):
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="votes")
    voter = models.CharField(max_length=64)  # "u:<user id>" or "s:<session key hash>"
    value = models.SmallIntegerField(choices=[(1, _("Hài lòng")), (-1, _("Không hài lòng"))])
    at = models.DateTimeField()

    class Meta:
        db_table = "satisfaction_feedbackvote"
        constraints = [models.UniqueConstraint(fields=["feedback", "voter"], name="feedback_vote_once")]
        # the figures' refresh: the votes cast or changed since its last run (parindex.services)
        indexes = [models.Index(fields=["at"], name="feedback_vote_at")]

    def __str__(self) -> str:
        return f"{self.feedback_id} {self.value:+d}"
