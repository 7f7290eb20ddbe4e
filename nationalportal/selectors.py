"""Reads for the administrator's national-portal page (`admin_views`): the procedure versions to map and those
mapped, what each unmapped one lacks, the intake refusals, the intake counts and the status vocabulary; and for
the reconciliation page (`reconcile_views`): the runs, their discrepancies and the pull cursor."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from dossiers.workflow import Status
from procedures.models import ProcedureVersion, RequiredDocument, Requirement
from procedures.selectors import IN_FORCE, versions_in_force

from . import mapping
from .models import Discrepancy, IntakeRefusal, NationalDossier, PullCursor, ReconciliationRun, StatusMapping

RECENT_DAYS = 7


def _search(qs: QuerySet[ProcedureVersion], q: str) -> QuerySet[ProcedureVersion]:
    q = (q or "").strip()
    if not q:
        return qs
    return qs.filter(Q(procedure__code__icontains=q) | Q(procedure__name__icontains=q))


def unmapped_list(q: str = "", on: dt.date | None = None) -> QuerySet[ProcedureVersion]:
    """Versions in force the national portal cannot file dossiers for yet (mapping.unmapped_versions),
    filtered by procedure code or name."""
    return _search(mapping.unmapped_versions(on), q)


def mapped_list(q: str = "", on: dt.date | None = None) -> QuerySet[ProcedureVersion]:
    return _search(mapping.mapped_versions(on), q).select_related("national_mapping__mapped_by")


def what_is_missing(versions) -> list[dict]:
    """For a page of unmapped versions: {"version", "has_code", "missing": [components to hand in without a
    national type]} (two queries, whatever the page size)."""
    versions = list(versions)
    missing: dict[int, list] = defaultdict(list)
    for document in (RequiredDocument.objects.filter(version__in=versions, national_type__isnull=True)
                     .exclude(requirement=Requirement.PRESENT).order_by("order", "pk")):
        missing[document.version_id].append(document)
    coded = set(ProcedureVersion.objects.filter(pk__in=[v.pk for v in versions], national_mapping__isnull=False)
                .values_list("pk", flat=True))
    return [{"version": v, "has_code": v.pk in coded, "missing": missing.get(v.pk, [])} for v in versions]


def mappable_versions(on: dt.date | None = None) -> QuerySet[ProcedureVersion]:
    """Versions an administrator may map: in force, or published and coming into force (mapped ahead, the
    national portal can file for them from their first day)."""
    on = on or timezone.localdate()
    return (ProcedureVersion.objects.filter(status__in=IN_FORCE)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on)))


def version_for_mapping(pk: int) -> ProcedureVersion | None:
    return mappable_versions().select_related("procedure", "national_mapping__mapped_by").filter(pk=pk).first()


def is_in_force(version: ProcedureVersion) -> bool:
    return versions_in_force().filter(pk=version.pk).exists()


def unmapped_by_procedure_code(codes) -> dict[str, int]:
    """{procedure code: id of its unmapped version in force} for the codes given (the refusals' links)."""
    return dict(mapping.unmapped_versions().filter(procedure__code__in=set(codes))
                .values_list("procedure__code", "pk"))


def refusal_list(code: str = "") -> QuerySet[IntakeRefusal]:
    """Intake requests refused, newest first, optionally of one error code; `taken_dossier` is the dossier the
    same national code became later (a retry or a pull that succeeded), else None."""
    taken = NationalDossier.objects.filter(national_code=OuterRef("national_code")).values("dossier_id")[:1]
    qs = IntakeRefusal.objects.annotate(taken_dossier=Subquery(taken)).order_by("-at", "-pk")
    return qs.filter(code=code) if code else qs


def refusal_codes() -> list[tuple[str, int]]:
    """The error codes refusals were answered with, and how many of each (the filter's choices)."""
    return list(IntakeRefusal.objects.values("code").annotate(n=Count("id")).order_by("code")
                .values_list("code", "n"))


def intake_counts(now: dt.datetime | None = None) -> dict[str, int]:
    """National-portal dossiers received today and in the last seven days, requests refused in the last seven
    days."""
    now = now or timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    week = now - dt.timedelta(days=RECENT_DAYS)
    received = NationalDossier.objects.aggregate(
        today=Count("id", filter=Q(received_at__gte=today, received_at__lte=now)),
        week=Count("id", filter=Q(received_at__gte=week, received_at__lte=now)))
    refused = IntakeRefusal.objects.filter(at__gte=week, at__lte=now).count()
    return {"received_today": received["today"], "received_week": received["week"], "refused_week": refused}


def status_rows() -> list[dict]:
    """Each status of the workflow with the national portal's code and label it is pushed as (empty when the
    administrator has not mapped it)."""
    rows = {m.status: m for m in StatusMapping.objects.all()}
    return [{"status": value, "label": label, "mapping": rows.get(value)} for value, label in Status.choices
            if value != Status.DRAFT]


# -- reconciliation ----------------------------------------------------------------------------------

def latest_run() -> ReconciliationRun | None:
    return ReconciliationRun.objects.select_related("started_by").order_by("-started_at", "-id").first()


def latest_complete_run() -> ReconciliationRun | None:
    """The latest run whose list was fetched (the one whose discrepancies are acted on)."""
    return (ReconciliationRun.objects.select_related("started_by").filter(error="", finished_at__isnull=False)
            .order_by("-started_at", "-id").first())


def discrepancies_of(run: ReconciliationRun, *, resolved: bool) -> QuerySet[Discrepancy]:
    return (run.discrepancies.filter(resolved_at__isnull=not resolved).select_related("dossier", "resolved_by")
            .order_by("kind", "national_code"))


def discrepancy_get(pk: int) -> Discrepancy | None:
    return Discrepancy.objects.select_related("run").filter(pk=pk).first()


def national_labels() -> dict[str, str]:
    """{the national portal's status code: its label}."""
    return dict(StatusMapping.objects.order_by("-status").values_list("national_status", "national_label"))


def pull_cursor() -> PullCursor | None:
    return PullCursor.objects.filter(pk=1).first()
