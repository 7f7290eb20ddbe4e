"""Reads on the catalogue: the version in force, and the accent-insensitive ranked search."""

from __future__ import annotations

import datetime as dt

from django.db import connections
from django.db.models import Case, Exists, FloatField, Func, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Length
from django.utils import timezone

from accounts.models import Agency, AgencyLevel

from . import anywhere as anywhere_list
from . import trigram_index
from .models import ChannelOption, Field, Procedure, ProcedureVersion, RequiredDocument, VersionStatus
from .text import search_key

IN_FORCE = (VersionStatus.PUBLISHED, VersionStatus.RETIRED)
# pg_trgm word similarity above which a query counts as a misspelling of the text: "khai sinhh" ~ 0.82,
# "khai snh" ~ 0.67, while unrelated neighbours ("giay phep xay dung" vs "giay phep lai xe") score ~ 0.56.
TYPO_SIMILARITY = 0.6
LEVEL_OF_AGENCY = {AgencyLevel.COMMUNE: "commune", AgencyLevel.PROVINCE: "province",
                   AgencyLevel.DEPARTMENT: "province", AgencyLevel.CENTER: "province", AgencyLevel.MINISTRY: "ministry"}


class WordSimilarity(Func):
    """pg_trgm's word_similarity(query, search_text) on PostgreSQL; on SQLite the same number from
    procedures.text (registered on each connection by procedures.apps), 0 for rows that cannot match."""

    function = "WORD_SIMILARITY"
    output_field = FloatField()

    def __init__(self, query: str, expression: str):
        super().__init__(Value(query), expression)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="CATALOGUE_SIMILARITY",
                           template=f"%(function)s(%(expressions)s, {TYPO_SIMILARITY!r})", **extra_context)


def versions_in_force(on: dt.date | None = None) -> QuerySet[ProcedureVersion]:
    on = on or timezone.localdate()
    return ProcedureVersion.objects.filter(status__in=IN_FORCE, effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on))


def version_in_force(procedure: Procedure, on: dt.date | None = None) -> ProcedureVersion | None:
    return (versions_in_force(on).filter(procedure=procedure).order_by("-effective_from")
            .prefetch_related("channels__fees", "channels__steps", "documents", "agencies").first())


def procedure_search(
    *, q: str = "", field: str | None = None, level: str | None = None, agency: Agency | None = None,
    on: dt.date | None = None, anywhere: bool = False, province: Agency | None = None,
) -> QuerySet[Procedure]:
    """Procedures in force, filtered and ranked: exact code, then name starting with the query, then
    the words as one phrase, then trigram word similarity, then the shortest name. A row holds every
    word of the query (accents, case and the i/y spelling ignored) or is close enough to forgive a typo.
    The same on PostgreSQL (pg_trgm) and SQLite (procedures.text.word_similarity).
    `anywhere`: only those receivable at any one-stop desk of `province` (procedures.anywhere; without a
    province, the versions' flag alone)."""
    in_force = versions_in_force(on).filter(procedure=OuterRef("pk"))
    qs = Procedure.objects.filter(Exists(in_force)).select_related("field")
    if field:
        qs = qs.filter(field__code=field)
    if level:
        qs = qs.filter(level=level)
    if agency is not None:
        by_agency = in_force.filter(agencies=agency)
        unrestricted = in_force.filter(agencies__isnull=True)
        qs = qs.filter(Exists(by_agency) | (Exists(unrestricted) & Q(level=LEVEL_OF_AGENCY.get(agency.level, ""))))
    if anywhere:
        qs = anywhere_list.receivable_procedures(qs, in_force, province, on)
    text = search_key(q)
    if not text:
        return qs.order_by("name")
    words = text.split()
    code_hit = Case(When(code__iexact=q.strip(), then=Value(3)), When(search_text__startswith=text, then=Value(2)),
                    When(search_text__contains=text, then=Value(1)),  # the words as one phrase
                    default=Value(0), output_field=IntegerField())
    all_words = Q()
    for word in words:
        all_words &= Q(search_text__contains=word)
    qs = qs.annotate(similarity=WordSimilarity(text, "search_text"), exact=code_hit)
    typo = Q(similarity__gte=TYPO_SIMILARITY)
    connection = connections[qs.db]
    if connection.vendor == "sqlite" and trigram_index.available(connection):
        # Only the rows sharing enough trigrams with the query can reach the threshold (FTS5 finds them),
        # so the similarity in Python runs on a few rows, not the whole catalogue.
        candidates = trigram_index.candidates(text, TYPO_SIMILARITY)
        typo = Q(pk__in=candidates) & typo if candidates is not None else Q(pk__in=[])
    # All words present, or close enough to forgive a typo ("khai snh", "giay phep xay dung").
    qs = qs.filter(all_words | typo)
    return qs.order_by("-exact", "-similarity", Length("name"), "name")


def procedure_detail(code: str, on: dt.date | None = None) -> tuple[Procedure, ProcedureVersion | None]:
    procedure = Procedure.objects.select_related("field").get(code=code)
    return procedure, version_in_force(procedure, on)


def procedure_versions(procedure: Procedure) -> QuerySet[ProcedureVersion]:
    return procedure.versions.order_by("-number").prefetch_related(
        Prefetch("channels", queryset=ChannelOption.objects.prefetch_related("fees", "steps")), "documents")


def procedure_list() -> QuerySet[Procedure]:
    """Every procedure with its field (the API's lookups)."""
    return Procedure.objects.select_related("field")


def procedure_version_history(procedure: Procedure) -> QuerySet[ProcedureVersion]:
    """The versions the public may see (every one but drafts), newest first."""
    return procedure.versions.exclude(status=VersionStatus.DRAFT).order_by("-number")


def procedure_version_list() -> QuerySet[ProcedureVersion]:
    """Every version with its procedure (the API's lookups; the services check who may change one)."""
    return ProcedureVersion.objects.select_related("procedure")


def field_list() -> QuerySet[Field]:
    return Field.objects.all()


def required_document_get(pk: int) -> RequiredDocument | None:
    """A dossier component of a version the public may see (not a draft), or None."""
    return RequiredDocument.objects.exclude(version__status=VersionStatus.DRAFT).filter(pk=pk).first()


def required_document_list(version: ProcedureVersion) -> QuerySet[RequiredDocument]:
    """The components of a version (dossier pages: what may be supplied)."""
    return version.documents.all()


def required_document_of(version: ProcedureVersion, pk: int | None) -> RequiredDocument | None:
    """One component of this version, or None."""
    return version.documents.filter(pk=pk).first() if pk else None
