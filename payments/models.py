"""Payments of a dossier's fees: at the desk (cash, transfer, postal) or online through a gateway,
each with its e-receipt (biên lai điện tử); every message from the gateway is logged, forged or not."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dossiers.models import PaymentMethod


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ kết quả từ cổng thanh toán")
    PAID = "paid", _("Đã thanh toán")
    FAILED = "failed", _("Không thành công")
    CANCELLED = "cancelled", _("Người nộp đã hủy")
    EXPIRED = "expired", _("Quá hạn, không thanh toán")
    DUPLICATE = "duplicate", _("Thu trùng, cần hoàn trả")


FINAL = {PaymentStatus.PAID, PaymentStatus.FAILED, PaymentStatus.CANCELLED, PaymentStatus.EXPIRED,
         PaymentStatus.DUPLICATE}


class Payment(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("hình thức"), max_length=10, choices=PaymentMethod.choices)
    provider = models.CharField(_("cổng thanh toán"), max_length=20, blank=True)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=PaymentStatus.choices,
                              default=PaymentStatus.PENDING)
    txn_ref = models.CharField(_("mã giao dịch của cổng"), max_length=40, unique=True, null=True, blank=True)
    gateway_txn_no = models.CharField(_("mã giao dịch tại cổng"), max_length=40, blank=True)
    bank_code = models.CharField(_("ngân hàng"), max_length=20, blank=True)
    response_code = models.CharField(_("mã phản hồi"), max_length=4, blank=True)
    reference = models.CharField(_("số chứng từ"), max_length=100, blank=True,
                                 help_text=_("Số giao dịch chuyển khoản hoặc số phiếu của bưu chính."))
    payer_name = models.CharField(_("người nộp tiền"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    checked_at = models.DateTimeField(_("đối soát lúc"), null=True, blank=True)
    check_count = models.PositiveSmallIntegerField(_("số lần đối soát"), default=0)
    receipt_number = models.CharField(_("số biên lai"), max_length=40, blank=True)
    receipt_pdf = models.FileField(_("biên lai điện tử"), upload_to="receipts/", blank=True, max_length=255)
    refunded_at = models.DateTimeField(_("hoàn trả lúc"), null=True, blank=True)
    refunded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    refund_note = models.CharField(_("ghi chú hoàn trả"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("thanh toán")
        verbose_name_plural = _("thanh toán phí, lệ phí")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Never paid twice: a second successful payment is kept as "duplicate", to be refunded.
            models.UniqueConstraint(fields=["dossier"], condition=models.Q(status="paid"), name="payment_one_paid"),
            models.UniqueConstraint(fields=["receipt_number"], condition=~models.Q(receipt_number=""),
                                    name="payment_receipt_number_unique"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="payment_status_created")]

    def __str__(self) -> str:
        return self.receipt_number or self.txn_ref or f"#{self.pk}"


class PaymentLog(models.Model):
    """Every message received from a gateway (return, IPN, query answer), kept as received."""

    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="logs")
    source = models.CharField(_("nguồn"), max_length=10)  # ipn, return, query
    params = models.JSONField(default=dict)
    outcome = models.CharField(_("kết quả xử lý"), max_length=4)
    message = models.CharField(_("diễn giải"), max_length=255, blank=True)
    at = models.DateTimeField(_("lúc"), auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("nhật ký cổng thanh toán")
        verbose_name_plural = _("nhật ký cổng thanh toán")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} {self.outcome} {self.at:%d/%m/%Y %H:%M}"


class ReceiptCounter(models.Model):
    """The last e-receipt number per agency and year."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="receipt_counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year}: {self.last}"


class SimulatedTransaction(models.Model):
    """The local payment-gateway simulator's own books (what the gateway would answer a query with).
    Used only when PAYMENT_GATEWAY = "simulator" (tests, `make run`)."""

    txn_ref = models.CharField(max_length=40, unique=True)
    amount = models.PositiveBigIntegerField()  # in the gateway's unit (VND × 100)
    order_info = models.CharField(max_length=255, blank=True)
    create_date = models.CharField(max_length=14)
    status = models.CharField(max_length=10, default="pending")  # pending, success, failed, cancelled
    response_code = models.CharField(max_length=4, blank=True)
    transaction_no = models.CharField(max_length=20, blank=True)
    pay_date = models.CharField(max_length=14, blank=True)
    ipn_answer = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "giao dịch mô phỏng"
        verbose_name_plural = "giao dịch mô phỏng"

    def __str__(self) -> str:
        return f"{self.txn_ref} {self.status}"
