"""Satisfaction surveys per dossier (SIPAS elements), the kiosk at the desk, the per-dossier
indicators of Circular 01/2018 Art. 13, and follow-ups of unhappy answers."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Element(models.TextChoices):
    """The five SIPAS elements, plus the overall question."""

    ACCESS = "access", _("Tiếp cận dịch vụ")
    PROCEDURE = "procedure", _("Thủ tục hành chính")
    OFFICER = "officer", _("Công chức giải quyết công việc")
    RESULT = "result", _("Kết quả dịch vụ")
    FEEDBACK = "feedback", _("Tiếp nhận, giải quyết góp ý, phản ánh, kiến nghị")
    OVERALL = "overall", _("Hài lòng chung")


SCALE = [
    (1, _("Rất không hài lòng")),
    (2, _("Không hài lòng")),
    (3, _("Bình thường")),
    (4, _("Hài lòng")),
    (5, _("Rất hài lòng")),
]
SATISFIED = 4  # "hài lòng" and "rất hài lòng" count as satisfied


class QuestionnaireStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đang dùng")
    RETIRED = "retired", _("Đã thay thế")


class Questionnaire(models.Model):
    """A version of the survey. Published versions never change; answers keep the version they answered."""

    version = models.PositiveIntegerField(_("phiên bản"), unique=True)
    title = models.CharField(_("tên phiếu"), max_length=200)
    status = models.CharField(_("trạng thái"), max_length=10, choices=QuestionnaireStatus.choices,
                              default=QuestionnaireStatus.DRAFT)
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("phiếu khảo sát")
        verbose_name_plural = _("phiếu khảo sát")
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["status"], condition=models.Q(status="published"),
                                               name="questionnaire_one_published")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class Question(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    element = models.CharField(_("yếu tố"), max_length=10, choices=Element.choices)
    text = models.CharField(_("câu hỏi"), max_length=300)
    in_kiosk = models.BooleanField(_("hỏi tại máy đánh giá ở quầy"), default=False)

    class Meta:
        verbose_name = _("câu hỏi")
        verbose_name_plural = _("câu hỏi")
        ordering = ["questionnaire", "order"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "element"], name="question_element_unique")]

    def __str__(self) -> str:
        return self.text


class Invitation(models.Model):
    """One per dossier, created when the result is returned; the token is the survey link."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="survey_invitation")
    token = models.CharField(max_length=64, unique=True)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("cán bộ trả kết quả"))
    created_at = models.DateTimeField(_("mời lúc"))
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lời mời đánh giá")
        verbose_name_plural = _("lời mời đánh giá")
        indexes = [models.Index(fields=["agency", "created_at"])]

    def __str__(self) -> str:
        return f"{self.dossier} ({self.created_at:%d/%m/%Y})"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None and timezone.now() <= self.expires_at


class Channel(models.TextChoices):
    LINK = "link", _("Đường liên kết (e-mail, SMS, mã QR)")
    KIOSK = "kiosk", _("Máy đánh giá tại quầy")


class SurveyResponse(models.Model):
    """The citizen's answer: one per dossier (the OneToOne), never edited by staff."""

    invitation = models.OneToOneField(Invitation, verbose_name=_("lời mời"), on_delete=models.CASCADE,
                                      related_name="response")
    questionnaire = models.ForeignKey(Questionnaire, verbose_name=_("phiếu khảo sát"), on_delete=models.PROTECT,
                                      related_name="responses")
    agency = models.ForeignKey("accounts.Agency", verbose_name=_("cơ quan"), on_delete=models.PROTECT,
                               related_name="+")
    procedure = models.ForeignKey("procedures.Procedure", verbose_name=_("thủ tục"), on_delete=models.PROTECT,
                                  related_name="+")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cán bộ"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(_("kênh"), max_length=8, choices=Channel.choices)
    submitted_at = models.DateTimeField(_("gửi lúc"))
    overall = models.PositiveSmallIntegerField(_("hài lòng chung"), validators=[MinValueValidator(1),
                                                                                MaxValueValidator(5)])
    satisfied = models.BooleanField(_("hài lòng"))
    comment = models.TextField(_("ý kiến khác"), blank=True)
    # the visit the answer is about: the latest queue ticket the dossier was received under (none: no ticket)
    ticket = models.ForeignKey("queueing.Ticket", verbose_name=_("vé xếp hàng"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("kết quả đánh giá")
        verbose_name_plural = _("kết quả đánh giá")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["agency", "submitted_at"]), models.Index(fields=["officer", "submitted_at"]),
                   models.Index(fields=["procedure", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.invitation.dossier} {self.overall}/5"


class Answer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    element = models.CharField(max_length=10, choices=Element.choices)
    value = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once"),
            models.CheckConstraint(condition=models.Q(value__gte=1, value__lte=5), name="answer_value_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.element}={self.value}"


class DossierEvaluation(models.Model):
    """Circular 01/2018 Art. 13 indicators #1–#4 for one dossier, from its events (2 / 1 / 0 points)."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="evaluation")
    total_time = models.PositiveSmallIntegerField(_("#1 tổng thời gian so với quy định"))
    step_time = models.PositiveSmallIntegerField(_("#2 thời gian từng bước so với phân bổ"))
    contacts = models.PositiveSmallIntegerField(_("#3 số lần liên hệ để hoàn thiện hồ sơ"))
    agencies = models.PositiveSmallIntegerField(_("#4 số cơ quan phải liên hệ"))
    details = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("đánh giá theo Thông tư 01/2018")
        verbose_name_plural = _("đánh giá theo Thông tư 01/2018")

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.points}/8"

    @property
    def points(self) -> int:
        return self.total_time + self.step_time + self.contacts + self.agencies


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Đang xử lý")
    CLOSED = "closed", _("Đã trả lời")


class FollowUp(models.Model):
    """An unhappy answer, routed to the head of the agency, closed with a written response the citizen sees."""

    response = models.OneToOneField(SurveyResponse, verbose_name=_("ý kiến đánh giá"), on_delete=models.CASCADE,
                                    related_name="follow_up")
    agency = models.ForeignKey("accounts.Agency", verbose_name=_("cơ quan"), on_delete=models.PROTECT,
                               related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("người chịu trách nhiệm"))
    reason = models.CharField(_("lý do mở"), max_length=255)
    status = models.CharField(_("trạng thái"), max_length=8, choices=FollowUpStatus.choices,
                              default=FollowUpStatus.OPEN)
    opened_at = models.DateTimeField(_("mở lúc"))
    due_at = models.DateTimeField(_("hạn trả lời"))
    reply = models.TextField(_("trả lời công dân"), blank=True)
    closed_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        verbose_name = _("xử lý đánh giá chưa hài lòng")
        verbose_name_plural = _("xử lý đánh giá chưa hài lòng")
        ordering = ["due_at"]
        indexes = [models.Index(fields=["agency", "status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.response} ({self.get_status_display()})"


class MonthlySatisfactionStats(models.Model):
    """The Decision-766 satisfaction-group inputs per agency and month (read by the index dashboards)."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="satisfaction_stats")
    month = models.DateField()
    invitations = models.PositiveIntegerField(default=0)
    responses = models.PositiveIntegerField(default=0)
    responses_satisfied = models.PositiveIntegerField(default=0)
    petitions_total = models.PositiveIntegerField(default=0)
    petitions_on_time = models.PositiveIntegerField(default=0)
    petitions_received = models.PositiveIntegerField(default=0)
    petitions_satisfied = models.PositiveIntegerField(default=0)
    dossiers_handled = models.PositiveIntegerField(default=0)
    dossiers_satisfied = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("số liệu hài lòng theo tháng")
        verbose_name_plural = _("số liệu hài lòng theo tháng")
        constraints = [models.UniqueConstraint(fields=["agency", "month"], name="satisfaction_stats_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.month:%m/%Y}"
