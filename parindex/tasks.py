from celery import shared_task

from dossiers.stats import recent_months

from .metrics import snapshots_refresh


@shared_task(name="parindex.refresh_metrics")
def refresh_metrics(months_back: int = 1) -> int:
    """Nightly, after the dossier and satisfaction tables: the snapshots of this month and the previous ones."""
    first, last = recent_months(months_back)  # refuses anything but an int from 0 to 24
    return snapshots_refresh(first=first, last=last)
