"""Metrics from the portal's own data, stored as monthly snapshots per agency and for the province
(the root of the agency tree), with numerator and denominator; rates are computed at display time.

Snapshots read the monthly tables the lower apps keep (dossiers.MonthlyAgencyStats,
nationalportal.MonthlySyncStats and satisfaction.MonthlySatisfactionStats, which follow the counting
rules of indices.md §4.3) plus two grouped queries per month (dossiers received by channel, processing
time), so a month of a province with millions of dossiers is a handful of index scans. Re-running gives identical rows.

Which agency (Decree 118/2025, a dossier received at one desk for another competent agency; the rule is
dossiers/stats.py's): the reception counts and channel shares (received, online, postal, the 766 online
count, reuse, fees and online payment) go to the receiving desk; processing time, progress and on-time
counts, results and apologies to the competent agency. `received_for_others` (received at the desk for
another agency, a part of `received`) and `received_from_others` (handled here, received elsewhere, not
part of `received`) are lines of their own.

Aggregating months: flows (received, finished …) add up; stocks (in progress at the end of a month)
take the last month of the period.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, connections, router, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency
from core.bulk import bulk_insert
from dossiers.models import Dossier, MonthlyAgencyStats
from dossiers.stats import _bounds, months, next_month, only
from nationalportal.models import MonthlySyncStats
from satisfaction.models import MonthlySatisfactionStats

from .models import MetricSnapshot, PeriodKind, PeriodTotal, RankedPeriod, RankedScore, Scope


@dataclass(frozen=True)
class Metric:
    label: str  # shown on dashboards and in exports: a lazy translation
    has_denominator: bool = False
    stock: bool = False  # a count at the end of the month (the period takes its last month)


# Stored per agency and month. (numerator, denominator) pairs where the pair is natural.
METRICS: dict[str, Metric] = {
    "received": Metric(_("Hồ sơ tiếp nhận")),
    "received_for_others": Metric(_("Tiếp nhận cho cơ quan khác")),
    "received_from_others": Metric(_("Hồ sơ do nơi khác tiếp nhận")),
    "received_online": Metric(_("Hồ sơ nộp trực tuyến")),
    "received_postal": Metric(_("Hồ sơ nộp qua bưu chính")),
    "received_online_766": Metric(_("Hồ sơ trực tuyến theo cách đếm 766 (có kết quả điện tử nếu cần)")),
    "progress_766": Metric(_("Hồ sơ đúng hạn / đã và đang xử lý (cách đếm 766)"), has_denominator=True),
    "finished_early": Metric(_("Giải quyết trước hạn")),
    "finished_on_time": Metric(_("Giải quyết đúng hạn")),
    "finished_late": Metric(_("Giải quyết quá hạn")),
    "in_progress_on_time": Metric(_("Đang giải quyết trong hạn"), stock=True),
    "in_progress_overdue": Metric(_("Đang giải quyết quá hạn"), stock=True),
    "processing_minutes": Metric(_("Thời gian giải quyết (phút) / hồ sơ"), has_denominator=True),
    "digitized": Metric(_("Hồ sơ số hóa / hồ sơ giải quyết xong"), has_denominator=True),
    "e_result": Metric(_("Kết quả điện tử / hồ sơ giải quyết xong"), has_denominator=True),
    "paid_online": Metric(_("Thanh toán trực tuyến / hồ sơ có nghĩa vụ tài chính"), has_denominator=True),
    "procedures_paid_online": Metric(_("Thủ tục có thanh toán trực tuyến")),
    "reusing_data": Metric(_("Hồ sơ dùng lại dữ liệu số hóa / hồ sơ tiếp nhận"), has_denominator=True),
    "apologies_issued": Metric(_("Phiếu xin lỗi đã ban hành")),
    "apologies_issued_late": Metric(_("Phiếu xin lỗi ban hành muộn / đã ban hành"), has_denominator=True),
    "synced": Metric(_("Hồ sơ đồng bộ kịp thời / cần đồng bộ"), has_denominator=True),
    "survey_satisfied": Metric(_("Phiếu đánh giá hài lòng / phiếu trả lời"), has_denominator=True),
    "survey_responses": Metric(_("Phiếu trả lời / lời mời đánh giá"), has_denominator=True),
    "petitions_on_time": Metric(_("Phản ánh xử lý đúng hạn / phải xử lý"), has_denominator=True),
    "petitions_satisfied": Metric(_("Phản ánh xử lý hài lòng / tiếp nhận"), has_denominator=True),
    "dossiers_satisfied": Metric(_("Hồ sơ không bị phản ánh, không quá hạn / đã xử lý (766)"), has_denominator=True),
}

FINISHED = ("finished_early", "finished_on_time", "finished_late")
IN_PROGRESS = ("in_progress_on_time", "in_progress_overdue")


@dataclass(frozen=True)
class Rate:
    label: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    metric: str = ""  # a stored pair (numerator and denominator of one metric)


# What the dashboards show: rates over the aggregated metrics of a period.
RATES: dict[str, Rate] = {
    "on_time_rate": Rate(_("Tỷ lệ đúng hạn theo hạn luật định (xong trước, đúng hạn và đang trong hạn)"),
                         ("finished_early", "finished_on_time", "in_progress_on_time"), FINISHED + IN_PROGRESS),
    "finished_on_time_rate": Rate(_("Tỷ lệ giải quyết đúng hạn (trong số đã giải quyết)"),
                                  ("finished_early", "finished_on_time"), FINISHED),
    "online_share": Rate(_("Tỷ lệ hồ sơ trực tuyến"), ("received_online",), ("received",)),
    "postal_share": Rate(_("Tỷ lệ hồ sơ qua bưu chính"), ("received_postal",), ("received",)),
    "digitized_rate": Rate(_("Tỷ lệ hồ sơ số hóa"), (), (), metric="digitized"),
    "e_result_rate": Rate(_("Tỷ lệ kết quả điện tử"), (), (), metric="e_result"),
    "paid_online_rate": Rate(_("Tỷ lệ thanh toán trực tuyến"), (), (), metric="paid_online"),
    "reuse_rate": Rate(_("Tỷ lệ dùng lại dữ liệu số hóa"), (), (), metric="reusing_data"),
    "survey_satisfaction": Rate(_("Tỷ lệ hài lòng (khảo sát)"), (), (), metric="survey_satisfied"),
    "survey_response_rate": Rate(_("Tỷ lệ phản hồi khảo sát"), (), (), metric="survey_responses"),
    "petitions_on_time_rate": Rate(_("Tỷ lệ phản ánh xử lý đúng hạn"), (), (), metric="petitions_on_time"),
    "sync_rate": Rate(_("Tỷ lệ đồng bộ trạng thái kịp thời"), (), (), metric="synced"),
}


def roots() -> dict[int, int]:
    """{agency id: id of the root of its tree (the province)}."""
    parents = dict(Agency.objects.values_list("pk", "parent_id"))
    out = {}
    for pk in parents:
        node = pk
        while parents.get(node):
            node = parents[node]
        out[pk] = node
    return out


def compute_month(month: dt.date, agencies=None) -> dict[tuple[int, str], tuple[int, int | None]]:
    """{(agency id, metric): (numerator, denominator)} of one month (with `agencies`, those agencies' only)."""
    start, end = _bounds(month)
    rows: dict[tuple[int, str], tuple[int, int | None]] = {}

    def put(agency_id, metric, numerator, denominator=None):
        rows[(agency_id, metric)] = (int(numerator or 0), None if denominator is None else int(denominator))

    dossier_stats = {a.agency_id: a for a in only(MonthlyAgencyStats.objects.filter(month=month), "agency_id",
                                                  agencies)}
    sync_stats = {s.agency_id: s for s in only(MonthlySyncStats.objects.filter(month=month), "agency_id", agencies)}
    # One row per agency counted by either table (as when the sync counts were columns of the first):
    # what one of them lacks counts as zero.
    for agency_id in sorted(dossier_stats.keys() | sync_stats.keys()):
        a = dossier_stats.get(agency_id) or MonthlyAgencyStats(agency_id=agency_id)
        sync = sync_stats.get(agency_id) or MonthlySyncStats(agency_id=agency_id)
        finished = a.finished_early + a.finished_on_time + a.finished_late
        for name in ("received", "received_for_others", "received_from_others", *FINISHED, *IN_PROGRESS,
                     "apologies_issued"):
            put(a.agency_id, name, getattr(a, name))
        put(a.agency_id, "digitized", a.dossiers_digitized, finished)
        put(a.agency_id, "e_result", a.dossiers_e_result, finished)
        put(a.agency_id, "paid_online", a.dossiers_paid_online, a.dossiers_fee_obligation)
        put(a.agency_id, "procedures_paid_online", a.procedures_paid_online)
        put(a.agency_id, "reusing_data", a.dossiers_reusing_data, a.received)
        put(a.agency_id, "apologies_issued_late", a.apologies_issued_late, a.apologies_issued)
        put(a.agency_id, "synced", sync.dossiers_synced, sync.dossiers_to_sync)
        put(a.agency_id, "progress_766", a.dossiers_766_on_time, a.dossiers_766)
        put(a.agency_id, "received_online_766", a.received_online_766)
    for s in only(MonthlySatisfactionStats.objects.filter(month=month), "agency_id", agencies):
        put(s.agency_id, "survey_satisfied", s.responses_satisfied, s.responses)
        put(s.agency_id, "survey_responses", s.responses, s.invitations)
        put(s.agency_id, "petitions_on_time", s.petitions_on_time, s.petitions_total)
        put(s.agency_id, "petitions_satisfied", s.petitions_satisfied, s.petitions_received)
        put(s.agency_id, "dossiers_satisfied", s.dossiers_satisfied, s.dossiers_handled)
    # Channel shares: with the desk that received the dossier (their denominator, `received`, is counted there).
    for r in (only(Dossier.objects, "receiving_agency", agencies).filter(received_at__gte=start, received_at__lt=end)
              .values("receiving_agency")
              .annotate(online=Count("id", filter=Q(channel="online")),
                        postal=Count("id", filter=Q(channel="postal"))).order_by()):
        put(r["receiving_agency"], "received_online", r["online"])
        put(r["receiving_agency"], "received_postal", r["postal"])
    # Processing time: from reception to the result, the competent agency's (forwarding time included).
    for r in (only(Dossier.objects, "handling_agency", agencies)
              .filter(resolved_at__gte=start, resolved_at__lt=end, received_at__isnull=False)
              .values("handling_agency")
              .annotate(n=Count("id"), total=Sum(F("resolved_at") - F("received_at"))).order_by()):
        put(r["handling_agency"], "processing_minutes", r["total"].total_seconds() // 60 if r["total"] else 0, r["n"])
    return rows


@transaction.atomic
def snapshots_refresh(*, first: dt.date, last: dt.date, now: dt.datetime | None = None, agencies=None) -> int:
    """Recompute the snapshots of the months from `first` to `last`: one row per agency and metric, and
    the province totals; rows no longer counted are removed. With `agencies` (the agencies touched since the
    last run), only their rows are counted again, and the totals of their provinces summed from the stored
    rows. Returns the rows written."""
    now = now or timezone.now()
    root_of = roots()
    provinces = None if agencies is None else {root_of.get(a, a) for a in agencies}
    written = 0
    for month in months(first, last):
        rows = compute_month(month, agencies)
        if agencies is not None:  # the provinces' other agencies, as stored
            rows_all = dict(rows)
            for a, m, n, d in (MetricSnapshot.objects.filter(month=month, scope=Scope.AGENCY)
                               .exclude(agency_id__in=agencies).values_list("agency_id", "metric", "numerator",
                                                                            "denominator")):
                if root_of.get(a, a) in provinces:
                    rows_all[(a, m)] = (n, d)
        else:
            rows_all = rows
        totals: dict[tuple[int, str], list] = defaultdict(lambda: [0, None])
        for (agency_id, metric), (num, den) in rows_all.items():
            total = totals[(root_of.get(agency_id, agency_id), metric)]
            total[0] += num
            if den is not None:
                total[1] = (total[1] or 0) + den
        objects = [{"agency_id": a, "scope": Scope.AGENCY, "month": month, "metric": m, "numerator": n,
                    "denominator": d, "computed_at": now} for (a, m), (n, d) in rows.items()]
        objects += [{"agency_id": a, "scope": Scope.PROVINCE, "month": month, "metric": m, "numerator": n,
                     "denominator": d, "computed_at": now} for (a, m), (n, d) in totals.items()]
        keep = {(o["agency_id"], o["scope"], o["metric"]) for o in objects}
        mine = MetricSnapshot.objects.filter(month=month)
        if agencies is not None:
            mine = mine.filter(Q(scope=Scope.AGENCY, agency_id__in=agencies)
                               | Q(scope=Scope.PROVINCE, agency_id__in=provinces))
        stale = [pk for pk, a, s, m in mine.values_list("pk", "agency_id", "scope", "metric") if (a, s, m) not in keep]
        MetricSnapshot.objects.filter(pk__in=stale).delete()
        bulk_insert(MetricSnapshot, objects, unique=["agency", "scope", "month", "metric"],
                    update=["numerator", "denominator", "computed_at"])
        written += len(objects)
    written += rollups_refresh(first=first, last=last, now=now, agencies=agencies, provinces=provinces)
    if agencies is not None:
        # The stored rows of the touched agencies were scored from their previous figures: dropped (the presets'
        # are stored again by services.figures_refresh, a period chosen by hand is scored again when asked).
        RankedScore.objects.filter(agency_id__in=agencies).delete()
        return written
    # The stored rankings were scored from the previous figures: dropped, so that the overview scores on the fly
    # until services.figures_refresh stores them again.
    RankedPeriod.objects.all().delete()
    if connection.vendor == "postgresql":  # fresh planner statistics for the dashboards' grouped reads
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {MetricSnapshot._meta.db_table}")
            cursor.execute(f"ANALYZE {PeriodTotal._meta.db_table}")
    return written


# -- reading --------------------------------------------------------------------------------------

def aggregate(rows) -> dict[str, tuple[int, int | None]]:
    """Sum snapshot rows of a period: flows add up, stocks take the last month."""
    last_month = max((r["month"] for r in rows), default=None)
    out: dict[str, list] = {}
    for r in rows:
        metric = METRICS.get(r["metric"])
        if metric is None or (metric.stock and r["month"] != last_month):
            continue
        total = out.setdefault(r["metric"], [0, None])
        total[0] += r["numerator"]
        if r["denominator"] is not None:
            total[1] = (total[1] or 0) + r["denominator"]
    return {k: (v[0], v[1]) for k, v in out.items()}


def rate(values: dict[str, tuple[int, int | None]], code: str) -> tuple[int, int]:
    """(numerator, denominator) of a dashboard rate over aggregated metrics."""
    spec = RATES[code]
    if spec.metric:
        num, den = values.get(spec.metric, (0, 0))
        return num, den or 0
    return (sum(values.get(m, (0, None))[0] for m in spec.numerator),
            sum(values.get(m, (0, None))[0] for m in spec.denominator))


STOCKS = [code for code, m in METRICS.items() if m.stock]


def pieces(first: dt.date, last: dt.date) -> tuple[list[dt.date], list[dt.date], list[dt.date]]:
    """The months first..last covered by whole years, then whole quarters, then single months (the first
    month of each): at most a few pieces per period, whatever its length."""
    years, quarters, singles = [], [], []
    month, last = first.replace(day=1), last.replace(day=1)
    while month <= last:
        if month.month == 1 and month.replace(month=12) <= last:
            years.append(month)
            month = month.replace(year=month.year + 1)
        elif month.month % 3 == 1 and month.replace(month=month.month + 2) <= last:
            quarters.append(month)
            month = next_month(next_month(next_month(month)))
        else:
            singles.append(month)
            month = next_month(month)
    return years, quarters, singles


def _piece_months(kind: str, start: dt.date) -> tuple[dt.date, dt.date]:
    if kind == PeriodKind.YEAR:
        return start, start.replace(month=12)
    return start, start.replace(month=start.month + 2)


def rollups_refresh(*, first: dt.date, last: dt.date, now: dt.datetime | None = None, agencies=None,
                    provinces=None) -> int:
    """Recompute the quarter and year totals that contain a month from `first` to `last` from the stored
    monthly snapshots (called by `snapshots_refresh`, in its transaction), of every agency, or only of `agencies`
    and the totals of `provinces`. Returns the rows written."""
    now = now or timezone.now()
    wanted = set()
    for month in months(first.replace(day=1), last.replace(day=1)):
        wanted.add((PeriodKind.YEAR, month.replace(month=1)))
        wanted.add((PeriodKind.QUARTER, month.replace(month=(month.month - 1) // 3 * 3 + 1)))
    written = 0
    for kind, start in sorted(wanted):
        begin, end = _piece_months(kind, start)
        qs = MetricSnapshot.objects.filter(month__gte=begin, month__lte=end, metric__in=list(METRICS))
        mine = PeriodTotal.objects.filter(kind=kind, start=start)
        if agencies is not None:
            which = (Q(scope=Scope.AGENCY, agency_id__in=agencies)
                     | Q(scope=Scope.PROVINCE, agency_id__in=provinces or ()))
            qs, mine = qs.filter(which), mine.filter(which)
        last_of = {(r["agency_id"], r["scope"]): r["m"]
                   for r in qs.values("agency_id", "scope").annotate(m=Max("month")).order_by()}
        objects = [{"agency_id": r["agency_id"], "scope": r["scope"], "kind": kind, "start": start,
                    "metric": r["metric"], "numerator": int(r["n"] or 0),
                    "denominator": None if r["d"] is None else int(r["d"]),
                    "last_month": last_of[(r["agency_id"], r["scope"])], "computed_at": now}
                   for r in qs.exclude(metric__in=STOCKS).values("agency_id", "scope", "metric")
                   .annotate(n=Sum("numerator"), d=Sum("denominator")).order_by()]
        objects += [{"agency_id": r["agency_id"], "scope": r["scope"], "kind": kind, "start": start,
                     "metric": r["metric"], "numerator": r["numerator"], "denominator": r["denominator"],
                     "last_month": r["month"], "computed_at": now}
                    for r in qs.filter(metric__in=STOCKS).values("agency_id", "scope", "month", "metric", "numerator",
                                                                 "denominator")
                    if r["month"] == last_of[(r["agency_id"], r["scope"])]]
        mine.delete()
        bulk_insert(PeriodTotal, objects, batch_size=5000)
        written += len(objects)
    return written


def period_values(*, first: dt.date, last: dt.date, scope: str = Scope.AGENCY,
                  agency_ids=None) -> dict[int, dict[str, tuple[int, int | None]]]:
    """{agency id: aggregated metrics} over the months from `first` to `last`: flows added up, stocks of
    each agency's last month with data in the period. Read from the stored year and quarter totals
    (`PeriodTotal`) plus the single months at the ends, so a five-year period reads five rows per agency
    and metric, not sixty.

    One statement does it all (a union of the pieces, the flows summed, the stocks picked) and its rows are read
    as plain tuples: a custom period's ranking reads two periods of ~150 agencies × 26 metrics, and building
    thousands of ORM rows cost more than the database's work (issue #21). Standard SQL, so SQLite (`make run`) runs
    the same statement; `tests/test_rollups.py` checks it against the months added up one by one."""
    years, quarters, singles = pieces(first, last)
    agencies = list(agency_ids) if agency_ids is not None else None
    if agencies == []:
        return {}
    parts, params = [], []

    def _in(column: str, values) -> str:  # "column IN (%s, …)", its values added to the statement's parameters
        params.extend(values)
        return f"{column} IN ({', '.join(['%s'] * len(values))})"

    def _agencies() -> str:
        return "" if agencies is None else f" AND {_in('agency_id', agencies)}"

    if years or quarters:
        params.append(scope)
        kinds = []
        for kind, starts in ((PeriodKind.YEAR, years), (PeriodKind.QUARTER, quarters)):
            if starts:
                params.append(kind)
                kinds.append(f"(kind = %s AND {_in('start', starts)})")
        parts.append(f"SELECT agency_id, metric, numerator AS n, denominator AS d, last_month AS m "
                     f"FROM {PeriodTotal._meta.db_table} WHERE scope = %s AND ({' OR '.join(kinds)}){_agencies()}")
    if singles:
        params.append(scope)
        where = f"scope = %s AND {_in('month', singles)} AND {_in('metric', list(METRICS))}{_agencies()}"
        parts.append(f"SELECT agency_id, metric, numerator AS n, denominator AS d, month AS m "
                     f"FROM {MetricSnapshot._meta.db_table} WHERE {where}")
    if not parts:
        return {}  # no month: `first` after `last`
    # one pass: a flow's sum per agency and metric; a stock's per agency, metric and month (kept: the agency's last
    # month with data, over every metric, read from the same rows)
    stocks = ", ".join(["%s"] * len(STOCKS))
    sql = (f"SELECT agency_id, metric, CASE WHEN metric IN ({stocks}) THEN m END AS month, "
           f"CAST(SUM(n) AS BIGINT), CAST(SUM(d) AS BIGINT), MAX(m) FROM ({' UNION ALL '.join(parts)}) AS pieces "
           f"GROUP BY agency_id, metric, CASE WHEN metric IN ({stocks}) THEN m END")
    with connections[router.db_for_read(PeriodTotal)].cursor() as cursor:
        cursor.execute(sql, [*STOCKS, *params, *STOCKS])
        rows = cursor.fetchall()
    last_of: dict[int, dt.date] = {}
    for agency_id, _metric, _month, _num, _den, latest in rows:
        if agency_id not in last_of or latest > last_of[agency_id]:
            last_of[agency_id] = latest
    out: dict[int, dict] = defaultdict(dict)
    for agency_id, metric, month, num, den, _latest in rows:
        if month is None or month == last_of[agency_id]:
            out[agency_id][metric] = (num or 0, den)
    return dict(out)
