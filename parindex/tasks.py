from celery import shared_task

from dossiers.stats import recent_months

from .services import figures_refresh, figures_refresh_current


@shared_task(name="parindex.refresh_metrics")
def refresh_metrics(months_back: int = 1) -> int:
    """Nightly, after the dossier and satisfaction tables: the snapshots of this month and the previous ones."""
    first, last = recent_months(months_back)  # refuses anything but an int from 0 to 24
    return figures_refresh(first=first, last=last)


@shared_task(name="parindex.refresh_current_month", ignore_result=True)
def refresh_current_month() -> dict:
    """Every FIGURES_REFRESH_MINUTES: this month's figures again when something happened (services)."""
    return figures_refresh_current()
