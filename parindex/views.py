"""The index dashboards (Home Affairs; read-only for an agency head on their own agency). Every page
reads the monthly snapshots; only the drill-down list touches the dossier table, for one click."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import selectors as agency_selectors
from core.db_router import reads_statistics
from core.exports import XLSX_CONTENT_TYPE, Sheet, xlsx_bytes
from core.periods import month_range
from core.rows import url_maker
from dossiers.policies import applicant_name_for
from dossiers.printing import render_pdf
from dossiers.selectors import log_personal_data_access, mask_id_number
from dossiers.stats import months
from queueing import policies as queue_policies
from queueing import stats as queue_stats

from . import metrics, selectors
from .export import table_response
from .models import Scope
from .portal766 import GROUP_NAMES, config_for, configs_for, names, portal_score

KEY_RATES = ("on_time_rate", "online_share", "digitized_rate", "paid_online_rate", "survey_satisfaction")
SORTS = {"score": lambda r: (r["score"] is None, -(r["score"] or 0)), "name": lambda r: r["name"],
         "change": lambda r: (r["change"] is None, r["change"] or 0), "received": lambda r: -r["received"]}


def _period(request) -> tuple[dt.date, dt.date, str]:
    today = timezone.localdate()
    preset = request.GET.get("ky", "")
    if preset in ("thang", "quy", "12-thang"):
        return (*selectors.preset_period(preset, today), preset)
    if preset == "nam" or not (request.GET.get("from") or request.GET.get("to")):
        return (*selectors.preset_period("nam", today), "nam")
    try:
        first, last = month_range(request.GET.get("from"), request.GET.get("to"), today=today)
    except ValueError as exc:
        messages.error(request, _("Kỳ không hợp lệ: %s Đang hiển thị năm nay.") % exc)
        return today.replace(month=1, day=1), today.replace(day=1), "nam"
    return first, last, ""


def _agency(pk: int):
    agency = agency_selectors.agency_get(pk=pk)
    if agency is None:
        raise Http404("Không tìm thấy cơ quan.")
    return agency


def period_query(first: dt.date, last: dt.date, preset: str) -> str:
    """The query string that keeps the chosen period in every link."""
    return f"ky={preset}" if preset else f"from={first:%Y-%m}&to={last:%Y-%m}"


def _trend(values_by_month: list[tuple[dt.date, tuple[int, int]]]) -> dict:
    """An inline SVG polyline of a rate over months (no chart library, no CDN)."""
    points, labels = [], []
    n = len(values_by_month)
    for i, (month, (num, den)) in enumerate(values_by_month):
        if den:
            x = 4 + i * (112 / max(1, n - 1))
            y = 36 - 32 * num / den
            points.append(f"{x:.1f},{y:.1f}")
            labels.append(f"{month:%m/%Y}: {num}/{den} = {100 * num / den:.1f}%")
    return {"points": " ".join(points), "labels": "; ".join(labels)}


def _province_trends(root_ids: list[int], last: dt.date) -> dict[str, dict]:
    first = (last.replace(day=1) - dt.timedelta(days=330)).replace(day=1)
    rows = selectors.province_snapshot_rows(root_ids, first, last)
    by_month: dict[dt.date, list] = {}
    for r in rows:
        by_month.setdefault(r["month"], []).append(r)
    series = {code: [] for code in KEY_RATES}
    for month in months(first, last):
        values = metrics.aggregate(by_month.get(month, []))
        for code in KEY_RATES:
            series[code].append((month, metrics.rate(values, code)))
    return {code: _trend(points) for code, points in series.items()}


@login_required
@reads_statistics
def overview(request):
    agency_ids, wide = selectors.dashboard_agencies(request.user)
    first, last, preset = _period(request)
    root_of = metrics.roots() if wide else {}
    roots = sorted({root_of.get(a, a) for a in agency_ids}) if wide else []
    totals = selectors.province_values(roots, first, last) if wide else {}
    province = {}
    for values in totals.values():
        for key, (num, den) in values.items():
            n, d = province.get(key, (0, None))
            province[key] = (n + num, None if den is None and d is None else (d or 0) + (den or 0))
    if not wide:
        province = metrics.period_values(first=first, last=last, agency_ids=agency_ids).get(agency_ids[0], {})
    rows = selectors.ranking(agency_ids, first, last, preset)
    sort = request.GET.get("sap-xep", "score")
    rows.sort(key=SORTS.get(sort, SORTS["score"]))
    if request.GET.get("xuat") in ("csv", "xlsx"):
        return _export_ranking(rows, first, last, request.GET["xuat"])
    agency_url = url_maker("parindex:agency")
    for r in rows:  # what each row shows, prepared once here rather than by template tags on every cell
        r["url"] = agency_url(r["agency_id"])
        r["shown"] = {key: _shown_rate(r["rates"].get(code)) for key, code in (
            ("on_time", "on_time_rate"), ("online", "online_share"), ("satisfied", "survey_satisfaction"))}
    cards = [{"code": code, "label": metrics.RATES[code].label, "pair": metrics.rate(province, code)}
             for code in KEY_RATES]
    trends = _province_trends(roots, last) if wide else {}
    for card in cards:
        card["trend"] = trends.get(card["code"])
    dropped = min((r for r in rows if r["change"] is not None), key=lambda r: r["change"], default=None)
    previous = selectors.previous_period(first, last, preset)
    return render(request, "parindex/overview.html", {
        "first": first, "last": last, "preset": preset, "cards": cards, "rows": rows, "wide": wide, "sort": sort,
        "figures_at": selectors.figures_time(preset, first, last), "refresh_minutes": settings.FIGURES_REFRESH_MINUTES,
        "pq": period_query(first, last, preset), "previous": previous,
        "previous_has_data": any(r["previous"] is not None for r in rows),
        "province_score": portal_score(province, config_for(last)) if province else None, "dropped": dropped,
        "roots": roots,
        "received": province.get("received", (0, None))[0],
        "received_for_others": province.get("received_for_others", (0, None))[0],
    })


def _shown_rate(pair) -> dict:
    """A rate as the ranking shows it: the whole percentage (as `widthratio` rounds) and num / den on hover."""
    if not pair:
        return {"pct": "—", "title": ""}
    num, den = pair
    return {"pct": f"{round(num / den * 100)}%" if den else "—", "title": f"{num} / {den}"}


def _export_ranking(rows, first, last, kind):
    header = [_("Hạng"), _("Cơ quan"), _("Điểm 766 (phần đo được)"), _("Tối đa đo được"), _("Kỳ trước"),
              _("Thay đổi"), _("Hồ sơ tiếp nhận"), _("Tiếp nhận cho cơ quan khác")] + [
                  f"{metrics.RATES[c].label} (%)" for c in KEY_RATES]

    def line(r):  # rates as numbers (percent, 1 decimal) so a spreadsheet can sort and average them
        rates = [round(100 * n / d, 1) if d else None for n, d in (r["rates"].get(c, (0, 0)) for c in KEY_RATES)]
        return [r["rank"], r["name"], r["score"], r["max"], r["previous"], r["change"], r["received"],
                r["received_for_others"], *rates]

    return table_response(f"xep-hang-{first:%Y%m}-{last:%Y%m}", [("Xep hang", header, [line(r) for r in rows])],
                          kind)


@login_required
@reads_statistics
def agency_detail(request, pk: int):
    agency_ids, wide = selectors.dashboard_agencies(request.user)
    if pk not in agency_ids:
        raise PermissionDenied(_("Cơ quan này ngoài phạm vi của bạn."))
    agency = _agency(pk)
    first, last, preset = _period(request)
    # ?tinh=1 on the root of the tree: the whole province (its snapshot totals)
    scope = Scope.PROVINCE if request.GET.get("tinh") and wide and agency.parent_id is None else Scope.AGENCY
    values = metrics.period_values(first=first, last=last, scope=scope, agency_ids=[pk]).get(pk, {})
    rows = []
    for code, spec in metrics.METRICS.items():
        num, den = values.get(code, (0, None))
        row = {"code": code, "label": spec.label, "num": num, "den": den, "drill": code in selectors.DRILLABLE,
               "stock": spec.stock}
        if code == "processing_minutes":  # shown as the average per dossier
            row.update(label=_("Thời gian giải quyết trung bình (từ tiếp nhận đến có kết quả)"), den=None,
                       num=(ngettext("%(h)s giờ (%(d)s ngày) trên %(n)s hồ sơ",
                                     "%(h)s giờ (%(d)s ngày) trên %(n)s hồ sơ", den) % {
                           "h": f"{num / den / 60:.1f}".replace(".", ","),
                           "d": f"{num / den / 1440:.1f}".replace(".", ","), "n": den}) if den else "—")
        rows.append(row)
    monthly = []
    by_month = selectors.agency_snapshot_rows(scope, pk, first, last)
    grouped: dict[dt.date, list] = {}
    for r in by_month:
        grouped.setdefault(r["month"], []).append(r)
    configs = configs_for(months(first, last))  # one read, each configuration converted once
    for month in months(first, last):
        scored = portal_score(metrics.aggregate(grouped.get(month, [])), configs[month])
        monthly.append({"month": month, "groups": scored["groups"], "total": scored["total"]})
    score = portal_score(values, configs[last.replace(day=1)])
    labels = names()
    for row in score["indicators"]:
        row["name"], row["group_name"] = labels.get(row["code"], row["code"]), labels.get(row["group"], row["group"])
    if request.GET.get("xuat") in ("csv", "xlsx"):
        return table_response(f"chi-so-{agency.code}-{first:%Y%m}-{last:%Y%m}", [
            ("Chi so", [_("Chỉ số"), _("Tử số"), _("Mẫu số")], [[r["label"], r["num"], r["den"]] for r in rows]),
            ("766", [_("Nhóm"), _("Chỉ tiêu"), _("Tử số"), _("Mẫu số"), _("Điểm"), _("Tối đa")],
             [[i["group_name"], i["name"], i["numerator"] if i["measured"] else None,
               i["denominator"] if i["measured"] else None, i["points"], i["max"]] for i in score["indicators"]]),
            ("Theo thang", [_("Tháng"), *GROUP_NAMES.values(), _("Tổng")],
             [[f"{m['month']:%m/%Y}", *[m["groups"][g]["points"] for g in GROUP_NAMES], m["total"]] for m in monthly]),
        ], request.GET["xuat"])
    return render(request, "parindex/agency.html", {
        "agency": agency, "first": first, "last": last, "preset": preset, "rows": rows,
        "province": scope == Scope.PROVINCE, "pq": period_query(first, last, preset),
        "score": score, "monthly": monthly,
        "rates": [{"label": metrics.RATES[c].label, "pair": metrics.rate(values, c)} for c in metrics.RATES],
        "queue": None if scope == Scope.PROVINCE else _queue_summary(request.user, agency, first, last),
    })


def _queue_summary(user, agency, first: dt.date, last: dt.date) -> dict | None:
    """The centre's median wait and appointments kept over the months shown (read from the tickets of that
    centre: one query each, a few thousand rows a month), for those who may see its queue statistics."""
    if not queue_policies.can_see_queue_stats(user, agency):
        return None
    end = min((last + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1), timezone.localdate())
    summary = queue_stats.centre_summary(agency, first, end)
    if summary is None:
        return None
    return {**summary, "start": first, "end": end}


@login_required
def dossier_list(request):
    agency_ids, _wide = selectors.dashboard_agencies(request.user)
    metric = request.GET.get("chi-so", "")
    if metric not in selectors.DRILLABLE:
        raise Http404(_("Chỉ số không có danh sách hồ sơ."))
    raw = request.GET.get("co-quan", "")
    if raw:
        if not raw.isdigit() or int(raw) not in agency_ids:
            raise PermissionDenied(_("Cơ quan này ngoài phạm vi của bạn."))
        agency_ids = [int(raw)]
    first, last, _preset = _period(request)
    qs = selectors.dossiers_behind(metric, agency_ids, first, last).order_by("due_at", "id")
    if request.GET.get("xuat") in ("csv", "xlsx"):
        log_personal_data_access(request, None, "export", f"{metric} {first:%m/%Y}-{last:%m/%Y}")
        rows = [[d.code, d.procedure_version.procedure.name, d.handling_agency.name,
                 applicant_name_for(request.user, d), mask_id_number(d.applicant_id_number),
                 d.assignee.full_name if d.assignee else "", d.received_at, d.due_at, d.get_status_display()]
                for d in qs[:100_000]]
        header = [_("Mã hồ sơ"), _("Thủ tục"), _("Cơ quan"), _("Người nộp"), _("Số CCCD"), _("Cán bộ xử lý"),
                  _("Tiếp nhận"), _("Hẹn trả"), _("Trạng thái")]
        return table_response(f"ho-so-{metric}-{first:%Y%m}-{last:%Y%m}", [("Ho so", header, rows)],
                              request.GET["xuat"])
    total = qs.count()
    rows = list(qs[:500])
    for row in rows:
        row.masked_id = mask_id_number(row.applicant_id_number)
        row.applicant_shown = applicant_name_for(request.user, row)  # Home Affairs: initials only
    return render(request, "parindex/dossiers.html", {
        "metric": metric, "label": metrics.METRICS[metric].label, "rows": rows, "total": total, "first": first,
        "last": last, "agency": agency_selectors.agency_get(pk=int(raw)) if raw else None,
    })


BREAKDOWN_PAGE = 50  # rows a page shows, worst first (a provincial centre handles over a thousand procedures)
BREAKDOWNS = {"linh-vuc": _("Lĩnh vực"), "thu-tuc": _("Thủ tục"), "can-bo": _("Cán bộ xử lý")}


@login_required
@reads_statistics
def breakdown(request, pk: int):
    """One agency's counts over the period by field, procedure or officer, read from the monthly rollup (the
    page says when its figures were computed)."""
    agency_ids, _wide = selectors.dashboard_agencies(request.user)
    agency = _agency(pk)  # an agency that does not exist: 404, not "out of your scope"
    if pk not in agency_ids:
        raise PermissionDenied(_("Cơ quan này ngoài phạm vi của bạn."))
    by = request.GET.get("theo", "linh-vuc")
    if by not in BREAKDOWNS:
        raise Http404(_("Cách phân tích không hợp lệ."))
    label = BREAKDOWNS[by]
    first, last, preset = _period(request)
    table, total, computed_at = selectors.breakdown(agency, by, first, last)
    if request.GET.get("xuat") in ("csv", "xlsx"):
        header = [label, _("Tiếp nhận"), _("Tiếp nhận cho cơ quan khác"), _("Trực tuyến"), _("Có phí"),
                  _("Thanh toán trực tuyến"), _("Giải quyết"), _("Trước hạn"), _("Đúng hạn"), _("Quá hạn"),
                  _("Kết quả điện tử"), _("Đang quá hạn (cuối kỳ)"),
                  _("Phiếu đánh giá"), _("Hài lòng")]
        return table_response(f"phan-tich-{agency.code}-{by}-{first:%Y%m}-{last:%Y%m}", [("Phan tich", header, [
            [r["name"], r["received"], r["for_others"], r["online"], r["fee_due"], r["paid_online"], r["finished"],
             r["early"], r["on_time"], r["late"], r["e_result"], r["overdue"], r["responses"], r["satisfied"]]
            for r in [*table, total]])], request.GET["xuat"])
    page = Paginator(table, BREAKDOWN_PAGE).get_page(request.GET.get("trang"))
    return render(request, "parindex/breakdown.html", {
        "agency": agency, "rows": page.object_list, "page": page, "count": len(table), "by": by, "label": label,
        "choices": BREAKDOWNS.items(), "first": first,
        "last": last, "preset": preset, "total": total, "pq": period_query(first, last, preset),
        "computed_at": computed_at,
    })


@reads_statistics
def transparency(request):
    """Public: on-time rate and satisfaction per agency this year, as the national portal shows, with each
    agency's hotline and feedback e-mail."""
    today = timezone.localdate()
    first, last = today.replace(month=1, day=1), today.replace(day=1)
    values = metrics.period_values(first=first, last=last)
    agencies = agency_selectors.agency_active_list()
    rows = []
    for agency in agencies:
        v = values.get(agency.pk, {})
        rows.append({"agency": agency, "on_time": metrics.rate(v, "on_time_rate"),
                     "satisfaction": metrics.rate(v, "survey_satisfaction"),
                     "received": v.get("received", (0, None))[0],
                     "received_for_others": v.get("received_for_others", (0, None))[0]})
    return render(request, "parindex/transparency.html", {"rows": rows, "first": first, "last": last})


REPORT_COLUMNS = [
    ("received", _("Tiếp nhận")), ("received_for_others", _("Tiếp nhận cho cơ quan khác")),
    ("received_online", _("Trực tuyến")), ("received_postal", _("Bưu chính")),
    ("finished_early", _("Trước hạn")), ("finished_on_time", _("Đúng hạn")), ("finished_late", _("Quá hạn")),
    ("in_progress_on_time", _("Đang giải quyết trong hạn")), ("in_progress_overdue", _("Đang giải quyết quá hạn")),
    ("apologies_issued", _("Phiếu xin lỗi")),
]


def _report_rows(agency_ids, first, last):
    values = metrics.period_values(first=first, last=last, agency_ids=agency_ids)
    names = agency_selectors.agency_names(agency_ids)
    for agency_id in names:
        values.setdefault(agency_id, {})  # an agency without dossiers is listed with zeros
    rows, total = [], {}
    for agency_id in sorted(values, key=lambda a: names.get(a, "")):
        v = values[agency_id]
        row = {"name": names.get(agency_id, "?"), "counts": [v.get(code, (0, None))[0] for code, _l in REPORT_COLUMNS],
               "online": metrics.rate(v, "online_share"), "postal": metrics.rate(v, "postal_share"),
               "satisfaction": metrics.rate(v, "survey_satisfaction"), "on_time": metrics.rate(v, "on_time_rate")}
        rows.append(row)
        for key, (num, den) in v.items():
            n, d = total.get(key, (0, None))
            total[key] = (n + num, None if den is None and d is None else (d or 0) + (den or 0))
    summary = {"name": _("Tổng cộng"), "counts": [total.get(code, (0, None))[0] for code, _l in REPORT_COLUMNS],
               "online": metrics.rate(total, "online_share"), "postal": metrics.rate(total, "postal_share"),
               "satisfaction": metrics.rate(total, "survey_satisfaction"),
               "on_time": metrics.rate(total, "on_time_rate")}
    return rows, summary


def _pct(pair) -> str:
    num, den = pair
    return f"{100 * num / den:.1f}%".replace(".", ",") if den else "—"


@login_required
@reads_statistics
def report(request):
    """The periodic report on one-stop processing to the provincial chairman, for any period: HTML,
    XLSX or PDF."""
    agency_ids, _wide = selectors.dashboard_agencies(request.user)
    first, last, preset = _period(request)
    rows, summary = _report_rows(agency_ids, first, last)
    for row in [*rows, summary]:
        row["rates"] = [_pct(row["on_time"]), _pct(row["online"]), _pct(row["postal"]), _pct(row["satisfaction"])]
    rate_labels = [_("Tỷ lệ đúng hạn"), _("Tỷ lệ trực tuyến"), _("Tỷ lệ bưu chính"), _("Tỷ lệ hài lòng")]
    context = {"rows": rows, "summary": summary, "columns": [label for _c, label in REPORT_COLUMNS],
               "rate_labels": rate_labels, "first": first, "last": last, "preset": preset,
               "pq": period_query(first, last, preset),
               "now": timezone.localtime()}
    kind = request.GET.get("xuat")
    name = f"bao-cao-mot-cua-{first:%Y%m}-{last:%Y%m}"
    if kind == "xlsx":
        lines = [[row["name"], *row["counts"], *[round(100 * n / d, 1) if d else None for n, d in (
            row["on_time"], row["online"], row["postal"], row["satisfaction"])]] for row in [*rows, summary]]
        response = HttpResponse(xlsx_bytes([Sheet(
            "Bao cao", heading=[_("Báo cáo kết quả giải quyết TTHC theo cơ chế một cửa, một cửa liên thông"),
                                f"{first:%m/%Y}–{last:%m/%Y}"],
            header=[_("Cơ quan"), *context["columns"], *[f"{label} (%)" for label in rate_labels]], rows=lines)]),
            content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    if kind == "pdf":
        response = HttpResponse(render_pdf("parindex/report_pdf.html", context), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response
    return render(request, "parindex/report.html", context)
