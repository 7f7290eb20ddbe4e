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
                   models.Index(fields=["dossier", "status"], name="sync_dossier"),
                   # the figures' refresh: the statuses delivered since its last run (parindex.services)
                   models.Index(fields=["sent_at"], name="sync_sent_at", condition=models.Q(sent_at__isnull=False))]

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


# -- the national portal's vocabulary -------------------------------------------------------------------


class VersionMapping(models.Model):
    """A procedure version the national portal may file dossiers for, under its national procedure code (the
    catalogue's codes such as 1.001193 are those codes). A version in force without this row, or with a
    component to hand in that has no document type, is "unmapped": listed for the administrator, and an
    intake for it is refused and logged, never dropped."""

    version = models.OneToOneField("procedures.ProcedureVersion", on_delete=models.CASCADE,
                                   related_name="national_mapping", verbose_name=_("phiên bản thủ tục"))
    national_procedure_code = models.CharField(_("mã thủ tục trên Cổng DVC quốc gia"), max_length=40, db_index=True)
    mapped_at = models.DateTimeField(_("ánh xạ lúc"))
    mapped_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("ánh xạ thủ tục với Cổng DVC quốc gia")
        verbose_name_plural = _("ánh xạ thủ tục với Cổng DVC quốc gia")

    def __str__(self) -> str:
        return f"{self.national_procedure_code} → {self.version_id}"


class DocumentTypeMapping(models.Model):
    """A component of a mapped version ↔ the national portal's document type code (mã thành phần hồ sơ) its
    files arrive under; unique within the version."""

    document = models.OneToOneField("procedures.RequiredDocument", on_delete=models.CASCADE,
                                    related_name="national_type", verbose_name=_("thành phần hồ sơ"))
    version = models.ForeignKey("procedures.ProcedureVersion", on_delete=models.CASCADE, related_name="+",
                                editable=False)
    national_type = models.CharField(_("mã thành phần trên Cổng DVC quốc gia"), max_length=60)

    class Meta:
        verbose_name = _("ánh xạ thành phần hồ sơ")
        verbose_name_plural = _("ánh xạ thành phần hồ sơ")
        constraints = [models.UniqueConstraint(fields=["version", "national_type"], name="np_doctype_unique")]

    def __str__(self) -> str:
        return f"{self.national_type} → {self.document_id}"

    def save(self, *args, **kwargs):
        self.version_id = self.document.version_id
        super().save(*args, **kwargs)


class StatusMapping(models.Model):
    """A status of this portal's workflow ↔ the national portal's status code and label (data, seeded from the
    integration specification's list; editable by the administrator when the platform changes it)."""

    status = models.CharField(_("trạng thái trong hệ thống"), max_length=24, unique=True)
    national_status = models.CharField(_("mã trạng thái trên Cổng DVC quốc gia"), max_length=10)
    national_label = models.CharField(_("tên trạng thái trên Cổng DVC quốc gia"), max_length=120)

    class Meta:
        verbose_name = _("ánh xạ trạng thái")
        verbose_name_plural = _("ánh xạ trạng thái với Cổng DVC quốc gia")
        ordering = ["status"]

    def __str__(self) -> str:
        return f"{self.status} → {self.national_status}"


# -- intake ---------------------------------------------------------------------------------------------


class IntakeVia(models.TextChoices):
    PUSH = "push", _("Cổng quốc gia gửi đến")
    PULL = "pull", _("Hệ thống lấy về")


class NationalDossier(models.Model):
    """One dossier received from the national portal: its national code (unique: a retried intake finds this
    row and creates nothing), the request's fingerprint, what the national portal vouched for."""

    national_code = models.CharField(_("mã hồ sơ trên Cổng DVC quốc gia"), max_length=40, unique=True)
    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="national_intake")
    fingerprint = models.CharField(_("dấu vân tay yêu cầu (SHA-256)"), max_length=64)
    via = models.CharField(_("nhận qua"), max_length=4, choices=IntakeVia.choices, default=IntakeVia.PUSH)
    filed_at = models.DateTimeField(_("nộp trên Cổng quốc gia lúc"))
    received_at = models.DateTimeField(_("nhận về lúc"))
    vneid_verified = models.BooleanField(_("danh tính xác thực qua VNeID"), default=False)
    fees_paid = models.PositiveBigIntegerField(_("phí, lệ phí đã nộp trên Cổng quốc gia (đồng)"), default=0)
    payment_reference = models.CharField(_("mã giao dịch thanh toán"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("hồ sơ nhận từ Cổng DVC quốc gia")
        verbose_name_plural = _("hồ sơ nhận từ Cổng DVC quốc gia")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.national_code


class IntakeRefusal(models.Model):
    """An intake refused (bad request, unknown or unmapped procedure, bad file …): logged for the administrator
    with the machine code it was answered with, never silently dropped. No personal data is kept."""

    at = models.DateTimeField(_("lúc"))
    national_code = models.CharField(_("mã hồ sơ trên Cổng DVC quốc gia"), max_length=40, blank=True)
    procedure_code = models.CharField(_("mã thủ tục"), max_length=40, blank=True)
    code = models.CharField(_("mã lỗi"), max_length=40)
    message = models.CharField(_("thông báo"), max_length=500)
    field = models.CharField(_("trường"), max_length=120, blank=True)
    via = models.CharField(_("nhận qua"), max_length=4, choices=IntakeVia.choices, default=IntakeVia.PUSH)

    class Meta:
        verbose_name = _("yêu cầu nhận hồ sơ bị từ chối")
        verbose_name_plural = _("yêu cầu nhận hồ sơ bị từ chối")
        ordering = ["-at"]
        indexes = [models.Index(fields=["-at"], name="np_refusal_at")]

    def __str__(self) -> str:
        return f"{self.national_code} {self.code}"


class NationalSupplement(models.Model):
    """Files the citizen added on the national portal to a dossier filed there that waited for them (guided
    before reception, or asked for a supplement); unique per national dossier and supplement id, so a retried
    request stores nothing twice."""

    record = models.ForeignKey(NationalDossier, on_delete=models.CASCADE, related_name="supplements")
    supplement_id = models.CharField(_("mã lần bổ sung"), max_length=60)
    fingerprint = models.CharField(_("dấu vân tay yêu cầu (SHA-256)"), max_length=64)
    received_at = models.DateTimeField(_("nhận lúc"))
    files = models.PositiveSmallIntegerField(_("số tệp"), default=0)

    class Meta:
        verbose_name = _("lần bổ sung trên Cổng DVC quốc gia")
        verbose_name_plural = _("các lần bổ sung trên Cổng DVC quốc gia")
        constraints = [models.UniqueConstraint(fields=["record", "supplement_id"], name="np_supplement_unique")]

    def __str__(self) -> str:
        return f"{self.record_id}/{self.supplement_id}"


# -- reconciliation and pulling -------------------------------------------------------------------------


class DiscrepancyKind(models.TextChoices):
    MISSING_HERE = "missing_here", _("Có trên Cổng quốc gia, chưa có ở đây")
    MISSING_THERE = "missing_there", _("Có ở đây, Cổng quốc gia không liệt kê")
    STATUS_BEHIND = "status_behind", _("Trạng thái trên Cổng quốc gia chưa khớp")


class ReconciliationRun(models.Model):
    """One comparison of the national portal's list of this province's dossiers with ours (`reconcile`): nightly,
    or started by an administrator. A run whose list could not be fetched is kept with the reason (`error`)."""

    started_at = models.DateTimeField(_("bắt đầu lúc"))
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    since = models.DateTimeField(_("đối soát hồ sơ nộp từ"))
    started_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("người chạy"))
    listed = models.PositiveIntegerField(_("số hồ sơ Cổng quốc gia liệt kê"), default=0)
    skipped = models.PositiveIntegerField(_("số dòng không đọc được"), default=0)
    missing_here = models.PositiveIntegerField(_("chưa có ở đây"), default=0)
    missing_there = models.PositiveIntegerField(_("Cổng quốc gia không liệt kê"), default=0)
    status_behind = models.PositiveIntegerField(_("lệch trạng thái"), default=0)
    error = models.CharField(_("lỗi"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("lần đối soát với Cổng DVC quốc gia")
        verbose_name_plural = _("các lần đối soát với Cổng DVC quốc gia")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%d/%m/%Y %H:%M}"

    @property
    def found(self) -> int:
        return self.missing_here + self.missing_there + self.status_behind


class Discrepancy(models.Model):
    """One dossier on which the national portal and this portal disagree, as found by one run. A later run lists
    what it finds itself: one that is no longer found is not listed again."""

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="discrepancies")
    kind = models.CharField(_("loại"), max_length=16, choices=DiscrepancyKind.choices)
    national_code = models.CharField(_("mã hồ sơ trên Cổng DVC quốc gia"), max_length=40)
    dossier = models.ForeignKey(Dossier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    our_status = models.CharField(_("trạng thái trong hệ thống"), max_length=24, blank=True)
    ours = models.CharField(_("mã trạng thái quốc gia của hệ thống"), max_length=10, blank=True)
    theirs = models.CharField(_("mã trạng thái trên Cổng quốc gia"), max_length=10, blank=True)
    found_at = models.DateTimeField(_("phát hiện lúc"))
    resolved_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)
    resolved_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("người xử lý"))
    resolution = models.CharField(_("cách xử lý"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("chênh lệch đối soát")
        verbose_name_plural = _("chênh lệch đối soát")
        ordering = ["kind", "national_code"]
        constraints = [models.UniqueConstraint(fields=["run", "national_code"], name="np_discrepancy_unique")]

    def __str__(self) -> str:
        return f"{self.national_code} {self.kind}"


class PullCursor(models.Model):
    """Where the pull of new dossiers stands (one row, pk 1): the latest filing time taken in; the next pull asks
    for what was filed since then (less an overlap)."""

    position = models.DateTimeField(_("đã lấy hồ sơ nộp đến"), null=True, blank=True)
    pulled_at = models.DateTimeField(_("lấy lần cuối lúc"), null=True, blank=True)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=500, blank=True)
    last_counts = models.JSONField(_("kết quả lần cuối"), default=dict, blank=True)

    class Meta:
        verbose_name = _("vị trí lấy hồ sơ từ Cổng DVC quốc gia")
        verbose_name_plural = _("vị trí lấy hồ sơ từ Cổng DVC quốc gia")

    def __str__(self) -> str:
        return f"{self.position}"


# -- the simulator ----------------------------------------------------------------------------------


class Delivery(models.TextChoices):
    SENDING = "sending", _("Đang gửi")
    TAKEN = "taken", _("Đã được tiếp nhận vào hệ thống")
    REFUSED = "refused", _("Bị từ chối")
    UNDELIVERED = "undelivered", _("Chưa gửi được")


class SimulatedNationalDossier(models.Model):
    """The national-portal simulator's own books (tests and `make run` only, NATIONAL_PORTAL_SIMULATOR): a
    dossier "filed on the national portal", the intake request it sent this portal (the files by name, size,
    type and SHA-256: their content is rebuilt from the request, `simulator.rebuild`), this portal's answer,
    and every status pushed back, in the national vocabulary."""

    national_code = models.CharField(_("mã hồ sơ trên Cổng DVC quốc gia"), max_length=40, unique=True)
    procedure_code = models.CharField(_("mã thủ tục"), max_length=40)
    procedure_name = models.CharField(_("tên thủ tục"), max_length=500)
    agency_code = models.CharField(_("mã nơi tiếp nhận"), max_length=40)
    agency_name = models.CharField(_("nơi tiếp nhận"), max_length=255)
    request = models.JSONField(_("yêu cầu đã gửi (không kèm nội dung tệp)"))
    filed_at = models.DateTimeField(_("nộp lúc"))
    filed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    delivery = models.CharField(_("gửi sang hệ thống"), max_length=12, choices=Delivery.choices,
                                default=Delivery.SENDING)
    answer_status = models.PositiveSmallIntegerField(_("mã trả lời HTTP"), null=True, blank=True)
    answer = models.JSONField(_("nội dung trả lời"), null=True, blank=True)
    answer_error = models.CharField(_("lỗi khi gửi"), max_length=500, blank=True)
    dossier_code = models.CharField(_("mã hồ sơ của hệ thống"), max_length=40, blank=True)
    statuses = models.JSONField(_("các trạng thái nhận được"), default=list, blank=True)
    national_status = models.CharField(_("mã trạng thái hiện tại"), max_length=10, blank=True)
    national_label = models.CharField(_("trạng thái hiện tại"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("hồ sơ trên Cổng DVC quốc gia (giả lập)")
        verbose_name_plural = _("hồ sơ trên Cổng DVC quốc gia (giả lập)")
        ordering = ["-filed_at", "-id"]
        indexes = [models.Index(fields=["filed_at"], name="np_sim_filed_at")]

    def __str__(self) -> str:
        return self.national_code
