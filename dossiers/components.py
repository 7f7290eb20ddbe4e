"""What a dossier holds of each component of its procedure (DossierComponent): the case declarations
for conditional components, and what was really handed in — counted by the officer at the desk, or
the electronic files on record for an online dossier. The receipt (Mẫu 01), the supplement request
(Mẫu 02) and the completeness checks read these rows, never the catalogue's list.

These are helpers of the dossier services (they run inside their transactions); they do not open
transactions or check access themselves, except `components_cases_set`, the citizen's own action.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from procedures.models import RequiredDocument, Requirement

from . import policies
from .models import Attachment, AttachmentKind, Dossier, DossierComponent

MAX_COUNT = 99  # paper originals or copies of one component: more is a typing error


def _documents(dossier: Dossier) -> list[RequiredDocument]:
    return list(dossier.procedure_version.documents.all())


def components_ensure(dossier: Dossier) -> dict[int, DossierComponent]:
    """One row per component of the dossier's version (created on first use, e.g. for older dossiers)."""
    rows = {c.document_id: c for c in DossierComponent.objects.filter(dossier=dossier).exclude(document=None)}
    new = [DossierComponent(dossier=dossier, document=doc, order=doc.order, name=doc.name,
                            requirement=doc.requirement, condition=doc.condition,
                            applies=doc.requirement == Requirement.REQUIRED)
           for doc in _documents(dossier) if doc.pk not in rows]
    if new:
        DossierComponent.objects.bulk_create(new, ignore_conflicts=True)
        rows = {c.document_id: c for c in DossierComponent.objects.filter(dossier=dossier).exclude(document=None)}
    return rows


def _check_ids(dossier: Dossier, ids: Iterable[int], *, kind: str | None = None, field: str = "components"
               ) -> set[int]:
    docs = {d.pk: d for d in _documents(dossier)}
    ids = set(ids)
    if ids - set(docs):
        raise DomainError("wrong_document", _("Thành phần không thuộc thủ tục này."), field=field)
    if kind is not None:
        wrong = [docs[i].name for i in ids if docs[i].requirement != kind]
        if wrong:
            raise DomainError("wrong_document", _("Không phải thành phần nộp theo điều kiện: %s.") % "; ".join(wrong),
                              field=field)
    return ids


def components_declare(*, dossier: Dossier, cases: Iterable[int] = ()) -> None:
    """The conditional components whose case applies to this dossier (the others are not asked for)."""
    cases = _check_ids(dossier, cases, kind=Requirement.CONDITIONAL, field="cases")
    rows = components_ensure(dossier)
    for doc_id, row in rows.items():
        if row.requirement == Requirement.CONDITIONAL:
            applies = doc_id in cases
            if row.applies != applies:
                row.applies = applies
                row.save(update_fields=["applies"])


@transaction.atomic
def components_cases_set(*, dossier: Dossier, actor: User, cases: Iterable[int]) -> None:
    """The citizen says which conditional cases apply while still preparing the dossier."""
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if not policies.can_declare_cases(actor, locked):
        raise PermissionDenied(_("Không thể sửa các trường hợp áp dụng ở trạng thái hiện tại của hồ sơ."))
    components_declare(dossier=locked, cases=cases)


def components_count_files(dossier: Dossier) -> None:
    """Record the electronic files now on record per component (uploaded, reused, scanned). A
    conditional component with a file has its case applying (the applicant handed it in)."""
    rows = components_ensure(dossier)
    counts = {r["document"]: r for r in Attachment.objects.filter(
        dossier=dossier, is_active=True, document__isnull=False,
        kind__in=(AttachmentKind.COMPONENT, AttachmentKind.SUPPLEMENT)).values("document").annotate(
        files=Count("id"), reused=Count("id", filter=Q(reused=True)),
        scanned=Count("id", filter=Q(scanned_at_reception=True))).order_by()}
    for doc_id, row in rows.items():
        c = counts.get(doc_id, {"files": 0, "reused": 0, "scanned": 0})
        new = (c["files"], c["reused"], c["scanned"])
        applies = row.applies or (row.requirement == Requirement.CONDITIONAL and c["files"] > 0)
        if (row.files, row.reused, row.scanned, row.applies) != (*new, applies):
            row.files, row.reused, row.scanned, row.applies = *new, applies
            row.save(update_fields=["files", "reused", "scanned", "applies"])


def parse_counts(value) -> tuple[int, int] | None:
    """(originals, copies) from {"originals": n, "copies": m}; None when not a pair of whole numbers."""
    if not isinstance(value, dict):
        return None
    out = []
    for key in ("originals", "copies"):
        raw = value.get(key, 0)
        if isinstance(raw, str):
            raw = raw.strip() or "0"
            if not raw.isdigit():
                return None
            raw = int(raw)
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            return None
        out.append(raw)
    return out[0], out[1]


def desk_plan(*, documents: list[RequiredDocument], components, presented: Iterable[int] = (),
              cases: Iterable[int] = (), scans: Iterable[int] = ()) -> dict:
    """Check what the reception officer recorded before anything is written.

    `components`: {document id: {"originals": n, "copies": m} or None} as counted at the desk; a plain list of
    ids means "as the procedure asks" (its originals/copies); None (the API without a list) means every
    component to hand in, as the procedure asks. A scanned component counts as handed in. `presented`:
    the components shown for comparison. `cases`: the conditional components whose case applies (one
    handed in applies anyway). Every component to hand in (and every conditional one whose case
    applies) must be there; a component only shown for comparison is never required."""
    by_id = {d.pk: d for d in documents}
    scans = set(scans)
    if components is None:
        counts = {d.pk: (d.originals, d.copies) for d in documents if d.requirement == Requirement.REQUIRED}
    elif isinstance(components, dict):
        counts = {}
        for key, value in components.items():
            if value is None and key in by_id:
                value = {"originals": by_id[key].originals, "copies": by_id[key].copies}
            pair = parse_counts(value)
            name = by_id[key].name if key in by_id else str(key)
            if pair is None or max(pair) > MAX_COUNT:
                raise DomainError("invalid_count", _("Số bản chính, bản sao của “%(name)s” phải là số nguyên từ 0 "
                                                     "đến %(max)s.") % {"name": name, "max": MAX_COUNT},
                                  field="components")
            counts[key] = pair
    else:
        counts = {key: (by_id[key].originals, by_id[key].copies) if key in by_id else (0, 0) for key in components}
    presented, cases = set(presented), set(cases)
    unknown = (set(counts) | presented | cases | scans) - set(by_id)
    if unknown:
        raise DomainError("wrong_document", _("Thành phần không thuộc thủ tục này."), field="components")
    for key, (originals, copies) in counts.items():
        doc = by_id[key]
        if doc.requirement == Requirement.PRESENT:
            raise DomainError("present_not_handed_in", _("“%s” chỉ xuất trình để đối chiếu, không nộp: hãy đánh "
                                                         "dấu “Đã xuất trình, đối chiếu”.") % doc.name,
                              field="components")
        if originals + copies == 0 and key not in scans:
            raise DomainError("count_required", _("Ghi số bản chính hoặc bản sao đã nhận của “%s”.") % doc.name,
                              field="components")
    for key in presented:
        if by_id[key].requirement != Requirement.PRESENT:
            raise DomainError("not_present_kind", _("“%s” là giấy tờ phải nộp, không phải giấy tờ xuất trình.")
                              % by_id[key].name, field="components")
    wrong_cases = [by_id[k].name for k in cases if by_id[k].requirement != Requirement.CONDITIONAL]
    if wrong_cases:
        raise DomainError("wrong_document", _("Không phải thành phần nộp theo điều kiện: %s.")
                          % "; ".join(wrong_cases), field="cases")
    handed = set(counts) | scans
    applies = cases | {k for k in handed if by_id[k].requirement == Requirement.CONDITIONAL}
    missing = [d.name for d in documents if d.pk not in handed and (
        d.requirement == Requirement.REQUIRED or (d.requirement == Requirement.CONDITIONAL and d.pk in applies))]
    if missing:
        raise DomainError("missing_documents", _("Hồ sơ chưa đủ, còn thiếu: %s. Hãy hướng dẫn công dân bổ sung "
                                                 "(Mẫu 02) thay vì tiếp nhận.") % "; ".join(missing),
                          field="components")
    return {"counts": {k: counts.get(k, (0, 0)) for k in handed}, "presented": presented, "applies": applies}


def components_record_desk(*, dossier: Dossier, actor: User, plan: dict, at=None) -> None:
    """Write what the officer counted (desk_plan's result) on the dossier's component rows."""
    rows = components_ensure(dossier)
    at = at or timezone.now()
    for doc_id, row in rows.items():
        originals, copies = plan["counts"].get(doc_id, (0, 0))
        row.originals, row.copies = originals, copies
        row.presented = doc_id in plan["presented"]
        if row.requirement == Requirement.CONDITIONAL:
            row.applies = doc_id in plan["applies"]
        row.recorded_by, row.recorded_at = actor, at
        row.save()
    components_count_files(dossier)


def required_documents(dossier: Dossier) -> list[RequiredDocument]:
    """The components this dossier must hold: every one to hand in, and each conditional one whose case
    applies to it. One only shown for comparison never is."""
    applying = set(DossierComponent.objects.filter(dossier=dossier, applies=True,
                                                   requirement=Requirement.CONDITIONAL)
                   .values_list("document_id", flat=True))
    return required_among(_documents(dossier), applying)


def required_among(documents: Iterable[RequiredDocument], applying: set[int]) -> list[RequiredDocument]:
    """`required_documents` over components already read: `applying`, the documents whose conditional component
    row of the dossier applies."""
    return [d for d in documents
            if d.requirement == Requirement.REQUIRED or (d.requirement == Requirement.CONDITIONAL and d.pk in applying)]


def supplement_rows(dossier: Dossier, chosen: Iterable[int] | None = None) -> list[dict]:
    """What Mẫu 02 asks for: every component still missing, and those the officer chose (a conditional
    one chosen has its case applying from now on; one only shown for comparison cannot be asked for)."""
    chosen = _check_ids(dossier, chosen or (), field="components")
    rows = components_ensure(dossier)
    present = [rows[i].name for i in chosen if rows[i].requirement == Requirement.PRESENT]
    if present:
        raise DomainError("present_not_handed_in", _("Giấy tờ chỉ xuất trình để đối chiếu, không yêu cầu nộp: %s.")
                          % "; ".join(present), field="components")
    for doc_id in chosen:
        if rows[doc_id].requirement == Requirement.CONDITIONAL and not rows[doc_id].applies:
            rows[doc_id].applies = True
            rows[doc_id].save(update_fields=["applies"])
    missing = missing_rows(dossier)
    names = {m["name"] for m in missing}
    for doc in _documents(dossier):
        if doc.pk in chosen and doc.name not in names:
            missing.append({"name": doc.name, "originals": doc.originals, "copies": doc.copies,
                            "condition": doc.condition if doc.requirement == Requirement.CONDITIONAL else ""})
    order = {d.name: d.order for d in _documents(dossier)}
    return sorted(missing, key=lambda m: order.get(m["name"], 0))


def missing_rows(dossier: Dossier) -> list[dict]:
    """What the dossier still lacks (for Mẫu 02): each required component with nothing handed in."""
    rows = components_ensure(dossier)
    have = set(Attachment.objects.filter(dossier=dossier, is_active=True).exclude(document=None)
               .values_list("document_id", flat=True))
    out = []
    for doc in required_documents(dossier):
        row = rows.get(doc.pk)
        if doc.pk in have or (row is not None and row.handed_in):
            continue
        out.append({"name": doc.name, "originals": doc.originals, "copies": doc.copies,
                    "condition": doc.condition if doc.requirement == Requirement.CONDITIONAL else ""})
    return out


def handed_in(dossier: Dossier) -> list[DossierComponent]:
    return [c for c in dossier.components.all() if c.handed_in]


def presented(dossier: Dossier) -> list[DossierComponent]:
    return [c for c in dossier.components.all() if c.presented]
