"""Late-dossier reports: overdue and due-soon dossiers per agency, per officer and per procedure,
with the apology letters issued, on screen and as XLSX. Reads the sweep's stored `track` (indexed),
never recomputes a deadline per row."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import Agency, User
from core.exports import Sheet, xlsx_bytes
from procedures.models import Procedure, ProcedureVersion
from workcalendar.calendar import TZ

from ..models import ApologyLetter, DeadlineState, Dossier, LateTally, LateTallyRun, LetterStatus
from .sweep import RUNNING

GROUPS = {
    "agency": ("handling_agency", "handling_agency__name", "agency", _("Cơ quan giải quyết")),
    "officer": ("assignee", "assignee__full_name", "dossier__assignee", _("Cán bộ đang xử lý")),
    "procedure": ("procedure_version__procedure", "procedure_version__procedure__name",
                  "dossier__procedure_version__procedure", _("Thủ tục")),
}
SHEETS = {"agency": "Theo cơ quan", "officer": "Theo cán bộ", "procedure": "Theo thủ tục"}
LIST_LIMIT = 50_000  # rows in the XLSX list of dossiers (the counts are always complete)
PAGE = 50  # late dossiers per page on screen


def _late(user):
    return Dossier.objects.filter(status__in=RUNNING, track__in=(DeadlineState.OVERDUE, DeadlineState.DUE_SOON),
                                  handling_agency__in=access.visible_agency_ids(user))


def _names(group: str, ids) -> dict:
    """{key: name} of the groups' keys (agency, officer, procedure ids)."""
    ids = [i for i in ids if i is not None]
    if group == "agency":
        return dict(Agency.objects.filter(pk__in=ids).values_list("pk", "name"))
    if group == "officer":
        return dict(User.objects.filter(pk__in=ids).values_list("pk", "full_name"))
    return dict(Procedure.objects.filter(pk__in=ids).values_list("pk", "name"))


def late_counted_at() -> dt.datetime | None:
    """When the late dossiers were last counted by the deadline sweep (`LateTally`), or None before the first
    sweep (the summary then counts them at once)."""
    return LateTallyRun.objects.filter(pk=1).values_list("counted_at", flat=True).first()


def late_summary(user, *, group: str, start: dt.date, end: dt.date, counted: bool = True) -> list[dict]:
    """Rows {key, name, overdue, due_soon, letters, letters_late}, most overdue first. Letters are
    those issued between `start` and `end` (inclusive) on dossiers of the group.

    The late dossiers are those the last deadline sweep counted (`LateTally`, a few rows per agency, officer and
    procedure: the page costs the same at a thousand or a million late dossiers, and says when they were
    counted, `late_counted_at`). Before the first sweep, or with `counted=False`, they are counted now on the
    columns of the partial index `dossier_hand_late_due` alone (an index-only scan, no join and no sort)."""
    letter_key = GROUPS[group][2]
    column = {"agency": "handling_agency_id", "officer": "assignee_id", "procedure": "procedure_version_id"}[group]
    counts: dict = {}
    if counted and late_counted_at() is not None:
        tally_column = {"agency": "agency_id", "officer": "assignee_id", "procedure": "procedure_version_id"}[group]
        found = (LateTally.objects.filter(agency__in=access.visible_agency_ids(user)).values(tally_column)
                 .annotate(o=Sum("overdue"), s=Sum("due_soon")).order_by().values_list(tally_column, "o", "s"))
    else:
        found = (_late(user).values(column).annotate(
            o=Count("id", filter=Q(track=DeadlineState.OVERDUE)),
            s=Count("id", filter=Q(track=DeadlineState.DUE_SOON))).order_by().values_list(column, "o", "s"))
    for key, overdue, due_soon in found:
        counts[key] = (overdue, due_soon)
    if group == "procedure":  # versions -> their procedure
        procedure_of = dict(ProcedureVersion.objects.filter(pk__in=list(counts))
                            .values_list("pk", "procedure_id"))
        by_procedure: dict = {}
        for version, (overdue, due_soon) in counts.items():
            o, s = by_procedure.get(procedure_of[version], (0, 0))
            by_procedure[procedure_of[version]] = (o + overdue, s + due_soon)
        counts = by_procedure
    rows = {k: {"key": k, "overdue": o, "due_soon": s, "letters": 0, "letters_late": 0}
            for k, (o, s) in counts.items()}
    since = dt.datetime.combine(start, dt.time.min, tzinfo=TZ)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=TZ)
    letters = (ApologyLetter.objects.filter(status=LetterStatus.ISSUED, issued_at__gte=since, issued_at__lt=until,
                                            agency__in=access.visible_agency_ids(user))
               .values(letter_key)
               .annotate(n=Count("id"), late=Count("id", filter=Q(issued_late=True))).order_by())
    for r in letters:
        row = rows.setdefault(r[letter_key], {"key": r[letter_key], "overdue": 0, "due_soon": 0, "letters": 0,
                                              "letters_late": 0})
        row["letters"], row["letters_late"] = r["n"], r["late"]
    names = _names(group, rows)
    for row in rows.values():
        row["name"] = names.get(row["key"]) or (
            gettext_now("(chưa phân công)") if group == "officer" else "—")
    return sorted(rows.values(), key=lambda r: (-r["overdue"], -r["due_soon"], -r["letters"], r["name"]))


def late_dossiers(user, *, limit: int = LIST_LIMIT):
    """Every late dossier (the XLSX list), earliest appointment first."""
    return (_late(user).select_related("procedure_version__procedure", "handling_agency", "assignee")
            .annotate(letters=Count("apology_letters", filter=Q(apology_letters__status=LetterStatus.ISSUED)))
            .order_by("due_at", "id")[:limit])


def late_page(user, *, after: tuple[dt.datetime, int] | None = None,
              size: int | None = None) -> tuple[list, tuple | None]:
    """One page of the late dossiers, earliest appointment first, from the keyset `after` (the last row's
    (due_at, id) of the page before): (rows, the next page's keyset or None). Each row has `letters`, its
    issued apology letters.

    Read per visible agency on the partial index `dossier_hand_late_due` (handling agency, due_at, id): an
    ordered index scan with LIMIT in each agency (a LATERAL join), so a page reads `size` rows per agency
    whatever the number of late dossiers, instead of sorting them all."""
    size = size or PAGE
    agencies = sorted(access.visible_agency_ids(user))
    if not agencies:
        return [], None
    if connection.vendor == "postgresql":
        ids = _late_ids(agencies, after, size + 1)
    else:  # SQLite (make run): a small database, one ordered query
        qs = _late(user).filter(due_at__isnull=False)
        if after is not None:
            qs = qs.filter(Q(due_at__gt=after[0]) | Q(due_at=after[0], pk__gt=after[1]))
        ids = list(qs.order_by("due_at", "id").values_list("id", flat=True)[:size + 1])
    more, ids = len(ids) > size, ids[:size]
    by_pk = Dossier.objects.select_related("procedure_version__procedure", "handling_agency", "assignee").in_bulk(ids)
    letters = dict(ApologyLetter.objects.filter(dossier__in=ids, status=LetterStatus.ISSUED).values("dossier")
                   .annotate(n=Count("id")).order_by().values_list("dossier", "n"))
    rows = [by_pk[pk] for pk in ids if pk in by_pk]
    for d in rows:
        d.letters = letters.get(d.pk, 0)
    return rows, ((rows[-1].due_at, rows[-1].pk) if more and rows else None)


def _late_ids(agencies: list[int], after: tuple | None, limit: int) -> list[int]:
    """The ids of the first `limit` late dossiers after the keyset, merged over the agencies (PostgreSQL)."""
    table = Dossier._meta.db_table
    marks = ", ".join(["%s"] * len(RUNNING))
    keyset, params = "", []
    if after is not None:
        keyset, params = "AND (d.due_at, d.id) > (%s, %s)", [after[0], after[1]]
    sql = (f"SELECT page.id FROM unnest(%s::bigint[]) AS a(id) CROSS JOIN LATERAL ("
           f"SELECT d.id, d.due_at FROM {table} d WHERE d.handling_agency_id = a.id AND d.status IN ({marks}) "
           f"AND d.track IN (%s, %s) AND d.due_at IS NOT NULL {keyset} ORDER BY d.due_at, d.id LIMIT %s) page "
           f"ORDER BY page.due_at, page.id LIMIT %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [agencies, *RUNNING, DeadlineState.OVERDUE, DeadlineState.DUE_SOON, *params,
                             limit, limit])
        return [pk for (pk,) in cursor.fetchall()]


def late_xlsx(user, *, start: dt.date, end: dt.date) -> bytes:
    now = timezone.localtime()
    counted_at = late_counted_at()
    counted = (f"số hồ sơ đếm lúc {timezone.localtime(counted_at):%H:%M %d/%m/%Y} (rà soát hạn xử lý); "
               if counted_at else "")
    sheets = []
    for group, (_k, _n, _l, label) in GROUPS.items():
        sheets.append(Sheet(SHEETS[group], heading=[
            f"HỒ SƠ QUÁ HẠN, SẮP ĐẾN HẠN — lập lúc {now:%H:%M %d/%m/%Y}; {counted}phiếu xin lỗi ban hành từ "
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
