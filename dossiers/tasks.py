import datetime as dt

from celery import shared_task

from accounts.models import Agency

from .idempotency import keys_purge
from .lateness.calendar_changes import dossiers_reappoint_for_calendar
from .lateness.digest import risk_digest_send
from .lateness.risk import forecast_refresh, parse_cut
from .lateness.sweep import sweep_deadlines
from .ledger import ledger_export_render_task  # noqa: F401 - registered with the other tasks
from .routing import handovers_alert_overdue
from .stats import monthly_stats_refresh, recent_months


@shared_task(name="dossiers.sweep_deadlines", ignore_result=True)
def sweep_deadlines_task() -> dict:
    """Run by beat every DEADLINE_SWEEP_SECONDS; idempotent, safe to run twice at once. Also alerts both desks
    of every hand-over between desks not acknowledged within its allotment."""
    return {**sweep_deadlines(), "handovers_overdue": handovers_alert_overdue()}


@shared_task(name="dossiers.refresh_monthly_stats", ignore_result=True)
def refresh_monthly_stats_task(months_back: int = 1) -> int:
    """Nightly: the current month and `months_back` before it (late results change past months)."""
    first, last = recent_months(months_back)
    return monthly_stats_refresh(first=first, last=last)


@shared_task(name="dossiers.purge_idempotency_keys", ignore_result=True)
def purge_idempotency_keys_task() -> int:
    """Nightly: the one-time keys of forms and API calls older than a week."""
    return keys_purge()


@shared_task(name="dossiers.reappoint_for_calendar", ignore_result=True)
def reappoint_for_calendar_task(dates: list[str], province_id: int | None = None) -> dict:
    """Queued after a working-calendar override is saved or deleted: re-appoint the open dossiers whose
    remaining time crosses those days. Idempotent (a second run finds nothing to move)."""
    province = Agency.objects.filter(pk=province_id).first() if province_id else None
    if province_id and province is None:
        return {"checked": 0, "moved": 0}  # the province is gone, and its overrides with it
    return dossiers_reappoint_for_calendar(dates=[dt.date.fromisoformat(d) for d in dates], province=province)


@shared_task(name="dossiers.risk_digest", ignore_result=True)
def risk_digest_task(day: str | None = None) -> dict:
    """Every morning (beat, 07:30 Vietnam time): each agency head's digest of the dossiers at risk of being
    late. `day`: YYYY-MM-DD (default today); a bad or future day raises a DomainError in Vietnamese and sends
    nothing. Idempotent: one e-mail and one notice per head and day, however often it runs."""
    return risk_digest_send(day=day)
@shared_task(name="dossiers.forecast_refresh", ignore_result=True)
def forecast_refresh_task(before: str | None = None) -> dict:
    """Nightly: learn again how long each step really takes (the risk forecast's model, `StepDuration`).
    `before` (YYYY-MM-DD): only the control sheet before that day (a ValueError in Vietnamese if malformed)."""
    return forecast_refresh(before=parse_cut(before) if before is not None else None)
