"""Pages of the PAR self-assessment: the agency enters its self-scores with evidence; Home Affairs
appraises and imports survey points; both see the results (the agency its own appraisal)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors as agency_selectors
from core.errors import DomainError
from core.params import pk_param

from . import assessment, policies, selectors
from .export import table_response
from .models import ExternalIndex, Method


def _csv_text(upload, max_mb: int = 2) -> str:
    """The text of an uploaded CSV (UTF-8, at most `max_mb`), or a Vietnamese DomainError."""
    if upload is None or upload.size > max_mb * 1024 * 1024:
        raise DomainError("csv_missing", _("Hãy chọn tệp CSV (tối đa %s MB).") % max_mb)
    try:
        return upload.read().decode("utf-8")
    except UnicodeDecodeError:
        raise DomainError("csv_encoding", _("Tệp phải là CSV mã hóa UTF-8.")) from None


@login_required
def rounds(request):
    visible = [r for r in selectors.assessment_round_list()
               if policies.is_home_affairs(request.user) or policies.self_assessing_agencies(request.user, r)]
    if not visible and not policies.reads_assessments(request.user):
        raise PermissionDenied(_("Trang này dành cho lãnh đạo cơ quan và cán bộ Nội vụ."))
    return render(request, "parindex/rounds.html", {"rounds": visible, "now": timezone.now()})


@login_required
def self_assess(request, pk: int, agency_pk: int):
    round_ = _round(pk)
    agency = agency_selectors.agency_get(pk=agency_pk)
    if agency is None:
        raise Http404("Không tìm thấy cơ quan.")
    may_edit = agency in policies.self_assessing_agencies(request.user, round_)
    may_appraise = policies.can_appraise(request.user, agency)
    if not (may_edit or may_appraise):
        raise PermissionDenied(_("Cơ quan này ngoài phạm vi của bạn."))
    if request.method == "POST":
        return _post(request, round_, agency, may_edit, may_appraise)
    scores = selectors.self_score_map(round_, agency)
    criteria = [{"c": c, "score": scores.get(c.pk)} for c in selectors.criterion_list(round_, Method.SELF_ASSESSED)]
    computed = assessment.computed_scores(round_, agency)
    now = timezone.now()
    return render(request, "parindex/self_assess.html", {
        "round": round_, "agency": agency, "criteria": criteria, "computed": computed,
        "year_to": min(f"{round_.year}-12", timezone.localdate().strftime("%Y-%m")),
        "may_edit": may_edit and now <= round_.deadline,
        "may_appraise": may_appraise and now <= round_.appraisal_deadline, "now": now,
    })


def _post(request, round_, agency, may_edit, may_appraise):
    criterion = selectors.criterion_get(round_, pk_param(request.POST.get("criterion")))
    try:
        if criterion is None:
            raise DomainError("wrong_criterion", _("Tiêu chí không hợp lệ."))
        if request.POST.get("action") == "appraise" and may_appraise:
            score = selectors.self_score_get(round_, agency, criterion)
            if score is None:
                raise Http404("Cơ quan chưa tự chấm tiêu chí này.")
            assessment.self_score_appraise(score=score, actor=request.user, points=request.POST.get("points"),
                                           reason=request.POST.get("reason", ""))
            messages.success(request, _("Đã thẩm định “%s”.") % criterion.name)
        elif may_edit:
            assessment.self_score_submit(round_=round_, agency=agency, criterion=criterion, actor=request.user,
                                         points=request.POST.get("points", ""),
                                         explanation=request.POST.get("explanation", ""),
                                         evidence=request.FILES.getlist("evidence"))
            messages.success(request, _("Đã lưu điểm tự chấm “%s”.") % criterion.name)
        else:
            raise PermissionDenied(_("Bạn không được sửa điểm này."))
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
    return redirect(reverse("parindex:self_assess", args=[round_.pk, agency.pk]))


@login_required
def evidence_download(request, pk: int):
    item = selectors.evidence_get(pk)
    if item is None:
        raise Http404("Không có tài liệu này.")
    agency = item.score.agency
    if not (agency in policies.self_assessing_agencies(request.user, item.score.round)
            or policies.can_appraise(request.user, agency)):
        raise Http404("Không có tài liệu này.")
    return FileResponse(item.file.open("rb"), filename=item.original_name, as_attachment=False)


@login_required
def round_results(request, pk: int):
    round_ = _round(pk)
    own = policies.self_assessing_agencies(request.user, round_)
    if not (policies.is_home_affairs(request.user) or own):
        raise PermissionDenied(_("Trang này dành cho lãnh đạo cơ quan và cán bộ Nội vụ."))
    rows = assessment.results(round_)
    if not policies.is_home_affairs(request.user):
        rows = [r for r in rows if r["agency_id"] in {a.pk for a in own}]
    if request.GET.get("xuat") in ("csv", "xlsx"):
        header = [_("Hạng"), _("Cơ quan"), _("Điểm thẩm định"), _("Điểm điều tra"), _("Chỉ số"), _("Năm trước"),
                  _("Thay đổi"), _("Chưa thẩm định")]
        return table_response(f"chi-so-cchc-{round_.config.code}-{round_.year}", [("Ket qua", header, [
            [r["rank"], r["name"], r["appraised"], r["survey"], r["index"], r["previous"], r["change"], r["pending"]]
            for r in rows])], request.GET["xuat"])
    return render(request, "parindex/round_results.html", {
        "round": round_, "rows": rows, "is_home_affairs": policies.is_home_affairs(request.user),
        "survey_criteria": selectors.criterion_list(round_, Method.SURVEY),
    })


@login_required
@require_POST
def survey_upload(request, pk: int):
    round_ = _round(pk)
    upload = request.FILES.get("file")
    try:
        text = _csv_text(upload)
        n = assessment.survey_import(round_=round_, text=text, actor=request.user, source=upload.name)
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
    else:
        messages.success(request, _("Đã nhập %s dòng điểm điều tra xã hội học.") % n)
    return redirect("parindex:round_results", pk=pk)


@login_required
def external(request):
    """PAR INDEX, SIPAS, PAPI, PCI and ICT Index of the province, year by year, with rank and trend."""
    if not policies.reads_assessments(request.user):
        raise PermissionDenied(_("Trang này dành cho lãnh đạo cơ quan và cán bộ Nội vụ."))
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            text = _csv_text(upload)
            n = assessment.external_import(text=text, actor=request.user, source=upload.name)
        except (DomainError, PermissionDenied) as exc:
            messages.error(request, getattr(exc, "message", None) or str(exc))
        else:
            messages.success(request, _("Đã nhập %s kết quả.") % n)
        return redirect("parindex:external")
    results = selectors.external_result_list()
    years = sorted({r.year for r in results})
    table = []
    for code, label in ExternalIndex.choices:
        by_year = {r.year: r for r in results if r.index == code}
        cells, previous = [], None
        for year in years:
            r = by_year.get(year)
            change = None if r is None or previous is None else r.score - previous.score
            cells.append({"r": r, "change": change})
            previous = r or previous
        table.append({"code": code, "label": label, "cells": cells})
    if request.GET.get("xuat") in ("csv", "xlsx"):
        header = [_("Chỉ số"), _("Năm"), _("Điểm"), _("Xếp hạng"), _("Trên tổng số"), _("Nguồn")]
        return table_response("chi-so-tinh", [("Chi so", header, [
            [r.get_index_display(), r.year, r.score, r.rank, r.out_of, r.source] for r in results])],
            request.GET["xuat"])
    return render(request, "parindex/external.html", {"years": years, "table": table,
                                                      "can_import": policies.can_import_external_results(request.user)})


def _round(pk: int):
    round_ = selectors.assessment_round_get(pk)
    if round_ is None:
        raise Http404("Không tìm thấy kỳ đánh giá.")
    return round_
