from celery import shared_task

from .tracking import sweep_deadlines


@shared_task(name="dossiers.sweep_deadlines", ignore_result=True)
def sweep_deadlines_task() -> dict:
    """Run by beat every DEADLINE_SWEEP_SECONDS; idempotent, safe to run twice at once."""
    return sweep_deadlines()
