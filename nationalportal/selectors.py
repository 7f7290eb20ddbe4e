"""Reads of the national-portal link for its pages."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Discrepancy, PullCursor, ReconciliationRun, StatusMapping


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
