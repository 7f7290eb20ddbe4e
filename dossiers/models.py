"""Dossiers (hồ sơ), their events (the control sheet, Mẫu 05) and the daily code counters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField

from procedures.models import Channel

from .workflow import OPEN, DossierWorkflow, Status, Step

OPEN_STATES = sorted(OPEN)


class ReturnChannel(models.TextChoices):
    DESK = "desk", _("Tại Bộ phận Một cửa")
    POSTAL = "postal", _("Qua dịch vụ bưu chính")
    ONLINE = "online", _("Trực tuyến")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("Cá nhân")
    ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")


class Track(models.TextChoices):
    """Where an open dossier stands against its appointment (kept by the deadline sweep)."""

    ON_TRACK = "on_track", _("Trong hạn")
    DUE_SOON = "due_soon", _("Sắp đến hạn")
    OVERDUE = "overdue", _("Quá hạn")


class Punctuality(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class Dossier(ConcurrentTransitionMixin, DossierWorkflow, models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=40, unique=True, null=True, blank=True)
    pin = models.CharField(_("mã tra cứu (PIN)"), max_length=6, blank=True)
    procedure_version = models.ForeignKey("procedures.ProcedureVersion", verbose_name=_("thủ tục (phiên bản)"),
                                          on_delete=models.PROTECT, related_name="dossiers")
    channel = models.CharField(_("hình thức nộp"), max_length=10, choices=Channel.choices)
    return_channel = models.CharField(_("hình thức nhận kết quả"), max_length=10, choices=ReturnChannel.choices,
                                      default=ReturnChannel.DESK)
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("tài khoản người nộp"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="dossiers")
    applicant_kind = models.CharField(_("loại người nộp"), max_length=12, choices=ApplicantKind.choices,
                                      default=ApplicantKind.PERSON)
    applicant_name = models.CharField(_("họ tên / tên tổ chức"), max_length=255)
    applicant_id_number = models.CharField(_("số CCCD / mã số thuế"), max_length=20, blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    applicant_commune = models.CharField(_("xã, phường"), max_length=120, blank=True)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=16, blank=True)
    applicant_email = models.EmailField(_("email"), blank=True)
    representative_name = models.CharField(_("người được ủy quyền"), max_length=255, blank=True)
    representative_id_number = models.CharField(_("CCCD người được ủy quyền"), max_length=20, blank=True)
    receiving_agency = models.ForeignKey("accounts.Agency", verbose_name=_("cơ quan tiếp nhận"),
                                         on_delete=models.PROTECT, related_name="received_dossiers")
    handling_agency = models.ForeignKey("accounts.Agency", verbose_name=_("cơ quan giải quyết"),
                                        on_delete=models.PROTECT, related_name="handled_dossiers")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cán bộ đang xử lý"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="assigned_dossiers")
    status = FSMField(_("trạng thái"), max_length=24, choices=Status.choices, default=Status.DRAFT, protected=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    due_at = models.DateTimeField(_("hẹn trả"), null=True, blank=True)
    original_due_at = models.DateTimeField(_("hẹn trả ban đầu"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("có kết quả lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    step = models.CharField(_("bước hiện tại"), max_length=10, choices=Step.choices, blank=True)
    step_started_at = models.DateTimeField(_("bước bắt đầu lúc"), null=True, blank=True)
    step_due_at = models.DateTimeField(_("hạn của bước"), null=True, blank=True)
    proposal = models.CharField(_("đề xuất của chuyên viên"), max_length=10, blank=True,
                                choices=[("approve", _("Giải quyết")), ("refuse", _("Từ chối"))])
    result_summary = models.TextField(_("kết quả giải quyết"), blank=True)
    refusal_reason = models.TextField(_("lý do từ chối / dừng"), blank=True)
    punctuality = models.CharField(_("tiến độ"), max_length=8, choices=Punctuality.choices, blank=True)
    track = models.CharField(_("theo dõi hạn"), max_length=10, choices=Track.choices, blank=True, db_index=True)
    step_track = models.CharField(_("theo dõi hạn của bước"), max_length=10, choices=Track.choices, blank=True)
    tracked_at = models.DateTimeField(_("phân loại lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        # Worklists read "open dossiers of these agencies by due date": partial indexes on exactly that,
        # so a page is an ordered index scan with LIMIT, whatever the table size.
        indexes = [
            models.Index(fields=["receiving_agency", "due_at", "id"], name="dossier_recv_open_due",
                         condition=models.Q(status__in=OPEN_STATES)),
            models.Index(fields=["handling_agency", "due_at", "id"], name="dossier_hand_open_due",
                         condition=models.Q(status__in=OPEN_STATES)),
            models.Index(fields=["receiving_agency", "due_at", "id"], name="dossier_recv_closed_due",
                         condition=~models.Q(status__in=OPEN_STATES)),
            models.Index(fields=["handling_agency", "due_at", "id"], name="dossier_hand_closed_due",
                         condition=~models.Q(status__in=OPEN_STATES)),
            models.Index(fields=["receiving_agency", "status", "received_at"], name="dossier_recv_status_received"),
            models.Index(fields=["assignee", "status", "due_at"], name="dossier_assignee_status"),
            models.Index(fields=["citizen", "-created_at"], name="dossier_citizen"),
        ]

    def __str__(self) -> str:
        return self.code or f"#{self.pk} ({self.get_status_display()})"

    @property
    def channel_option(self):
        return self.procedure_version.channels.filter(channel=self.channel).first()


class DossierEvent(models.Model):
    """One row per transition: the control sheet (Mẫu 05), the audit trail and the citizen's timeline."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("sự kiện"), max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    from_agency = models.ForeignKey("accounts.Agency", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    to_agency = models.ForeignKey("accounts.Agency", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    step = models.CharField(_("bước"), max_length=10, choices=Step.choices, blank=True)
    at = models.DateTimeField(_("lúc"))
    step_due_at = models.DateTimeField(_("hạn của bước"), null=True, blank=True)
    punctuality = models.CharField(_("tiến độ"), max_length=8, choices=Punctuality.choices, blank=True)
    reason = models.TextField(_("lý do, ghi chú"), blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("sự kiện hồ sơ")
        verbose_name_plural = _("sự kiện hồ sơ")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["dossier", "at"])]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.type} {self.at:%d/%m/%Y %H:%M}"

    @property
    def status_label(self) -> str:
        return Status(self.to_status).label if self.to_status in Status.values else self.type


class DossierCodeCounter(models.Model):
    """The last sequence number issued per receiving agency and day (Circular 01/2018 Art. 19)."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="dossier_code_counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}: {self.last}"


class AttachmentKind(models.TextChoices):
    COMPONENT = "component", _("Thành phần hồ sơ")
    SUPPLEMENT = "supplement", _("Hồ sơ bổ sung")
    RESULT = "result", _("Kết quả giải quyết")


def attachment_path(instance, filename: str) -> str:
    import uuid

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"dossiers/{instance.dossier_id}/{uuid.uuid4().hex}.{ext}"


class Attachment(models.Model):
    """A file of a dossier, stored privately (served only through an access-checked view)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey("procedures.RequiredDocument", verbose_name=_("thành phần"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("loại"), max_length=12, choices=AttachmentKind.choices, default=AttachmentKind.COMPONENT)
    file = models.FileField(_("tệp"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("định dạng"), max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["dossier", "kind", "is_active"])]

    def __str__(self) -> str:
        return self.original_name


class PersonalDataAccess(models.Model):
    """Decree 13/2023/NĐ-CP: every opening of a dossier's personal data by staff, and every export."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dossier = models.ForeignKey(Dossier, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("thao tác"), max_length=20)  # view, download, print, export
    detail = models.CharField(_("chi tiết"), max_length=255, blank=True)
    at = models.DateTimeField(_("lúc"), auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("truy cập dữ liệu cá nhân")
        verbose_name_plural = _("nhật ký truy cập dữ liệu cá nhân")
        ordering = ["-at"]
        indexes = [models.Index(fields=["dossier", "-at"]), models.Index(fields=["user", "-at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.dossier_id} {self.at:%d/%m/%Y %H:%M}"


class ConsultationTask(models.Model):
    """Liên thông: another agency is asked for its opinion, with its own deadline; the dossier waits."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="consultations")
    agency = models.ForeignKey("accounts.Agency", verbose_name=_("cơ quan được xin ý kiến"), on_delete=models.PROTECT,
                               related_name="consultation_tasks")
    question = models.TextField(_("nội dung xin ý kiến"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("gửi lúc"))
    due_at = models.DateTimeField(_("hạn trả lời"))
    answer = models.TextField(_("ý kiến trả lời"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("xin ý kiến liên thông")
        verbose_name_plural = _("xin ý kiến liên thông")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["agency", "answered_at", "due_at"])]

    def __str__(self) -> str:
        return f"{self.dossier} → {self.agency}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None
