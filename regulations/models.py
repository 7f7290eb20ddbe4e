"""The one-stop rules the law sets, as versioned rows (ARCHITECTURE.md rule 8).

One `RuleSet` row is one version of the rules, in force from `effective_from` until the next version's
date. A version that is in force or past is never edited: the law changes by a new version with a later
date, so a letter printed again, a deadline computed again or a report of last year still reads the
rules of its own date. Read them with `regulations.selectors.rules_in_force(on=…)`.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CODE = re.compile(r"^[a-z][a-z0-9_]{0,15}$")  # fits dossiers.ApologyLetter.reason_kind (16 characters)


def _working_days(verbose_name, help_text=""):
    return models.PositiveSmallIntegerField(verbose_name, help_text=help_text,
                                            validators=[MinValueValidator(1), MaxValueValidator(60)])


class HandoverClock(models.TextChoices):
    """How the time a dossier spends travelling between desks (reception regardless of administrative
    boundaries) is counted. Decree 61/2018 Art. 18 has the paper file forwarded the same working day; the
    texts of Decree 118/2025 we could read do not say whether the travel time is inside the legal time
    limit, so the province chooses and cites its own decision."""

    INCLUDED = "included", _("Tính trong thời hạn giải quyết: ngày hẹn tính từ khi Bộ phận Một cửa nơi nộp tiếp nhận")
    ADDED = "added", _("Cộng thêm vào ngày hẹn: thời hạn của cơ quan có thẩm quyền tính từ khi xác nhận đã nhận hồ sơ")


class RuleSet(models.Model):
    effective_from = models.DateField(_("có hiệu lực từ ngày"), unique=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), help_text=_(
        "Văn bản và điều, khoản quy định các giá trị dưới đây."))
    supplement_window_days = _working_days(
        _("thời hạn yêu cầu bổ sung hồ sơ (ngày làm việc)"),
        _("Trong quá trình thẩm định, chỉ được yêu cầu bổ sung, hoàn thiện hồ sơ trong số ngày làm việc này kể từ "
          "khi tiếp nhận; áp dụng theo quy định có hiệu lực vào ngày tiếp nhận hồ sơ."))
    feedback_accept_days = _working_days(_("thời hạn tiếp nhận hoặc từ chối phản ánh, kiến nghị (ngày làm việc)"))
    feedback_info_days = _working_days(_("thời hạn đề nghị bổ sung thông tin phản ánh (ngày làm việc)"))
    feedback_answer_days = _working_days(_("thời hạn trả lời phản ánh, kiến nghị (ngày làm việc)"))
    feedback_publish_days = _working_days(_("thời hạn công khai kết quả sau khi trả lời (ngày làm việc)"))
    apology_notice_days = models.PositiveSmallIntegerField(
        _("ký phiếu xin lỗi chậm nhất trước ngày hẹn trả (ngày)"), default=1, validators=[MaxValueValidator(30)],
        help_text=_("Phiếu xin lỗi, hẹn lại ký sau thời điểm này (ngày theo lịch, không phải ngày làm việc) được tính "
                    "là ban hành muộn; áp dụng theo quy định có hiệu lực vào ngày ký."))
    apology_reasons = models.JSONField(_("lý do xin lỗi, hẹn lại ngày trả kết quả"), default=list, help_text=_(
        'Danh sách [{"code": "complex", "label_vi": "…", "label_en": "…"}]. Mã đã dùng trên phiếu thì giữ '
        "nguyên; nhãn được in trên phiếu theo phiên bản có hiệu lực vào ngày của phiếu."))
    handover_clock = models.CharField(
        _("thời gian chuyển hồ sơ giữa các Bộ phận Một cửa"), max_length=10, choices=HandoverClock.choices,
        default=HandoverClock.INCLUDED, help_text=_(
            "Tiếp nhận không phụ thuộc địa giới hành chính (Nghị định 118/2025/NĐ-CP): thời gian chuyển hồ sơ đến "
            "cơ quan có thẩm quyền và chuyển kết quả về nơi trả có tính trong thời hạn giải quyết hay không. Ghi "
            "văn bản của tỉnh quy định việc này vào căn cứ pháp lý."))
    handover_hours = models.PositiveSmallIntegerField(
        _("thời hạn chuyển và xác nhận đã nhận (giờ làm việc)"), default=8,
        validators=[MinValueValidator(1), MaxValueValidator(80)], help_text=_(
            "Hồ sơ, kết quả chuyển giữa các Bộ phận Một cửa phải được nơi nhận xác nhận trong số giờ làm việc này "
            "(Nghị định 61/2018/NĐ-CP Điều 18: chuyển trong ngày làm việc, hoặc đầu ngày làm việc tiếp theo nếu "
            "tiếp nhận sau 15 giờ); quá hạn thì cả hai nơi được cảnh báo."))
    created_at = models.DateTimeField(_("nhập lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("bộ quy định một cửa")
        verbose_name_plural = _("bộ quy định một cửa")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(supplement_window_days__gte=1, feedback_accept_days__gte=1,
                                   feedback_info_days__gte=1, feedback_answer_days__gte=1,
                                   feedback_publish_days__gte=1),
                name="regulations_ruleset_days_positive"),
        ]

    def __str__(self) -> str:
        return _("Quy định có hiệu lực từ %(day)s") % {"day": f"{self.effective_from:%d/%m/%Y}"}

    def in_force_or_past(self, today=None) -> bool:
        """True once the stored version's date has come: from then on it is not edited in place."""
        if self.pk is None:
            return False
        stored = type(self).objects.filter(pk=self.pk).values_list("effective_from", flat=True).first()
        return stored is not None and stored <= (today or timezone.localdate())

    def clean(self) -> None:
        super().clean()
        today = timezone.localdate()
        if self.in_force_or_past(today):
            raise ValidationError(_(
                "Phiên bản này đã có hiệu lực nên không được sửa: các phiếu, thời hạn đã tính theo nó phải giữ "
                "nguyên. Hãy thêm một phiên bản mới có ngày hiệu lực từ hôm nay trở đi (nút “Lưu mới”)."),
                code="ruleset_in_force")
        if self.effective_from is not None and self.effective_from < today:
            raise ValidationError({"effective_from": _(
                "Ngày hiệu lực không được trước hôm nay (%(today)s): quy định mới không áp dụng hồi tố cho những "
                "việc đã làm.") % {"today": f"{today:%d/%m/%Y}"}}, code="ruleset_retroactive")
        self.apology_reasons = clean_apology_reasons(self.apology_reasons)


def clean_apology_reasons(value) -> list[dict]:
    """The apology reasons as stored: a non-empty list of {code, label_vi, label_en}, codes unique.
    Raises ValidationError (Vietnamese) on the field."""

    def refuse(message, **params):
        raise ValidationError({"apology_reasons": message % params if params else message}, code="invalid_reasons")

    if not isinstance(value, list) or not value:
        refuse(_("Hãy nhập danh sách lý do, mỗi lý do có code, label_vi và label_en."))
    out, seen = [], set()
    for n, item in enumerate(value, 1):
        if not isinstance(item, dict) or set(item) - {"code", "label_vi", "label_en"}:
            refuse(_("Lý do thứ %(n)s phải có dạng {\"code\": …, \"label_vi\": …, \"label_en\": …}."), n=n)
        code = item.get("code")
        label_vi = item.get("label_vi")
        label_en = item.get("label_en", "")
        if not isinstance(code, str) or not CODE.match(code):
            refuse(_("Lý do thứ %(n)s: mã phải gồm chữ thường không dấu, chữ số hoặc “_”, tối đa 16 ký tự."), n=n)
        if code in seen:
            refuse(_("Mã lý do “%(code)s” bị lặp."), code=code)
        if not isinstance(label_vi, str) or not label_vi.strip() or not isinstance(label_en, str):
            refuse(_("Lý do “%(code)s”: hãy ghi nhãn tiếng Việt (label_vi)."), code=code)
        seen.add(code)
        out.append({"code": code, "label_vi": label_vi.strip(), "label_en": label_en.strip()})
    return out
