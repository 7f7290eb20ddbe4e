"""The national-portal link: the status-sync outbox and its monthly counts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dossiers.models import Dossier, DossierEvent


class SyncStatus(models.TextChoices):
    PENDING = "pending", _("Chờ đồng bộ")
    SENT = "sent", _("Đã đồng bộ")
    FAILED = "failed", _("Đồng bộ lỗi")


class SyncItem(models.Model):
    """One status change to push to the national portal (Decree 224/2026: at once), retried with
    back-off and logged per dossier; one per event."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="sync_items")
    event = models.OneToOneField(DossierEvent, on_delete=models.CASCADE, related_name="sync_item")
    status = models.CharField(_("trạng thái"), max_length=8, choices=SyncStatus.choices, default=SyncStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    created_at = models.DateTimeField(_("tạo lúc"))
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"))
    sent_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=500, blank=True)

    class Meta:
        db_table = "dossiers_syncitem"  # created by dossiers before the model moved here (the table was kept)
        verbose_name = _("đồng bộ trạng thái")
        verbose_name_plural = _("đồng bộ trạng thái lên Cổng quốc gia")
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="sync_due"),
                   models.Index(fields=["dossier", "status"], name="sync_dossier")]

    def __str__(self) -> str:
        return f"{self.dossier_id}/{self.event_id} {self.status}"


class MonthlySyncStats(models.Model):
    """Dossiers to sync and synced per handling agency and month (the Decision-766 "dossier sync"
    indicator), refreshed nightly; read by the index dashboards."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="sync_stats")
    month = models.DateField(_("tháng"), help_text=_("Ngày đầu tháng."))
    dossiers_to_sync = models.PositiveIntegerField(_("hồ sơ cần đồng bộ"), default=0)
    dossiers_synced = models.PositiveIntegerField(_("hồ sơ đã đồng bộ kịp thời"), default=0)
    computed_at = models.DateTimeField(_("tính lúc"))

    class Meta:
        verbose_name = _("số liệu đồng bộ tháng của cơ quan")
        verbose_name_plural = _("số liệu đồng bộ tháng của cơ quan")
        ordering = ["-month", "agency"]
        constraints = [models.UniqueConstraint(fields=["agency", "month"], name="sync_stats_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.month:%m/%Y}"
