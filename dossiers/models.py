"""Dossiers (hồ sơ), their events (the control sheet, Mẫu 05) and the daily code counters."""

from __future__ import annotations

import enum
import functools
import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMFieldMixin

from core.choices import ChoiceLabels
from procedures.models import Channel, Requirement
from regulations.selectors import apology_reason_label
from signing.problems import problem_text

from .workflow import OPEN, TRANSITIONS, WAITING_FOR_CITIZEN, DossierWorkflow, Status, Step

OPEN_STATES = sorted(OPEN)
# The clock is running (lateness.sweep.RUNNING): open, not waiting for the citizen, the result not at the desk yet.
RUNNING_STATES = sorted(OPEN - WAITING_FOR_CITIZEN - {Status.RESULT_READY})


class ReturnChannel(models.TextChoices):
    DESK = "desk", _("Tại Bộ phận Một cửa")
    POSTAL = "postal", _("Qua dịch vụ bưu chính")
    ONLINE = "online", _("Trực tuyến")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("Cá nhân")
    ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")


class DeadlineState(models.TextChoices):
    """Where an open dossier stands against its appointment (kept by the deadline sweep in the
    `track` / `step_track` columns; `dossiers.lateness.classify` says which)."""

    ON_TRACK = "on_track", _("Trong hạn")
    DUE_SOON = "due_soon", _("Sắp đến hạn")
    OVERDUE = "overdue", _("Quá hạn")


class Punctuality(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")
    LATE_TWICE = "late_twice", _("Quá hạn lần 2 (sau khi đã hẹn lại)")


LATE_VALUES = (Punctuality.LATE, Punctuality.LATE_TWICE)


class FeeStatus(models.TextChoices):
    """Where the dossier's fees stand (fixed at reception; blank: nothing to pay)."""

    UNPAID = "unpaid", _("Chưa nộp phí, lệ phí")
    PAID = "paid", _("Đã nộp phí, lệ phí")
    CANCELLED = "cancelled", _("Không phải nộp (hồ sơ dừng trước khi nộp)")
    REFUND_DUE = "refund_due", _("Chờ hoàn trả phí, lệ phí")
    REFUNDED = "refunded", _("Đã hoàn trả phí, lệ phí")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Tiền mặt tại Bộ phận Một cửa")
    TRANSFER = "transfer", _("Chuyển khoản vào tài khoản của cơ quan")
    POSTAL = "postal", _("Qua doanh nghiệp bưu chính")
    ONLINE = "online", _("Thanh toán trực tuyến")
    NATIONAL_PORTAL = "national", _("Qua Cổng Dịch vụ công quốc gia")


@functools.cache
def _state_fields(model) -> tuple:
    return tuple(field for field in model._meta.fields if isinstance(field, FSMFieldMixin))


class Dossier(ChoiceLabels, ConcurrentTransitionMixin, DossierWorkflow, models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=40, unique=True, null=True, blank=True)
    pin = models.CharField(_("mã tra cứu (PIN)"), max_length=6, blank=True)
    # A dossier filed on the National Public Service Portal (Cổng Dịch vụ công quốc gia) keeps the code it
    # got there; the portal's own code is issued at reception as for any dossier (nationalportal.intake).
    national_code = models.CharField(_("mã hồ sơ trên Cổng DVC quốc gia"), max_length=40, unique=True, null=True,
                                     blank=True)
    procedure_version = models.ForeignKey("procedures.ProcedureVersion", verbose_name=_("thủ tục (phiên bản)"),
                                          on_delete=models.PROTECT, related_name="dossiers")
    channel = models.CharField(_("hình thức nộp"), max_length=10, choices=Channel.choices)
    return_channel = models.CharField(_("hình thức nhận kết quả"), max_length=10, choices=ReturnChannel.choices,
                                      default=ReturnChannel.DESK)
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("tài khoản người nộp"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="dossiers")
    applicant_kind = models.CharField(_("loại người nộp"), max_length=12, choices=ApplicantKind.choices,
                                      default=ApplicantKind.PERSON)
    applicant_name = models.CharField(_("họ tên / tên tổ chức"), max_length=255)
    applicant_id_number = models.CharField(_("số CCCD / mã số thuế"), max_length=20, blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    applicant_commune = models.CharField(_("xã, phường"), max_length=120, blank=True)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=16, blank=True)
    applicant_email = models.EmailField(_("email"), blank=True)
    representative_name = models.CharField(_("người được ủy quyền"), max_length=255, blank=True)
    representative_id_number = models.CharField(_("CCCD người được ủy quyền"), max_length=20, blank=True)
    receiving_agency = models.ForeignKey("accounts.Agency", verbose_name=_("cơ quan tiếp nhận"),
                                         on_delete=models.PROTECT, related_name="received_dossiers")
    handling_agency = models.ForeignKey("accounts.Agency", verbose_name=_("cơ quan giải quyết"),
                                        on_delete=models.PROTECT, related_name="handled_dossiers")
    # Reception regardless of administrative boundaries (Decree 118/2025): the desk where the citizen
    # collects the result (with `return_channel` "desk"); the receiving agency unless they chose another.
    returning_agency = models.ForeignKey("accounts.Agency", verbose_name=_("nơi trả kết quả"),
                                         on_delete=models.PROTECT, related_name="returned_dossiers")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cán bộ đang xử lý"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="assigned_dossiers")
    status = FSMField(_("trạng thái"), max_length=24, choices=Status.choices, default=Status.DRAFT, protected=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    due_at = models.DateTimeField(_("hẹn trả"), null=True, blank=True)
    original_due_at = models.DateTimeField(_("hẹn trả ban đầu"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("có kết quả lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    step = models.CharField(_("bước hiện tại"), max_length=10, choices=Step.choices, blank=True)
    step_started_at = models.DateTimeField(_("bước bắt đầu lúc"), null=True, blank=True)
    step_due_at = models.DateTimeField(_("hạn của bước"), null=True, blank=True)
    proposal = models.CharField(_("đề xuất của chuyên viên"), max_length=10, blank=True,
                                choices=[("approve", _("Giải quyết")), ("refuse", _("Từ chối"))])
    result_summary = models.TextField(_("kết quả giải quyết"), blank=True)
    refusal_reason = models.TextField(_("lý do từ chối / dừng"), blank=True)
    punctuality = models.CharField(_("tiến độ"), max_length=10, choices=Punctuality.choices, blank=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    # Kept by dossier_request_supplement with its event (the events stay the record): the Decision-766 count
    # (stats.counted_766) judges every dossier in progress by these two, without reading its events.
    supplement_requests = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    first_supplement_request_at = models.DateTimeField(_("yêu cầu bổ sung lần đầu lúc"), null=True, blank=True)
    extended_from = models.DateTimeField(
        _("hẹn trả trước khi hẹn lại"), null=True, blank=True,
        help_text=_("Ngày hẹn theo thời hạn luật định, trước khi cơ quan xin lỗi và hẹn lại (chỉ một lần)."))
    track = models.CharField(_("theo dõi hạn"), max_length=10, choices=DeadlineState.choices, blank=True, db_index=True)
    step_track = models.CharField(_("theo dõi hạn của bước"), max_length=10, choices=DeadlineState.choices, blank=True)
    tracked_at = models.DateTimeField(_("phân loại lúc"), null=True, blank=True)
    # The lateness forecast (dossiers.lateness.forecast), stored by each sweep on every open dossier: the
    # probability of missing the appointment, in [0, 1], and its main reason in words.
    risk = models.FloatField(_("khả năng trễ hẹn"), null=True, blank=True)
    risk_reason = models.CharField(_("lý do chính của khả năng trễ hẹn"), max_length=300, blank=True)
    risk_at = models.DateTimeField(_("dự báo lúc"), null=True, blank=True)
    fee_total = models.PositiveBigIntegerField(_("phí, lệ phí phải nộp (đồng)"), default=0)
    fee_status = models.CharField(_("tình trạng nộp phí"), max_length=12, choices=FeeStatus.choices, blank=True)
    fee_paid_at = models.DateTimeField(_("nộp phí lúc"), null=True, blank=True)
    fee_paid_via = models.CharField(_("nộp phí qua"), max_length=10, choices=PaymentMethod.choices, blank=True)
    # Paid before reception elsewhere (on the national portal) and less than the amount fixed at reception: the
    # desk collects the difference (`fee_to_collect`).
    fee_prepaid = models.PositiveBigIntegerField(_("đã nộp trước trên Cổng DVC quốc gia (đồng)"), default=0)
    refund_amount = models.PositiveBigIntegerField(_("số tiền phải hoàn trả"), default=0)
    e_result_sha256 = models.CharField(
        _("SHA-256 của kết quả điện tử"), max_length=64, blank=True,
        help_text=_("Ghi lại khi lãnh đạo ký duyệt kết quả điện tử (tệp PDF kết quả)."))
    e_result_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người ký kết quả điện tử"),
                                           null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    e_result_signed_at = models.DateTimeField(_("ký kết quả điện tử lúc"), null=True, blank=True)
    # The signed result as issued (signing.IssuedDocument: its verification page, its signature, revoked or
    # replaced); e_result_sha256 is that file's hash. Empty when the result was approved without a signature.
    e_result_document = models.ForeignKey("signing.IssuedDocument", verbose_name=_("kết quả điện tử đã ký số"),
                                          null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        # Worklists read "open dossiers of these agencies by due date": partial indexes on exactly that,
        # so a page is an ordered index scan with LIMIT, whatever the table size.
        indexes = [
            models.Index(fields=["receiving_agency", "due_at", "id"], name="dossier_recv_open_due",
                         condition=models.Q(status__in=OPEN_STATES)),
            models.Index(fields=["handling_agency", "due_at", "id"], name="dossier_hand_open_due",
                         condition=models.Q(status__in=OPEN_STATES)),
            # The overdue and due-soon queues (the clock running: RUNNING_STATES): results waiting at the desk for
            # years and dossiers waiting for the citizen would otherwise sit first in due-date order (at 5,000,000
            # dossiers, 37,790 rows read and dropped to show 25: 136 -> 0.4 ms).
            models.Index(fields=["receiving_agency", "due_at", "id"], name="dossier_recv_running_due",
                         condition=models.Q(status__in=RUNNING_STATES)),
            models.Index(fields=["handling_agency", "due_at", "id"], name="dossier_hand_running_due",
                         condition=models.Q(status__in=RUNNING_STATES)),
            # The deadline sweep and the risk forecast walk the running dossiers by id (keyset batches): without this
            # index that walk read the whole table in id order (a steady sweep at 5,000,000 dossiers: 24.2 -> 0.4 s).
            models.Index(fields=["id"], name="dossier_running_id", condition=models.Q(status__in=RUNNING_STATES)),
            # The open dossiers by legal appointment (before any re-appointment): the figures' refresh finds those
            # that passed it since its last run (parindex.services.time_touched_agencies).
            models.Index(Coalesce("extended_from", "due_at"), name="dossier_open_legal_due",
                         condition=models.Q(resolved_at__isnull=True, closed_at__isnull=True)),
            models.Index(fields=["receiving_agency", "due_at", "id"], name="dossier_recv_closed_due",
                         condition=~models.Q(status__in=OPEN_STATES)),
            # results that travel to another desk (reception regardless of administrative boundaries): few rows
            models.Index(fields=["returning_agency", "due_at", "id"], name="dossier_ret_open_due",
                         condition=models.Q(status__in=OPEN_STATES)
                         & ~models.Q(returning_agency=models.F("handling_agency"))),
            models.Index(fields=["handling_agency", "due_at", "id"], name="dossier_hand_closed_due",
                         condition=~models.Q(status__in=OPEN_STATES)),
            models.Index(fields=["receiving_agency", "status", "received_at"], name="dossier_recv_status_received"),
            # the monthly counts (dossiers/stats.py): received, finished or closed in a month, open at its end
            models.Index(fields=["received_at"], name="dossier_received_at"),
            models.Index(fields=["resolved_at"], name="dossier_resolved_at"),
            models.Index(fields=["closed_at"], name="dossier_closed_at"),
            models.Index(fields=["received_at"], name="dossier_unfinished_received",
                         condition=models.Q(resolved_at__isnull=True, closed_at__isnull=True)),
            # "Của tôi": the states where a role has the next move, per agency, in due order
            models.Index(fields=["receiving_agency", "status", "due_at", "id"], name="dossier_recv_status_due",
                         condition=models.Q(status__in=OPEN_STATES)),
            models.Index(fields=["handling_agency", "status", "due_at", "id"], name="dossier_hand_status_due",
                         condition=models.Q(status__in=OPEN_STATES)),
            # dossiers received for another competent agency (reception regardless of administrative boundaries)
            models.Index(fields=["receiving_agency", "due_at", "id"], name="dossier_routed_open_due",
                         condition=models.Q(status__in=OPEN_STATES)
                         & ~models.Q(receiving_agency=models.F("handling_agency"))),
            models.Index(fields=["assignee", "status", "due_at"], name="dossier_assignee_status"),
            # "Có nguy cơ trễ hẹn": open dossiers of an agency by forecast risk, highest first
            models.Index(fields=["handling_agency", "-risk", "id"], name="dossier_hand_open_risk",
                         condition=models.Q(status__in=OPEN_STATES, risk__isnull=False)),
            # The late-dossier report: an agency's overdue and due-soon dossiers by appointment (a page is an ordered
            # scan with LIMIT); the included columns let the report's counts be an index-only scan.
            models.Index(fields=["handling_agency", "due_at", "id"], name="dossier_hand_late_due",
                         include=["track", "assignee", "procedure_version"],
                         condition=models.Q(status__in=RUNNING_STATES, track__in=["due_soon", "overdue"])),
            models.Index(fields=["citizen", "-created_at"], name="dossier_citizen"),
            models.Index(fields=["handling_agency", "resolved_at"], name="dossier_hand_resolved"),
            models.Index(fields=["handling_agency", "received_at"], name="dossier_hand_received"),
        ]

    def __str__(self) -> str:
        return self.code or f"#{self.pk} ({self.get_status_display()})"

    @property
    def state_fields(self):
        """ConcurrentTransitionMixin's state fields, found once per class: the mixin's own property looks at
        every one of the ~60 fields again for each row loaded (a worklist page loads 26)."""
        return _state_fields(type(self))

    @property
    def fee_to_collect(self) -> int:
        """What is still to be paid of the amount fixed at reception (less what was paid before, elsewhere)."""
        if self.fee_status != FeeStatus.UNPAID:
            return 0
        return max(0, self.fee_total - self.fee_prepaid)

    def citizen_url(self) -> str:
        """Where the applicant follows this dossier (the link of the messages sent to them): their own page
        when it belongs to their account, else the tracking page with the code (the PIN is theirs)."""
        if self.citizen_id:
            return reverse("dossiers:detail", args=[self.pk])
        return reverse("dossiers:track") + (f"?code={self.code}" if self.code else "")

    @property
    def legal_due_at(self):
        """The appointment under the legal time limit (before any re-appointment)."""
        return self.extended_from or self.due_at

    @property
    def channel_option(self):
        return self.procedure_version.channels.filter(channel=self.channel).first()

    @property
    def channel_label(self) -> str:
        """The channel as the pages show it: an online dossier filed on the national portal says where."""
        if self.national_code:
            return str(_("Trực tuyến (Cổng DVC quốc gia)"))
        return self.get_channel_display()


class EventType(models.TextChoices):
    """Every kind of row on the control sheet (`DossierEvent.type`); written only through the
    functions of `dossiers.events`. The workflow's transitions are event types under their own name."""

    # the transitions of dossiers.workflow.TRANSITIONS (same names, same labels)
    SUBMIT = "submit", _("Nộp hồ sơ")
    RECEIVE = "receive", _("Tiếp nhận, cấp giấy hẹn (Mẫu 01)")
    GUIDE = "guide", _("Hướng dẫn bổ sung (Mẫu 02)")
    REFUSE_AT_RECEPTION = "refuse_at_reception", _("Từ chối tiếp nhận (Mẫu 03)")
    ASSIGN = "assign", _("Chuyển chuyên viên thẩm định")
    REQUEST_SUPPLEMENT = "request_supplement", _("Yêu cầu bổ sung qua Bộ phận Một cửa")
    SUPPLEMENT_RECEIVED = "supplement_received", _("Nhận đủ hồ sơ bổ sung")
    CONSULT = "consult", _("Xin ý kiến cơ quan liên quan")
    CONSULTATION_ANSWERED = "consultation_answered", _("Đã có ý kiến của cơ quan liên quan")
    PROPOSE = "propose", _("Trình lãnh đạo phê duyệt")
    APPROVE = "approve", _("Phê duyệt, ký kết quả")
    REFUSE = "refuse", _("Từ chối giải quyết (nêu rõ lý do)")
    SEND_BACK = "send_back", _("Trả lại để thẩm định lại")
    RESOLVE = "resolve", _("Chuyển kết quả về Bộ phận Một cửa")
    RETURN_RESULT = "return_result", _("Trả kết quả cho công dân")
    WITHDRAW = "withdraw", _("Rút hồ sơ")
    STOP = "stop", _("Dừng xử lý hồ sơ")
    # creation and reception
    CREATE = "create", _("Tạo hồ sơ")
    CREATE_AT_DESK = "create_at_desk", _("Nộp hồ sơ tại Bộ phận Một cửa")
    DIGITIZE = "digitize", _("Số hóa thành phần hồ sơ khi tiếp nhận")
    ATTACHMENT_ADDED = "attachment_added", _("Tải lên một tệp")
    ATTACHMENT_REMOVED = "attachment_removed", _("Gỡ một tệp")
    NOTIFIED = "notified", _("Đã gửi thông báo cho công dân")
    # tracking by code + PIN
    PIN_LOCKED = "pin_locked", _("Khóa tra cứu bằng mã PIN")
    PIN_UNLOCKED = "pin_unlocked", _("Mở khóa tra cứu bằng mã PIN")
    # fees (written by the payments app)
    FEE_PAID = "fee_paid", _("Đã nộp phí, lệ phí")
    FEE_PAID_TWICE = "fee_paid_twice", _("Nộp phí, lệ phí khi không còn phải nộp")
    FEE_REFUNDED = "fee_refunded", _("Đã hoàn trả phí, lệ phí")
    # lateness: the deadline sweep and the apology letters (Mẫu 04)
    DUE_SOON = "track_due_soon", _("Hồ sơ sắp đến hạn")
    OVERDUE = "track_overdue", _("Hồ sơ quá hạn")
    LATE_TWICE = "late_twice", _("Quá hạn lần 2 (sau ngày hẹn lại)")
    APOLOGY_DRAFTED = "apology_drafted", _("Lập dự thảo phiếu xin lỗi")
    APOLOGY_ISSUED = "apology_issued", _("Ban hành phiếu xin lỗi và hẹn lại")
    APOLOGY_CANCELLED = "apology_cancelled", _("Hủy dự thảo phiếu xin lỗi")
    # a day off declared (or a working day moved) after reception: the appointment moves by the law's counting
    CALENDAR_REAPPOINTED = "calendar_reappointed", _("Hẹn lại do thay đổi lịch làm việc")
    # hand-overs between desks (reception regardless of administrative boundaries, Decree 118/2025)
    HANDOVER_SENT = "handover_sent", _("Chuyển hồ sơ, kết quả sang Bộ phận Một cửa khác")
    HANDOVER_ACKNOWLEDGED = "handover_acknowledged", _("Xác nhận đã nhận hồ sơ, kết quả điện tử")
    PAPER_RECEIVED = "paper_received", _("Xác nhận đã nhận hồ sơ, kết quả giấy")
    HANDOVER_OVERDUE = "handover_overdue", _("Quá hạn xác nhận đã nhận hồ sơ chuyển đến")
    # the head (or whoever assigns) gave a dossier being appraised to another appraiser (the at-risk page)
    REASSIGN = "reassign", _("Chuyển sang chuyên viên thẩm định khác")
    # the electronic result: signed (with the agency's certificate or a leader's own), revoked
    RESULT_SIGNED = "result_signed", _("Ký số kết quả giải quyết")
    RESULT_REVOKED = "result_revoked", _("Thu hồi kết quả giải quyết điện tử")


class DossierEvent(ChoiceLabels, models.Model):
    """One row per transition: the control sheet (Mẫu 05), the audit trail and the citizen's timeline."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("sự kiện"), max_length=32, choices=EventType.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    from_agency = models.ForeignKey("accounts.Agency", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    to_agency = models.ForeignKey("accounts.Agency", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    step = models.CharField(_("bước"), max_length=10, choices=Step.choices, blank=True)
    at = models.DateTimeField(_("lúc"))
    step_due_at = models.DateTimeField(_("hạn của bước"), null=True, blank=True)
    punctuality = models.CharField(_("tiến độ"), max_length=10, choices=Punctuality.choices, blank=True)
    reason = models.TextField(_("lý do, ghi chú"), blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("sự kiện hồ sơ")
        verbose_name_plural = _("sự kiện hồ sơ")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["dossier", "at"])]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.type} {self.at:%d/%m/%Y %H:%M}"

    @property
    def status_label(self) -> str:
        return Status(self.to_status).label if self.to_status in Status.values else self.type

    @property
    def timeline_label(self) -> str:
        """What the timeline says for an event without details of its own: a workflow step the status it
        led to, any other kind its `EventType` label (a fee paid says so, not the status it happened in)."""
        if self.type in _STEP_NAMES:
            return self.status_label
        if self.type in _HANDOVER_TEXT:  # names the desks: both hand-overs would otherwise read alike
            return _HANDOVER_TEXT[self.type][self.payload.get("kind") == "result"] % {
                "from": self.from_agency.name if self.from_agency_id else "",
                "to": self.to_agency.name if self.to_agency_id else ""}
        return EventType(self.type).label if self.type in EventType.values else self.type


_STEP_NAMES = frozenset(t.name for t in TRANSITIONS if t.manual)  # create_at_desk has its own label
# (dossier, result) wording of each hand-over event on the timeline
_HANDOVER_TEXT = {
    EventType.HANDOVER_SENT: (_("%(from)s chuyển hồ sơ đến %(to)s"), _("%(from)s chuyển kết quả đến %(to)s")),
    EventType.HANDOVER_ACKNOWLEDGED: (_("%(to)s đã nhận hồ sơ (bản điện tử)"),
                                      _("Kết quả đã đến Bộ phận Một cửa của %(to)s")),
    EventType.PAPER_RECEIVED: (_("%(to)s đã nhận bản giấy của hồ sơ"), _("%(to)s đã nhận bản giấy của kết quả")),
    EventType.HANDOVER_OVERDUE: (_("%(to)s chưa xác nhận đã nhận hồ sơ trong hạn"),
                                 _("%(to)s chưa xác nhận đã nhận kết quả trong hạn")),
}


class DossierCodeCounter(models.Model):
    """The last sequence number issued per receiving agency and day (Circular 01/2018 Art. 19)."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="dossier_code_counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}: {self.last}"


class AttachmentKind(models.TextChoices):
    COMPONENT = "component", _("Thành phần hồ sơ")
    SUPPLEMENT = "supplement", _("Hồ sơ bổ sung")
    RESULT = "result", _("Kết quả giải quyết")


class SignatureCheckState(models.TextChoices):
    """What the check of a PDF's digital signatures found when the file was stored (blank: not a PDF)."""

    NONE = "none", _("Không có chữ ký số")
    VALID = "valid", _("Chữ ký số hợp lệ")
    INVALID = "invalid", _("Chữ ký số không hợp lệ")
    UNREADABLE = "unreadable", _("Không đọc được tệp PDF")


def attachment_path(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"dossiers/{instance.dossier_id}/{uuid.uuid4().hex}.{ext}"


class Attachment(ChoiceLabels, models.Model):
    """A file of a dossier, stored privately (served only through an access-checked view)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey("procedures.RequiredDocument", verbose_name=_("thành phần"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("loại"), max_length=12, choices=AttachmentKind.choices, default=AttachmentKind.COMPONENT)
    file = models.FileField(_("tệp"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("định dạng"), max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    reused = models.BooleanField(_("dùng lại từ kho dữ liệu"), default=False,
                                 help_text=_("Lấy từ kho dữ liệu cá nhân của công dân thay vì nộp lại."))
    scanned_at_reception = models.BooleanField(_("số hóa khi tiếp nhận"), default=False)
    signature_state = models.CharField(_("chữ ký số"), max_length=12, choices=SignatureCheckState.choices, blank=True,
                                       default="", help_text=_("Kết quả kiểm tra chữ ký số khi tải lên; trống với tệp "
                                                               "không phải PDF."))
    signature_report = models.JSONField(_("chi tiết chữ ký số"), default=list, blank=True,
                                        help_text=_("Từng chữ ký trong tệp: người ký, tổ chức cấp chứng thư, thời gian "
                                                    "ký, phạm vi, các lỗi."))

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["dossier", "kind", "is_active"])]

    def __str__(self) -> str:
        return self.original_name

    @property
    def signatures(self) -> list[dict]:
        """The stored signature report for display: each signing time read back as a datetime, each problem
        worded in the reader's language from its stored code."""
        return [{**s, "signed_at": parse_datetime(s["signed_at"]) if s.get("signed_at") else None,
                 "problems": _problems(s)} for s in self.signature_report or []]

    @property
    def signers(self) -> str:
        return ", ".join(s.get("signer_name") or "—" for s in self.signature_report or [])

    @property
    def signature_problems(self) -> list[str]:
        """Every reason a signature of the file fails, once each."""
        return list(dict.fromkeys(p for s in self.signature_report or [] for p in _problems(s)))


def _problems(report: dict) -> list[str]:
    if "issues" in report:
        return [problem_text(i.get("code", ""), i.get("params")) for i in report["issues"]]
    return list(report.get("problems") or [])  # stored before problems were kept as codes



class DeclarationStatus(models.TextChoices):
    DRAFT = "draft", _("Đang điền")
    DONE = "done", _("Đã hoàn tất")


class Declaration(models.Model):
    """A declaration form (procedures.DeclarationForm) filled in for a dossier, by the citizen online or by the desk
    for a walk-in citizen. `raw` is what was typed (a draft resumes from it); `data` the checked, typed values
    of the finished declaration, whose PDF in the official layout is the component's file (`attachment`)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="declarations")
    document = models.ForeignKey("procedures.RequiredDocument", verbose_name=_("thành phần"),
                                 on_delete=models.PROTECT, related_name="+")
    form = models.ForeignKey("procedures.DeclarationForm", verbose_name=_("tờ khai điện tử"),
                             on_delete=models.PROTECT, related_name="declarations")
    status = models.CharField(_("tình trạng"), max_length=8, choices=DeclarationStatus.choices,
                              default=DeclarationStatus.DRAFT)
    raw = models.JSONField(_("nội dung đang điền"), default=dict, blank=True)
    data = models.JSONField(_("dữ liệu tờ khai"), null=True, blank=True)
    search_text = models.TextField(_("chuỗi tìm kiếm"), blank=True, default="",
                                   help_text=_("Các giá trị đã điền, bỏ dấu, viết thường (tự động)."))
    attachment = models.OneToOneField(Attachment, verbose_name=_("tệp PDF"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="declaration")
    filled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người điền"), null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    by_desk = models.BooleanField(_("cán bộ điền tại quầy"), default=False)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)
    done_at = models.DateTimeField(_("hoàn tất lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tờ khai của hồ sơ")
        verbose_name_plural = _("tờ khai của hồ sơ")
        constraints = [models.UniqueConstraint(fields=["dossier", "document"], name="dossiers_declaration_once")]
        indexes = [models.Index(fields=["form", "status"], name="declaration_form_status")]

    def __str__(self) -> str:
        return f"{self.dossier} · {self.document_id}"


class DossierFee(models.Model):
    """One fee line of a dossier, fixed at reception from its procedure version's channel (with the
    exemption the officer applied); the receipt and the payment read these, never the catalogue."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="fees")
    fee_item = models.ForeignKey("procedures.FeeItem", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    name = models.CharField(_("khoản phí, lệ phí"), max_length=300)
    amount = models.PositiveBigIntegerField(_("mức thu (đồng)"))
    exemption = models.ForeignKey("procedures.FeeExemption", verbose_name=_("đối tượng miễn, giảm"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    exemption_name = models.CharField(_("đối tượng miễn, giảm"), max_length=300, blank=True)
    exemption_percent = models.PositiveSmallIntegerField(_("mức miễn, giảm (%)"), default=0)
    exemption_note = models.CharField(_("giấy tờ chứng minh"), max_length=255, blank=True)
    amount_due = models.PositiveBigIntegerField(_("phải nộp (đồng)"))
    refundable = models.BooleanField(_("hoàn lại khi bị từ chối"), default=True)

    class Meta:
        verbose_name = _("phí, lệ phí của hồ sơ")
        verbose_name_plural = _("phí, lệ phí của hồ sơ")
        ordering = ["dossier", "id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount_due:,} đ"


class PersonalDataAccess(models.Model):
    """Decree 13/2023/NĐ-CP: every opening of a dossier's personal data by staff, and every export."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dossier = models.ForeignKey(Dossier, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("thao tác"), max_length=20)  # view, download, print, export
    detail = models.CharField(_("chi tiết"), max_length=255, blank=True)
    at = models.DateTimeField(_("lúc"), auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("truy cập dữ liệu cá nhân")
        verbose_name_plural = _("nhật ký truy cập dữ liệu cá nhân")
        ordering = ["-at"]
        indexes = [models.Index(fields=["dossier", "-at"]), models.Index(fields=["user", "-at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.dossier_id} {self.at:%d/%m/%Y %H:%M}"


def result_draft_path(instance, filename: str) -> str:
    return f"dossiers/{instance.dossier_id}/to-sign-{instance.public_id}.pdf"


class ResultDraft(models.Model):
    """A result PDF prepared for a leader who signs on their own PC with a USB token: the draft with the QR
    code and address of its verification page added (an unsigned incremental update), kept byte for byte,
    so that the signed file uploaded back can be recognised as exactly this draft. Its `public_id` is
    reserved for the issued document (signing.IssuedDocument) the signed upload becomes."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="result_drafts")
    attachment = models.ForeignKey(Attachment, verbose_name=_("dự thảo kết quả"), on_delete=models.CASCADE,
                                   related_name="+")
    public_id = models.CharField(_("mã xác minh dành sẵn"), max_length=32, unique=True)
    file = models.FileField(_("bản để ký"), upload_to=result_draft_path, max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    prepared_at = models.DateTimeField(_("chuẩn bị lúc"))
    document = models.ForeignKey("signing.IssuedDocument", verbose_name=_("văn bản đã ký"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("bản dự thảo kết quả để ký số")
        verbose_name_plural = _("bản dự thảo kết quả để ký số")
        ordering = ["-prepared_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["attachment"], condition=models.Q(document__isnull=True),
                                               name="result_draft_one_open_per_file")]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.public_id}"


class ConsultationTask(ChoiceLabels, models.Model):
    """Liên thông: another agency is asked for its opinion, with its own deadline; the dossier waits."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="consultations")
    agency = models.ForeignKey("accounts.Agency", verbose_name=_("cơ quan được xin ý kiến"), on_delete=models.PROTECT,
                               related_name="consultation_tasks")
    question = models.TextField(_("nội dung xin ý kiến"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("gửi lúc"))
    due_at = models.DateTimeField(_("hạn trả lời"))
    answer = models.TextField(_("ý kiến trả lời"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("xin ý kiến liên thông")
        verbose_name_plural = _("xin ý kiến liên thông")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["agency", "answered_at", "due_at"])]

    def __str__(self) -> str:
        return f"{self.dossier} → {self.agency}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class ApologyReason(enum.StrEnum):
    """The codes of the reasons why the result will be late (the officer picks one; Decree 61/2018 Art. 19(9),
    Art. 21, now Decree 118/2025). The list an officer chooses from and the labels printed on the letter are
    those of the rule set in force (regulations.RuleSet.apology_reasons); these are only the codes the program
    itself refers to (the sweep's pre-filled reason, the lost-dossier wording, "other" needing a text)."""

    CONSULTATION = "consultation"
    SITE_INSPECTION = "site_inspection"
    SUPPLEMENT = "supplement"
    COMPLEX = "complex"
    SYSTEM_FAULT = "system_fault"
    LOST_DAMAGED = "lost_damaged"
    OTHER = "other"


class LetterStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo, chờ lãnh đạo ký")
    ISSUED = "issued", _("Đã ban hành")
    CANCELLED = "cancelled", _("Đã hủy")


class ApologyLetter(ChoiceLabels, models.Model):
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04, Circular 01/2018).

    Drafted by the deadline sweep (or by an officer, e.g. for a lost dossier), reviewed and issued by
    the head of the handling agency. At most one issued letter per dossier moves the appointment
    (enforced by a partial unique index as well as by the service)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="apology_letters")
    agency = models.ForeignKey("accounts.Agency", verbose_name=_("cơ quan"), on_delete=models.PROTECT,
                               related_name="apology_letters")
    status = models.CharField(_("trạng thái"), max_length=10, choices=LetterStatus.choices, default=LetterStatus.DRAFT)
    auto = models.BooleanField(_("hệ thống tự lập"), default=False)
    # due_soon, overdue (the sweep), manual (an officer), risk (drafted early from the lateness forecast)
    trigger = models.CharField(_("lập khi"), max_length=12, blank=True)
    reason_kind = models.CharField(_("lý do"), max_length=16, blank=True)  # a code of the rules' apology_reasons
    reason_text = models.TextField(_("diễn giải lý do"), blank=True)
    due_at = models.DateTimeField(_("ngày hẹn trả đã ghi trên giấy hẹn"), null=True, blank=True)
    proposed_due_at = models.DateTimeField(_("ngày hẹn mới đề xuất"), null=True, blank=True)
    new_due_at = models.DateTimeField(_("ngày hẹn mới"), null=True, blank=True)
    drafted_at = models.DateTimeField(_("lập lúc"))
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    number = models.CharField(_("số phiếu"), max_length=40, blank=True)
    issued_at = models.DateTimeField(_("ban hành lúc"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    signer_name = models.CharField(_("người ký"), max_length=255, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=100, blank=True)
    issued_late = models.BooleanField(
        _("ban hành muộn"), default=False,
        help_text=_("Ban hành sau thời điểm 01 ngày trước ngày hẹn trả (Điều 19 khoản 9 Nghị định 61/2018)."))
    pdf = models.FileField(_("tệp PDF"), upload_to="apology-letters/", blank=True, max_length=255)
    cancelled_reason = models.CharField(_("lý do hủy"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("phiếu xin lỗi và hẹn lại")
        verbose_name_plural = _("phiếu xin lỗi và hẹn lại")
        ordering = ["-drafted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier"], condition=models.Q(status="draft"),
                                    name="apology_one_draft_per_dossier"),
            models.UniqueConstraint(fields=["dossier"], condition=models.Q(status="issued", new_due_at__isnull=False),
                                    name="apology_one_reappointment_per_dossier"),
            models.UniqueConstraint(fields=["agency", "number"], condition=~models.Q(number=""),
                                    name="apology_number_unique"),
        ]
        indexes = [models.Index(fields=["agency", "status", "issued_at"], name="apology_agency_status"),
                   # the late report's letters waiting for a signature, nearest appointment first (the sweep drafts one
                   # per overdue dossier: a page is an ordered scan with LIMIT, not a sort of every draft)
                   models.Index(fields=["agency", "due_at", "id"], name="apology_agency_drafts",
                                condition=models.Q(status="draft")),
                   # the same for someone who sees the whole province (tens of thousands of drafts): an ordered scan
                   # of every draft, stopping at the page's last one
                   models.Index(fields=["due_at", "id"], name="apology_drafts_due", condition=models.Q(status="draft"))]

    def __str__(self) -> str:
        return self.number or f"{self.get_status_display()} #{self.pk}"

    @property
    def reason_display(self) -> str:
        """The reason as printed: the label of the rules in force on the letter's date, then the officer's text."""
        label = (apology_reason_label(self.reason_kind, on=self.issued_at or self.drafted_at)
                 if self.reason_kind and self.reason_kind != ApologyReason.OTHER else "")
        return ". ".join(part for part in (label, self.reason_text.strip()) if part)


class LetterCounter(models.Model):
    """The last apology-letter number issued per agency and year."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="letter_counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year}: {self.last}"


class ClosedMonth(models.Model):
    """A month whose monthly tables (dossiers, status sync, satisfaction) were counted after its end and are kept
    as they were then: a later re-appointment, a late answer to feedback or a corrected record no longer rewrites
    them, so recomputing a closed month gives identical rows. An administrator who must recount a month deletes its
    row here (the admin), and the next refresh counts it again from today's records."""

    month = models.DateField(_("tháng"), unique=True)
    closed_at = models.DateTimeField(_("chốt lúc"))

    class Meta:
        verbose_name = _("tháng đã chốt số liệu")
        verbose_name_plural = _("tháng đã chốt số liệu")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y}"


class LateTally(models.Model):
    """The late dossiers as the last deadline sweep left them, counted per handling agency, officer in charge and
    procedure version: the late report's summary sums these few rows instead of counting every late dossier of
    the province on each request (written by `lateness.sweep.late_tally_refresh` at the end of every sweep; when
    is in `LateTallyRun`)."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    procedure_version = models.ForeignKey("procedures.ProcedureVersion", on_delete=models.CASCADE, related_name="+")
    overdue = models.PositiveIntegerField(_("quá hạn"), default=0)
    due_soon = models.PositiveIntegerField(_("sắp đến hạn"), default=0)

    class Meta:
        verbose_name = _("số hồ sơ trễ hạn đã đếm")
        verbose_name_plural = _("số hồ sơ trễ hạn đã đếm")
        indexes = [models.Index(fields=["agency"], name="late_tally_agency")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.assignee_id} {self.procedure_version_id}"


class LateTallyRun(models.Model):
    """When the late dossiers were last counted (one row): the time the late report states beside its counts."""

    counted_at = models.DateTimeField(_("đếm lúc"))

    class Meta:
        verbose_name = _("lần đếm hồ sơ trễ hạn")
        verbose_name_plural = _("lần đếm hồ sơ trễ hạn")

    def __str__(self) -> str:
        return f"{self.counted_at:%H:%M %d/%m/%Y}"


class MonthlyBreakdown(models.Model):
    """The monthly counts of one agency split by procedure and officer (the breakdown page by field, procedure or
    officer sums these rows), refreshed with MonthlyAgencyStats (dossiers/stats.py). As there, the reception counts
    go to the receiving desk and the processing counts to the competent agency; `overdue` is the dossiers still
    open and past their legal appointment at the end of the month (at `computed_at` for the current month). The
    officer is the dossier's officer in charge (`assignee`) when the month was computed."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("tháng"), help_text=_("Ngày đầu tháng."))
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="+")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    received = models.PositiveIntegerField(_("tiếp nhận"), default=0)
    for_others = models.PositiveIntegerField(_("tiếp nhận cho cơ quan khác"), default=0)
    online = models.PositiveIntegerField(_("trực tuyến"), default=0)
    fee_due = models.PositiveIntegerField(_("có phí"), default=0)
    paid_online = models.PositiveIntegerField(_("thanh toán trực tuyến"), default=0)
    early = models.PositiveIntegerField(_("trước hạn"), default=0)
    on_time = models.PositiveIntegerField(_("đúng hạn"), default=0)
    late = models.PositiveIntegerField(_("quá hạn"), default=0)
    e_result = models.PositiveIntegerField(_("kết quả điện tử"), default=0)
    overdue = models.PositiveIntegerField(_("đang quá hạn (cuối tháng)"), default=0)
    computed_at = models.DateTimeField(_("tính lúc"))

    class Meta:
        verbose_name = _("số liệu tháng theo thủ tục, cán bộ")
        verbose_name_plural = _("số liệu tháng theo thủ tục, cán bộ")
        indexes = [models.Index(fields=["agency", "month"], name="monthly_breakdown_agency")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.month:%m/%Y} {self.procedure_id} {self.officer_id}"


class MonthlyAgencyStats(models.Model):
    """Counts per agency and month (legal.md §2.5), refreshed nightly; read by the index dashboards. The reception
    counts go to the receiving desk, the processing counts to the competent agency (see dossiers/stats.py)."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="monthly_stats")
    month = models.DateField(_("tháng"), help_text=_("Ngày đầu tháng."))
    received = models.PositiveIntegerField(_("tiếp nhận"), default=0)
    finished_early = models.PositiveIntegerField(_("giải quyết trước hạn"), default=0)
    finished_on_time = models.PositiveIntegerField(_("giải quyết đúng hạn"), default=0)
    finished_late = models.PositiveIntegerField(_("giải quyết quá hạn"), default=0)
    finished_late_twice = models.PositiveIntegerField(_("quá hạn cả ngày hẹn lại"), default=0)
    in_progress_on_time = models.PositiveIntegerField(_("đang giải quyết trong hạn"), default=0)
    in_progress_overdue = models.PositiveIntegerField(_("đang giải quyết quá hạn"), default=0)
    apologies_issued = models.PositiveIntegerField(_("phiếu xin lỗi đã ban hành"), default=0)
    apologies_issued_late = models.PositiveIntegerField(_("phiếu xin lỗi ban hành muộn"), default=0)
    dossiers_digitized = models.PositiveIntegerField(
        _("hồ sơ số hóa thành phần và kết quả"), default=0,
        help_text=_("Trong các hồ sơ giải quyết xong trong tháng: mọi thành phần bắt buộc có bản điện tử "
                    "và có kết quả điện tử."))
    dossiers_e_result = models.PositiveIntegerField(_("hồ sơ có kết quả điện tử"), default=0)
    dossiers_reusing_data = models.PositiveIntegerField(_("hồ sơ dùng lại dữ liệu đã số hóa"), default=0)
    dossiers_fee_obligation = models.PositiveIntegerField(_("hồ sơ có nghĩa vụ tài chính"), default=0)
    dossiers_paid_online = models.PositiveIntegerField(_("hồ sơ thanh toán trực tuyến"), default=0)
    procedures_paid_online = models.PositiveIntegerField(_("thủ tục có thanh toán trực tuyến"), default=0)
    dossiers_766 = models.PositiveIntegerField(
        _("hồ sơ tiếp nhận hoặc đang xử lý trong tháng (cách đếm 766)"), default=0,
        help_text=_("Cách đếm của Cổng DVCQG: một lần yêu cầu bổ sung thì ngày yêu cầu là ngày kết thúc; "
                    "hơn một lần thì tính quá hạn; hồ sơ chưa kết thúc xét tại cuối tháng."))
    dossiers_766_on_time = models.PositiveIntegerField(_("trong đó đúng hạn (cách đếm 766)"), default=0)
    received_online_766 = models.PositiveIntegerField(
        _("hồ sơ trực tuyến (cách đếm 766)"), default=0,
        help_text=_("Nộp trực tuyến và, với thủ tục trả kết quả bản giấy, có kết quả điện tử."))
    received_for_others = models.PositiveIntegerField(
        _("tiếp nhận cho cơ quan khác"), default=0,
        help_text=_("Trong số hồ sơ tiếp nhận tại bộ phận một cửa này: hồ sơ do cơ quan khác có thẩm quyền "
                    "giải quyết."))
    received_from_others = models.PositiveIntegerField(
        _("do nơi khác tiếp nhận"), default=0,
        help_text=_("Hồ sơ cơ quan này có thẩm quyền giải quyết, tiếp nhận trong tháng tại bộ phận một cửa khác."))
    computed_at = models.DateTimeField(_("tính lúc"))

    class Meta:
        verbose_name = _("số liệu tháng của cơ quan")
        verbose_name_plural = _("số liệu tháng của cơ quan")
        ordering = ["-month", "agency"]
        constraints = [models.UniqueConstraint(fields=["agency", "month"], name="monthly_stats_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.month:%m/%Y}"

    @property
    def finished(self) -> int:
        return self.finished_early + self.finished_on_time + self.finished_late


class DossierComponent(models.Model):
    """What a dossier really holds of one component of its procedure version (thành phần hồ sơ):
    whether a conditional component's case applies to it, and what was handed in — paper originals and
    copies the reception officer counted, electronic files uploaded, reused from the document store or
    scanned, or an original only shown for comparison and handed back. The receipt (Mẫu 01) lists these,
    never the catalogue. Name and kind are copied so the record survives a change of the catalogue."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    document = models.ForeignKey("procedures.RequiredDocument", verbose_name=_("thành phần"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    requirement = models.CharField(_("loại thành phần"), max_length=12, choices=Requirement.choices)
    condition = models.CharField(_("điều kiện"), max_length=500, blank=True)
    applies = models.BooleanField(
        _("phải nộp với hồ sơ này"), default=False,
        help_text=_("Thành phần nộp: luôn đúng. Theo điều kiện: người nộp hoặc cán bộ xác nhận trường hợp này "
                    "áp dụng. Xuất trình: không bao giờ phải nộp."))
    originals = models.PositiveSmallIntegerField(_("bản chính đã nhận"), default=0)
    copies = models.PositiveSmallIntegerField(_("bản sao đã nhận"), default=0)
    files = models.PositiveSmallIntegerField(_("tệp điện tử"), default=0)
    reused = models.PositiveSmallIntegerField(_("trong đó dùng lại từ kho dữ liệu"), default=0)
    scanned = models.PositiveSmallIntegerField(_("trong đó số hóa khi tiếp nhận"), default=0)
    presented = models.BooleanField(_("đã xuất trình để đối chiếu"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thành phần đã nộp")
        verbose_name_plural = _("thành phần đã nộp")
        ordering = ["dossier", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "document"], name="dossier_component_unique"),
            models.CheckConstraint(condition=models.Q(reused__lte=models.F("files"), scanned__lte=models.F("files")),
                                   name="dossier_component_files_split"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.name}"

    @property
    def handed_in(self) -> bool:
        return bool(self.originals or self.copies or self.files)

    @property
    def quantity_display(self) -> str:
        """"01 bản chính, 02 bản sao", "01 tệp điện tử (dùng lại từ kho dữ liệu)", as written on Mẫu 01."""
        parts = []
        if self.originals:
            parts.append(_("%02d bản chính") % self.originals)
        if self.copies:
            parts.append(_("%02d bản sao") % self.copies)
        if self.files:
            kinds = []
            if self.reused:
                kinds.append(_("dùng lại từ kho dữ liệu") if self.reused == self.files
                             else _("%02d dùng lại từ kho dữ liệu") % self.reused)
            if self.scanned:
                kinds.append(_("số hóa khi tiếp nhận") if self.scanned == self.files
                             else _("%02d số hóa khi tiếp nhận") % self.scanned)
            text = _("%02d tệp điện tử") % self.files
            parts.append(f"{text} ({', '.join(str(k) for k in kinds)})" if kinds else str(text))
        return ", ".join(str(p) for p in parts)


class IdempotencyKey(models.Model):
    """One row per one-time key of a creating request (an HTML form's hidden key, an API
    `Idempotency-Key` header). Written in the same transaction as what the request creates, under a
    unique constraint, so a repeat (Back + submit, a double click, a retried API call, two parallel
    requests) finds the first result instead of creating a second one. See dossiers/idempotency.py."""

    scope = models.CharField(_("phạm vi"), max_length=200)  # the form ("desk") or the API path
    owner = models.CharField(_("người gửi"), max_length=40, blank=True)  # "u:<pk>", or "" for anonymous
    key = models.CharField(_("khóa"), max_length=200)
    fingerprint = models.CharField(_("dấu vân tay nội dung"), max_length=64, blank=True)
    result = models.JSONField(_("kết quả lần đầu"), encoder=DjangoJSONEncoder, default=dict)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("khóa chống gửi lặp")
        verbose_name_plural = _("khóa chống gửi lặp")
        constraints = [models.UniqueConstraint(fields=["scope", "owner", "key"], name="idempotency_key_once")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"{self.scope} {self.owner} {self.key}"


class HandoverKind(models.TextChoices):
    DOSSIER = "dossier", _("Hồ sơ chuyển đến cơ quan có thẩm quyền")
    RESULT = "result", _("Kết quả chuyển đến nơi trả kết quả")


class Handover(ChoiceLabels, models.Model):
    """One hand-over between one-stop desks of the province (reception regardless of administrative
    boundaries, Decree 118/2025; transfer rules of Decree 61/2018 Art. 18): the receiving desk sends the
    digitised dossier to the competent agency, the competent agency sends the result to the desk the
    citizen chose. The electronic file arrives at once and is acknowledged by the receiving side within
    its allotment (`due_at`); the paper originals, when they must follow, are acknowledged apart.
    At most one hand-over of each kind per dossier."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="handovers")
    kind = models.CharField(_("loại"), max_length=10, choices=HandoverKind.choices)
    from_agency = models.ForeignKey("accounts.Agency", verbose_name=_("nơi chuyển"), on_delete=models.PROTECT,
                                    related_name="+")
    to_agency = models.ForeignKey("accounts.Agency", verbose_name=_("nơi nhận"), on_delete=models.PROTECT,
                                  related_name="handovers_in")
    sent_at = models.DateTimeField(_("chuyển lúc"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người chuyển"), null=True,
                                on_delete=models.SET_NULL, related_name="+")
    due_at = models.DateTimeField(_("hạn xác nhận đã nhận"))
    paper = models.BooleanField(_("kèm bản giấy"), default=False,
                                help_text=_("Bản chính, bản giấy được chuyển theo (phiếu bàn giao)."))
    carrier = models.CharField(_("người vận chuyển bản giấy"), max_length=255, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    acknowledged_at = models.DateTimeField(_("xác nhận nhận bản điện tử lúc"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người xác nhận"), null=True,
                                        blank=True, on_delete=models.SET_NULL, related_name="+")
    paper_received_at = models.DateTimeField(_("nhận bản giấy lúc"), null=True, blank=True)
    paper_received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người nhận bản giấy"),
                                          null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    alerted_at = models.DateTimeField(_("đã cảnh báo quá hạn lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("chuyển hồ sơ giữa các Bộ phận Một cửa")
        verbose_name_plural = _("chuyển hồ sơ giữa các Bộ phận Một cửa")
        ordering = ["sent_at", "id"]
        constraints = [models.UniqueConstraint(fields=["dossier", "kind"], name="handover_once_per_kind")]
        indexes = [models.Index(fields=["to_agency", "due_at"], name="handover_pending_in",
                                condition=models.Q(acknowledged_at__isnull=True)),
                   models.Index(fields=["from_agency", "due_at"], name="handover_pending_out",
                                condition=models.Q(acknowledged_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.dossier} {self.kind}: {self.from_agency_id} → {self.to_agency_id}"

    @property
    def awaits_paper(self) -> bool:
        return self.paper and self.paper_received_at is None


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang tạo")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Không tạo được")


def export_path(instance, filename: str) -> str:
    return f"exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


class LedgerExport(models.Model):
    """A Mẫu 06 ledger PDF asked for by an officer and rendered in the background (a thousand rows take tens of
    seconds of layout): the page shows its progress and offers the file when it is ready."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))
    personal = models.BooleanField(_("có thông tin cá nhân"), default=True)
    status = models.CharField(_("tình trạng"), max_length=8, choices=ExportStatus.choices,
                              default=ExportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    rows = models.PositiveIntegerField(_("số hồ sơ"), default=0)
    pages = models.PositiveIntegerField(_("số trang"), default=0)
    file = models.FileField(_("tệp"), upload_to=export_path, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    created_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("bản in sổ theo dõi (Mẫu 06)")
        verbose_name_plural = _("bản in sổ theo dõi (Mẫu 06)")
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="ledger_export_user")]

    def __str__(self) -> str:
        return f"Mẫu 06 {self.agency_id} {self.start}..{self.end} ({self.status})"


class ForecastLevel(models.TextChoices):
    """How specific a learned step duration is (`StepDuration.level`): the forecast uses the most specific
    level that has enough samples (settings.FORECAST_MIN_SAMPLES), in this order."""

    PROCEDURE_AGENCY = "procedure_agency", _("thủ tục tại cơ quan")
    FIELD_AGENCY = "field_agency", _("lĩnh vực tại cơ quan")
    PROCEDURE = "procedure", _("thủ tục (mọi cơ quan)")
    FIELD = "field", _("lĩnh vực (mọi cơ quan)")
    ALL = "all", _("mọi thủ tục")


class StepDuration(models.Model):
    """How long one step really takes, learned from the control sheet (`dossiers.lateness.risk`): the
    quantiles of the step's working hours divided by the step's allotment in the dossier's internal process
    (`InternalStep.hours`; 1.0 = exactly the allotment), per procedure / field / agency / step. Refreshed
    nightly (Celery beat, `manage.py forecast_refresh`); read by the deadline sweep's risk forecast."""

    level = models.CharField(_("mức"), max_length=20, choices=ForecastLevel.choices)
    procedure = models.ForeignKey("procedures.Procedure", verbose_name=_("thủ tục"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="+")
    field = models.ForeignKey("procedures.Field", verbose_name=_("lĩnh vực"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("accounts.Agency", verbose_name=_("cơ quan"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    step = models.CharField(_("bước"), max_length=10, choices=Step.choices)
    n = models.PositiveIntegerField(_("số lần đo"))
    # the ratio (working hours / allotted hours) at dossiers.lateness.forecast.PROBS
    quantiles = models.JSONField(_("phân vị (tỷ lệ so với thời gian được giao)"))
    mean = models.FloatField(_("trung bình (tỷ lệ)"))
    refreshed_at = models.DateTimeField(_("cập nhật lúc"))

    class Meta:
        verbose_name = _("thời gian thực tế của bước")
        verbose_name_plural = _("thời gian thực tế của các bước")
        # Replaced as a whole by each refresh (one transaction); read whole by each sweep.
        ordering = ["step", "level", "id"]

    def __str__(self) -> str:
        return f"{self.level} {self.procedure_id or '-'} {self.field_id or '-'} {self.agency_id or '-'} {self.step}"
