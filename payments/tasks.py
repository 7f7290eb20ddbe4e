from celery import shared_task

from .services import payments_reconcile


@shared_task(name="payments.reconcile")
def reconcile() -> dict:
    """Every few minutes: ask the gateway about online payments still pending (a lost IPN)."""
    return payments_reconcile()
