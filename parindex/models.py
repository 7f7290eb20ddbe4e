"""Index configurations (versioned trees of criteria with their scoring rules, as data) and the monthly
metric snapshots the dashboards read (numerator and denominator per agency and month)."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .rules import RuleError, check_rule


class IndexKind(models.TextChoices):
    QD766 = "qd766", _("Bộ chỉ số 766 (phục vụ người dân, doanh nghiệp)")
    PAR_PROVINCE = "par_province", _("Chỉ số CCHC cấp tỉnh (PAR INDEX)")
    AGENCY = "agency", _("Chỉ số CCHC của sở, ngành, xã")


class ConfigStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đang áp dụng")


class IndexConfig(models.Model):
    code = models.SlugField(_("mã bộ chỉ số"), max_length=40)
    version = models.CharField(_("phiên bản"), max_length=40)
    name = models.CharField(_("tên"), max_length=300)
    kind = models.CharField(_("loại"), max_length=16, choices=IndexKind.choices)
    effective_from = models.DateField(_("áp dụng từ"))
    effective_to = models.DateField(_("áp dụng đến"), null=True, blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=ConfigStatus.choices,
                              default=ConfigStatus.DRAFT)
    source = models.TextField(_("căn cứ, nguồn"), blank=True)

    class Meta:
        verbose_name = _("bộ chỉ số")
        verbose_name_plural = _("bộ chỉ số (cấu hình)")
        ordering = ["code", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="index_config_version_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    @property
    def max_points(self):
        return sum(c.max_points for c in self.criteria.all() if c.parent_id is None)


class Method(models.TextChoices):
    COMPUTED = "computed", _("Tính từ dữ liệu của cổng")
    SELF_ASSESSED = "self_assessed", _("Tự đánh giá, có tài liệu kiểm chứng")
    SURVEY = "survey", _("Điều tra xã hội học (nhập kết quả)")
    SUM = "sum", _("Tổng các tiêu chí con")


class Criterion(models.Model):
    """Lĩnh vực → tiêu chí → tiêu chí thành phần, each with its maximum and how it is scored."""

    config = models.ForeignKey(IndexConfig, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    code = models.CharField(_("mã"), max_length=60)
    name = models.CharField(_("tên"), max_length=500)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=6, decimal_places=2,
                                     validators=[MinValueValidator(0)])
    method = models.CharField(_("cách chấm"), max_length=16, choices=Method.choices)
    metric = models.CharField(_("chỉ số dữ liệu"), max_length=200, blank=True,
                              help_text=_("Mã chỉ số trong ảnh chụp tháng (cách chấm “tính từ dữ liệu”)."))
    rule = models.JSONField(_("quy tắc tính điểm"), default=dict, blank=True)

    class Meta:
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        ordering = ["config", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["config", "code"], name="criterion_code_unique")]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"

    def clean(self) -> None:
        if self.rule:
            try:
                check_rule(self.rule)
            except RuleError as exc:
                raise ValidationError({"rule": str(exc)}) from None


class Scope(models.TextChoices):
    AGENCY = "agency", _("Cơ quan")
    PROVINCE = "province", _("Toàn tỉnh")


class MetricSnapshot(models.Model):
    """One metric of one agency (or the province total) for one month: numerator and denominator stored,
    the rate computed at display time. Refreshed nightly; `recompute_metrics` rebuilds any range."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="metric_snapshots")
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.AGENCY)
    month = models.DateField(_("tháng"))
    metric = models.CharField(_("chỉ số"), max_length=60)
    numerator = models.BigIntegerField(_("tử số"), default=0)
    denominator = models.BigIntegerField(_("mẫu số"), null=True, blank=True)
    computed_at = models.DateTimeField(_("tính lúc"))

    class Meta:
        verbose_name = _("ảnh chụp chỉ số theo tháng")
        verbose_name_plural = _("ảnh chụp chỉ số theo tháng")
        constraints = [models.UniqueConstraint(fields=["agency", "scope", "month", "metric"],
                                               name="metric_snapshot_unique")]
        indexes = [models.Index(fields=["scope", "metric", "month"], name="metric_snapshot_metric_month")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.month:%m/%Y} {self.metric}"


class AssessmentRound(models.Model):
    """One year's PAR self-assessment of a configuration: agencies enter their self-scores with evidence
    until `deadline`; Home Affairs appraises until `appraisal_deadline`; afterwards everything is locked."""

    config = models.ForeignKey(IndexConfig, on_delete=models.PROTECT, related_name="rounds")
    year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    deadline = models.DateTimeField(_("hạn tự đánh giá"))
    appraisal_deadline = models.DateTimeField(_("hạn thẩm định"))
    agencies = models.ManyToManyField("accounts.Agency", related_name="+", verbose_name=_("cơ quan được đánh giá"))

    class Meta:
        verbose_name = _("đợt đánh giá chỉ số CCHC")
        verbose_name_plural = _("đợt đánh giá chỉ số CCHC")
        ordering = ["-year", "config"]
        constraints = [models.UniqueConstraint(fields=["config", "year"], name="assessment_round_unique")]

    def __str__(self) -> str:
        return f"{self.config.name} {self.year}"


class SelfScore(models.Model):
    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="scores")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("điểm tự chấm"), max_digits=6, decimal_places=2)
    explanation = models.TextField(_("giải trình"), blank=True)
    submitted_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("chấm lúc"))
    appraised_points = models.DecimalField(_("điểm thẩm định"), max_digits=6, decimal_places=2, null=True,
                                           blank=True)
    appraisal_reason = models.TextField(_("lý do điều chỉnh"), blank=True)
    appraised_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    appraised_at = models.DateTimeField(_("thẩm định lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("điểm tự đánh giá")
        verbose_name_plural = _("điểm tự đánh giá")
        constraints = [models.UniqueConstraint(fields=["round", "agency", "criterion"], name="self_score_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.criterion.code}: {self.points}"


def evidence_path(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"par-evidence/{instance.score_id}/{uuid.uuid4().hex}.{ext}"


class Evidence(models.Model):
    """Tài liệu kiểm chứng of a self-score (private file)."""

    score = models.ForeignKey(SelfScore, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=255)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tài liệu kiểm chứng")
        verbose_name_plural = _("tài liệu kiểm chứng")

    def __str__(self) -> str:
        return self.original_name


class SurveyScore(models.Model):
    """Survey points of an agency for a criterion scored by the sociological survey (imported CSV)."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="survey_scores")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("điểm điều tra"), max_digits=6, decimal_places=2)
    imported_at = models.DateTimeField()
    source = models.CharField(_("tệp nguồn"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("điểm điều tra xã hội học")
        verbose_name_plural = _("điểm điều tra xã hội học")
        constraints = [models.UniqueConstraint(fields=["round", "agency", "criterion"], name="survey_score_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.criterion.code}: {self.points}"


class ExternalIndex(models.TextChoices):
    PAR = "par", _("PAR INDEX (Chỉ số CCHC)")
    SIPAS = "sipas", _("SIPAS (Chỉ số hài lòng)")
    PAPI = "papi", _("PAPI (Hiệu quả quản trị và hành chính công)")
    PCI = "pci", _("PCI (Năng lực cạnh tranh cấp tỉnh)")
    ICT = "ict", _("ICT Index (Sẵn sàng ứng dụng CNTT)")


class ExternalResult(models.Model):
    """The province's published yearly result on an index computed by an outside body (imported CSV)."""

    index = models.CharField(_("chỉ số"), max_length=8, choices=ExternalIndex.choices)
    year = models.PositiveSmallIntegerField(_("năm"))
    score = models.DecimalField(_("điểm"), max_digits=7, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("xếp hạng"), null=True, blank=True)
    out_of = models.PositiveSmallIntegerField(_("trên tổng số"), null=True, blank=True)
    source = models.CharField(_("nguồn"), max_length=300, blank=True)
    imported_at = models.DateTimeField()

    class Meta:
        verbose_name = _("kết quả chỉ số bên ngoài")
        verbose_name_plural = _("kết quả PAR INDEX, SIPAS, PAPI, PCI, ICT")
        ordering = ["index", "year"]
        constraints = [models.UniqueConstraint(fields=["index", "year"], name="external_result_unique")]

    def __str__(self) -> str:
        return f"{self.index} {self.year}: {self.score}"


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("Quý")
    YEAR = "year", _("Năm")


class PeriodTotal(models.Model):
    """The monthly snapshots of one quarter or one year added up, per agency (or province) and metric: flows
    summed, stocks taken from the agency's last month with data in the piece (`last_month`). Kept by
    `snapshots_refresh` in the same transaction as the months it recomputes, so a dashboard period reads a
    few of these rows per agency (whole years, then whole quarters, then single months) instead of every
    month's snapshot."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.AGENCY)
    kind = models.CharField(max_length=8, choices=PeriodKind.choices)
    start = models.DateField(_("tháng đầu"))
    metric = models.CharField(_("chỉ số"), max_length=60)
    numerator = models.BigIntegerField(_("tử số"), default=0)
    denominator = models.BigIntegerField(_("mẫu số"), null=True, blank=True)
    last_month = models.DateField(_("tháng cuối có số liệu"))
    computed_at = models.DateTimeField(_("tính lúc"))

    class Meta:
        verbose_name = _("tổng theo quý, năm")
        verbose_name_plural = _("tổng theo quý, năm")
        constraints = [models.UniqueConstraint(fields=["agency", "scope", "kind", "start", "metric"],
                                               name="period_total_unique")]
        indexes = [models.Index(fields=["scope", "kind", "start"], name="period_total_piece")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.kind} {self.start:%m/%Y} {self.metric}"


class RankedPeriod(models.Model):
    """A dashboard period (this month, this quarter, this year) whose per-agency 766 scores are stored, so
    the ranking is a read of a few hundred rows. Recomputed after every snapshot refresh; `computed_at` is
    what the overview shows as the figures' time."""

    preset = models.CharField(max_length=8)
    first = models.DateField()
    last = models.DateField()
    computed_at = models.DateTimeField(_("tính lúc"))

    class Meta:
        verbose_name = _("kỳ xếp hạng đã tính")
        verbose_name_plural = _("kỳ xếp hạng đã tính")
        constraints = [models.UniqueConstraint(fields=["preset", "first", "last"], name="ranked_period_unique")]

    def __str__(self) -> str:
        return f"{self.preset} {self.first:%m/%Y}–{self.last:%m/%Y}"


class RankedScore(models.Model):
    """One agency's row of a stored ranking period, as `selectors.agency_scores` computes it."""

    period = models.ForeignKey(RankedPeriod, on_delete=models.CASCADE, related_name="scores")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    row = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "agency"], name="ranked_score_unique")]

    def __str__(self) -> str:
        return f"{self.period} {self.agency_id}"


class FiguresRun(models.Model):
    """The last refresh of the current month's figures (one row): what activity it had seen (the highest ids of
    the records that change the counts), so a run with nothing new since costs one read."""

    key = models.CharField(max_length=20, unique=True, default="current")
    seen = models.JSONField(default=dict)
    # what the run before had seen: the next run looks at the records above it (see services.touched_agencies)
    previous_seen = models.JSONField(default=dict, blank=True)
    ran_at = models.DateTimeField()
    full_at = models.DateTimeField(null=True, blank=True)  # the last run that counted every agency
    seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = _("lần cập nhật số liệu tháng này")
        verbose_name_plural = _("lần cập nhật số liệu tháng này")

    def __str__(self) -> str:
        return f"{self.key} {self.ran_at:%d/%m/%Y %H:%M}"
