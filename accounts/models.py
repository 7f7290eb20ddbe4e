"""Users, agencies (cơ quan, đơn vị) and staff roles."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .validators import display_phone, normalize_phone, validate_agency_code, validate_citizen_id, validate_phone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("email is required")
        email = self.normalize_email(email).lower()
        if extra.get("phone"):
            extra["phone"] = normalize_phone(extra["phone"])
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("email_verified_at", timezone.now())
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: a citizen, a representative of an organisation, or staff.

    Logs in with the e-mail address or the phone number (accounts.backends).
    Staff are users holding at least one StaffRole; only administrators create them.
    """

    email = models.EmailField(_("email"), unique=True)
    phone = models.CharField(
        _("số điện thoại"), max_length=16, blank=True, null=True, unique=True, validators=[validate_phone]
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    citizen_id = models.CharField(
        _("số CCCD"), max_length=12, blank=True, null=True, unique=True, validators=[validate_citizen_id]
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    is_staff = models.BooleanField(
        _("vào trang quản trị"), default=False, help_text=_("Được đăng nhập trang quản trị Django.")
    )
    email_verified_at = models.DateTimeField(_("xác thực email lúc"), null=True, blank=True)
    date_joined = models.DateTimeField(_("ngày tạo"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        if self.phone:
            self.phone = normalize_phone(self.phone)
        else:
            self.phone = None
        if not self.citizen_id:
            self.citizen_id = None

    @property
    def phone_display(self) -> str:
        return display_phone(self.phone or "")

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split()[-1] if self.full_name else self.email


class AgencyLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh (UBND tỉnh)")
    DEPARTMENT = "department", _("Sở, ban, ngành cấp tỉnh")
    CENTER = "center", _("Trung tâm Phục vụ hành chính công")
    COMMUNE = "commune", _("Cấp xã (xã, phường, đặc khu)")
    MINISTRY = "ministry", _("Bộ, ngành trung ương")


def default_morning_start() -> datetime.time:
    return settings.OFFICE_HOURS["morning_start"]


def default_morning_end() -> datetime.time:
    return settings.OFFICE_HOURS["morning_end"]


def default_afternoon_start() -> datetime.time:
    return settings.OFFICE_HOURS["afternoon_start"]


def default_afternoon_end() -> datetime.time:
    return settings.OFFICE_HOURS["afternoon_end"]


def default_cutoff() -> datetime.time:
    return settings.OFFICE_HOURS["cutoff"]


class Agency(models.Model):
    """A public body in the two-tier local government (since 07/2025): province → department / commune."""

    parent = models.ForeignKey(
        "self", verbose_name=_("cơ quan cấp trên"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("tên cơ quan"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=64, blank=True)
    level = models.CharField(_("cấp"), max_length=16, choices=AgencyLevel.choices)
    code = models.CharField(
        _("mã định danh"), max_length=32, unique=True, validators=[validate_agency_code],
        help_text=_("Mã theo QCVN 102:2016/BTTTT, dùng trong mã hồ sơ, ví dụ H21.65."),
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    hotline = models.CharField(_("đường dây nóng"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    morning_start = models.TimeField(_("buổi sáng từ"), default=default_morning_start)
    morning_end = models.TimeField(_("buổi sáng đến"), default=default_morning_end)
    afternoon_start = models.TimeField(_("buổi chiều từ"), default=default_afternoon_start)
    afternoon_end = models.TimeField(_("buổi chiều đến"), default=default_afternoon_end)
    reception_cutoff = models.TimeField(
        _("giờ chốt tiếp nhận"), default=default_cutoff,
        help_text=_("Hồ sơ nhận sau giờ này được tính là nhận vào ngày làm việc tiếp theo."),
    )
    head = models.ForeignKey(
        User, verbose_name=_("thủ trưởng cơ quan"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="headed_agencies",
    )
    head_title = models.CharField(_("chức danh thủ trưởng"), max_length=100, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(morning_start__lt=models.F("morning_end"))
                & models.Q(morning_end__lte=models.F("afternoon_start"))
                & models.Q(afternoon_start__lt=models.F("afternoon_end")),
                name="accounts_agency_office_hours_ordered",
                violation_error_message=_("Giờ làm việc phải theo thứ tự: sáng bắt đầu < sáng kết thúc ≤ "
                                          "chiều bắt đầu < chiều kết thúc."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def province(self) -> Agency:
        """The root of this agency's tree (the province, or a ministry)."""
        node = self
        seen = set()
        while node.parent_id and node.pk not in seen:
            seen.add(node.pk)
            node = node.parent
        return node


class Role(models.TextChoices):
    RECEPTION = "reception", _("Cán bộ tiếp nhận (Bộ phận Một cửa)")
    APPRAISER = "appraiser", _("Chuyên viên thẩm định")
    APPROVER = "approver", _("Lãnh đạo phê duyệt")
    HOME_AFFAIRS = "home_affairs", _("Cán bộ Sở Nội vụ")
    ADMIN = "admin", _("Quản trị viên")


class StaffRole(models.Model):
    """One role of one user in one agency. A user may hold several roles in several agencies."""

    user = models.ForeignKey(User, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="staff_roles")
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="staff_roles")
    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(_("ngày giao"), auto_now_add=True)

    class Meta:
        verbose_name = _("vai trò cán bộ")
        verbose_name_plural = _("vai trò cán bộ")
        constraints = [models.UniqueConstraint(fields=["user", "agency", "role"], name="accounts_staffrole_unique")]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user.full_name} — {self.get_role_display()} — {self.agency.short_name or self.agency.name}"
