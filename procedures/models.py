"""The procedure catalogue (thủ tục hành chính), versioned per publication decision.

Decree 63/2010 Art. 8(2): a procedure is specified by its name, steps, channels, dossier
components, time limit, applicants, agencies, result, conditions and fees. Each publication
decision is a ProcedureVersion; a published version is immutable, and a dossier keeps the version
it was received under.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import AgencyLevel
from eforms.definition import Form
from workcalendar.units import ClockPolicy, DurationUnit

from .text import search_key

PROCEDURE_CODE_RE = r"^[0-9]\.[0-9]{6}(\.[A-Z0-9]{1,10})?$"
validate_procedure_code = RegexValidator(
    PROCEDURE_CODE_RE,
    _("Mã thủ tục không hợp lệ: dùng mã quốc gia dạng 1.000948, có thể thêm hậu tố địa phương (1.000948.H38)."),
)
validate_field_code = RegexValidator(r"^[A-Z0-9][A-Z0-9.\-]{0,19}$", _("Mã lĩnh vực chỉ gồm chữ in hoa, số, '.', '-'."))


class Level(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")
    MINISTRY = "ministry", _("Cấp bộ, ngành trung ương")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đang áp dụng")
    RETIRED = "retired", _("Hết hiệu lực")


class ResultKind(models.TextChoices):
    PAPER = "paper", _("Bản giấy")
    ELECTRONIC = "electronic", _("Bản điện tử")
    BOTH = "both", _("Bản giấy và bản điện tử")


class OnlineLevel(models.TextChoices):
    NONE = "none", _("Cung cấp thông tin")
    PARTIAL = "partial", _("Dịch vụ công trực tuyến một phần")
    FULL = "full", _("Dịch vụ công trực tuyến toàn trình")


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Dịch vụ bưu chính")


class StepKind(models.TextChoices):
    RECEPTION = "reception", _("Tiếp nhận")
    APPRAISAL = "appraisal", _("Thẩm định")
    APPROVAL = "approval", _("Phê duyệt")
    RETURN = "return", _("Trả kết quả")
    OTHER = "other", _("Bước khác")


class Requirement(models.TextChoices):
    """The kind of a dossier component, as the publication decision states it."""

    REQUIRED = "required", _("Nộp")
    PRESENT = "present", _("Xuất trình để đối chiếu, không nộp")
    CONDITIONAL = "conditional", _("Nộp trong trường hợp nêu tại điều kiện")


def present_from_wording(note: str) -> bool:
    """The published wording of a component that is only shown for comparison ("Xuất trình để đối chiếu",
    "Xuất trình; không phải nộp …"), as opposed to a copy handed in together with its original shown."""
    return " ".join((note or "").split()).lower().startswith("xuất trình")


class Field(models.Model):
    """Lĩnh vực (sector), e.g. Hộ tịch, Đất đai."""

    code = models.CharField(_("mã lĩnh vực"), max_length=20, unique=True, validators=[validate_field_code])
    name = models.CharField(_("tên lĩnh vực"), max_length=200)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    code = models.CharField(_("mã thủ tục"), max_length=24, unique=True, validators=[validate_procedure_code])
    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.ForeignKey(Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="procedures")
    level = models.CharField(_("cấp thực hiện"), max_length=10, choices=Level.choices)
    keywords = models.CharField(_("từ khoá"), max_length=500, blank=True,
                                help_text=_("Cách nhau bởi dấu phẩy, ví dụ: khai sinh, giấy khai sinh"))
    search_text = models.TextField(_("chuỗi tìm kiếm"), editable=False, default="",
                                   help_text=_("Mã, tên, từ khoá đã bỏ dấu, viết thường (tự động)."))
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["name"]
        # On PostgreSQL a trigram GIN index on search_text is added by migration 0002 (pg_trgm).
        indexes = [models.Index(fields=["level", "field"])]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def build_search_text(self) -> str:
        """Accent-free, lower-case text the catalogue search runs on (kept by the services)."""
        return search_key(f"{self.code} {self.name} {self.keywords}")


class ProcedureVersion(models.Model):
    procedure = models.ForeignKey(Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE,
                                  related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=VersionStatus.choices,
                              default=VersionStatus.DRAFT)
    decision_number = models.CharField(_("số quyết định công bố"), max_length=100)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    effective_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    effective_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    steps = models.TextField(_("trình tự thực hiện"), blank=True)
    applicants = models.TextField(_("đối tượng thực hiện"), blank=True)
    conditions = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    result = models.TextField(_("kết quả thực hiện"), blank=True)
    result_kind = models.CharField(_("hình thức kết quả"), max_length=10, choices=ResultKind.choices,
                                   default=ResultKind.PAPER)
    competent_agency = models.CharField(_("cơ quan có thẩm quyền"), max_length=500, blank=True)
    implementing_agencies = models.CharField(_("cơ quan thực hiện"), max_length=500, blank=True)
    coordinating_agencies = models.CharField(_("cơ quan phối hợp"), max_length=500, blank=True)
    agencies = models.ManyToManyField(
        "accounts.Agency", verbose_name=_("cơ quan tiếp nhận trên cổng"), blank=True, related_name="procedure_versions",
        help_text=_("Để trống: mọi cơ quan cùng cấp đều tiếp nhận."),
    )
    legal_bases = models.JSONField(_("căn cứ pháp lý"), default=list, blank=True,
                                   help_text=_('Danh sách {"number", "date", "title"}.'))
    online_level = models.CharField(_("mức độ trực tuyến"), max_length=10, choices=OnlineLevel.choices,
                                    default=OnlineLevel.NONE)
    postal_submission = models.BooleanField(_("nhận hồ sơ qua bưu chính"), default=False)
    postal_return = models.BooleanField(_("trả kết quả qua bưu chính"), default=False)
    supplement_policy = models.CharField(_("khi yêu cầu bổ sung"), max_length=10, choices=ClockPolicy.choices,
                                         default=ClockPolicy.RESTART)
    extension_allowed = models.BooleanField(_("cho phép xin lỗi và hẹn lại"), default=True)
    anywhere = models.BooleanField(
        _("tiếp nhận không phụ thuộc địa giới hành chính"), default=False,
        help_text=_("Nghị định 118/2025/NĐ-CP: nộp hồ sơ và nhận kết quả tại bất kỳ Bộ phận Một cửa nào trong "
                    "tỉnh, không phụ thuộc cấp chính quyền, nơi cư trú, nơi đặt trụ sở. Tỉnh có thể điều chỉnh "
                    "theo quyết định công bố danh mục của mình (điều chỉnh của tỉnh)."),
    )
    source = models.TextField(_("nguồn dữ liệu"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)
    published_by = models.ForeignKey("accounts.User", verbose_name=_("người công bố"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        ordering = ["procedure", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedures_version_number_unique"),
            models.UniqueConstraint(models.F("procedure"), Upper("decision_number"),
                                    name="procedures_version_decision_unique",
                                    violation_error_message=_("Thủ tục đã có phiên bản theo quyết định này.")),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True) | models.Q(effective_from__isnull=False,
                                                                        effective_to__gte=models.F("effective_from")),
                name="procedures_version_effective_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} ({self.decision_number})"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT

    def channel(self, channel: str) -> ChannelOption | None:
        return next((c for c in self.channels.all() if c.channel == channel), None)


class ChannelOption(models.Model):
    """One row of "Hình thức nộp | Thời hạn giải quyết | Phí, lệ phí | Mô tả"."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="channels")
    channel = models.CharField(_("hình thức nộp"), max_length=10, choices=Channel.choices)
    time_limit = models.DecimalField(_("thời hạn"), max_digits=6, decimal_places=2,
                                     validators=[MinValueValidator(Decimal(0))])
    unit = models.CharField(_("đơn vị"), max_length=16, choices=DurationUnit.choices,
                            default=DurationUnit.WORKING_DAYS)
    time_limit_text = models.CharField(_("thời hạn (như công bố)"), max_length=500, blank=True)
    description = models.TextField(_("mô tả"), blank=True)

    class Meta:
        verbose_name = _("cách thức thực hiện")
        verbose_name_plural = _("cách thức thực hiện")
        ordering = ["version", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["version", "channel"], name="procedures_channel_unique"),
            models.CheckConstraint(condition=models.Q(time_limit__gte=0), name="procedures_channel_time_limit_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.time_limit_display}"

    @property
    def time_limit_display(self) -> str:
        value = self.time_limit.normalize() if isinstance(self.time_limit, Decimal) else self.time_limit
        value = f"{value:f}" if isinstance(value, Decimal) else str(value)
        if self.unit == DurationUnit.WORKING_DAYS and Decimal(self.time_limit) == 0:
            return str(_("Trong ngày"))
        # English says "1 working day" but "0.5 / 2 working days": a fraction counts as plural.
        number = Decimal(self.time_limit)
        count = int(number) if number == number.to_integral_value() else 2
        forms = {
            DurationUnit.WORKING_DAYS: ngettext("%(n)s ngày làm việc", "%(n)s ngày làm việc", count),
            DurationUnit.DAYS: ngettext("%(n)s ngày", "%(n)s ngày", count),
            DurationUnit.WORKING_HOURS: ngettext("%(n)s giờ làm việc", "%(n)s giờ làm việc", count),
        }
        if self.unit in forms:
            return forms[self.unit] % {"n": value}
        return f"{value} {self.get_unit_display()}"

    @property
    def total_fee(self) -> int:
        return sum(f.amount for f in self.fees.all())


class FeeExemption(models.Model):
    """A ground for exempting or reducing a fee (đối tượng miễn, giảm lệ phí), e.g. a poor household or a
    person with meritorious service. The reception officer picks one for a fee line; the grounds and
    their rates are data because People's Council resolutions set and change them."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("đối tượng"), max_length=300)
    percent = models.PositiveSmallIntegerField(
        _("mức miễn, giảm (%)"), default=100, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("100 = miễn toàn bộ; 50 = giảm một nửa."))
    legal_basis = models.CharField(_("căn cứ"), max_length=300, blank=True)
    proof = models.CharField(_("giấy tờ chứng minh"), max_length=300, blank=True,
                             help_text=_("Cán bộ ghi số, ngày của giấy tờ này khi áp dụng."))
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("đối tượng miễn, giảm phí")
        verbose_name_plural = _("đối tượng miễn, giảm phí")
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=models.Q(percent__gte=1, percent__lte=100),
                                              name="procedures_exemption_percent_range")]

    def __str__(self) -> str:
        rate = _("miễn") if self.percent == 100 else _("giảm %s%%") % self.percent
        return f"{self.name} ({rate})"

    def reduce(self, amount: int) -> int:
        """What is still due on `amount` after this exemption, in whole đồng (rounded half up)."""
        return (amount * (100 - self.percent) + 50) // 100


class FeeItem(models.Model):
    channel = models.ForeignKey(ChannelOption, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("khoản phí, lệ phí"), max_length=300)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"), default=0)
    description = models.TextField(_("mô tả"), blank=True)
    exemptions = models.TextField(_("đối tượng miễn, giảm"), blank=True)
    allowed_exemptions = models.ManyToManyField(
        FeeExemption, blank=True, related_name="+", verbose_name=_("đối tượng miễn, giảm được áp dụng"),
        help_text=_("Để trống: cán bộ được chọn mọi đối tượng đang áp dụng."))
    refundable = models.BooleanField(_("hoàn lại khi bị từ chối"), default=True,
                                     help_text=_("Khoản đã nộp được hoàn trả nếu hồ sơ bị từ chối giải quyết."))

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount:,} đ"

    def exemption_choices(self):
        chosen = list(self.allowed_exemptions.all())
        return [e for e in chosen if e.is_active] if chosen else list(FeeExemption.objects.filter(is_active=True))


class RequiredDocument(models.Model):
    """Thành phần hồ sơ: a component of the dossier. `requirement` is its kind: handed in (required),
    shown for comparison and handed back (present: never a required upload), or handed in only in the
    case `condition` states (conditional: required once the applicant or the officer says it applies)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="documents")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    template_name = models.CharField(_("mẫu đơn, tờ khai"), max_length=300, blank=True)
    template_file = models.FileField(_("tệp mẫu"), upload_to="procedure-templates/", blank=True)
    originals = models.PositiveSmallIntegerField(_("bản chính"), default=1)
    copies = models.PositiveSmallIntegerField(_("bản sao"), default=0)
    requirement = models.CharField(_("loại thành phần"), max_length=12, choices=Requirement.choices,
                                   default=Requirement.REQUIRED)
    condition = models.CharField(_("điều kiện"), max_length=500, blank=True,
                                 help_text=_("Trường hợp phải nộp (bắt buộc với thành phần nộp theo điều kiện)."))
    file_types = models.CharField(_("định dạng tệp chấp nhận"), max_length=100, default="pdf,jpg,jpeg,png")
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.requirement == Requirement.CONDITIONAL and not self.condition.strip():
            raise ValidationError({"condition": _("Thành phần nộp theo điều kiện phải ghi rõ trường hợp phải nộp.")})

    @property
    def is_present_only(self) -> bool:
        return self.requirement == Requirement.PRESENT

    @property
    def accept_attr(self) -> str:
        """For <input type=file accept=...>: ".pdf,.jpg,.png"."""
        return ",".join("." + t.strip() for t in self.file_types.split(",") if t.strip())


class InternalStep(models.Model):
    """Quy trình nội bộ: one step of a channel's internal process, with its allotted working hours."""

    channel = models.ForeignKey(ChannelOption, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    step = models.CharField(_("bước"), max_length=10, choices=StepKind.choices)
    name = models.CharField(_("tên bước"), max_length=300, blank=True)
    responsible = models.CharField(_("người, bộ phận thực hiện"), max_length=300, blank=True)
    hours = models.DecimalField(_("thời gian (giờ làm việc)"), max_digits=7, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0.25"))])

    class Meta:
        verbose_name = _("bước xử lý nội bộ")
        verbose_name_plural = _("quy trình nội bộ")
        ordering = ["channel", "order"]
        constraints = [models.UniqueConstraint(fields=["channel", "order"], name="procedures_step_order_unique")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name or self.get_step_display()} ({self.hours} giờ)"



class AnywhereOverride(models.Model):
    """A province's own word on whether a procedure is on its list of procedures received regardless of
    administrative boundaries (Decree 118/2025/NĐ-CP): the province's decision publishing the list (e.g.
    Kon Tum's 95/QĐ-UBND) may add a procedure the published version does not flag, or take one off.

    Versioned: a procedure may have several rows per province; the one in force on a day is the one with the
    latest `effective_from` on or before that day (procedures.anywhere). Without a row in force, the version's
    own `anywhere` flag decides."""

    province = models.ForeignKey(
        "accounts.Agency", verbose_name=_("tỉnh"), on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"parent__isnull": True, "level": AgencyLevel.PROVINCE},
        help_text=_("UBND tỉnh (cơ quan gốc cấp tỉnh) ban hành danh mục."),
    )
    procedure = models.ForeignKey(Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE,
                                  related_name="anywhere_overrides")
    receivable = models.BooleanField(
        _("tiếp nhận không phụ thuộc địa giới hành chính"),
        help_text=_("Bỏ chọn: tỉnh đưa thủ tục ra khỏi danh mục (chỉ nộp tại cơ quan có thẩm quyền)."))
    decision_number = models.CharField(_("quyết định công bố danh mục"), max_length=100,
                                       help_text=_("Ví dụ: 95/QĐ-UBND."))
    effective_from = models.DateField(_("hiệu lực từ"))
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("danh mục tiếp nhận không phụ thuộc địa giới (điều chỉnh của tỉnh)")
        verbose_name_plural = _("danh mục tiếp nhận không phụ thuộc địa giới (điều chỉnh của tỉnh)")
        ordering = ["province", "procedure", "-effective_from"]
        constraints = [
            # Also the index of the in-force lookup: (province, procedure) then the latest effective_from.
            models.UniqueConstraint(fields=["province", "procedure", "effective_from"],
                                    name="procedures_anywhere_override_unique",
                                    violation_error_message=_("Tỉnh đã có điều chỉnh cho thủ tục này từ cùng "
                                                              "ngày hiệu lực.")),
        ]

    def __str__(self) -> str:
        state = _("tiếp nhận mọi nơi") if self.receivable else _("không tiếp nhận mọi nơi")
        return f"{self.procedure_id and self.procedure.code}: {state} ({self.decision_number})"

    def clean(self):
        if self.province_id is None:
            return
        province = self.province
        if province.parent_id is not None or province.level != AgencyLevel.PROVINCE:
            raise ValidationError({"province": _("“%(name)s” không phải UBND tỉnh: danh mục tiếp nhận không phụ "
                                                 "thuộc địa giới hành chính do tỉnh (cơ quan gốc cấp tỉnh) ban "
                                                 "hành.") % {"name": province}})


class DeclarationForm(models.Model):
    """Tờ khai điện tử: the interactive form of a component (a declaration, an application) that the citizen or
    the desk fills in on the portal instead of a scanned paper form. A JSON Schema for the data and a layout
    for the page and the print (`eforms.definition`); part of the procedure version, so a published one never
    changes (a new version copies it and may change the copy)."""

    document = models.OneToOneField(RequiredDocument, verbose_name=_("thành phần hồ sơ"), on_delete=models.CASCADE,
                                    related_name="eform")
    schema = models.JSONField(_("dữ liệu (JSON Schema)"))
    layout = models.JSONField(_("bố cục (layout)"))
    print_template = models.CharField(_("mẫu in"), max_length=40, default="generic")
    official_template = models.CharField(
        _("mẫu chính thức"), max_length=300, blank=True,
        help_text=_("Mẫu được số hóa và văn bản ban hành, ví dụ: Tờ khai đăng ký khai sinh, Thông tư 04/2024/TT-BTP."))
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)

    class Meta:
        verbose_name = _("tờ khai điện tử")
        verbose_name_plural = _("tờ khai điện tử")

    def __str__(self) -> str:
        return self.layout.get("title", "") if isinstance(self.layout, dict) else str(self.pk)

    @property
    def form(self) -> Form:
        if getattr(self, "_form", None) is None or self._form.schema is not self.schema:
            self._form = Form(self.schema, self.layout)
        return self._form
