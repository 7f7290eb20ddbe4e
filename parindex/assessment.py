"""The PAR INDEX self-assessment: agencies score themselves with evidence, Home Affairs appraises (accept,
or adjust with a written reason), survey points are imported from a CSV, scores lock after the
deadlines; index = appraised points + survey points, ranked with ties and compared with last year."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from decimal import Decimal, InvalidOperation

import filetype
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency, User
from core.errors import DomainError

from . import policies, rules
from .metrics import RATES, period_values, rate
from .models import AssessmentRound, Criterion, Evidence, ExternalIndex, ExternalResult, Method, SelfScore, SurveyScore
from .scoring import evaluate

EVIDENCE_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png",
                  "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


def _points(raw, criterion: Criterion, field: str = "points") -> Decimal:
    try:
        value = Decimal(str(raw).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        raise DomainError("invalid_points", _("Điểm phải là một số."), field=field) from None
    if not value.is_finite() or value < 0 or value > criterion.max_points:
        raise DomainError("points_out_of_range", _("Điểm của “%(name)s” phải từ 0 đến %(max)s.") % {
            "name": criterion.name, "max": criterion.max_points}, field=field)
    if value != value.quantize(Decimal("0.01")):
        raise DomainError("invalid_points", _("Điểm lấy tối đa hai chữ số thập phân."), field=field)
    return value


def _check_criterion(round_: AssessmentRound, criterion: Criterion, method: str) -> None:
    if criterion.config_id != round_.config_id or criterion.method != method:
        raise DomainError("wrong_criterion", _("Tiêu chí này không chấm theo cách này trong đợt đánh giá."),
                          field="criterion")


def _evidence_ok(upload) -> tuple[str, str]:
    if upload.size == 0 or upload.size > MAX_EVIDENCE_BYTES:
        raise DomainError("evidence_size", _("Tài liệu “%s” rỗng hoặc quá 20 MB.") % upload.name, field="evidence")
    upload.seek(0)
    guessed = filetype.guess(upload.read(2048))
    upload.seek(0)
    kind = guessed.extension if guessed else ""
    kind = "docx" if kind == "zip" and upload.name.lower().endswith(".docx") else kind
    kind = "xlsx" if kind == "zip" and upload.name.lower().endswith(".xlsx") else kind
    if kind not in EVIDENCE_TYPES:
        raise DomainError("evidence_type", _("Tài liệu “%s” phải là PDF, JPG, PNG, DOCX hoặc XLSX.") % upload.name,
                          field="evidence")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return kind, digest.hexdigest()


@transaction.atomic
def self_score_submit(*, round_: AssessmentRound, agency: Agency, criterion: Criterion, actor: User, points,
                      explanation: str = "", evidence=(), at: dt.datetime | None = None) -> SelfScore:
    """The agency's self-score for one criterion, with evidence files; points above 0 need evidence."""
    at = at or timezone.now()
    if not policies.can_self_assess(actor, agency):
        raise PermissionDenied(_("Chỉ lãnh đạo hoặc quản trị của %s mới tự chấm điểm.") % agency.name)
    if not round_.agencies.filter(pk=agency.pk).exists():
        raise DomainError("not_in_round", _("%s không thuộc đợt đánh giá này.") % agency.name)
    if at > round_.deadline:
        raise DomainError("self_assessment_closed", _("Đã hết hạn tự đánh giá (%s): điểm đã khóa.")
                          % timezone.localtime(round_.deadline).strftime("%H:%M %d/%m/%Y"), http_status=409)
    _check_criterion(round_, criterion, Method.SELF_ASSESSED)
    value = _points(points, criterion)
    checked = [(upload, *_evidence_ok(upload)) for upload in evidence]
    score, _created = SelfScore.objects.select_for_update().update_or_create(
        round=round_, agency=agency, criterion=criterion,
        defaults={"points": value, "explanation": (explanation or "").strip(), "submitted_by": actor,
                  "submitted_at": at, "appraised_points": None, "appraisal_reason": "", "appraised_by": None,
                  "appraised_at": None})
    stored = []
    try:
        for upload, kind, digest in checked:
            item = Evidence(score=score, original_name=upload.name[:255], sha256=digest, uploaded_by=actor)
            item.file.save(f"evidence.{kind}", upload, save=False)
            stored.append(item)
            item.save()
        if value > 0 and not score.evidence.exists():
            raise DomainError("evidence_required", _("Điểm “%s” cần tài liệu kiểm chứng.") % criterion.name,
                              field="evidence")
    except BaseException:
        for item in stored:
            item.file.storage.delete(item.file.name)
        raise
    return score


@transaction.atomic
def self_score_appraise(*, score: SelfScore, actor: User, points=None, reason: str = "",
                        at: dt.datetime | None = None) -> SelfScore:
    """Home Affairs accepts the self-score (points None) or adjusts it with a written reason."""
    at = at or timezone.now()
    score = SelfScore.objects.select_for_update().select_related("round", "agency", "criterion").get(pk=score.pk)
    if not policies.can_appraise(actor, score.agency):
        raise PermissionDenied(_("Chỉ cán bộ Nội vụ phụ trách %s mới thẩm định.") % score.agency.name)
    if at > score.round.appraisal_deadline:
        raise DomainError("appraisal_closed", _("Đợt đánh giá đã khóa."), http_status=409)
    if points is None or str(points).strip() == "":
        value = score.points
    else:
        value = _points(points, score.criterion)
    reason = (reason or "").strip()
    if value != score.points and not reason:
        raise DomainError("reason_required", _("Điều chỉnh điểm cần ghi rõ lý do."), field="reason")
    score.appraised_points, score.appraisal_reason = value, reason
    score.appraised_by, score.appraised_at = actor, at
    score.save()
    return score


@transaction.atomic
def survey_import(*, round_: AssessmentRound, text: str, actor: User, source: str = "",
                  at: dt.datetime | None = None) -> int:
    """CSV `agency_code,criterion_code,points` (header required). Rejected whole on any error, with the
    line numbers; a re-import replaces the points it names."""
    if not policies.can_import_survey_points(actor):
        raise PermissionDenied(_("Chỉ cán bộ Nội vụ mới nhập điểm điều tra xã hội học."))
    at = at or timezone.now()
    if at > round_.appraisal_deadline:
        raise DomainError("appraisal_closed", _("Đợt đánh giá đã khóa."), http_status=409)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    needed = {"agency_code", "criterion_code", "points"}
    if not reader.fieldnames or not needed <= {f.strip() for f in reader.fieldnames}:
        raise DomainError("csv_header", _("Dòng đầu phải có các cột: agency_code, criterion_code, points."))
    agencies = {a.code: a for a in round_.agencies.all()}
    criteria = {c.code: c for c in round_.config.criteria.filter(method=Method.SURVEY)}
    errors, rows, seen = [], [], set()
    for line, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        agency, criterion = agencies.get(row["agency_code"]), criteria.get(row["criterion_code"])
        if agency is None:
            errors.append(_("dòng %(line)s: cơ quan “%(code)s” không thuộc đợt đánh giá") % {
                "line": line, "code": row["agency_code"]})
            continue
        if criterion is None:
            errors.append(_("dòng %(line)s: “%(code)s” không phải tiêu chí điều tra xã hội học") % {
                "line": line, "code": row["criterion_code"]})
            continue
        if (agency.pk, criterion.pk) in seen:
            errors.append(_("dòng %s: trùng cơ quan và tiêu chí") % line)
            continue
        seen.add((agency.pk, criterion.pk))
        try:
            rows.append((agency, criterion, _points(row["points"], criterion)))
        except DomainError as exc:
            errors.append(_("dòng %(line)s: %(message)s") % {"line": line, "message": exc.message})
    if errors:
        raise DomainError("csv_invalid", _("Tệp không hợp lệ, chưa nhập gì: ") + "; ".join(errors[:20]))
    if not rows:
        raise DomainError("csv_empty", _("Tệp không có dòng số liệu nào."))
    for agency, criterion, points in rows:
        SurveyScore.objects.update_or_create(round=round_, agency=agency, criterion=criterion,
                                             defaults={"points": points, "imported_at": at, "source": source[:255]})
    return len(rows)


def year_values(round_: AssessmentRound) -> dict:
    """The round's year of metric snapshots per agency (to the current month for this year)."""
    today = timezone.localdate()
    last = dt.date(round_.year, 12, 1) if round_.year < today.year else today.replace(day=1)
    return period_values(first=dt.date(round_.year, 1, 1), last=last,
                         agency_ids=list(round_.agencies.values_list("pk", flat=True)))


def computed_scores(round_: AssessmentRound, agency: Agency) -> list[dict]:
    """The round's criteria computed from the portal's data, for one agency: numerator, denominator, points."""
    values = year_values(round_).get(agency.pk, {})
    out = []
    for c in round_.config.criteria.filter(method=Method.COMPUTED):
        num, den = rate(values, c.metric) if c.metric in RATES else values.get(c.metric, (0, 0))
        out.append({"c": c, "num": num, "den": den,
                    "points": rules.round2(rules.points(c.rule or {"kind": "linear"}, c.max_points, num, den))})
    return out


def results(round_: AssessmentRound, *, at: dt.datetime | None = None) -> list[dict]:
    """Per agency: appraised points (the self-score where not yet appraised, flagged), survey points, index,
    rank (ties share a rank) and the change against the previous year's round of the same index."""
    at = at or timezone.now()
    previous = (AssessmentRound.objects.filter(config__code=round_.config.code, year=round_.year - 1)
                .select_related("config").first())
    before = {r["agency_id"]: r["index"] for r in results(previous, at=at)} if previous else {}
    scores: dict[int, dict] = {}
    for s in round_.scores.select_related("criterion"):
        scores.setdefault(s.agency_id, {})[s.criterion.code] = (s.appraised_points if s.appraised_points is not None
                                                                else s.points, s.appraised_points is None)
    surveys: dict[int, dict] = {}
    for s in round_.survey_scores.select_related("criterion"):
        surveys.setdefault(s.agency_id, {})[s.criterion.code] = s.points
    values = year_values(round_)  # for the criteria computed from the portal's data
    out = []
    for agency in round_.agencies.order_by("name"):
        given = {code: value for code, (value, _pending) in scores.get(agency.pk, {}).items()}
        given.update(surveys.get(agency.pk, {}))
        scored = evaluate(round_.config, values=values.get(agency.pk, {}), given=given)
        evidence_points = sum((v for code, (v, _p) in scores.get(agency.pk, {}).items()), Decimal(0))
        survey_points = sum(surveys.get(agency.pk, {}).values(), Decimal(0))
        out.append({"agency_id": agency.pk, "name": agency.name, "appraised": evidence_points,
                    "survey": survey_points, "index": scored["__total__"], "criteria": scored,
                    "pending": sum(1 for _v, p in scores.get(agency.pk, {}).values() if p),
                    "locked": at > round_.appraisal_deadline, "previous": before.get(agency.pk)})
    out.sort(key=lambda r: (-r["index"], r["name"]))
    rank, last = 0, None
    for position, row in enumerate(out, 1):
        if row["index"] != last:
            rank, last = position, row["index"]
        row["rank"] = rank
        row["change"] = None if row["previous"] is None else row["index"] - row["previous"]
    return out


@transaction.atomic
def external_import(*, text: str, actor: User, source: str = "", at: dt.datetime | None = None) -> int:
    """CSV `index,year,score,rank,out_of` (rank and out_of optional): the province's yearly results on
    PAR INDEX, SIPAS, PAPI, PCI, ICT Index. Rejected whole on any error, with line numbers."""
    if not policies.can_import_external_results(actor):
        raise PermissionDenied(_("Chỉ cán bộ Nội vụ mới nhập kết quả các chỉ số."))
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or not {"index", "year", "score"} <= {f.strip() for f in reader.fieldnames}:
        raise DomainError("csv_header", _("Dòng đầu phải có các cột: index, year, score (rank, out_of nếu có)."))
    errors, rows, seen = [], [], set()
    this_year = timezone.localdate().year
    for line, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        index = row.get("index", "").lower()
        problems = []
        if index not in ExternalIndex.values:
            problems.append(_("chỉ số “%s” không có (par, sipas, papi, pci, ict)") % row.get("index", ""))
        year = int(row["year"]) if row.get("year", "").isdigit() else None
        if year is None or not 2000 <= year <= this_year:
            problems.append(_("năm không hợp lệ"))
        try:
            score = Decimal(row.get("score", "").replace(",", "."))
            if not score.is_finite() or score < 0 or score > 1000:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            problems.append(_("điểm không hợp lệ"))
            score = None
        rank = row.get("rank", "")
        out_of = row.get("out_of", "")
        if (rank and not rank.isdigit()) or (out_of and not out_of.isdigit()):
            problems.append(_("xếp hạng phải là số nguyên"))
        elif rank and out_of and int(rank) > int(out_of):
            problems.append(_("xếp hạng lớn hơn tổng số"))
        if (index, year) in seen:
            problems.append(_("trùng chỉ số và năm"))
        seen.add((index, year))
        if problems:
            errors.append(_("dòng %(line)s: %(problems)s") % {"line": line, "problems": ", ".join(problems)})
            continue
        rows.append((index, year, score, int(rank) if rank else None, int(out_of) if out_of else None))
    if errors:
        raise DomainError("csv_invalid", _("Tệp không hợp lệ, chưa nhập gì: ") + "; ".join(errors[:20]))
    if not rows:
        raise DomainError("csv_empty", _("Tệp không có dòng số liệu nào."))
    at = at or timezone.now()
    for index, year, score, rank, out_of in rows:
        ExternalResult.objects.update_or_create(index=index, year=year, defaults={
            "score": score, "rank": rank, "out_of": out_of, "source": source[:300], "imported_at": at})
    return len(rows)
