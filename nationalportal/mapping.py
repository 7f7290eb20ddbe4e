"""Which procedure versions the national portal may file dossiers for, and under which codes.

A version is mapped when it has a `VersionMapping` (its national procedure code: by default the catalogue's
code, which is the national one) and every component to hand in has a `DocumentTypeMapping`. The
administrator maps a version on the national-portal page; `unmapped_versions` lists the versions in force
that are not (an intake for one is refused with `procedure_unmapped` and logged, never dropped)."""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from procedures.models import ProcedureVersion, RequiredDocument, Requirement
from procedures.selectors import versions_in_force

from .models import DocumentTypeMapping, VersionMapping

CODE = re.compile(r"^[A-Za-z0-9.\-_/]{1,60}$")
CODE_MAX = VersionMapping._meta.get_field("national_procedure_code").max_length  # a type may be 60 long


def default_type(document) -> str:
    """The document type a component is mapped under when the administrator keeps the proposal: "TP" and its
    order in the procedure (thành phần 1, 2 …), what the national catalogue numbers them by."""
    return f"TP{document.order}"


def _unmapped_document():
    return DocumentTypeMapping.objects.filter(document=OuterRef("pk"))


def unmapped_versions(on=None) -> QuerySet[ProcedureVersion]:
    """Versions in force without a mapping, or with a component to hand in (required or conditional) that has
    no document type."""
    missing_doc = RequiredDocument.objects.filter(version=OuterRef("pk")).exclude(
        requirement=Requirement.PRESENT).exclude(Exists(_unmapped_document()))
    return (versions_in_force(on).select_related("procedure")
            .filter(~Exists(VersionMapping.objects.filter(version=OuterRef("pk"))) | Exists(missing_doc))
            .order_by("procedure__code"))


def mapped_versions(on=None) -> QuerySet[ProcedureVersion]:
    return (versions_in_force(on).select_related("procedure", "national_mapping")
            .filter(national_mapping__isnull=False).exclude(pk__in=unmapped_versions(on).values("pk"))
            .order_by("procedure__code"))


@transaction.atomic
def map_version(version: ProcedureVersion, *, by=None, national_code: str | None = None,
                types: dict[int, str] | None = None) -> VersionMapping:
    """Map `version` under `national_code` (default: its procedure's code), its components under `types`
    ({RequiredDocument id: national type}; a component left out keeps its type or gets `default_type`).
    Refuses (DomainError, nothing stored) a malformed code or a type used twice in the version."""
    code = (national_code or version.procedure.code).strip()
    if not CODE.match(code) or len(code) > CODE_MAX:
        raise DomainError("invalid_code", _("Mã thủ tục trên Cổng DVC quốc gia không hợp lệ."),
                          field="national_procedure_code")
    # A national code names one procedure: another procedure's versions under it would take in its dossiers.
    taken = (VersionMapping.objects.filter(national_procedure_code__iexact=code)
             .exclude(version__procedure=version.procedure_id).select_related("version__procedure").first())
    if taken is not None:
        raise DomainError("code_taken", _("Mã %(code)s đã dùng cho thủ tục %(other)s (%(name)s).") % {
            "code": code, "other": taken.version.procedure.code, "name": taken.version.procedure.name},
            field="national_procedure_code")
    other = (ProcedureVersion.objects.filter(procedure__code__iexact=code).exclude(procedure=version.procedure_id)
             .select_related("procedure").first())
    if other is not None:
        raise DomainError("code_taken", _("Mã %(code)s là mã của thủ tục khác trong danh mục (%(name)s).") % {
            "code": code, "name": other.procedure.name}, field="national_procedure_code")
    documents = list(version.documents.order_by("order", "pk"))
    known = {d.pk for d in documents}
    types = {int(k): (v or "").strip() for k, v in (types or {}).items()}
    if set(types) - known:
        raise DomainError("wrong_document", _("Thành phần không thuộc thủ tục này."), field="types")
    current = {m.document_id: m.national_type for m in DocumentTypeMapping.objects.filter(version=version)}
    chosen = {d.pk: types.get(d.pk) or current.get(d.pk) or default_type(d) for d in documents}
    for pk, value in chosen.items():
        if not CODE.match(value):
            raise DomainError("invalid_code", _("Mã thành phần “%s” không hợp lệ.") % value, field=f"types.{pk}")
    seen: dict[str, int] = {}
    for pk, value in chosen.items():
        if value.upper() in seen:  # "tp1" and "TP1" are one code to the national portal's staff
            raise DomainError("duplicate_type", _("Mã thành phần “%s” dùng cho hai thành phần.") % value,
                              field=f"types.{pk}")
        seen[value.upper()] = pk
    mapping, _created = VersionMapping.objects.update_or_create(
        version=version, defaults={"national_procedure_code": code, "mapped_at": timezone.now(), "mapped_by": by})
    DocumentTypeMapping.objects.filter(version=version).delete()
    by_pk = {d.pk: d for d in documents}
    DocumentTypeMapping.objects.bulk_create([DocumentTypeMapping(document=by_pk[pk], version=version,
                                                                 national_type=value)
                                             for pk, value in chosen.items()])
    return mapping


def document_types(version: ProcedureVersion) -> list[dict]:
    """The version's components with their national types (for the page and the simulator)."""
    types = {m.document_id: m.national_type for m in DocumentTypeMapping.objects.filter(version=version)}
    return [{"document": d, "national_type": types.get(d.pk, ""), "requirement": d.requirement}
            for d in version.documents.order_by("order", "pk")]
