"""Celery tasks of the desk floor: thin, idempotent, each calls one service function."""

from celery import shared_task
from django.utils import timezone

from . import booking, services


@shared_task(name="queueing.remind_appointments", ignore_result=True)
def remind_appointments_task() -> int:
    """Every half hour in the afternoon and evening: tomorrow's bookings not reminded yet."""
    return booking.appointments_remind()


@shared_task(name="queueing.mark_missed_appointments", ignore_result=True)
def mark_missed_appointments_task() -> int:
    """After the centres close: today's bookings never checked in are missed."""
    return booking.appointments_mark_missed(day=timezone.localdate())


@shared_task(name="queueing.close_day", ignore_result=True)
def close_day_task() -> int:
    """After the centres close: today's tickets still open are closed (abandoned, absent, done)."""
    return services.tickets_close_day(day=timezone.localdate())
