"""What an in-portal notice is about: the digest lines of the notices page group by (user, day, kind).

The kind is the key's first part ("reassign:12:7" -> "reassign"); the deadline sweep's keys
("track:<dossier>:<class>:...") are grouped by class ("track-overdue", "track-due_soon"). A kind without a
label below is shown as "Thông báo" (it still has its own digest)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

KIND_MAX = 40

LABELS = {
    "track-overdue": _("Hồ sơ quá hạn"),
    "track-due_soon": _("Hồ sơ sắp đến hạn"),
    "reassign": _("Phân công lại hồ sơ"),
    "handover-sent": _("Hồ sơ chuyển đến, chờ xác nhận"),
    "handover-overdue": _("Hồ sơ chuyển đến quá hạn xác nhận"),
    "apology-draft": _("Dự thảo phiếu xin lỗi chờ ký"),
    "apology-issued": _("Phiếu xin lỗi đã phát hành"),
    "risk-digest": _("Hồ sơ có nguy cơ trễ hẹn"),
    "feedback": _("Phản ánh, kiến nghị mới"),
    "feedback-info": _("Phản ánh, kiến nghị được bổ sung thông tin"),
    "feedback-forwarded": _("Phản ánh, kiến nghị được chuyển đến"),
    "follow-up": _("Đánh giá chưa hài lòng cần phản hồi"),
}
OTHER = _("Thông báo")


def kind_of(key: str) -> str:
    parts = key.split(":")
    if parts[0] == "track" and len(parts) > 2:
        return f"track-{parts[2]}"[:KIND_MAX]
    return parts[0][:KIND_MAX]


def label_of(kind: str) -> str:
    if kind in LABELS:
        return LABELS[kind]
    if kind.startswith("feedback-"):  # the citizen's own feedback changing status ("feedback-published")
        return _("Phản ánh, kiến nghị của bạn")
    return OTHER
