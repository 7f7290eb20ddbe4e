"""Units of legal and internal time limits (stored with every duration, ARCHITECTURE.md §3.7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DurationUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    DAYS = "days", _("ngày")
    WORKING_HOURS = "working_hours", _("giờ làm việc")


class ClockPolicy(models.TextChoices):
    """What a supplement request during processing does to the clock."""

    RESTART = "restart", _("Tính lại từ đầu khi nhận đủ hồ sơ bổ sung (Nghị định 61/2018, Điều 19(4))")
    PAUSE = "pause", _("Tạm dừng trong thời gian chờ bổ sung")


class OverrideKind(models.TextChoices):
    DAY_OFF = "day_off", _("Ngày nghỉ thêm")
    WORKING_DAY = "working_day", _("Ngày làm bù (làm việc vào cuối tuần)")
    REMOVE_DAY_OFF = "remove_day_off", _("Bỏ ngày nghỉ (đi làm bình thường)")
