"""The delivery log: every message the portal sends, retried until delivered, never twice."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi")


class EmailMessage(models.Model):
    key = models.CharField(
        _("khoá chống trùng"), max_length=200, unique=True, null=True, blank=True,
        help_text=_("Cùng một khoá chỉ được gửi một lần."),
    )
    to = models.EmailField(_("người nhận"))
    # Whose account the message went to and the page it is about: the citizen's notifications page lists them.
    user = models.ForeignKey("accounts.User", verbose_name=_("tài khoản nhận"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    link = models.CharField(_("liên kết"), max_length=300, blank=True)
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body_text = models.TextField(_("nội dung"))
    body_html = models.TextField(_("nội dung HTML"), blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thư điện tử")
        verbose_name_plural = _("thư điện tử")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"]),
                   models.Index(fields=["user", "-created_at"], name="email_user_created")]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class SmsMessage(models.Model):
    key = models.CharField(_("khoá chống trùng"), max_length=200, unique=True, null=True, blank=True)
    to = models.CharField(_("số điện thoại"), max_length=16)
    # Whose account the message went to and the page it is about: the citizen's notifications page lists them.
    user = models.ForeignKey("accounts.User", verbose_name=_("tài khoản nhận"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    link = models.CharField(_("liên kết"), max_length=300, blank=True)
    body = models.CharField(_("nội dung"), max_length=480)
    status = models.CharField(_("trạng thái"), max_length=8, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    provider_id = models.CharField(_("mã của nhà mạng"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tin nhắn SMS")
        verbose_name_plural = _("tin nhắn SMS")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="sms_user_created")]

    def __str__(self) -> str:
        return f"{self.to}: {self.body[:40]}"


class InboxItem(models.Model):
    """An in-portal notification for a staff member (the bell list)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="inbox")
    key = models.CharField(_("khoá chống trùng"), max_length=200, unique=True)
    text = models.CharField(_("nội dung"), max_length=500)
    url = models.CharField(_("liên kết"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo trong cổng")
        verbose_name_plural = _("thông báo trong cổng")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.text[:60]
