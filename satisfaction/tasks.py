from celery import shared_task

from dossiers.stats import recent_months

from .stats import monthly_satisfaction_refresh


@shared_task(name="satisfaction.refresh_monthly_stats", ignore_result=True)
def refresh_monthly_stats_task(months_back: int = 1) -> int:
    """Nightly: this month and `months_back` before it."""
    first, last = recent_months(months_back)
    return monthly_satisfaction_refresh(first=first, last=last)
