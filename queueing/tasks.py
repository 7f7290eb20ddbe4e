"""Celery tasks of the desk floor: thin, idempotent, each calls one function of booking.py."""

from celery import shared_task
from django.utils import timezone

from . import booking


@shared_task(name="queueing.remind_appointments", ignore_result=True)
def remind_appointments_task() -> int:
    """Every half hour in the afternoon and evening: tomorrow's bookings not reminded yet."""
    return booking.appointments_remind()


@shared_task(name="queueing.mark_missed_appointments", ignore_result=True)
def mark_missed_appointments_task() -> int:
    """After the centres close: today's bookings never checked in are missed."""
    return booking.appointments_mark_missed(day=timezone.localdate())
