"""What dossiers do when a lower app changes something they depend on (ARCHITECTURE.md §1: the lower app
knows nothing of dossiers; dossiers listen). Connected in `DossiersConfig.ready()`.

A working-calendar override added, changed or removed: after the commit, a task re-appoints the open
dossiers whose remaining time crosses the day (`lateness.calendar_changes`)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from workcalendar.models import CalendarOverride

from .tasks import reappoint_for_calendar_task


def _remember_old_date(sender, instance: CalendarOverride, **kwargs) -> None:
    """A changed override may have moved from another day: that day changed too."""
    instance._previous = (CalendarOverride.objects.filter(pk=instance.pk).values_list("date", "province_id").first()
                          if instance.pk else None)


def _calendar_changed(sender, instance: CalendarOverride, **kwargs) -> None:
    pairs = {(instance.date, instance.province_id)}
    previous = getattr(instance, "_previous", None)
    if previous:
        pairs.add(previous)
    for province_id in {p for _d, p in pairs}:
        dates = sorted(d.isoformat() for d, p in pairs if p == province_id)
        transaction.on_commit(lambda dates=dates, province_id=province_id: reappoint_for_calendar_task.delay(
            dates=dates, province_id=province_id))


def connect() -> None:
    pre_save.connect(_remember_old_date, sender=CalendarOverride, dispatch_uid="dossiers-calendar-old-date")
    post_save.connect(_calendar_changed, sender=CalendarOverride, dispatch_uid="dossiers-calendar-changed")
    post_delete.connect(_calendar_changed, sender=CalendarOverride, dispatch_uid="dossiers-calendar-removed")
