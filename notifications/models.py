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
    """An in-portal notification for a staff member (the bell list). Written only through
    `services.inbox_post` / `inbox_post_many` (and the sweep's INSERT ... SELECT, which then calls
    `services.inbox_digests_add`): every item is counted in the `InboxDigest` of its (user, day, kind)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="inbox")
    key = models.CharField(_("khoá chống trùng"), max_length=200, unique=True)
    # What it is about ("track-overdue", "reassign", "feedback"...: `kinds.kind_of(key)` unless the caller says),
    # and its local day: the notices page shows one digest line per (user, day, kind).
    kind = models.CharField(_("loại"), max_length=40, default="", blank=True)
    day = models.DateField(_("ngày"), default=timezone.localdate)
    text = models.CharField(_("nội dung"), max_length=500)
    url = models.CharField(_("liên kết"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo trong cổng")
        verbose_name_plural = _("thông báo trong cổng")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "day", "kind", "-created_at"], name="inbox_item_digest")]

    def __str__(self) -> str:
        return self.text[:60]


class InboxDigest(models.Model):
    """The notices of one user, one day and one kind, counted: what the bell sums and the notices page lists
    (#21: a leader with tens of thousands of sweep notices sees a few dozen lines, not the thousands).
    The counters move in the transaction that adds, reads or deletes the items (an upsert, F() arithmetic),
    never by counting items: `total` is how many items the digest has, `unread` how many are not read."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("ngày"))
    kind = models.CharField(_("loại"), max_length=40)
    total = models.PositiveIntegerField(_("số thông báo"), default=0)
    unread = models.PositiveIntegerField(_("chưa đọc"), default=0)
    latest_at = models.DateTimeField(_("thông báo mới nhất lúc"))
    latest_text = models.CharField(_("thông báo mới nhất"), max_length=500)
    latest_url = models.CharField(_("liên kết của thông báo mới nhất"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("nhóm thông báo")
        verbose_name_plural = _("nhóm thông báo")
        constraints = [
            # (user, day) first: the bell's range read of the last INBOX_BELL_DAYS days uses this index
            models.UniqueConstraint(fields=["user", "day", "kind"], name="inbox_digest_user_day_kind"),
            models.CheckConstraint(condition=models.Q(unread__gte=0, total__gte=0, unread__lte=models.F("total")),
                                   name="inbox_digest_counts_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day} {self.kind}: {self.unread}/{self.total}"
