from celery import shared_task


@shared_task(name="satisfaction.refresh_monthly_stats", ignore_result=True)
def refresh_monthly_stats_task(months_back: int = 1) -> int:
    """Nightly: this month and `months_back` before it."""
    import datetime as dt

    from django.utils import timezone

    from .stats import monthly_satisfaction_refresh

    if not isinstance(months_back, int) or isinstance(months_back, bool) or not 0 <= months_back <= 24:
        raise ValueError("months_back phải là số nguyên từ 0 đến 24.")
    last = timezone.localdate().replace(day=1)
    first = last
    for _ in range(months_back):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return monthly_satisfaction_refresh(first=first, last=last)
