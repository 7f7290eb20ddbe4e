"""Database overrides of the national calendar (per year, optionally per province)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .units import OverrideKind


class CalendarOverride(models.Model):
    """A change to the calendar the `holidays` package computes: an extra day off, a make-up
    working Saturday, or a day off removed. A province's own override wins over a national one."""

    date = models.DateField(pgettext_lazy("calendar day", "ngày"))
    kind = models.CharField(_("loại"), max_length=16, choices=OverrideKind.choices)
    name = models.CharField(_("tên ngày"), max_length=200, blank=True,
                            help_text=_("Ví dụ: Nghỉ bù Quốc khánh; Làm bù cho ngày 02/5."))
    province = models.ForeignKey(
        "accounts.Agency", verbose_name=_("chỉ áp dụng cho tỉnh"), null=True, blank=True, on_delete=models.CASCADE,
        limit_choices_to={"parent__isnull": True}, related_name="calendar_overrides",
        help_text=_("Để trống: áp dụng toàn quốc."),
    )
    legal_basis = models.CharField(_("căn cứ"), max_length=255, blank=True,
                                   help_text=_("Số văn bản công bố lịch nghỉ, ví dụ Thông báo 6150/TB-BLĐTBXH."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("người nhập"))
    created_at = models.DateTimeField(_("nhập lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)

    class Meta:
        verbose_name = _("điều chỉnh lịch làm việc")
        verbose_name_plural = _("điều chỉnh lịch làm việc")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["date"], condition=models.Q(province__isnull=True),
                                    name="workcalendar_override_national_unique",
                                    violation_error_message=_("Ngày này đã có điều chỉnh toàn quốc.")),
            models.UniqueConstraint(fields=["date", "province"], condition=models.Q(province__isnull=False),
                                    name="workcalendar_override_province_unique",
                                    violation_error_message=_("Ngày này đã có điều chỉnh cho tỉnh này.")),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.get_kind_display()}{' — ' + self.name if self.name else ''}"

    def clean(self) -> None:
        super().clean()
        if self.date is None:
            return
        weekend = self.date.weekday() >= 5
        if self.kind == OverrideKind.WORKING_DAY and not weekend:
            raise ValidationError({"kind": _("Ngày làm bù phải là thứ Bảy hoặc Chủ nhật; ngày thường đã là ngày "
                                             "làm việc (dùng “Bỏ ngày nghỉ” để huỷ một ngày lễ).")})
        if self.kind in (OverrideKind.DAY_OFF, OverrideKind.REMOVE_DAY_OFF) and weekend:
            raise ValidationError({"kind": _("Thứ Bảy, Chủ nhật đã là ngày nghỉ; chỉ có thể đánh dấu là ngày làm bù.")})
        if self.province_id and self.province.parent_id is not None:
            raise ValidationError({"province": _("Chỉ chọn cấp tỉnh (cơ quan không có cấp trên).")})


class CalendarYear(models.Model):
    """Whether a year's holiday schedule has been confirmed against the official announcement."""

    year = models.PositiveSmallIntegerField(_("năm"), unique=True)
    confirmed = models.BooleanField(_("đã xác nhận lịch nghỉ chính thức"), default=False)
    legal_basis = models.CharField(_("căn cứ"), max_length=255, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("người xác nhận"))
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("lịch năm")
        verbose_name_plural = _("lịch năm")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)
