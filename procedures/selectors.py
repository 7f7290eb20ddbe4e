"""Reads on the catalogue: the version in force, and the accent-insensitive ranked search."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connections, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
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


class WordSimilar(Func):
    """PostgreSQL: `search_text %> query`, i.e. word_similarity(query, search_text) >= the session's
    pg_trgm.word_similarity_threshold: the form of the test the trigram GIN index on search_text answers
    (migration 0002). `typo_threshold()` sets that threshold to TYPO_SIMILARITY for the statement."""

    arg_joiner = " %%> "
    template = "(%(expressions)s)"
    output_field = BooleanField()

    def __init__(self, expression: str, query: str):
        super().__init__(F(expression), Value(query))


@contextmanager
def typo_threshold(using: str = "default") -> Iterator[None]:
    """Run the catalogue search's statements with pg_trgm's word_similarity_threshold at TYPO_SIMILARITY and
    the plain scans of the table turned off, so PostgreSQL answers `all words OR a typo` from the trigram GIN
    index. (With a few thousand rows it costs a sequential scan as cheap, not knowing that pg_trgm's
    word_similarity() on every row is what takes the time: ~20-30 µs a row, 50-70 ms for 2,000 procedures.)

    Both settings are SET LOCAL inside a transaction (a savepoint if one is open), so they hold for these
    statements on this connection only: nothing is left on a connection kept open (CONN_MAX_AGE) or handed
    to another client by a pooler in transaction mode. Inside an outer transaction the previous values are
    put back at the end, so the rest of that transaction plans as before. No-op off PostgreSQL."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    settings = {"pg_trgm.word_similarity_threshold": repr(TYPO_SIMILARITY), "enable_seqscan": "off",
                "enable_indexscan": "off"}
    nested = connection.in_atomic_block
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if nested:
            cursor.execute("SELECT " + ", ".join(["current_setting(%s, true)"] * len(settings)), list(settings))
            # NULL for pg_trgm's setting before its library is loaded in this session: its default then.
            before = {name: value if value is not None else repr(TYPO_SIMILARITY)
                      for name, value in zip(settings, cursor.fetchone(), strict=True)}
        _set_local(cursor, settings)
        yield
        if nested:
            _set_local(cursor, before)


def _set_local(cursor, settings: dict[str, str]) -> None:
    cursor.execute("SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(settings)),
                   [part for pair in settings.items() for part in pair])


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
    the words as one phrase, then trigram word similarity, then the shortest name (then the name and the
    code, so that equal names keep one order from page to page). A row holds every
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
        return qs.order_by("name", "code")  # the code: one order for equal names, so pages never overlap
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
    if connection.vendor == "postgresql":
        # The same rows, found through the trigram index: `%>` keeps those reaching the session's threshold
        # (TYPO_SIMILARITY under typo_threshold(); pg_trgm's default is the same 0.6), and the exact test
        # stays, so no setting can add a row.
        typo = Q(WordSimilar("search_text", text)) & typo
    elif connection.vendor == "sqlite" and trigram_index.available(connection):
        # Only the rows sharing enough trigrams with the query can reach the threshold (FTS5 finds them),
        # so the similarity in Python runs on a few rows, not the whole catalogue.
        candidates = trigram_index.candidates(text, TYPO_SIMILARITY)
        typo = Q(pk__in=candidates) & typo if candidates is not None else Q(pk__in=[])
    # All words present, or close enough to forgive a typo ("khai snh", "giay phep xay dung").
    qs = qs.filter(all_words | typo)
    return qs.order_by("-exact", "-similarity", Length("name"), "name", "code")


def procedure_search_page(*, page: str | int | None = 1, per_page: int = 20, **filters) -> Page:
    """One page of procedure_search(**filters) and its true total. A page past the end, or below 1, gives the
    last page and a non-number the first, as Paginator.get_page does. The page's rows are a list.

    The search runs once: the rows of the page carry COUNT(*) OVER () (no second statement for the paginator's
    COUNT; only a page past the end asks a COUNT, then the last page). The result is the same for every
    visitor, so it is kept in Django's cache (CATALOGUE_SEARCH_CACHE_SECONDS, 0: never) under the catalogue's
    generation, which every write to the catalogue, its fields or the agencies changes (`receivers.py`), and
    under the day (the versions in force change at midnight)."""
    try:
        number = int(page)
    except (TypeError, ValueError):
        number = 1
    generation = catalogue_generation()
    seconds = settings.CATALOGUE_SEARCH_CACHE_SECONDS
    key = _search_cache_key(generation, number, per_page, filters) if generation and seconds > 0 else None
    found = cache.get(key) if key else None
    if found is None:  # the queryset is built only here: building it is a good part of a cached page's time
        found = _search_page(procedure_search(**filters), number, per_page, filters.get("q", ""))
        if key:
            cache.set(key, found, timeout=seconds)
    number, total, rows = found
    paginator = Paginator(rows, per_page)
    paginator.count = total  # a cached_property: the whole search's total, not the page's
    return Page(rows, number, paginator)


def _search_page(results: QuerySet[Procedure], number: int, per_page: int, q: str) -> tuple[int, int, list]:
    searching = typo_threshold(results.db) if search_key(q) else nullcontext()
    with searching:
        rows = []
        if number >= 1:
            rows = list(results.annotate(search_total=Window(Count("*")))[(number - 1) * per_page:number * per_page])
        if rows:
            total = rows[0].search_total
        elif number == 1:
            total = 0
        else:
            total = results.count()
            number = max(1, math.ceil(total / per_page))
            rows = list(results[(number - 1) * per_page:number * per_page])
    return number, total, rows


def _search_cache_key(generation: str, number: int, per_page: int, filters: dict) -> str:
    agency, province = filters.get("agency"), filters.get("province")
    asked = (filters.get("q", "").strip(), filters.get("field") or "", filters.get("level") or "",
             agency.pk if agency is not None else None, bool(filters.get("anywhere")),
             province.pk if province is not None else None, str(filters.get("on") or timezone.localdate()),
             number, per_page)
    digest = hashlib.sha256(repr(asked).encode()).hexdigest()[:32]
    return f"procedures:search:{generation}:{digest}"


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


GENERATION_KEY = "procedures:catalogue-generation"
# Writes that send no signal (a data migration, QuerySet.update, SQL by hand) show within this many seconds.
FILTER_CHOICES_SECONDS = 600
# The cache outlives a deployment: a new shape of the kept lists gets a new key (2: with their "digest"), so the
# code after it never reads what the code before it kept (a KeyError on every catalogue page for ten minutes).
FILTER_CHOICES_KEY = "procedures:catalogue-filters:2"


def catalogue_generation() -> str | None:
    """The token the catalogue's cached reads are kept under (a new one after every write to procedures,
    versions, the province's list, fields or agencies: `receivers.py`, at once and again after the commit,
    so no other process caches old rows in between). None inside a transaction that wrote one of them: it
    reads the tables and caches nothing (its rows may still roll back)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        connection.catalogue_changed = False
    if getattr(connection, "catalogue_changed", False):
        return None
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        token = cache.get(GENERATION_KEY)
    return token


def catalogue_renew() -> None:
    """Every read cached under the old generation is out of use (it expires on its own)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def catalogue_changed() -> None:
    """A procedure, version, field, agency... was written: until this transaction ends, read the tables."""
    connection = transaction.get_connection()
    connection.catalogue_changed = connection.in_atomic_block
    catalogue_renew()


_READ = object()


def catalogue_filter_choices(generation=_READ) -> dict[str, list[tuple[str, str]]]:
    """The catalogue page's filter lists, the same for every visitor: {"fields": [(code, name)], "agencies":
    [(code, short name or name)]} (active agencies by level and name), from Django's cache (shared by the
    workers) under the catalogue's generation (read here unless the caller already has it); FILTER_CHOICES_SECONDS
    at most for writes that send no signal. Two queries when not cached. "digest": of the two lists."""
    if generation is _READ:
        generation = catalogue_generation()
    key = f"{FILTER_CHOICES_KEY}:{generation}"
    cached = cache.get(key) if generation else None
    if cached is not None:
        return cached
    choices = {
        "fields": list(Field.objects.order_by("name").values_list("code", "name")),
        "agencies": [(code, short_name or name) for code, short_name, name in Agency.objects.filter(is_active=True)
                     .order_by("level", "name").values_list("code", "short_name", "name")],
    }
    # what the lists say, for the keys of what is rendered from them: a page part kept from older lists is not
    # served once they are read again (a write without a signal shows within FILTER_CHOICES_SECONDS, not twice that)
    choices["digest"] = hashlib.sha256(repr((choices["fields"], choices["agencies"])).encode()).hexdigest()[:16]
    if generation:
        cache.set(key, choices, timeout=FILTER_CHOICES_SECONDS)
    return choices


def required_document_get(pk: int) -> RequiredDocument | None:
    """A dossier component of a version the public may see (not a draft), or None."""
    return RequiredDocument.objects.exclude(version__status=VersionStatus.DRAFT).filter(pk=pk).first()


def required_document_list(version: ProcedureVersion) -> QuerySet[RequiredDocument]:
    """The components of a version (dossier pages: what may be supplied)."""
    return version.documents.all()


def required_document_of(version: ProcedureVersion, pk: int | None) -> RequiredDocument | None:
    """One component of this version, or None."""
    return version.documents.filter(pk=pk).first() if pk else None
