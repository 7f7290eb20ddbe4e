"""The desk floor: services a ticket is taken for, counters that call them, priority groups, numbered
tickets and what happened to each (issued, called, recalled, skipped, transferred, served), and the
display's feed of calls. A ticket links to the dossiers received while it was served.

Layer: beside `payments` / `docstore` / `nationalportal` (above `dossiers`): a ticket points at the
dossiers it became, and the dossier app never needs to know about queues (it announces a reception;
this app listens). `satisfaction` sits above and links an answer to its ticket."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Service(models.Model):
    """What a citizen takes a ticket for at one centre: a field (lĩnh vực) or a group of procedures."""

    agency = models.ForeignKey("accounts.Agency", verbose_name=_("trung tâm / bộ phận một cửa"),
                               on_delete=models.CASCADE, related_name="queue_services")
    code = models.CharField(_("ký hiệu"), max_length=2,
                            help_text=_("In trước số thứ tự, ví dụ 1 → 1001, 1002… hoặc A → A001."))
    name = models.CharField(_("tên dịch vụ"), max_length=200)
    fields = models.ManyToManyField("procedures.Field", verbose_name=_("lĩnh vực"), blank=True, related_name="+")
    order = models.PositiveSmallIntegerField(_("thứ tự hiển thị"), default=0)
    is_active = models.BooleanField(_("đang phục vụ"), default=True)
    slot_minutes = models.PositiveSmallIntegerField(_("độ dài khung giờ hẹn (phút)"), default=30)
    bookings_per_counter_slot = models.PositiveSmallIntegerField(
        _("số lịch hẹn mỗi quầy mỗi khung giờ"), default=2,
        help_text=_("0: dịch vụ không nhận đặt lịch hẹn trực tuyến."))
    max_bookings_per_person_day = models.PositiveSmallIntegerField(_("số lịch hẹn tối đa mỗi người mỗi ngày"),
                                                                   default=2)
    booking_days_ahead = models.PositiveSmallIntegerField(_("đặt trước tối đa (ngày)"), default=6)

    class Meta:
        verbose_name = _("dịch vụ xếp hàng")
        verbose_name_plural = _("dịch vụ xếp hàng")
        ordering = ["agency_id", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="queue_service_code")]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Counter(models.Model):
    """A counter (quầy) of a centre, serving some of its services, opened by the officer who staffs it."""

    agency = models.ForeignKey("accounts.Agency", verbose_name=_("trung tâm / bộ phận một cửa"),
                               on_delete=models.CASCADE, related_name="queue_counters")
    number = models.PositiveSmallIntegerField(_("số quầy"))
    name = models.CharField(_("tên quầy"), max_length=120, blank=True)
    services = models.ManyToManyField(Service, verbose_name=_("phục vụ"), related_name="counters")
    is_active = models.BooleanField(_("đang sử dụng"), default=True)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cán bộ đang trực"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="queue_counters")
    opened_at = models.DateTimeField(_("mở quầy lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("quầy")
        verbose_name_plural = _("quầy")
        ordering = ["agency_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="queue_counter_number"),
            models.UniqueConstraint(fields=["officer"], condition=models.Q(officer__isnull=False),
                                    name="queue_one_counter_per_officer"),
        ]

    def __str__(self) -> str:
        return self.name or f"Quầy số {self.number}"

    @property
    def is_open(self) -> bool:
        return self.officer_id is not None


class PriorityGroup(models.Model):
    """People served first (README "Calling order"): the lower the rank, the earlier."""

    code = models.SlugField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("tên nhóm"), max_length=120)
    rank = models.PositiveSmallIntegerField(_("thứ tự ưu tiên"), default=10, help_text=_("Số nhỏ được gọi trước."))
    note = models.CharField(_("căn cứ, giấy tờ cần xuất trình"), max_length=255, blank=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("nhóm ưu tiên")
        verbose_name_plural = _("nhóm ưu tiên")
        ordering = ["rank", "code"]

    def __str__(self) -> str:
        return self.name


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Đang chờ")
    CALLED = "called", _("Đã gọi")
    SERVING = "serving", _("Đang phục vụ")
    DONE = "done", _("Đã phục vụ xong")
    NO_SHOW = "no_show", _("Vắng mặt khi gọi")
    ABANDONED = "abandoned", _("Bỏ về, không được gọi")


ACTIVE = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)


def new_token() -> str:
    return secrets.token_urlsafe(12)


class DailySequence(models.Model):
    """The last number issued for a service on a day (row-locked while a ticket is numbered)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "day"], name="queue_sequence_day")]

    def __str__(self) -> str:
        return f"{self.service_id} {self.day}: {self.last}"


class Ticket(models.Model):
    agency = models.ForeignKey("accounts.Agency", verbose_name=_("trung tâm"), on_delete=models.CASCADE,
                               related_name="queue_tickets")
    service = models.ForeignKey(Service, verbose_name=_("dịch vụ"), on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField(_("ngày"))
    number = models.PositiveIntegerField(_("số"))
    code = models.CharField(_("số thứ tự"), max_length=12)
    token = models.CharField(_("mã tra cứu"), max_length=24, unique=True, default=new_token, editable=False)
    priority = models.ForeignKey(PriorityGroup, verbose_name=_("nhóm ưu tiên"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    priority_rank = models.PositiveSmallIntegerField(default=1000)  # copied: the order must not move under a queue
    appointment = models.OneToOneField("queueing.Appointment", verbose_name=_("lịch hẹn"), null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="ticket")
    slot_start = models.DateTimeField(_("khung giờ hẹn từ"), null=True, blank=True)  # a booked ticket's slot
    phone = models.CharField(_("số điện thoại nhận tin"), max_length=20, blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=TicketStatus.choices,
                              default=TicketStatus.WAITING)
    issued_at = models.DateTimeField(_("lấy số lúc"))
    called_at = models.DateTimeField(_("gọi lần đầu lúc"), null=True, blank=True)
    last_called_at = models.DateTimeField(_("gọi gần nhất lúc"), null=True, blank=True)
    calls = models.PositiveSmallIntegerField(_("số lần gọi"), default=0)
    serving_at = models.DateTimeField(_("bắt đầu phục vụ lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    counter = models.ForeignKey(Counter, verbose_name=_("quầy"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="tickets")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cán bộ phục vụ"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    target_counter = models.ForeignKey(Counter, verbose_name=_("chuyển đến quầy"), null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+",
                                       help_text=_("Vé được chuyển: chỉ quầy này gọi, và gọi trước."))
    transferred_at = models.DateTimeField(_("chuyển quầy lúc"), null=True, blank=True)
    near_turn_sms_at = models.DateTimeField(_("đã nhắn sắp đến lượt lúc"), null=True, blank=True)
    dossiers = models.ManyToManyField("dossiers.Dossier", verbose_name=_("hồ sơ tiếp nhận"), blank=True,
                                      related_name="queue_tickets")
    once_key = models.CharField(max_length=64, blank=True)  # the kiosk form's one-time key (a double tap)

    class Meta:
        verbose_name = _("vé xếp hàng")
        verbose_name_plural = _("vé xếp hàng")
        ordering = ["-day", "service_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["service", "day", "number"], name="queue_ticket_number"),
            models.UniqueConstraint(fields=["agency", "once_key"], condition=~models.Q(once_key=""),
                                    name="queue_ticket_once"),
        ]
        indexes = [
            models.Index(fields=["agency", "day", "status"], name="queue_ticket_day_status"),
            models.Index(fields=["counter", "status"], name="queue_ticket_counter"),
        ]

    def __str__(self) -> str:
        return self.code


class TicketEventType(models.TextChoices):
    ISSUED = "issued", _("Lấy số")
    CALLED = "called", _("Gọi số")
    RECALLED = "recalled", _("Gọi lại")
    SERVING = "serving", _("Bắt đầu phục vụ")
    DONE = "done", _("Phục vụ xong")
    NO_SHOW = "no_show", _("Vắng mặt")
    TRANSFERRED = "transferred", _("Chuyển quầy")
    ABANDONED = "abandoned", _("Hết ngày chưa được gọi")
    DOSSIER = "dossier", _("Tiếp nhận hồ sơ")


class TicketEvent(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=12, choices=TicketEventType.choices)
    at = models.DateTimeField()
    counter = models.ForeignKey(Counter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.type}"


class Announcement(models.Model):
    """One call for the display (and its voice): the display asks for those after the last id it saw."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="announcements")
    counter = models.ForeignKey(Counter, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    text = models.CharField(max_length=200)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["agency", "id"], name="queue_announce_agency")]

    def __str__(self) -> str:
        return self.text


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Đã đặt")
    CANCELLED = "cancelled", _("Đã hủy")
    CHECKED_IN = "checked_in", _("Đã đến, đã lấy số")
    MISSED = "missed", _("Không đến")


class Appointment(models.Model):
    """A slot booked online for a service of a centre."""

    agency = models.ForeignKey("accounts.Agency", verbose_name=_("trung tâm"), on_delete=models.CASCADE,
                               related_name="queue_appointments")
    service = models.ForeignKey(Service, verbose_name=_("dịch vụ"), on_delete=models.PROTECT,
                                related_name="appointments")
    day = models.DateField(_("ngày hẹn"))
    slot_start = models.DateTimeField(_("từ"))
    slot_end = models.DateTimeField(_("đến"))
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người đặt"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="queue_appointments")
    name = models.CharField(_("họ tên"), max_length=120)
    phone = models.CharField(_("số điện thoại"), max_length=20)
    code = models.CharField(_("mã lịch hẹn"), max_length=24, unique=True, default=new_token, editable=False)
    status = models.CharField(_("trạng thái"), max_length=12, choices=AppointmentStatus.choices,
                              default=AppointmentStatus.BOOKED)
    created_at = models.DateTimeField(_("đặt lúc"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("đã nhắc lúc"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("đến lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lịch hẹn")
        verbose_name_plural = _("lịch hẹn")
        ordering = ["slot_start", "id"]
        indexes = [models.Index(fields=["service", "slot_start", "status"], name="queue_appt_slot"),
                   models.Index(fields=["phone", "day"], name="queue_appt_phone_day")]

    def __str__(self) -> str:
        return f"{self.service.code} {self.slot_start:%d/%m %H:%M} {self.name}"
