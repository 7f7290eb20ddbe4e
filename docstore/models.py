"""The citizen's document store (kho dữ liệu cá nhân): every verified component and every electronic
result of the citizen's dossiers, kept with its type, issuing agency and validity, to be picked again
for a new dossier instead of handing in the same paper twice."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    COMPONENT = "component", _("Thành phần hồ sơ đã được tiếp nhận")
    RESULT = "result", _("Kết quả giải quyết điện tử")


def store_path(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"docstore/{instance.owner_id}/{uuid.uuid4().hex}.{ext}"


class StoredDocument(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stored_documents")
    title = models.CharField(_("loại giấy tờ"), max_length=500)
    source = models.CharField(_("nguồn"), max_length=10, choices=Source.choices)
    issuing_agency = models.CharField(_("cơ quan cấp / xác nhận"), max_length=255, blank=True)
    issued_on = models.DateField(_("ngày cấp / xác nhận"), null=True, blank=True)
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    file = models.FileField(_("tệp"), upload_to=store_path, max_length=255, blank=True)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    size = models.PositiveBigIntegerField(_("dung lượng"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("định dạng"), max_length=100)
    source_dossier = models.ForeignKey("dossiers.Dossier", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    source_attachment = models.ForeignKey("dossiers.Attachment", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")
    created_at = models.DateTimeField(_("đưa vào kho lúc"), default=timezone.now)
    deleted_at = models.DateTimeField(_("xóa lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("giấy tờ trong kho dữ liệu")
        verbose_name_plural = _("kho dữ liệu cá nhân")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["owner", "sha256"], condition=models.Q(deleted_at=None),
                                               name="docstore_one_copy_per_owner")]
        indexes = [models.Index(fields=["owner", "deleted_at", "-created_at"], name="docstore_owner")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_valid(self) -> bool:
        return self.valid_until is None or self.valid_until >= timezone.localdate()


class DocumentReuse(models.Model):
    """One reuse of a stored document in a dossier (the 766 "reusing digitised data" count)."""

    document = models.ForeignKey(StoredDocument, null=True, on_delete=models.SET_NULL, related_name="reuses")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="document_reuses")
    attachment = models.OneToOneField("dossiers.Attachment", on_delete=models.CASCADE, related_name="reuse")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("lần dùng lại giấy tờ")
        verbose_name_plural = _("dùng lại giấy tờ từ kho dữ liệu")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.dossier_id}"
