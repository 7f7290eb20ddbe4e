"""Late-dossier reports: overdue and due-soon dossiers per agency, per officer and per procedure,
with the apology letters issued, on screen and as XLSX. Reads the sweep's stored `track` (indexed),
never recomputes a deadline per row."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from accounts import access
from core.exports import Sheet, xlsx_bytes
from workcalendar.calendar import TZ

from ..models import ApologyLetter, DeadlineState, Dossier, LetterStatus
from .sweep import RUNNING

GROUPS = {
    "agency": ("handling_agency", "handling_agency__name", "agency", _("Cơ quan giải quyết")),
    "officer": ("assignee", "assignee__full_name", "dossier__assignee", _("Cán bộ đang xử lý")),
    "procedure": ("procedure_version__procedure", "procedure_version__procedure__name",
                  "dossier__procedure_version__procedure", _("Thủ tục")),
}
SHEETS = {"agency": "Theo cơ quan", "officer": "Theo cán bộ", "procedure": "Theo thủ tục"}
LIST_LIMIT = 50_000  # rows in the XLSX list of dossiers (the counts are always complete)


def _late(user):
    return Dossier.objects.filter(status__in=RUNNING, track__in=(DeadlineState.OVERDUE, DeadlineState.DUE_SOON),
                                  handling_agency__in=access.visible_agency_ids(user))


def late_summary(user, *, group: str, start: dt.date, end: dt.date) -> list[dict]:
    """Rows {key, name, overdue, due_soon, letters, letters_late}, most overdue first. Letters are
    those issued between `start` and `end` (inclusive) on dossiers of the group."""
    key, name, letter_key, _label = GROUPS[group]
    rows: dict = {}
    for r in (_late(user).values(key, name).annotate(
            overdue=Count("id", filter=Q(track=DeadlineState.OVERDUE)),
            due_soon=Count("id", filter=Q(track=DeadlineState.DUE_SOON)))
            .order_by()):
        rows[r[key]] = {"key": r[key], "name": r[name], "overdue": r["overdue"], "due_soon": r["due_soon"],
                        "letters": 0, "letters_late": 0}
    since = dt.datetime.combine(start, dt.time.min, tzinfo=TZ)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=TZ)
    letter_name = {"agency": "agency__name", "officer": "dossier__assignee__full_name",
                   "procedure": "dossier__procedure_version__procedure__name"}[group]
    letters = (ApologyLetter.objects.filter(status=LetterStatus.ISSUED, issued_at__gte=since, issued_at__lt=until,
                                            agency__in=access.visible_agency_ids(user))
               .values(letter_key, letter_name)
               .annotate(n=Count("id"), late=Count("id", filter=Q(issued_late=True))).order_by())
    for r in letters:
        row = rows.setdefault(r[letter_key], {"key": r[letter_key], "name": r[letter_name], "overdue": 0,
                                              "due_soon": 0, "letters": 0, "letters_late": 0})
        row["letters"], row["letters_late"] = r["n"], r["late"]
    for row in rows.values():
        if row["name"] is None:
            row["name"] = gettext_now("(chưa phân công)") if group == "officer" else "—"
    return sorted(rows.values(), key=lambda r: (-r["overdue"], -r["due_soon"], -r["letters"], r["name"]))


def late_dossiers(user, *, limit: int = LIST_LIMIT):
    return (_late(user).select_related("procedure_version__procedure", "handling_agency", "assignee")
            .annotate(letters=Count("apology_letters", filter=Q(apology_letters__status=LetterStatus.ISSUED)))
            .order_by("due_at", "id")[:limit])


def late_xlsx(user, *, start: dt.date, end: dt.date) -> bytes:
    now = timezone.localtime()
    sheets = []
    for group, (_k, _n, _l, label) in GROUPS.items():
        sheets.append(Sheet(SHEETS[group], heading=[
            f"HỒ SƠ QUÁ HẠN, SẮP ĐẾN HẠN — lập lúc {now:%H:%M %d/%m/%Y}; phiếu xin lỗi ban hành từ "
            f"{start:%d/%m/%Y} đến {end:%d/%m/%Y}"],
            header=[str(label), "Quá hạn", "Sắp đến hạn", "Phiếu xin lỗi đã ban hành", "Trong đó ban hành muộn"],
            rows=[[r["name"], r["overdue"], r["due_soon"], r["letters"], r["letters_late"]]
                  for r in late_summary(user, group=group, start=start, end=end)]))
    labels = dict(DeadlineState.choices)

    def day(moment):  # the original appointment: a date cell (dd/mm/yyyy)
        return timezone.localtime(moment).date() if moment else None

    sheets.append(Sheet("Danh sách hồ sơ", header=[
        "Mã hồ sơ", "Thủ tục", "Cơ quan giải quyết", "Cán bộ đang xử lý", "Hẹn trả", "Hẹn ban đầu", "Theo dõi",
        "Phiếu xin lỗi"], rows=(
        [d.code, d.procedure_version.procedure.name, d.handling_agency.name,
         d.assignee.full_name if d.assignee else "", d.due_at, day(d.extended_from),
         str(labels.get(d.track, "")), d.letters] for d in late_dossiers(user).iterator(chunk_size=2000))))
    return xlsx_bytes(sheets)
