import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from dossiers.stats import recent_months

from .pull import pull_intake
from .reconcile import DEFAULT_DAYS, reconcile
from .stats import monthly_sync_refresh
from .sync import push


@shared_task(name="nationalportal.push_sync", ignore_result=True)
def push_sync_task(batch: int = 200) -> dict:
    """Right after a status change, and by beat every minute: deliver the due sync items."""
    if not isinstance(batch, int) or isinstance(batch, bool) or not 1 <= batch <= 5000:
        raise ValueError("batch phải là số nguyên từ 1 đến 5000.")
    return push(batch=batch)


@shared_task(name="dossiers.push_sync", ignore_result=True)
def push_sync_task_old_name(batch: int = 200) -> dict:
    """The same task under its name from before it moved out of dossiers, so that messages already
    queued under that name (a kick after a status change, a beat tick of the previous release) still
    run after the upgrade. Nothing sends it any more; remove it one release later."""
    return push_sync_task.run(batch=batch)


@shared_task(name="nationalportal.refresh_monthly_stats", ignore_result=True)
def refresh_monthly_stats_task(months_back: int = 1) -> int:
    """Nightly, before the index snapshots: this month and `months_back` before it."""
    first, last = recent_months(months_back)
    return monthly_sync_refresh(first=first, last=last)


@shared_task(name="nationalportal.reconcile", ignore_result=True)
def reconcile_task(days_back: int = DEFAULT_DAYS) -> dict:
    """Nightly: compare the national portal's list of the last `days_back` days with ours (a failed run is
    recorded on the run, not raised)."""
    if not isinstance(days_back, int) or isinstance(days_back, bool) or not 1 <= days_back <= 400:
        raise ValueError("days_back phải là số nguyên từ 1 đến 400.")
    run = reconcile(since=timezone.now() - dt.timedelta(days=days_back))
    return {"run": run.pk, "missing_here": run.missing_here, "missing_there": run.missing_there,
            "status_behind": run.status_behind, "error": run.error}


@shared_task(name="nationalportal.pull_intake", ignore_result=True)
def pull_intake_task() -> dict:
    """Every 5 minutes when the province polls the national portal (NATIONAL_PORTAL_PULL): take in the new
    dossiers. Does nothing otherwise."""
    if not getattr(settings, "NATIONAL_PORTAL_PULL", False):
        return {}
    return pull_intake()
