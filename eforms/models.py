"""The administrative units an address on a declaration names: since 1 July 2025 two tiers, the province
(tỉnh, thành phố trực thuộc trung ương) and the commune (xã, phường, đặc khu) (Resolution 202/2025/QH15,
Law on the Organisation of Local Government 2025). The 34 provinces are loaded by a migration; the communes
come from the official list (`manage.py import_admin_units`), the demo province's from `seed_demo`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Tỉnh, thành phố")
    COMMUNE = "commune", _("Xã, phường, đặc khu")


class AdministrativeUnit(models.Model):
    code = models.CharField(_("mã"), max_length=12, unique=True)
    name = models.CharField(_("tên"), max_length=150)
    level = models.CharField(_("cấp"), max_length=10, choices=UnitLevel.choices)
    parent = models.ForeignKey("self", verbose_name=_("thuộc tỉnh"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    is_active = models.BooleanField(_("đang sử dụng"), default=True)

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(level="province", parent__isnull=True)
                           | models.Q(level="commune", parent__isnull=False)),
                name="eforms_unit_tiers"),
        ]

    def __str__(self) -> str:
        return self.name
