"""What the portal issued (every signed form and result, with the public id its QR code carries) and the
personal certificates of the leaders who sign results on their own PC with a USB token."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)")
    FORM02 = "form02", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)")
    FORM03 = "form03", _("Phiếu từ chối tiếp nhận giải quyết hồ sơ (Mẫu 03)")
    APOLOGY = "form04", _("Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)")
    CONTROL_SHEET = "form05", _("Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 05)")
    HANDOVER = "handover", _("Phiếu bàn giao hồ sơ, kết quả giữa các Bộ phận Một cửa")
    E_RECEIPT = "e_receipt", _("Biên lai thu phí, lệ phí điện tử")
    RESULT = "result", _("Kết quả giải quyết thủ tục hành chính")


class SignatureState(models.TextChoices):
    AGENCY = "agency", _("Ký số bằng chứng thư của cơ quan")
    OFFICER = "officer", _("Ký số bằng chứng thư của lãnh đạo (thiết bị ký số cá nhân)")
    UNSIGNED = "unsigned", _("Không có chữ ký số")


class DocumentStatus(models.TextChoices):
    VALID = "valid", _("Đang có hiệu lực")
    REPLACED = "replaced", _("Đã được thay thế")
    REVOKED = "revoked", _("Đã bị thu hồi")


def new_public_id() -> str:
    # 128 bits, not guessable, not a counter; hex so that a line break in a printed address can never be read
    # as a hyphenation point (a "-" in the id was dropped by text extraction, and by a person retyping it)
    return secrets.token_hex(16)


def document_path(instance, filename: str) -> str:
    return f"issued/{instance.issued_at:%Y/%m}/{instance.public_id}.pdf"


class IssuedDocument(models.Model):
    """One document the portal issued, exactly as issued: the stored file is what was handed out, its hash
    is what the public page checks a file against, and `/xac-minh/<public_id>` (the QR code printed on it)
    shows its metadata without personal data. Issued once per (kind, ref): printing again serves the same
    file; a document whose content changed is a new one, and the old one says it was replaced."""

    public_id = models.CharField(_("mã xác minh"), max_length=32, unique=True, default=new_public_id, editable=False)
    kind = models.CharField(_("loại văn bản"), max_length=12, choices=DocumentKind.choices)
    ref = models.CharField(_("khóa nghiệp vụ"), max_length=120,
                           help_text=_("Văn bản nào của đối tượng nào, ví dụ dossier:12:receipt (không trùng)."))
    number = models.CharField(_("số, ký hiệu"), max_length=80, blank=True)
    agency = models.ForeignKey("accounts.Agency", verbose_name=_("cơ quan ban hành"), on_delete=models.PROTECT,
                               related_name="issued_documents")
    issued_at = models.DateTimeField(_("ban hành lúc"))
    file = models.FileField(_("tệp"), upload_to=document_path, max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"), default=0)
    signature = models.CharField(_("chữ ký số"), max_length=10, choices=SignatureState.choices)
    signer_name = models.CharField(_("người / cơ quan ký"), max_length=255, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=100, blank=True)
    cert_subject = models.CharField(_("chủ thể chứng thư"), max_length=500, blank=True)
    cert_issuer = models.CharField(_("tổ chức cấp chứng thư"), max_length=500, blank=True)
    cert_serial = models.CharField(_("số hiệu chứng thư"), max_length=80, blank=True)
    demo = models.BooleanField(_("chứng thư thử nghiệm"), default=False,
                               help_text=_("Ký bằng CA thử nghiệm của bản chạy thử: không có giá trị pháp lý."))
    status = models.CharField(_("hiệu lực"), max_length=10, choices=DocumentStatus.choices,
                              default=DocumentStatus.VALID)
    replaced_by = models.ForeignKey("self", verbose_name=_("thay thế bởi"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="replaces")
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    revoked_reason = models.CharField(_("lý do thu hồi"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("văn bản đã ban hành")
        verbose_name_plural = _("văn bản đã ban hành")
        ordering = ["-issued_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "ref"], name="issued_document_once")]
        indexes = [models.Index(fields=["agency", "kind", "issued_at"], name="issued_agency_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}".strip()

    @property
    def is_signed(self) -> bool:
        return self.signature != SignatureState.UNSIGNED


class OfficerCertificate(models.Model):
    """A leader's personal signing certificate (on a USB token), registered by an administrator: a result
    the leader uploads as signed is accepted only when signed with one of their registered certificates."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cán bộ"), on_delete=models.CASCADE,
                             related_name="signing_certificates")
    der = models.BinaryField(_("chứng thư (DER)"))
    fingerprint = models.CharField(_("dấu vân tay SHA-256"), max_length=64, unique=True)
    subject = models.CharField(_("chủ thể"), max_length=500)
    issuer = models.CharField(_("tổ chức cấp"), max_length=500)
    serial = models.CharField(_("số hiệu"), max_length=80)
    not_before = models.DateTimeField(_("hiệu lực từ"))
    not_after = models.DateTimeField(_("hiệu lực đến"))
    added_at = models.DateTimeField(_("đăng ký lúc"), auto_now_add=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("chứng thư số cá nhân")
        verbose_name_plural = _("chứng thư số cá nhân")
        ordering = ["user_id", "-not_after"]

    def __str__(self) -> str:
        return f"{self.subject} ({self.serial})"
